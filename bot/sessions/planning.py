"""Coordinators schedule a wellbeing session (once or weekly, with its facilitator) and move one;
everyone signed up is told of a move."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select

from bot import checks
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Option, Reply, Span
from bot.feature import Asked, FormSpec
from bot.forms import open_form
from bot.outbox import expire_unsent
from bot.people import Unsure, named_person, which_one
from bot.sessions.delivery import reminders_key
from bot.sessions.notices import (
    announce,
    refresh_announcement,
    tell_facilitator,
    tell_moved,
    update_calendar_event,
)
from bot.sessions.queries import A_PRESSED_SESSION, lock, subject_session
from bot.sessions.rules import (
    AUDIENCES,
    COORDINATORS,
    HOLDING,
    Seat,
    Status,
    read_reminders,
    reminders_as_text,
    still_ahead,
    weekly,
)
from bot.sessions.words import NOT_COORDINATOR, details
from bot.turn import Turn, number_in
from bot.words import as_typed
from storage.models import Member, SessionSignup, WellbeingSession


def new(turn: Turn, _asked: Asked) -> Reply:
    return open_form(turn, "session.new")


def move(turn: Turn, asked: Asked) -> Reply:
    return open_form(turn, f"session.move:{asked.subject.id}")


def _audience_choices(turn: Turn) -> tuple[Option, ...]:
    return tuple(Option(turn._(word), name) for name, (word, _roles) in AUDIENCES.items())


def _new_fields(turn: Turn, _asked: Asked) -> list[FormField]:
    _ = turn._
    return [
        FormField("title", _("Title"), "short", max_length=100, hint=_("For example: Chair yoga")),
        FormField("description", _("What it is"), "long", required=False, max_length=1500),
        FormField(
            "facilitator",
            _("Facilitator"),
            "short",
            required=False,
            max_length=80,
            hint=_("A member's name, or any name"),
        ),
        FormField("timezone", _("Time zone"), "short", max_length=64, initial=turn.member.timezone),
        FormField("start", _("Starts"), "datetime", max_length=60, hint=_("For example: 3 Dec 2pm")),
        FormField(
            "duration", _("Minutes long"), "number", minimum=5, maximum=12 * 60, whole=True, initial="60"
        ),
        FormField(
            "place",
            _("Place or video link"),
            "short",
            max_length=300,
            hint=_("For example: Room 2, or a meeting link"),
        ),
        FormField("capacity", _("Places"), "number", minimum=1, maximum=500, whole=True),
        FormField(
            "weeks",
            _("Weeks"),
            "number",
            minimum=1,
            maximum=26,
            whole=True,
            initial="1",
            hint=_("1 for one session. 6 repeats it weekly for 6 weeks."),
        ),
        FormField("audience", _("Open to"), "choice", choices=_audience_choices(turn), initial="partners"),
        FormField(
            "closes",
            _("Sign-up closes"),
            "datetime",
            required=False,
            max_length=60,
            hint=_("Empty: at the start. For example: 2 Dec 5pm"),
        ),
        FormField(
            "reminders",
            _("Reminders before"),
            "short",
            max_length=60,
            initial=reminders_as_text([24 * 60, 60]),
            hint=_("For example: 24h, 1h. Or none."),
        ),
    ]


def _check_zone(turn: Turn, value: str) -> str:
    return checks.time_zone(value)


def _check_future(turn: Turn, value: str) -> str:
    if datetime.fromisoformat(value) <= turn.now:
        raise Refusal("That time has passed. Please give a time in the future, like 'next Monday 2pm'.")
    return value


def _check_reminders(turn: Turn, value: str) -> str:
    return reminders_as_text(read_reminders(value))


def _facilitator(turn: Turn, name: str) -> tuple[int | None, str, Unsure | None]:
    """A member if the name is surely one member's; otherwise the name as typed (it may be
    someone from outside), and the members it might mean, to ask about once it is scheduled."""
    if not name:
        return None, "", None
    found = named_person(turn, name)
    if isinstance(found, Member):
        return found.id, found.display_name, None
    return None, name, found


def _new_submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    _ = turn._
    first_start = datetime.fromisoformat(values["start"])
    closes = datetime.fromisoformat(values["closes"]) if values.get("closes") else first_start
    if closes > first_start:
        raise Refusal("Sign-up needs to close before the session starts, or at the start.", field="closes")
    zone = values["timezone"]
    facilitator_id, facilitator_name, unsure = _facilitator(turn, values.get("facilitator", ""))
    made: list[WellbeingSession] = []
    for starts_at in weekly(first_start, zone, int(values["weeks"])):
        target = WellbeingSession(
            title=values["title"],
            description=values.get("description", ""),
            facilitator_id=facilitator_id,
            facilitator_name=facilitator_name,
            starts_at=starts_at,
            duration_minutes=int(values["duration"]),
            zone=zone,
            place=values["place"],
            capacity=int(values["capacity"]),
            signup_closes_at=starts_at - (first_start - closes),
            audience=values["audience"],
            reminders=read_reminders(values["reminders"]),
            created_by=turn.member.id,
            created_at=turn.now,
        )
        turn.db.add(target)
        turn.db.flush()
        made.append(target)
    first = made[0]
    if len(made) > 1:
        for target in made:
            target.series_id = first.id  # a repeat's first session names the series
            turn.db.add(target)
    announce(turn.db, turn.settings, first, turn.now)
    tell_facilitator(turn, made)
    words: list[Span] = [
        *turn.spans("Scheduled {title} for {when}.", title=first.title, when=turn.moment(first.starts_at))
    ]
    if len(made) > 1:
        words += [
            " ",
            *turn.spans_n(
                "It repeats weekly, {count} time in all, until {last}.",
                "It repeats weekly, {count} times in all, until {last}.",
                len(made),
                last=turn.moment(made[-1].starts_at),
            ),
        ]
    if first.announcement_id is not None:
        words += [" ", _("It is posted in the announcements channel.")]
    if unsure is not None:
        words += [" ", _("I will tell the facilitator once you say who they are.")]
    reminders = reminders_as_text(first.reminders) if first.reminders else _("none")
    fields = (*details(first, turn.member, 0), Field(_("Reminders before"), (reminders,)))
    reply = turn.say(
        *words,
        fields=fields,
        buttons=(Button(_("People"), f"session.people:{first.id}"),),
    )
    if unsure is not None:
        reply = Reply(
            messages=(*reply.messages, which_one(turn, unsure, "session.facilitator", str(first.id)))
        )
    return reply


def choose_facilitator(turn: Turn, asked: Asked) -> Reply:
    """The facilitator chosen after "which one do you mean?": linked to every week still to
    come, and told, as if they had been found at once. The button names the person; its value,
    the session."""
    first = subject_session(turn, asked.value)
    number = number_in(asked.text)
    member = turn.db.get(Member, number) if number is not None else None
    if member is None:
        raise Refusal("I can't find that person any more. Nothing changed.")
    if first.facilitator_id is not None:
        raise Refusal("{title} already has its facilitator. Nothing changed.", title=first.title)
    weeks = list(
        turn.db.exec(
            select(WellbeingSession)
            .where(or_(col(WellbeingSession.id) == first.id, col(WellbeingSession.series_id) == first.id))
            .where(WellbeingSession.status == Status.SCHEDULED)
            .order_by(col(WellbeingSession.starts_at))
        )
    )
    for week in weeks:
        week.facilitator_id = member.id
        turn.db.add(week)
    turn.db.flush()
    if weeks:
        tell_facilitator(turn, weeks)
    return turn.say(
        turn._("Done. {name} is the facilitator of {title}.", name=member.display_name, title=first.title)
    )




def _move_fields(turn: Turn, asked: Asked) -> list[FormField]:
    target: WellbeingSession = asked.subject
    still_ahead(turn, target)
    _ = turn._
    return [
        FormField("timezone", _("Time zone"), "short", max_length=64, initial=target.zone),
        FormField(
            "start",
            _("Starts"),
            "datetime",
            max_length=60,
            initial=as_typed(target.starts_at, target.zone, turn.member.language),
            hint=_("For example: 3 Dec 2pm"),
        ),
        FormField(
            "duration",
            _("Minutes long"),
            "number",
            minimum=5,
            maximum=12 * 60,
            whole=True,
            initial=str(target.duration_minutes),
        ),
    ]


def _move_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    target = lock(turn.db, asked.subject.id)
    still_ahead(turn, target)
    new_start = datetime.fromisoformat(values["start"])
    before_start = target.starts_at - target.signup_closes_at
    target.starts_at = new_start
    target.signup_closes_at = new_start - before_start
    target.duration_minutes = int(values["duration"])
    target.zone = values["timezone"]
    target.sequence += 1  # new calendar files, and reminders planned afresh
    turn.db.add(target)
    expire_unsent(turn.db, reminders_key(target), turn.now)  # a reminder for the old time is let go
    signups = turn.db.exec(
        select(SessionSignup)
        .where(SessionSignup.session_id == target.id, col(SessionSignup.status).in_(HOLDING))
        .order_by(col(SessionSignup.id))
    ).all()
    for signup in signups:
        if signup.status == Seat.CONFIRMED:
            # Confirmed again for the new time: a reminder whose time passed before now is not sent.
            signup.confirmed_at = turn.now
            turn.db.add(signup)
        tell_moved(turn, target, signup)
    if target.facilitator_id is not None and target.facilitator_id not in {s.member_id for s in signups}:
        tell_moved(turn, target, None)
    turn.db.flush()
    refresh_announcement(turn.db, turn.settings, target, turn.now)
    update_calendar_event(turn.db, turn.settings, target, turn.now)
    lead = turn.spans("Moved {title} to {when}.", title=target.title, when=turn.moment(target.starts_at))
    if signups:
        told = turn._.n("I have told the {count} person signed up.", "I have told the {count} people signed up.", len(signups))
    else:
        told = turn._("Nobody had signed up yet.")
    return turn.say(*lead, " ", told)


NEW_FORM = FormSpec(
    name="session.new",
    title=lambda turn: turn._("Wellbeing session"),
    fields=_new_fields,
    checks={
        "timezone": _check_zone,
        "start": _check_future,
        "closes": _check_future,
        "reminders": _check_reminders,
    },
    submit=_new_submit,
    submit_label=lambda turn: turn._("Schedule"),
    roles=COORDINATORS,
    refusal=NOT_COORDINATOR,
)

MOVE_FORM = FormSpec(
    name="session.move",
    title=lambda turn: turn._("Move a session"),
    fields=_move_fields,
    checks={"timezone": _check_zone, "start": _check_future},
    submit=_move_submit,
    submit_label=lambda turn: turn._("Move"),
    roles=COORDINATORS,
    subject=A_PRESSED_SESSION,
    refusal=NOT_COORDINATOR,
)
