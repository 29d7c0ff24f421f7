"""`sessions`: everyone lists what is coming up and their own places; coordinators schedule a
session (once or weekly), see who is coming, mark attendance, and move or cancel a session,
telling everyone signed up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import col, select

from bot import checks
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Message, Option, Reply, Span, fill
from bot.feature import Asked, ButtonSpec, CommandSpec, FormSpec, Verb
from bot.forms import open_form
from bot.members import Role
from bot.outbox import enqueue_dm
from bot.people import Unsure, named_person, which_one
from bot.sessions.calendar import calendar_file
from bot.sessions.cards import (
    A_PRESSED_SESSION,
    A_SESSION,
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    SCHEDULED,
    WAITLISTED,
    announce,
    count_text,
    details,
    left_text,
    position,
    refresh_announcement,
    signup_of,
    subject_session,
    update_calendar_event,
    waiting,
)
from bot.sessions.places import calendar, give_up, lock, own_signup, save_note, show, sign_up
from bot.sessions.rules import AUDIENCES, read_reminders, reminders_as_text, weekly
from bot.turn import Turn, matching, moment_for, number_in
from bot.words import N_, translator
from storage.models import Member, SessionSignup, WellbeingSession

COORDINATORS = (Role.COORDINATOR,)
LISTED = 10


def new(turn: Turn, _asked: Asked) -> Reply:
    return open_form(turn, "session.new")


def attendance(turn: Turn, asked: Asked) -> Reply:
    return open_form(turn, f"session.attendance:{asked.subject.id}")


def move(turn: Turn, asked: Asked) -> Reply:
    return open_form(turn, f"session.move:{asked.subject.id}")


# ---- what everyone sees ----------------------------------------------------------------------


def _status(turn: Turn, mine: SessionSignup | None) -> tuple[str, ...]:
    if mine is None:
        return ()
    if mine.status == CONFIRMED:
        return (" ", turn._("You have a place."))
    number = position(turn.db, mine)
    return (" ", turn._("You are number {position} on the waitlist.", position=number))


def coming_up(turn: Turn, limit: int) -> list[WellbeingSession]:
    """The next sessions this person may join (a coordinator sees every one)."""
    query = select(WellbeingSession).where(
        WellbeingSession.status == SCHEDULED, WellbeingSession.starts_at > turn.now
    )
    if not turn.is_(Role.COORDINATOR):
        open_to = [name for name, (_word, roles) in AUDIENCES.items() if not roles or turn.is_(*roles)]
        query = query.where(col(WellbeingSession.audience).in_(open_to))
    return list(
        turn.db.exec(
            query.order_by(col(WellbeingSession.starts_at), col(WellbeingSession.id)).limit(limit)
        ).all()
    )


def suggest_session(turn: Turn, typed: str) -> list[Option]:
    """Sessions coming up, as "#3 Chair yoga, Thu 3 Dec 14:00" in the reader's own time."""
    options = [
        Option(f"#{s.id} {s.title}, {turn.moment(s.starts_at).fallback}", str(s.id))
        for s in coming_up(turn, 100)
    ]
    return matching(options, typed.removeprefix("#"))


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
        value += _status(turn, signup_of(turn.db, target.id, turn.member.id))
        fields.append(Field(f"#{target.id} {target.title}", tuple(value)))
    return turn.say(
        _("Wellbeing sessions coming up. Press one to see it, sign up or cancel."),
        fields=tuple(fields),
        buttons=tuple(Button(f"#{t.id} {t.title}", f"session.show:{t.id}") for t in found),
    )


