"""Finding wellbeing sessions and places in them: the session someone names (and whether it is
for them), one person's place, the waitlist in order, what is coming up."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from bot.checks import Refusal
from bot.feature import Subject
from bot.members import Role
from bot.sessions.rules import AUDIENCES, HOLDING, Seat, Status, open_to_you
from bot.turn import Turn, number_in
from storage.models import SessionSignup, WellbeingSession


def find(turn: Turn, text: str) -> WellbeingSession:
    """The session a person names by its number ("3" or "#3")."""
    number = number_in(text)
    found = turn.db.get(WellbeingSession, number) if number is not None else None
    if found is None:
        raise Refusal("Which session? Type its number, like 1. Type sessions to see them.")
    return found


def subject_session(turn: Turn, text: str) -> WellbeingSession:
    """The session a button acts on."""
    number = number_in(text)
    found = turn.db.get(WellbeingSession, number) if number is not None else None
    if found is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return found


A_SESSION = Subject(find, open_to_you)


A_PRESSED_SESSION = Subject(subject_session, open_to_you)


def signup_of(db: Session, session_id: int | None, member_id: int | None) -> SessionSignup | None:
    """This member's place or waitlist entry, if they have one now."""
    return db.exec(
        select(SessionSignup).where(
            SessionSignup.session_id == session_id,
            SessionSignup.member_id == member_id,
            col(SessionSignup.status).in_(HOLDING),
        )
    ).first()


def waitlist(db: Session, session_id: int | None) -> list[SessionSignup]:
    """The waitlist in order: first come, first moved up."""
    return list(
        db.exec(
            select(SessionSignup)
            .where(SessionSignup.session_id == session_id, SessionSignup.status == Seat.WAITLISTED)
            .order_by(col(SessionSignup.id))
        )
    )


# Built once, with parameters: every sign-up asks these, and building a statement costs more
# than running it.
_WAITING = select(func.count(col(SessionSignup.id))).where(
    col(SessionSignup.session_id) == bindparam("session_id"), col(SessionSignup.status) == Seat.WAITLISTED
)
_LOCK = (
    select(WellbeingSession)
    .where(col(WellbeingSession.id) == bindparam("session_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def waiting(db: Session, session_id: int | None) -> int:
    return db.exec(_WAITING, params={"session_id": session_id}).one()


def position(db: Session, signup: SessionSignup) -> int:
    """Where someone is on the waitlist, from 1."""
    return db.exec(
        select(func.count(col(SessionSignup.id))).where(
            SessionSignup.session_id == signup.session_id,
            SessionSignup.status == Seat.WAITLISTED,
            col(SessionSignup.id) <= signup.id,
        )
    ).one()


def lock(db: Session, session_id: int | None) -> WellbeingSession:
    """The session's row, read afresh and held until this transaction ends."""
    return db.exec(_LOCK, params={"session_id": session_id}).one()


def coming_up(turn: Turn, limit: int) -> list[WellbeingSession]:
    """The next sessions this person may join (a coordinator sees every one)."""
    query = select(WellbeingSession).where(
        WellbeingSession.status == Status.SCHEDULED, WellbeingSession.starts_at > turn.now
    )
    if not turn.is_(Role.COORDINATOR):
        open_to = [name for name, (_word, roles) in AUDIENCES.items() if not roles or turn.is_(*roles)]
        query = query.where(col(WellbeingSession.audience).in_(open_to))
    return list(
        turn.db.exec(
            query.order_by(col(WellbeingSession.starts_at), col(WellbeingSession.id)).limit(limit)
        ).all()
    )


def later_in_series(turn: Turn, target: WellbeingSession) -> list[WellbeingSession]:
    if target.series_id is None:
        return []
    return list(
        turn.db.exec(
            select(WellbeingSession)
            .where(WellbeingSession.series_id == target.series_id, WellbeingSession.status == Status.SCHEDULED)
            .where(WellbeingSession.starts_at > target.starts_at)
            .order_by(col(WellbeingSession.starts_at))
        )
    )
