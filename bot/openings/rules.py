"""What every part of openings agrees on: finding one, who may manage it, how full it is, who
is still interested, and when a message to someone may go out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.checks import Refusal, after_quiet_hours
from bot.feature import Subject
from bot.members import Role
from bot.turn import Turn, number_in
from bot.words import N_
from storage.models import Involvement, Member, Opening, OpeningInterest

STAFF_ROLES = (Role.STAFF, Role.COORDINATOR)
PLACE_KINDS = ("remote", "in_person", "hybrid")


NOT_YOURS = N_("Only the person who posted an opening, and coordinators, can close or cancel it.")
NOT_SEEN = N_("Only the person who posted an opening, and coordinators, can see who is interested.")
NOT_CHOOSING = N_("Only the person who posted an opening, and coordinators, can choose who takes part.")


def find(db: Session, text: str) -> Opening | None:
    """The opening named by "1" or "#1" (or first in a button's id, "1:decline")."""
    number = number_in(text.split(":")[0])
    return db.get(Opening, number) if number is not None else None


def find_for(turn: Turn, text: str) -> Opening:
    found = find(turn.db, text)
    if found is None:
        raise Refusal("Which opening? Type its number, like 1. Type openings to see them.")
    return found


def pressed(turn: Turn, text: str) -> Opening:
    """The opening a button names. One that is gone makes a button that no longer works."""
    found = find(turn.db, text)
    if found is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return found


def may_manage(turn: Turn, opening: Opening) -> bool:
    """Coordinators, and the staff member who posted it while they are still staff: they see
    who is interested, choose, close and cancel."""
    return turn.is_(Role.COORDINATOR) or (turn.is_(Role.STAFF) and opening.posted_by == turn.member.id)


def managed(refusal: str) -> Callable[[Turn, Opening], None]:
    """The check that this person may manage the opening, saying `refusal` if not."""

    def check(turn: Turn, opening: Opening) -> None:
        if not may_manage(turn, opening):
            raise Refusal(refusal)

    return check


AN_OPENING = Subject(find_for)
A_PRESSED_OPENING = Subject(pressed)


def is_open(opening: Opening, now: datetime) -> bool:
    """Taking interest: not closed, not cancelled, and its closing time not yet come."""
    return opening.status == "open" and now < opening.closes_at


def still_open(opening: Opening, now: datetime) -> None:
    if opening.status == "cancelled":
        raise Refusal(
            "{title} was cancelled, so it is not going ahead. Type openings to see what is open.",
            title=opening.title,
        )
    if not is_open(opening, now):
        raise Refusal("{title} has closed. Type openings to see what is open now.", title=opening.title)


def filled(db: Session, opening_id: int | None) -> int:
    return db.exec(
        select(func.count()).select_from(Involvement).where(Involvement.opening_id == opening_id)
    ).one()


def is_full(db: Session, opening: Opening) -> bool:
    return filled(db, opening.id) >= opening.places


def interest_of(db: Session, opening_id: int | None, member_id: int | None) -> OpeningInterest | None:
    return db.exec(
        select(OpeningInterest).where(
            OpeningInterest.opening_id == opening_id, OpeningInterest.member_id == member_id
        )
    ).first()


def interested(db: Session, opening_id: int | None) -> list[tuple[OpeningInterest, Member]]:
    """Everyone still interested (not withdrawn), selected or not, in the order they said so."""
    return list(
        db.exec(
            select(OpeningInterest, Member)
            .join(Member, col(Member.id) == col(OpeningInterest.member_id))
            .where(OpeningInterest.opening_id == opening_id, col(OpeningInterest.withdrawn_at).is_(None))
            .order_by(col(OpeningInterest.created_at), col(OpeningInterest.id))
        ).all()
    )


def send_at(member: Member, now: datetime) -> datetime:
    """When news for this member may go out: after a pause they chose, outside quiet hours."""
    start = member.paused_until if member.paused_until and member.paused_until > now else now
    return after_quiet_hours(start, member.timezone, member.quiet_start, member.quiet_end)


def is_paused(member: Member, now: datetime) -> bool:
    return member.paused_until is not None and member.paused_until > now


def hours_text(hours: float | None) -> str:
    """Hours as people write them: 6, 1.5, or nothing when not agreed."""
    if hours is None:
        return ""
    return str(int(hours)) if float(hours).is_integer() else str(hours)
