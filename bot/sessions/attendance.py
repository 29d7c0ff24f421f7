"""Coordinators see who has a place, the waitlist and their notes, and mark who came."""

from __future__ import annotations

from sqlmodel import col, select

from bot.checks import Refusal
from bot.conversation import Field, FormField, Option, Reply, Span
from bot.feature import Asked, FormSpec
from bot.forms import open_form
from bot.sessions.queries import A_PRESSED_SESSION, position
from bot.sessions.rules import COORDINATORS, HOLDING, Seat, Status
from bot.sessions.words import NOT_COORDINATOR, count_text
from bot.turn import Turn
from storage.models import Member, SessionSignup, WellbeingSession


def people(turn: Turn, asked: Asked) -> Reply:
    target: WellbeingSession = asked.subject
    _ = turn._
    rows = turn.db.exec(
        select(SessionSignup, Member)
        .join(Member, col(Member.id) == col(SessionSignup.member_id))
        .where(SessionSignup.session_id == target.id, col(SessionSignup.status).in_(HOLDING))
        .order_by(col(SessionSignup.status), col(SessionSignup.id))  # "confirmed" before "waitlisted"
    ).all()
    waiting_now = sum(1 for signup, _m in rows if signup.status == Seat.WAITLISTED)
    lead: list[Span] = [
        *turn.spans("{title}, {when}.", title=target.title, when=turn.moment(target.starts_at)),
        " ",
        count_text(_, target, waiting_now),
        ".",
    ]
    if target.status == Status.CANCELLED:
        lead += [" ", _("This session is cancelled.")]
    if not rows:
        lead += [" ", _("Nobody has signed up yet.")]
    fields = []
    for signup, member in rows:
        if signup.status == Seat.CONFIRMED:
            said = [_("has a place")]
            if signup.attended is not None:
                said.append(_("came") if signup.attended else _("did not come"))
        else:
            said = [_("waitlist, number {position}", position=position(turn.db, signup))]
        if signup.note:
            said.append(_("note: {note}", note=signup.note))
        fields.append(Field(member.display_name, ("; ".join(said),)))
    return turn.say(*lead, fields=tuple(fields))


def attendance(turn: Turn, asked: Asked) -> Reply:
    return open_form(turn, f"session.attendance:{asked.subject.id}")


def _attendance_rows(turn: Turn, asked: Asked) -> tuple[WellbeingSession, list[tuple[SessionSignup, Member]]]:
    target: WellbeingSession = asked.subject
    if target.status == Status.CANCELLED:
        raise Refusal("{title} was cancelled, so there is no attendance to mark.", title=target.title)
    if turn.now < target.starts_at:
        raise Refusal("You can mark attendance once {title} has started.", title=target.title)
    rows = list(
        turn.db.exec(
            select(SessionSignup, Member)
            .join(Member, col(Member.id) == col(SessionSignup.member_id))
            .where(SessionSignup.session_id == target.id, SessionSignup.status == Seat.CONFIRMED)
            .order_by(col(SessionSignup.id))
        ).all()
    )
    if not rows:
        raise Refusal("Nobody had a place at {title}, so there is no attendance to mark.", title=target.title)
    return target, rows


def _attendance_fields(turn: Turn, asked: Asked) -> list[FormField]:
    _target, rows = _attendance_rows(turn, asked)
    choices = (Option(turn._("came"), "yes"), Option(turn._("did not come"), "no"))
    return [
        FormField(
            f"member{signup.member_id}",
            member.display_name,
            "choice",
            choices=choices,
            initial="no" if signup.attended is False else "yes",
        )
        for signup, member in rows
    ]


def _attendance_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    target, rows = _attendance_rows(turn, asked)
    came = 0
    for signup, _member in rows:
        answer = values.get(f"member{signup.member_id}")
        if answer is None:
            continue
        signup.attended = answer == "yes"
        came += 1 if signup.attended else 0
        turn.db.add(signup)
    return turn.say(
        turn._(
            "Attendance saved for {title}: {came} came, {missed} did not.",
            title=target.title,
            came=came,
            missed=len(rows) - came,
        )
    )


FORM = FormSpec(
    name="session.attendance",
    title=lambda turn: turn._("Who came"),
    fields=_attendance_fields,
    submit=_attendance_submit,
    submit_label=lambda turn: turn._("Save"),
    roles=COORDINATORS,
    subject=A_PRESSED_SESSION,
    refusal=NOT_COORDINATOR,
)
