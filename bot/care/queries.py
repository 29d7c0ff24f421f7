"""Finding alerts: the one a button or a coordinator names, a partner's open call, the posts that
showed an alert, and those due to go again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from bot.care.rules import JOINS_WITHIN
from bot.checks import Refusal
from bot.feature import Subject
from bot.turn import Turn, number_in
from storage.models import Alert, Outbox


def find(turn: Turn, text: str) -> Alert:
    """The alert "3" or "#3" names."""
    number = number_in(text)
    found = turn.db.get(Alert, number) if number is not None else None
    if found is None:
        raise Refusal("Which alert? Type alerts to see them.")
    return found


AN_ALERT = Subject(find)


def open_call(db: Session, member_id: int | None, now: datetime) -> Alert | None:
    """This partner's call for support that is not done yet, made lately: a new one joins it."""
    return db.exec(
        select(Alert)
        .where(Alert.member_id == member_id, Alert.reason == "support", col(Alert.done_at).is_(None))
        .where(Alert.created_at > now - JOINS_WITHIN)
        .order_by(col(Alert.id).desc())
    ).first()


def posts_of(db: Session, alert_id: int | None) -> list[Outbox]:
    """Every message that showed this alert to coordinators or admins (the first, and the one
    sent again), to edit when someone takes it or finishes it."""
    return list(
        db.exec(
            select(Outbox)
            .where(
                or_(
                    col(Outbox.dedupe_key).startswith(f"alert.{alert_id}:"),
                    col(Outbox.dedupe_key).startswith(f"alert.{alert_id}.again:"),
                )
            )
            .where(col(Outbox.edit_of).is_(None))
            .order_by(col(Outbox.id))
        )
    )


def due_again(db: Session, now: datetime, minutes: int) -> list[int]:
    """Alerts nobody has taken within `minutes`, not sent again yet."""
    return list(
        db.exec(
            select(Alert.id)
            .where(col(Alert.taken_at).is_(None), col(Alert.done_at).is_(None))
            .where(col(Alert.escalated_at).is_(None), Alert.created_at <= now - timedelta(minutes=minutes))
            .order_by(col(Alert.id))
        )
    )


def recent(db: Session, now: datetime, limit: int = 20) -> list[Alert]:
    """Alerts still open or taken, and those done in the last week: newest first."""
    return list(
        db.exec(
            select(Alert)
            .where(or_(col(Alert.done_at).is_(None), col(Alert.done_at) > now - timedelta(days=7)))
            .order_by(col(Alert.id).desc())
            .limit(limit)
        )
    )