def mine(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    rows = turn.db.exec(
        select(SessionSignup, WellbeingSession)
        .join(WellbeingSession, col(WellbeingSession.id) == col(SessionSignup.session_id))
        .where(SessionSignup.member_id == turn.member.id, col(SessionSignup.status).in_(ACTIVE))
        .where(WellbeingSession.status == SCHEDULED, WellbeingSession.starts_at > turn.now)
        .order_by(col(WellbeingSession.starts_at))
    ).all()
    if not rows:
        return turn.say(_("You have no sessions coming up. Type sessions to see what is on."))
    fields = tuple(
        Field(f"#{target.id} {target.title}", (turn.moment(target.starts_at), ".", *_status(turn, signup)))
        for signup, target in rows
    )
    return turn.say(
        _("Your sessions coming up. Only you can see this."),
        fields=fields,
        buttons=tuple(Button(f"#{t.id} {t.title}", f"session.show:{t.id}") for _s, t in rows),
    )


def note(turn: Turn, asked: Asked) -> Reply:
    """`sessions note 3 I use a wheelchair`: the words after the number are the note."""
    mine_now = own_signup(turn, asked.subject)
    return save_note(turn, mine_now, checks.clean_text(asked.rest, turn._("your note"), 500, False))


# ---- who is coming -------------------------------------------------------------------------------


def people(turn: Turn, asked: Asked) -> Reply:
    target: WellbeingSession = asked.subject
    _ = turn._
    rows = turn.db.exec(
        select(SessionSignup, Member)
        .join(Member, col(Member.id) == col(SessionSignup.member_id))
        .where(SessionSignup.session_id == target.id, col(SessionSignup.status).in_(ACTIVE))
        .order_by(col(SessionSignup.status), col(SessionSignup.id))  # "confirmed" before "waitlisted"
    ).all()
    waiting_now = sum(1 for signup, _m in rows if signup.status == WAITLISTED)
    lead: list[Span] = [
        *turn.spans("{title}, {when}.", title=target.title, when=turn.moment(target.starts_at)),
        " ",
        count_text(_, target, waiting_now),
        ".",
    ]
    if target.status == CANCELLED:
        lead += [" ", _("This session is cancelled.")]
    if not rows:
        lead += [" ", _("Nobody has signed up yet.")]
    fields = []
    for signup, member in rows:
        if signup.status == CONFIRMED:
            said = [_("has a place")]
            if signup.attended is not None:
                said.append(_("came") if signup.attended else _("did not come"))
        else:
            said = [_("waitlist, number {position}", position=position(turn.db, signup))]
        if signup.note:
            said.append(_("note: {note}", note=signup.note))
        fields.append(Field(member.display_name, ("; ".join(said),)))
    return turn.say(*lead, fields=tuple(fields))


# ---- scheduling ----------------------------------------------------------------------------------


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
    _tell_facilitator(turn, made)
    words: list[Span] = [
        *turn.spans("Scheduled {title} for {when}.", title=first.title, when=turn.moment(first.starts_at))
    ]
    if len(made) > 1:
        words += [
            " ",
            *turn.spans(
                "It repeats weekly, {count} times in all, until {last}.",
                count=str(len(made)),
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
            .where(WellbeingSession.status == SCHEDULED)
            .order_by(col(WellbeingSession.starts_at))
        )
    )
    for week in weeks:
        week.facilitator_id = member.id
        turn.db.add(week)
    turn.db.flush()
    if weeks:
        _tell_facilitator(turn, weeks)
    return turn.say(
        turn._("Done. {name} is the facilitator of {title}.", name=member.display_name, title=first.title)
    )


def _tell_facilitator(turn: Turn, made: list[WellbeingSession]) -> None:
    first = made[0]
    if first.facilitator_id is None or first.facilitator_id == turn.member.id:
        return
    reader = turn.db.get_one(Member, first.facilitator_id)
    _ = translator(reader.language)
    words = fill(
        _("You are the facilitator of {title}, starting {when}. Thank you. The calendar file is below."),
        title=first.title,
        when=moment_for(reader, first.starts_at),
    )
    message = Message(
        words,
        fields=details(first, reader, 0),
        files=(calendar_file(made, turn.now, _),),
    )
    enqueue_dm(
        turn.db, first.facilitator_id, message, turn.now, dedupe_key=f"session.facilitator:{first.id}"
    )


# ---- moving ------------------------------------------------------------------------------------


def _still_ahead(turn: Turn, target: WellbeingSession) -> None:
    """Only a session that is still to come can be moved or cancelled."""
    if target.status == CANCELLED:
        raise Refusal("{title} is cancelled already. Nothing changed.", title=target.title)
    if turn.now >= target.starts_at:
        raise Refusal("{title} has already started, so it can't be changed now.", title=target.title)


def _as_typed(at: datetime, zone: str) -> str:
    """A time as a person would type it, in `zone`: '3 Dec 2026 14:00'."""
    return at.astimezone(ZoneInfo(zone)).strftime("%d %b %Y %H:%M")


def _move_fields(turn: Turn, asked: Asked) -> list[FormField]:
    target: WellbeingSession = asked.subject
    _still_ahead(turn, target)
    _ = turn._
    return [
        FormField("timezone", _("Time zone"), "short", max_length=64, initial=target.zone),
        FormField(
            "start",
            _("Starts"),
            "datetime",
            max_length=60,
            initial=_as_typed(target.starts_at, target.zone),
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
    _still_ahead(turn, target)
    new_start = datetime.fromisoformat(values["start"])
    before_start = target.starts_at - target.signup_closes_at
    target.starts_at = new_start
    target.signup_closes_at = new_start - before_start
    target.duration_minutes = int(values["duration"])
    target.zone = values["timezone"]
    target.sequence += 1  # new calendar files, and reminders planned afresh
    turn.db.add(target)
    signups = turn.db.exec(
        select(SessionSignup)
        .where(SessionSignup.session_id == target.id, col(SessionSignup.status).in_(ACTIVE))
        .order_by(col(SessionSignup.id))
    ).all()
    for signup in signups:
        if signup.status == CONFIRMED:
            # Confirmed again for the new time: a reminder whose time passed before now is not sent.
            signup.confirmed_at = turn.now
            turn.db.add(signup)
        _tell_moved(turn, target, signup)
    if target.facilitator_id is not None and target.facilitator_id not in {s.member_id for s in signups}:
        _tell_moved(turn, target, None)
    turn.db.flush()
    refresh_announcement(turn.db, turn.settings, target, turn.now)
    update_calendar_event(turn.db, turn.settings, target, turn.now)
    lead = turn.spans("Moved {title} to {when}.", title=target.title, when=turn.moment(target.starts_at))
    if signups:
        told = turn._("I have told the {count} people signed up.", count=len(signups))
    else:
        told = turn._("Nobody had signed up yet.")
    return turn.say(*lead, " ", told)


def _tell_moved(turn: Turn, target: WellbeingSession, signup: SessionSignup | None) -> None:
    """Tell one person the new time: someone signed up, or (no signup) the facilitator."""
    member_id = signup.member_id if signup else target.facilitator_id
    assert member_id is not None
    reader = turn.db.get_one(Member, member_id)
    _ = translator(reader.language)
    when = moment_for(reader, target.starts_at)
    files = ()
    buttons: tuple[Button, ...] = ()
    if signup is not None and signup.status == WAITLISTED:
        words = fill(
            _("{title} has moved. It is now {when}. You are still number {position} on the waitlist."),
            title=target.title,
            when=when,
            position=str(position(turn.db, signup)),
        )
        buttons = (Button(_("Leave the waitlist"), f"session.cancel:{target.id}"),)
    else:
        words = fill(
            _("{title} has moved. It is now {when}. Your new calendar file is below."),
            title=target.title,
            when=when,
        )
        files = (calendar_file([target], turn.now, _),)
        if signup is not None:
            words += (" ", _("If the new time doesn't suit you, press Cancel my place."))
            buttons = (Button(_("Cancel my place"), f"session.cancel:{target.id}"),)
    when_and_where = details(target, reader, 0)[:2]
    message = Message(words, fields=when_and_where, buttons=buttons, files=files)
    key = f"session.moved:{target.id}:{target.sequence}:{member_id}"
    enqueue_dm(turn.db, member_id, message, turn.now, dedupe_key=key)


# ---- cancelling ----------------------------------------------------------------------------------


def _later_in_series(turn: Turn, target: WellbeingSession) -> list[WellbeingSession]:
    if target.series_id is None:
        return []
    return list(
        turn.db.exec(
            select(WellbeingSession)
            .where(WellbeingSession.series_id == target.series_id, WellbeingSession.status == SCHEDULED)
            .where(WellbeingSession.starts_at > target.starts_at)
            .order_by(col(WellbeingSession.starts_at))
        )
    )


def ask_to_cancel(turn: Turn, asked: Asked) -> Reply:
    """`sessions cancel 3`, or its button: asks first, and for a repeat, which weeks."""
    target: WellbeingSession = asked.subject
    _still_ahead(turn, target)
    _ = turn._
    lead = turn.spans(
        "Cancel {title}, {when}? Everyone signed up will be told.",
        title=target.title,
        when=turn.moment(target.starts_at),
    )
    later = _later_in_series(turn, target)
    if later:
        buttons = (
            Button(_("Cancel only this one"), f"session.drop_one:{target.id}", style="danger"),
            Button(
                _("Cancel this one and the {count} after it", count=len(later)),
                f"session.drop_rest:{target.id}",
                style="danger",
            ),
        )
    else:
        buttons = (Button(_("Yes, cancel it"), f"session.drop_one:{target.id}", style="danger"),)
    return turn.say(*lead, buttons=(*buttons, Button(_("Keep it"), f"session.keep:{target.id}")))


def keep(turn: Turn, asked: Asked) -> Reply:
    return turn.say(turn._("Nothing changed. {title} goes ahead.", title=asked.subject.title))


def drop_one(turn: Turn, asked: Asked) -> Reply:
    return cancel_sessions(turn, [asked.subject])


def drop_rest(turn: Turn, asked: Asked) -> Reply:
    return cancel_sessions(turn, [asked.subject, *_later_in_series(turn, asked.subject)])


def cancel_sessions(turn: Turn, targets: list[WellbeingSession]) -> Reply:
    """Cancel these sessions (each once, however many presses) and tell everyone signed up,
    one message each, with a calendar file that takes their places off their calendar."""
    _still_ahead(turn, targets[0])
    done: list[WellbeingSession] = []
    for target in targets:
        claimed = turn.db.execute(
            update(WellbeingSession)
            .where(col(WellbeingSession.id) == target.id, col(WellbeingSession.status) == SCHEDULED)
            .where(col(WellbeingSession.starts_at) > turn.now)
            .values(status=CANCELLED)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        turn.db.refresh(target)
        refresh_announcement(turn.db, turn.settings, target, turn.now)
        update_calendar_event(turn.db, turn.settings, target, turn.now)
        done.append(target)
    if not done:
        return turn.say(turn._("That session was cancelled already. Nothing changed."))
    _tell_cancelled(turn, done)
    first = done[0]
    if len(done) == 1:
        return turn.say(
            *turn.spans(
                "Cancelled {title}, {when}. I have told everyone who signed up.",
                title=first.title,
                when=turn.moment(first.starts_at),
            )
        )
    return turn.say(
        turn._(
            "Cancelled {count} sessions of {title}. I have told everyone who signed up.",
            count=len(done),
            title=first.title,
        )
    )


def _tell_cancelled(turn: Turn, done: list[WellbeingSession]) -> None:
    ids = [s.id for s in done]
    rows = turn.db.exec(
        select(SessionSignup)
        .where(col(SessionSignup.session_id).in_(ids), col(SessionSignup.status).in_(ACTIVE))
        .order_by(col(SessionSignup.id))
    ).all()
    by_member: dict[int, list[tuple[WellbeingSession, bool]]] = {}
    for signup in rows:
        target = next(s for s in done if s.id == signup.session_id)
        by_member.setdefault(signup.member_id, []).append((target, signup.status == CONFIRMED))
    facilitator = done[0].facilitator_id
    if facilitator is not None and facilitator not in by_member and facilitator != turn.member.id:
        by_member[facilitator] = [(s, True) for s in done]
    for member_id, theirs in by_member.items():
        reader = turn.db.get_one(Member, member_id)
        _ = translator(reader.language)
        if len(theirs) == 1:
            target = theirs[0][0]
            words: tuple[Span, ...] = fill(
                _("Sorry, {title}, {when}, is cancelled. You don't need to do anything."),
                title=target.title,
                when=moment_for(reader, target.starts_at),
            )
            fields: tuple[Field, ...] = ()
        else:
            words = (_("Sorry, these sessions are cancelled. You don't need to do anything."),)
            fields = tuple(Field(s.title, (moment_for(reader, s.starts_at),)) for s, _had in theirs)
        had_place = [s for s, had in theirs if had]
        files = ()
        if had_place:
            words += (" ", _("The calendar file below takes it off your calendar."))
            files = (calendar_file(had_place, turn.now, _, cancelled=True),)
        key = f"session.cancelled:{done[0].id}:{member_id}"
        enqueue_dm(
            turn.db, member_id, Message(words, fields=fields, files=files), turn.now, dedupe_key=key
        )


# ---- attendance --------------------------------------------------------------------------------


def _attendance_rows(turn: Turn, asked: Asked) -> tuple[WellbeingSession, list[tuple[SessionSignup, Member]]]:
    target: WellbeingSession = asked.subject
    if target.status == CANCELLED:
        raise Refusal("{title} was cancelled, so there is no attendance to mark.", title=target.title)
    if turn.now < target.starts_at:
        raise Refusal("You can mark attendance once {title} has started.", title=target.title)
    rows = list(
        turn.db.exec(
            select(SessionSignup, Member)
            .join(Member, col(Member.id) == col(SessionSignup.member_id))
            .where(SessionSignup.session_id == target.id, SessionSignup.status == CONFIRMED)
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


NOT_COORDINATOR = N_("Only coordinators can schedule and change sessions. Type sessions to see them.")
THE_SESSION = N_("The session's number, like 1")

COMMAND = CommandSpec(
    "sessions",
    summary=N_("Lists wellbeing sessions with places left, and your own places."),
    example="sessions",
    verbs=(
        Verb("list", upcoming, N_("Lists wellbeing sessions coming up.")),
        Verb("mine", mine, N_("Shows the sessions you have a place in."), aliases=("my",)),
        Verb("show", show, N_("Shows one session, to sign up or cancel."), (), A_SESSION, "session", THE_SESSION),
        Verb(
            "join",
            sign_up,
            N_("Takes a place, or a place on the waitlist."),
            (),
            A_SESSION,
            "session",
            THE_SESSION,
            aliases=("signup",),
        ),
        Verb("leave", give_up, N_("Gives up your place."), (), A_SESSION, "session", THE_SESSION),
        Verb(
            "calendar",
            calendar,
            N_("Gives a calendar file for a session."),
            (),
            A_SESSION,
            "session",
            THE_SESSION,
            aliases=("ics",),
        ),
        Verb(
            "note",
            note,
            N_("Tells the coordinator what would help you take part."),
            (),
            A_SESSION,
            "note",
            N_("The session's number, then your note, like 1 I use a wheelchair"),
        ),
        Verb("new", new, N_("Schedules a wellbeing session."), COORDINATORS, example="sessions new"),
        Verb(
            "people",
            people,
            N_("Shows who has a place, the waitlist and their notes."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions people 1",
            aliases=("attendees",),
        ),
        Verb(
            "attendance",
            attendance,
            N_("Marks who came, once a session has started."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions attendance 1",
        ),
        Verb(
            "move",
            move,
            N_("Moves a session to a new time. Everyone signed up is told."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions move 1",
        ),
        Verb(
            "cancel",
            ask_to_cancel,
            N_("Cancels a session, or one week of a repeat. Everyone signed up is told."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions cancel 1",
            instead="leave",
        ),
    ),
    default=("list",),
    by_number="show",
    refusal=NOT_COORDINATOR,
)

BUTTONS = (
    ButtonSpec("session.signup", sign_up, subject=A_PRESSED_SESSION),
    ButtonSpec("session.cancel", give_up, subject=A_PRESSED_SESSION),
    ButtonSpec("session.show", show, subject=A_PRESSED_SESSION),
    ButtonSpec("session.calendar", calendar, subject=A_PRESSED_SESSION),
    ButtonSpec("session.people", people, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.facilitator", choose_facilitator, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("session.drop", ask_to_cancel, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.keep", keep, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.drop_one", drop_one, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.drop_rest", drop_rest, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
)

FORMS = (
    FormSpec(
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
    ),
    FormSpec(
        name="session.move",
        title=lambda turn: turn._("Move a session"),
        fields=_move_fields,
        checks={"timezone": _check_zone, "start": _check_future},
        submit=_move_submit,
        submit_label=lambda turn: turn._("Move"),
        roles=COORDINATORS,
        subject=A_PRESSED_SESSION,
        refusal=NOT_COORDINATOR,
    ),
    FormSpec(
        name="session.attendance",
        title=lambda turn: turn._("Who came"),
        fields=_attendance_fields,
        submit=_attendance_submit,
        submit_label=lambda turn: turn._("Save"),
        roles=COORDINATORS,
        subject=A_PRESSED_SESSION,
        refusal=NOT_COORDINATOR,
    ),
)
