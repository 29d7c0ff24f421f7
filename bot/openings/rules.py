"""What every part of openings agrees on: finding one, who may manage it, how full it is, who
is still interested, and when a message to someone may go out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.checks import Refusal, after_quiet_hours
from bot.members import Role
from bot.turn import Turn
from storage.models import Involvement, Member, Opening, OpeningInterest

STAFF_ROLES = (Role.STAFF, Role.COORDINATOR)
PLACE_KINDS = ("remote", "in_person", "hybrid")


def find(session: Session, number: str) -> Opening | None:
    """The opening named by "1" or "#1"; a number too long for the id column finds nothing."""
    digits = number.strip().removeprefix("#")
    return session.get(Opening, int(digits)) if digits.isdecimal() and len(digits) <= 9 else None


def find_for(turn: Turn, number: str) -> Opening:
    found = find(turn.session, number)
    if found is None:
        raise Refusal("Which opening? Type its number, like 1. Type openings to see them.")
    return found


def pressed(turn: Turn, subject: str) -> Opening:
    """The opening a button names. One that is gone makes a button that no longer works."""
    found = find(turn.session, subject)
    if found is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return found


def may_manage(turn: Turn, opening: Opening) -> bool:
    """The person who posted it, and coordinators: they see who is interested and choose."""
    return opening.posted_by == turn.member.id or turn.is_(Role.COORDINATOR)


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


def filled(session: Session, opening_id: int | None) -> int:
    return session.exec(
        select(func.count()).select_from(Involvement).where(Involvement.opening_id == opening_id)
    ).one()


def is_full(session: Session, opening: Opening) -> bool:
    return filled(session, opening.id) >= opening.places


def interest_of(session: Session, opening_id: int | None, member_id: int | None) -> OpeningInterest | None:
    return session.exec(
        select(OpeningInterest).where(
            OpeningInterest.opening_id == opening_id, OpeningInterest.member_id == member_id
        )
    ).first()


def interested(session: Session, opening_id: int | None) -> list[tuple[OpeningInterest, Member]]:
    """Everyone still interested (not withdrawn), selected or not, in the order they said so."""
    return list(
        session.exec(
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
