"""What openings put on a person's home page: the openings open to a partner, those they said
they are interested in (or were selected for), and the open openings a member of staff posted."""

from __future__ import annotations

from sqlmodel import col, select

from bot.conversation import Field
from bot.members import Role
from bot.openings.queries import filled, interested
from bot.openings.rules import STAFF_ROLES, Status
from bot.turn import Turn
from storage.models import Opening, OpeningInterest


def open_to_me(turn: Turn) -> list[Field]:
    """For partners: how many openings they could still say they're interested in."""
    if not turn.is_(Role.PARTNER):
        return []
    mine = select(OpeningInterest.opening_id).where(OpeningInterest.member_id == turn.member.id)
    count = len(
        turn.db.exec(
            select(Opening.id)
            .where(Opening.status == Status.OPEN, Opening.closes_at > turn.now)
            .where(col(Opening.id).not_in(mine))
        ).all()
    )
    if not count:
        return []
    return [
        Field(turn._("Openings"), (turn._("Open now: {count}. Type openings to see them.", count=count),))
    ]


def my_interest(turn: Turn) -> list[Field]:
    rows = turn.db.exec(
        select(OpeningInterest, Opening)
        .join(Opening, col(Opening.id) == col(OpeningInterest.opening_id))
        .where(OpeningInterest.member_id == turn.member.id, col(OpeningInterest.withdrawn_at).is_(None))
        .where(Opening.status == Status.OPEN, Opening.closes_at > turn.now)
        .order_by(col(Opening.closes_at), col(Opening.id))
    ).all()
    shown = []
    for interest, opening in rows:
        if interest.selected_at is not None:
            words = turn.spans(
                "{title}: you were selected. The next steps are in your messages.", title=opening.title
            )
        else:
            words = turn.spans(
                "{title}: you said you're interested. It closes {when}.",
                title=opening.title,
                when=turn.moment(opening.closes_at),
            )
        shown.append(Field(turn._("Opening"), words))
    return shown


def my_openings(turn: Turn) -> list[Field]:
    if not turn.is_(*STAFF_ROLES):
        return []
    posted = turn.db.exec(
        select(Opening)
        .where(Opening.posted_by == turn.member.id, Opening.status == Status.OPEN, Opening.closes_at > turn.now)
        .order_by(col(Opening.closes_at), col(Opening.id))
    ).all()
    return [
        Field(
            turn._("Your opening"),
            turn.spans(
                "{title}: interested {count}, places filled {filled} of {places}. It closes {when}. Type openings review {number}.",
                title=opening.title,
                count=str(len(interested(turn.db, opening.id))),
                filled=str(filled(turn.db, opening.id)),
                places=str(opening.seats),
                when=turn.moment(opening.closes_at),
                number=str(opening.id),
            ),
        )
        for opening in posted
    ]
