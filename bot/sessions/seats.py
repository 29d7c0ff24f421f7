"""Seats at a wellbeing session ("places" in the words people read): signing up (a seat while
there are seats, else the waitlist), giving one up (the first on the waitlist moves up at once),
a note for access needs, and the calendar file.

The database holds capacity, not Python: a place is taken only by a conditional UPDATE of the
session's `taken` counter, so however many processes press "Sign up" at once, no more than
`capacity` get a place. Each change first locks the session's row (FOR UPDATE on PostgreSQL;
SQLite lets one writer in at a time), so the waitlist order is the order people came in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import Button, FormField, Message, Reply, Span
from bot.feature import Asked, FormSpec
from bot.forms import note_field
from bot.outbox import enqueue_dm
from bot.sessions.calendar import calendar_file
from bot.sessions.notices import refresh_announcement
from bot.sessions.queries import A_PRESSED_SESSION, later_in_series, lock, position, signup_of, waitlist
from bot.sessions.rules import HOLDING, Seat, Status
from bot.sessions.words import card, confirmation, moved_up, when
from bot.turn import Turn
from bot.words import short_when
from storage.models import Member, SessionSignup, WellbeingSession


def sign_up(turn: Turn, asked: Asked) -> Reply:
    """`sessions join 3`, or the Sign up button (the router checked the session is for them)."""
    target = lock(turn.db, asked.subject.id)
    if target.status != Status.SCHEDULED:
        raise Refusal("{title} was cancelled, so there is nothing to sign up for.", title=target.title)
    if turn.now >= target.signup_closes_at:
        raise Refusal(
            "Sign-up for {title} has closed. Type sessions to see others you can join.", title=target.title
        )
    mine = _row_of(turn, target)
    if mine is not None and mine.status in HOLDING:  # a second press changes nothing
        if mine.status == Seat.CONFIRMED:
            return turn.say(
                turn._("You already have a place at {title}. Nothing changed.", title=target.title)
            )
        return turn.say(
            turn._(
                "You are already number {position} on the waitlist for {title}. Nothing changed.",
                position=position(turn.db, mine),
                title=target.title,
            )
        )
    signup = _take(turn, target, mine)
    if signup.status == Seat.CONFIRMED:
        return confirmation(turn, target)
    return turn.say(
        *turn.spans(
            "{title} is full, so you are number {position} on the waitlist. "
            "If a place comes up, it is yours and I will send you a message.",
            title=target.title,
            position=str(position(turn.db, signup)),
        ),
        buttons=(
            Button(turn._("Add a note"), f"session.note:{target.id}"),
            Button(turn._("Leave the waitlist"), f"session.cancel:{target.id}"),
        ),
    )


def _row_of(turn: Turn, target: WellbeingSession) -> SessionSignup | None:
    """Their row for this session, whatever its status: there is at most one per person and
    session (a place, a waitlist entry, or one they cancelled), so one read tells both."""
    return turn.db.exec(_ROW_OF, params={"session_id": target.id, "member_id": turn.member.id}).first()


# Built once, with parameters: a sign-up runs both, and building a statement costs more than
# running it.
_ROW_OF = select(SessionSignup).where(
    col(SessionSignup.session_id) == bindparam("session_id"), col(SessionSignup.member_id) == bindparam("member_id")
)
# A place, if there is one: the new count comes back from the UPDATE itself, and no row back
# means the session was full.
_ONE_PLACE = (
    update(WellbeingSession)
    .where(
        col(WellbeingSession.id) == bindparam("session_id"),
        col(WellbeingSession.status) == Status.SCHEDULED,
        col(WellbeingSession.taken) < col(WellbeingSession.capacity),
    )
    .values(taken=col(WellbeingSession.taken) + 1)
    .returning(col(WellbeingSession.taken))
    .execution_options(synchronize_session=False)
)


def _take(turn: Turn, target: WellbeingSession, earlier: SessionSignup | None) -> SessionSignup:
    """A place for this person, or a place on the waitlist when it is full. Call with the
    session's row locked, open for sign-up, and no place of theirs in it (`earlier` is their
    cancelled row, if they have one)."""
    if earlier is not None:  # cancelled before: coming back joins at the end, like anyone new
        turn.db.delete(earlier)
        turn.db.flush()
    taken = turn.db.execute(_ONE_PLACE, {"session_id": target.id}).scalar_one_or_none()
    confirmed = taken is not None
    if confirmed:
        set_committed_value(target, "taken", taken)
    assert turn.member.id is not None and target.id is not None
    signup = SessionSignup(
        session_id=target.id,
        member_id=turn.member.id,
        status=Seat.CONFIRMED if confirmed else Seat.WAITLISTED,
        created_at=turn.now,
        confirmed_at=turn.now if confirmed else None,
    )
    turn.db.add(signup)
    turn.db.flush()
    refresh_announcement(turn.db, turn.settings, target, turn.now)
    return signup


def sign_up_every_week(turn: Turn, asked: Asked) -> Reply:
    """"Sign up for every week": this session and the later weeks of its series, in one press.
    A full week puts them on its waitlist; a week they already hold or that closed is left as it is."""
    weeks = [asked.subject, *later_in_series(turn, asked.subject)]
    placed: list[WellbeingSession] = []
    waiting: list[WellbeingSession] = []
    for week in sorted(weeks, key=lambda w: w.id or 0):  # rows locked in one order: no deadlock
        target = lock(turn.db, week.id)
        open_now = target.status == Status.SCHEDULED and turn.now < target.signup_closes_at
        mine = _row_of(turn, target) if open_now else None
        if not open_now or (mine is not None and mine.status in HOLDING):
            continue
        (placed if _take(turn, target, mine).status == Seat.CONFIRMED else waiting).append(target)
    if not placed and not waiting:
        return turn.say(turn._("You already have every week you can sign up for. Nothing changed."))
    placed.sort(key=lambda w: w.starts_at)
    waiting.sort(key=lambda w: w.starts_at)
    _ = turn._
    words: list[Span] = []
    if placed:
        words += turn.spans_n(
            "You have a place at {title} for {count} week, from {first} to {last}.",
            "You have a place at {title} for {count} weeks, from {first} to {last}.",
            len(placed),
            title=placed[0].title,
            first=turn.moment(placed[0].starts_at),
            last=turn.moment(placed[-1].starts_at),
        )
        words += [" ", _("Your calendar file comes with this message.")]
    if waiting:
        days = ", ".join(short_when(w.starts_at, turn.member.timezone, turn.member.language) for w in waiting)
        words += [" " if words else "", _("These weeks are full, so you are on their waitlist: {days}.", days=days)]
    files = (calendar_file(placed, turn.now, _),) if placed else ()
    buttons = (Button(_("Cancel every week"), f"session.cancel_all:{asked.subject.id}"),)
    return Reply(messages=(Message(tuple(words), files=files, buttons=buttons),))


def give_up_every_week(turn: Turn, asked: Asked) -> Reply:
    """"Cancel every week": their places from this session on in its series, given back."""
    weeks = [asked.subject, *later_in_series(turn, asked.subject)]
    given: list[WellbeingSession] = []
    for week in sorted(weeks, key=lambda w: w.id or 0):
        target = lock(turn.db, week.id)
        mine = signup_of(turn.db, target.id, turn.member.id)
        if mine is None or target.status != Status.SCHEDULED or turn.now >= target.starts_at:
            continue
        _give_back(turn, target, mine)
        given.append(target)
    if not given:
        return turn.say(turn._("You have no places in these weeks, so there is nothing to cancel."))
    return turn.say(
        turn._.n(
            "Your place at {title} is cancelled, {count} week in all. Thank you for letting us know.",
            "Your places at {title} are cancelled, {count} weeks in all. Thank you for letting us know.",
            len(given),
            title=given[0].title,
        )
    )


def give_up(turn: Turn, asked: Asked) -> Reply:
    """`sessions leave 3`, or the Cancel button on one's own place."""
    target: WellbeingSession = asked.subject
    if target.status == Status.CANCELLED:
        return turn.say(turn._("{title} was cancelled, so there is nothing to cancel.", title=target.title))
    if turn.now >= target.starts_at:
        raise Refusal(
            "{title} has already started, so places can't be cancelled now. "
            "If you couldn't be there, that's okay.",
            title=target.title,
        )
    target = lock(turn.db, target.id)
    mine = signup_of(turn.db, target.id, turn.member.id)
    if mine is None:
        return turn.say(
            turn._("You don't have a place at {title}, so there is nothing to cancel.", title=target.title)
        )
    was = _give_back(turn, target, mine)
    if was == Seat.WAITLISTED:
        return turn.say(turn._("You have left the waitlist for {title}.", title=target.title))
    return turn.say(
        turn._("Your place at {title} is cancelled. Thank you for letting us know.", title=target.title)
    )


