"""Finding openings and who is interested in them: the opening someone names (and whether they may
manage it), how full it is, and each person's interest."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from bot.checks import Refusal
from bot.feature import Subject
from bot.turn import Turn, number_in
from storage.models import Involvement, Member, Opening, OpeningInterest


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


AN_OPENING = Subject(find_for)


A_PRESSED_OPENING = Subject(pressed)


def filled(db: Session, opening_id: int | None) -> int:
    return db.exec(
        select(func.count()).select_from(Involvement).where(Involvement.opening_id == opening_id)
    ).one()


def is_full(db: Session, opening: Opening) -> bool:
    return filled(db, opening.id) >= opening.seats


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
