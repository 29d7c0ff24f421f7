"""Telling coordinators: their channel if one is set, otherwise each of them by direct message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.conversation import Message
from bot.members import Role, members_with_role
from bot.outbox import enqueue, enqueue_dm
from bot.settings import Settings
from storage.models import Member


def channel_reader(settings: Settings, now: datetime) -> Member:
    """Whoever reads a channel post: it is written in the service's own language and zone."""
    return Member(
        display_name="",
        timezone=settings.default_timezone,
        language=settings.default_language,
        created_at=now,
    )


def tell_coordinators(
    db: Session,
    settings: Settings,
    write: Callable[[Member], Message],
    now: datetime,
    key: str,
) -> None:
    """Queue a message for the coordinators. `write(reader)` words it for one reader (a channel
    reads in the service's own language and zone). `key` makes a second queueing impossible."""
    channel = settings.coordinators_channel()
    if channel is not None:
        room = channel_reader(settings, now)
        enqueue(
            db,
            channel.platform,
            channel.workspace,
            "channel",
            channel.user_id,
            write(room),
            now,
            dedupe_key=f"{key}:channel",
        )
        return
    for coordinator in members_with_role(db, Role.COORDINATOR):
        assert coordinator.id is not None
        enqueue_dm(db, coordinator.id, write(coordinator), now, dedupe_key=f"{key}:{coordinator.id}")
