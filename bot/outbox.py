"""The outbox: messages for later or for other people, and the dispatcher that sends them.

`enqueue` is called inside the transaction that makes the change, so the change and its
message are saved together or not at all. `dispatch_due` hands due rows to the sender of
their platform and marks each sent only after the platform accepted it: a crash in between
delays a message, it never loses one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.conversation import (
    CalendarEvent,
    Message,
    event_from_json,
    event_to_json,
    message_from_json,
    message_to_json,
)
from bot.members import home_account
from bot.settings import AccountRef
from storage.models import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One message, addressed on one platform."""

    outbox_id: int
    platform: str
    workspace: str
    target_kind: str
    target_id: str
    message: Message
    # Set for an edit: the platform's id of the message to change, instead of sending anew.
    edit_message_id: str | None = None
    # Set for a row of the shared calendar (target_kind CALENDAR): the entry to make or change.
    # `message` is then empty. A platform without a shared calendar returns None for it.
    event: CalendarEvent | None = None


# An outbox row of this kind is an entry in the shared calendar of a channel's server.
CALENDAR = "calendar"


class SendFailed(Exception):
    """The platform did not take the message. It stays in the outbox and is tried again."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Sender(Protocol):
    def send(self, delivery: Delivery) -> str | None:
        """Send it; return the platform's message id if there is one; raise SendFailed."""
        ...


def enqueue_dm(
    session: Session,
    member_id: int,
    message: Message,
    now: datetime,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
) -> Outbox | None:
    """Queue a direct message to a member, on the platform they used most recently.

    Returns None if the member has no account to reach, or if `dedupe_key` was queued before.
    """
    account = home_account(session, member_id)
    if account is None:
        return None
    return enqueue(
        session,
        account.platform,
        account.workspace,
        "dm",
        account.user_id,
        message,
        now,
        dedupe_key,
        due_at,
    )


def enqueue(
    session: Session,
    platform: str,
    workspace: str,
    target_kind: str,
    target_id: str,
    message: Message | CalendarEvent,
    now: datetime,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
) -> Outbox | None:
    if dedupe_key is not None:
        seen = session.exec(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key)).first()
        if seen is not None:
            return None
    row = Outbox(
        platform=platform,
        workspace=workspace,
        target_kind=target_kind,
        target_id=target_id,
        body=event_to_json(message) if isinstance(message, CalendarEvent) else message_to_json(message),
        dedupe_key=dedupe_key,
        created_at=now,
        due_at=due_at or now,
    )
    session.add(row)
    session.flush()
    return row


def enqueue_channel(
    session: Session, channel: AccountRef, message: Message, now: datetime, dedupe_key: str | None = None
) -> Outbox | None:
    """Queue a post in a channel (its id in `channel.user_id`)."""
    return enqueue(
        session, channel.platform, channel.workspace, "channel", channel.user_id, message, now, dedupe_key
    )


def enqueue_event(
    session: Session, channel: AccountRef, event: CalendarEvent, now: datetime, dedupe_key: str
) -> Outbox | None:
    """Queue an entry in the shared calendar of the server that holds `channel`; change it
    later with `enqueue_edit`."""
    return enqueue(
        session, channel.platform, channel.workspace, CALENDAR, channel.user_id, event, now, dedupe_key
    )


def enqueue_edit(
    session: Session,
    original_id: int,
    message: Message | CalendarEvent,
    now: datetime,
    dedupe_key: str | None = None,
) -> Outbox | None:
    """Queue a change to a message (or calendar entry) queued before: a live count, "closed",
    a new time. Edits go out in order, each after the original has been sent; if the original
    went out with nothing to change (a platform without a calendar), the edit is let go.
    `dedupe_key` as for `enqueue`."""
    original = session.get(Outbox, original_id)
    if original is None:
        return None
    row = enqueue(
        session,
        original.platform,
        original.workspace,
        original.target_kind,
        original.target_id,
        message,
        now,
        dedupe_key,
    )
    if row is not None:
        row.edit_of = original_id
        session.add(row)
    return row


RETRY_BASE = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=15)


def dispatch_due(engine: Engine, senders: Mapping[str, Sender], clock: Clock, limit: int = 100) -> int:
    """Send what is due on the platforms we have senders for. Returns how many were sent.

    Each row is claimed in its own transaction; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets
    several dispatchers share the work without sending anything twice.
    """
    sent = 0
    platforms = list(senders)
    if not platforms:
        return 0
    for _ in range(limit):
        with Session(engine) as session:
            row = session.exec(
                select(Outbox)
                .where(col(Outbox.sent_at).is_(None))
                .where(Outbox.due_at <= clock.now())
                .where(col(Outbox.platform).in_(platforms))
                .order_by(col(Outbox.due_at), col(Outbox.id))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                break
            assert row.id is not None
            edit_message_id = None
            if row.edit_of is not None:
                original = session.get(Outbox, row.edit_of)
                if original is not None and original.sent_at is not None and not original.platform_message_id:
                    # It went out as nothing the platform can change (no calendar there).
                    row.sent_at = clock.now()
                    session.add(row)
                    session.commit()
                    continue
                if original is None or original.platform_message_id is None:
                    # The message to change has not gone out yet: try again shortly.
                    row.due_at = clock.now() + RETRY_BASE
                    session.add(row)
                    session.commit()
                    continue
                edit_message_id = original.platform_message_id
            calendar = row.target_kind == CALENDAR
            delivery = Delivery(
                row.id,
                row.platform,
                row.workspace,
                row.target_kind,
                row.target_id,
                Message(()) if calendar else message_from_json(row.body),
                edit_message_id,
                event_from_json(row.body) if calendar else None,
            )
            try:
                row.platform_message_id = senders[row.platform].send(delivery)
            except Exception as failure:  # a platform refusal, or a bug in a sender: try later
                row.attempts += 1
                row.last_error = str(failure)[:500]
                backoff = min(RETRY_BASE * 2 ** (row.attempts - 1), RETRY_MAX)
                if isinstance(failure, SendFailed) and failure.retry_after is not None:
                    backoff = timedelta(seconds=failure.retry_after)
                row.due_at = clock.now() + backoff
                log.warning(
                    "outbox %s not sent (attempt %s): %s",
                    row.id,
                    row.attempts,
                    failure,
                    exc_info=not isinstance(failure, SendFailed),
                )
            else:
                row.sent_at = clock.now()
                sent += 1
            session.add(row)
            session.commit()
    return sent
