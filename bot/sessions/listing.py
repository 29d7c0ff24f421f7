"""What everyone sees of wellbeing sessions: those coming up, their own, and the note they add
by typing."""

from __future__ import annotations

from sqlmodel import col, select

from bot import checks
from bot.conversation import Button, Field, Option, Reply, Span
from bot.feature import Asked
from bot.members import Role
from bot.sessions.queries import coming_up, signup_of, waiting
from bot.sessions.rules import HOLDING, Status
from bot.sessions.seats import own_signup, save_note
from bot.sessions.words import left_text, place_words
from bot.turn import Turn, matching
from bot.words import short_when
from storage.models import SessionSignup, WellbeingSession

LISTED = 10


def upcoming(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    found = coming_up(turn, LISTED)
    if not found:
        if turn.is_(Role.COORDINATOR):
            return turn.say(
                _("There are no wellbeing sessions coming up. Type sessions new to schedule one.")
            )
        return turn.say(_("There are no wellbeing sessions coming up. Have a look again another day."))
    fields = []
    for target in found:
        value: list[Span] = [turn.moment(target.starts_at), ". "]
        value += [left_text(_, target, waiting(turn.db, target.id)), "."]
        value += place_words(turn, signup_of(turn.db, target.id, turn.member.id))
        fields.append(Field(f"#{target.id} {target.title}", tuple(value)))
    return turn.say(
        _("Wellbeing sessions coming up. Press one to see it, sign up or cancel."),
        fields=tuple(fields),
        buttons=tuple(Button(button_label(turn, t), f"session.show:{t.id}") for t in found),
    )


def mine(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    rows = turn.db.exec(
        select(SessionSignup, WellbeingSession)
        .join(WellbeingSession, col(WellbeingSession.id) == col(SessionSignup.session_id))
        .where(SessionSignup.member_id == turn.member.id, col(SessionSignup.status).in_(HOLDING))
        .where(WellbeingSession.status == Status.SCHEDULED, WellbeingSession.starts_at > turn.now)
        .order_by(col(WellbeingSession.starts_at))
    ).all()
    if not rows:
        return turn.say(_("You have no sessions coming up. Type sessions to see what is on."))
    fields = tuple(
        Field(f"#{target.id} {target.title}", (turn.moment(target.starts_at), ".", *place_words(turn, signup)))
        for signup, target in rows
    )
    return turn.say(
        _("Your sessions coming up. Only you can see this."),
        fields=fields,
        buttons=tuple(Button(button_label(turn, t), f"session.show:{t.id}") for _s, t in rows),
    )


def button_label(turn: Turn, target: WellbeingSession) -> str:
    """A session on a button, told apart from the same session on other days: "Chair yoga, Thu
    3 Dec, 14:00", in the reader's own time."""
    member = turn.member
    return f"{target.title}, {short_when(target.starts_at, member.timezone, member.language)}"


def note(turn: Turn, asked: Asked) -> Reply:
    """`sessions note 3 I use a wheelchair`: the words after the number are the note."""
    mine_now = own_signup(turn, asked.subject)
    return save_note(turn, mine_now, checks.clean_text(asked.rest, turn._("your note"), 500, False))


def suggest_session(turn: Turn, typed: str) -> list[Option]:
    """Sessions coming up, as "#3 Chair yoga, Thu 3 Dec 14:00" in the reader's own time."""
    options = [
        Option(f"#{s.id} {s.title}, {turn.moment(s.starts_at).fallback}", str(s.id))
        for s in coming_up(turn, 100)
    ]
    return matching(options, typed.removeprefix("#"))