def _give_back(turn: Turn, target: WellbeingSession, mine: SessionSignup) -> str:
    """Their place or waitlist entry given up; a place freed goes to the first waiting. Call
    with the session's row locked. Returns what they held."""
    was = mine.status
    mine.status = Seat.GIVEN_UP
    mine.cancelled_at = turn.now
    turn.db.add(mine)
    turn.db.flush()
    if was == Seat.CONFIRMED:
        free_seat(turn.db, target, turn.now)
    refresh_announcement(turn.db, turn.settings, target, turn.now)
    return was


def free_seat(db: Session, target: WellbeingSession, now: datetime) -> None:
    """A place came free: the first on the waitlist gets it at once and is told, or the count
    goes down. Call with the session's row locked."""
    queue = waitlist(db, target.id)
    if not queue:
        db.execute(
            update(WellbeingSession)
            .where(col(WellbeingSession.id) == target.id, col(WellbeingSession.taken) > 0)
            .values(taken=col(WellbeingSession.taken) - 1)
            .execution_options(synchronize_session=False)
        )
        db.refresh(target)
        return
    first = queue[0]
    first.status = Seat.CONFIRMED
    first.confirmed_at = now
    db.add(first)
    db.flush()
    message = moved_up(target, db.get_one(Member, first.member_id), now)
    enqueue_dm(
        db, first.member_id, message, now, dedupe_key=f"session.moved_up:{first.id}", expires_at=target.starts_at
    )


