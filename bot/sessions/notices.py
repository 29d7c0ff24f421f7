"""What goes to other people about a session, through the outbox in the same transaction as the
change: the channel's announcement and its edits, the shared calendar's entry, and messages to
the facilitator and to everyone signed up when a session moves or is cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.conversation import Button, CalendarEvent, Field, Message, Span, fill
from bot.notify import channel_reader
from bot.outbox import enqueue_channel, enqueue_dm, enqueue_edit, enqueue_event
from bot.sessions.calendar import calendar_file
from bot.sessions.queries import position, waiting
from bot.sessions.rules import HOLDING, Seat, Status
from bot.sessions.words import announcement, details
from bot.settings import Settings
from bot.turn import Turn, moment_for
from bot.words import translator
from storage.models import Member, Outbox, SessionSignup, WellbeingSession


def announce(db: Session, settings: Settings, target: WellbeingSession, now: datetime) -> None:
    """Post the session in the announcements channel, once."""
    channel = settings.announcements()
    if channel is None or target.announcement_id is not None:
        return
    key = f"session.announce:{target.id}"
    message = announcement(target, waiting(db, target.id), channel_reader(settings, now), now)
    row = enqueue_channel(db, channel, message, now, dedupe_key=key)
    if row is None:  # another process posted it a moment ago
        row = db.exec(select(Outbox).where(Outbox.dedupe_key == key)).one()
    target.announcement_id = row.id
    db.add(target)
    enqueue_event(db, channel, calendar_event(target, settings), now, dedupe_key=_event_key(target))
    db.flush()


def _event_key(target: WellbeingSession) -> str:
    return f"session.event:{target.id}"


def calendar_event(target: WellbeingSession, settings: Settings) -> CalendarEvent:
    """The session in the server's shared calendar, where the platform has one."""
    _ = translator(settings.default_language)
    about = target.description or _("A wellbeing session. Sign up in the announcements channel.")
    return CalendarEvent(
        title=target.title,
        starts_at=target.starts_at,
        ends_at=target.starts_at + timedelta(minutes=target.duration_minutes),
        place=target.place or _("To be confirmed"),
        description=about,
        cancelled=target.status == Status.CANCELLED,
    )


def update_calendar_event(db: Session, settings: Settings, target: WellbeingSession, now: datetime) -> None:
    """Keep the shared calendar's entry in step after a move or a cancellation."""
    key = _event_key(target)
    original = db.exec(select(Outbox.id).where(Outbox.dedupe_key == key)).first()
    if original is None:
        return  # never posted (no announcements channel then)
    change = f"{key}:{target.sequence}:{target.status}"
    enqueue_edit(db, original, calendar_event(target, settings), now, dedupe_key=change)


def refresh_announcement(
    db: Session,
    settings: Settings,
    target: WellbeingSession,
    now: datetime,
    dedupe_key: str | None = None,
) -> None:
    """Edit the posted announcement to show the session as it is now."""
    if target.announcement_id is None:
        return
    message = announcement(target, waiting(db, target.id), channel_reader(settings, now), now)
    enqueue_edit(db, target.announcement_id, message, now, dedupe_key=dedupe_key)


def tell_facilitator(turn: Turn, made: list[WellbeingSession]) -> None:
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


def tell_moved(turn: Turn, target: WellbeingSession, signup: SessionSignup | None) -> None:
    """Tell one person the new time: someone signed up, or (no signup) the facilitator."""
    member_id = signup.member_id if signup else target.facilitator_id
    assert member_id is not None
    reader = turn.db.get_one(Member, member_id)
    _ = translator(reader.language)
    when = moment_for(reader, target.starts_at)
    files = ()
    buttons: tuple[Button, ...] = ()
    if signup is not None and signup.status == Seat.WAITLISTED:
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


def tell_cancelled(turn: Turn, done: list[WellbeingSession]) -> None:
    ids = [s.id for s in done]
    rows = turn.db.exec(
        select(SessionSignup)
        .where(col(SessionSignup.session_id).in_(ids), col(SessionSignup.status).in_(HOLDING))
        .order_by(col(SessionSignup.id))
    ).all()
    by_member: dict[int, list[tuple[WellbeingSession, bool]]] = {}
    for signup in rows:
        target = next(s for s in done if s.id == signup.session_id)
        by_member.setdefault(signup.member_id, []).append((target, signup.status == Seat.CONFIRMED))
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
