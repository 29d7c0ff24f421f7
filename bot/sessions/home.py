"""What wellbeing sessions put on a person's home page: the sessions they have a place at, or
are waiting for, that are still to come; and for coordinators the coming week's sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.conversation import Field, Span
from bot.members import Role
from bot.sessions.queries import position, waiting
from bot.sessions.rules import HOLDING, Seat, Status
from bot.sessions.words import count_text
from bot.turn import Turn
from storage.models import SessionSignup, WellbeingSession


def my_sessions(turn: Turn) -> list[Field]:
    rows = turn.db.exec(
        select(SessionSignup, WellbeingSession)
        .join(WellbeingSession, col(WellbeingSession.id) == col(SessionSignup.session_id))
        .where(SessionSignup.member_id == turn.member.id, col(SessionSignup.status).in_(HOLDING))
        .where(WellbeingSession.status == Status.SCHEDULED, WellbeingSession.starts_at > turn.now)
        .order_by(col(WellbeingSession.starts_at))
        .limit(5)
    ).all()
    fields = []
    for signup, target in rows:
        value: list[Span] = [
            *turn.spans("{title}, {when}.", title=target.title, when=turn.moment(target.starts_at))
        ]
        if signup.status == Seat.CONFIRMED:
            value += [" ", turn._("You have a place.")]
        else:
            number = position(turn.db, signup)
            value += [" ", turn._("You are number {position} on the waitlist.", position=number)]
        fields.append(Field(turn._("Wellbeing session"), tuple(value)))
    return fields


def coming_up(turn: Turn) -> list[Field]:
    """For coordinators: the sessions of the coming week, with how full each is."""
    if not turn.is_(Role.COORDINATOR):
        return []
    soon = turn.db.exec(
        select(WellbeingSession)
        .where(WellbeingSession.status == Status.SCHEDULED, WellbeingSession.starts_at > turn.now)
        .where(WellbeingSession.starts_at <= turn.now + timedelta(days=7))
        .order_by(col(WellbeingSession.starts_at))
        .limit(10)
    ).all()
    return [
        Field(
            turn._("Coming up"),
            turn.spans(
                "{title}, {when}: {count}.",
                title=target.title,
                when=turn.moment(target.starts_at),
                count=count_text(turn._, target, waiting(turn.db, target.id)),
            ),
        )
        for target in soon
    ]