def show(turn: Turn, asked: Asked) -> Reply:
    return card(turn, asked.subject)


def calendar(turn: Turn, asked: Asked) -> Reply:
    target: WellbeingSession = asked.subject
    if target.status != Status.SCHEDULED:
        raise Refusal("{title} was cancelled, so there is no calendar file for it.", title=target.title)
    words = turn.spans(
        "Here is the calendar file for {title}, {when}.", title=target.title, when=when(turn, target)
    )
    return Reply(messages=(Message(words, files=(calendar_file([target], turn.now, turn._),)),))


def own_signup(turn: Turn, target: WellbeingSession) -> SessionSignup:
    """This person's place or waitlist entry, to add a note to."""
    mine = signup_of(turn.db, target.id, turn.member.id)
    if mine is None or target.status != Status.SCHEDULED:
        raise Refusal("You can add a note once you have signed up. Type sessions to see them.")
    return mine


def save_note(turn: Turn, mine: SessionSignup, note: str) -> Reply:
    mine.note = note
    turn.db.add(mine)
    if not note:
        return turn.say(turn._("Your note is removed."))
    return turn.say(turn._("Thank you. Your note is saved. Only the coordinators see it."))


def _note_fields(turn: Turn, asked: Asked) -> list[FormField]:
    mine = own_signup(turn, asked.subject)
    return [note_field(turn, mine.note, turn._("Access needs, or anything the coordinators should know"), 500)]


def _note_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    return save_note(turn, own_signup(turn, asked.subject), values["note"])


NOTE_FORM = FormSpec(
    name="session.note",
    title=lambda turn: turn._("Add a note"),
    fields=_note_fields,
    submit=_note_submit,
    submit_label=lambda turn: turn._("Save"),
    subject=A_PRESSED_SESSION,
)
