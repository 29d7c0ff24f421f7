"""Closing an opening, at its closing time or when the poster says so, and cancelling one.

Both happen once: a conditional UPDATE on the status decides, so a late, repeated or
restarted scheduler, or a poster closing it at the same moment, changes nothing twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import Reply
from bot.feature import Asked
from bot.openings.notices import invitations_expire, refresh_announcement
from bot.openings.queries import interested
from bot.openings.rules import Status, send_at
from bot.openings.words import cancelled, final_list, thanks
from bot.outbox import enqueue_dm
from bot.settings import Settings
from bot.turn import Turn
from storage.models import Member, Opening

log = logging.getLogger(__name__)



def close_due(engine: Engine, settings: Settings, now: datetime) -> None:
    """Close every opening whose closing time has come. Safe to call as often as you like."""
    with Session(engine) as db:
        due = db.exec(
            select(Opening.id)
            .where(Opening.status == Status.OPEN, Opening.closes_at <= now)
            .order_by(col(Opening.id))
        ).all()
    for opening_id in due:
        try:
            with Session(engine) as db:
                close(db, settings, db.get_one(Opening, opening_id), now)
                db.commit()
        except Exception:  # one broken opening must not stop the others
            log.exception("opening %s could not close", opening_id)


def close(db: Session, settings: Settings, opening: Opening, now: datetime) -> bool:
    """Close it: the announcement says so, the poster gets the final list, and everyone still
    interested who was not selected is thanked. False if it was not open (nothing changes)."""
    claimed = db.execute(
        update(Opening)
        .where(col(Opening.id) == opening.id, col(Opening.status) == Status.OPEN)
        .values(status=Status.CLOSED, closed_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    db.refresh(opening)
    refresh_announcement(db, settings, opening, now)
    invitations_expire(db, opening, now)
    people = interested(db, opening.id)
    for interest, member in people:
        if interest.selected_at is None:
            assert member.id is not None
            enqueue_dm(
                db,
                member.id,
                thanks(opening, member),
                now,
                dedupe_key=f"opening.thanks:{opening.id}:{member.id}",
                due_at=send_at(member, now),
            )
    poster = db.get_one(Member, opening.posted_by)
    enqueue_dm(
        db,
        opening.posted_by,
        final_list(db, opening, poster),
        now,
        dedupe_key=f"opening.closed:{opening.id}",
        due_at=send_at(poster, now),
    )
    return True


def close_by_hand(turn: Turn, asked: Asked) -> Reply:
    """`openings close 1`, or the Close button: the router has checked it is theirs to close."""
    _ = turn._
    opening: Opening = asked.subject
    if opening.status == Status.CANCELLED:
        return turn.say(_("{title} was cancelled already. Nothing changed.", title=opening.title))
    if not close(turn.db, turn.settings, opening, turn.now):
        return turn.say(_("{title} has closed already. Nothing changed.", title=opening.title))
    return turn.say(
        _("Closed {title}.", title=opening.title),
        " ",
        _(
            "I have thanked those not selected, and sent the final list to {name}.",
            name=_poster_name(turn, opening),
        ),
    )


def _poster_name(turn: Turn, opening: Opening) -> str:
    if opening.posted_by == turn.member.id:
        return turn._("you")
    return turn.db.get_one(Member, opening.posted_by).display_name


def cancel_by_hand(turn: Turn, asked: Asked) -> Reply:
    """Cancel it, open or closed: the announcement says so, and everyone it concerns is told
    (while open, everyone interested; once closed, those selected)."""
    _ = turn._
    opening: Opening = asked.subject
    seen = opening.status
    if seen == Status.CANCELLED:
        return turn.say(_("{title} was cancelled already. Nothing changed.", title=opening.title))
    claimed = turn.db.execute(
        update(Opening)
        .where(col(Opening.id) == opening.id, col(Opening.status) == seen)
        .values(status=Status.CANCELLED, closed_at=opening.closed_at or turn.now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal("That changed a moment ago. Please type it again.")
    turn.db.refresh(opening)
    refresh_announcement(turn.db, turn.settings, opening, turn.now)
    invitations_expire(turn.db, opening, turn.now)
    told = 0
    for interest, member in interested(turn.db, opening.id):
        if seen == Status.CLOSED and interest.selected_at is None:
            continue  # they were thanked at closing; this is no news to them
        assert member.id is not None
        queued = enqueue_dm(
            turn.db,
            member.id,
            cancelled(opening, member),
            turn.now,
            dedupe_key=f"opening.cancelled:{opening.id}:{member.id}",
            due_at=send_at(member, turn.now),
        )
        told += queued is not None
    return turn.say(_("Cancelled {title}. Partners told: {count}.", title=opening.title, count=told))
