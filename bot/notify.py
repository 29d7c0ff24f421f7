"""Telling coordinators: their channel if one is set, otherwise each of them by direct message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.conversation import Message
from bot.members import AccountRef, Role, members_with_role
from bot.outbox import enqueue, enqueue_dms
from bot.settings import Settings
from storage.models import Member, Outbox


def channel_reader(settings: Settings, now: datetime) -> Member:
    """Whoever reads a channel post: it is written in the service's own language and zone."""
    return Member(
        display_name="",
        timezone=settings.default_timezone,
        language=settings.default_language,
        created_at=now,
    )


def coordinators_room(settings: Settings) -> AccountRef | None:
    """The coordinators' channel, if one is set on a platform this service runs."""
    channel = settings.coordinators_channel()
    return channel if channel is not None and channel.platform in settings.platforms() else None


def tell_coordinators(
    db: Session,
    settings: Settings,
    write: Callable[[Member], Message],
    now: datetime,
    key: str,
) -> list[Outbox]:
    """Queue a message for the coordinators: in their channel, or else to each by direct message.
    `write(reader)` words it for one reader (a channel reads in the service's own language and
    zone). `key` makes a second queueing impossible. Returns what was queued now: nothing means
    nobody could be reached (no channel, and no coordinator with an account)."""
    channel = coordinators_room(settings)
    if channel is not None:
        room = channel_reader(settings, now)
        row = enqueue(
            db,
            channel.platform,
            channel.workspace,
            "channel",
            channel.user_id,
            write(room),
            now,
            dedupe_key=f"{key}:channel",
        )
        return [row] if row is not None else []
    coordinators = members_with_role(db, Role.COORDINATOR)
    return enqueue_dms(db, [(c.id, write(c), f"{key}:{c.id}") for c in coordinators if c.id is not None], now)
