"""How a wellbeing session is shown: its details, the live count of places and waitlist, one
person's own card with what they can do, and the announcement in the channel, kept current by
editing the same post through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.checks import Refusal
from bot.conversation import Button, CalendarEvent, Field, Message, Reply, Span, fill
from bot.feature import Subject
from bot.members import Role
from bot.notify import channel_reader
from bot.outbox import enqueue_channel, enqueue_edit, enqueue_event
from bot.sessions.rules import AUDIENCES
from bot.settings import Settings
from bot.turn import Turn, moment_for, number_in
from bot.words import Translate, translator
from storage.models import Member, Outbox, SessionSignup, WellbeingSession

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
SCHEDULED = "scheduled"
ACTIVE = (CONFIRMED, WAITLISTED)


# ---- finding ---------------------------------------------------------------------------------


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


def open_to_you(turn: Turn, session: WellbeingSession) -> None:
    """Who a session is for sees it whole (coordinators see every one); anyone else learns only
    that it is not for them, never its time or place."""
    if not turn.is_(Role.COORDINATOR) and not may_join(turn, session):
        raise Refusal(
            "{title} is for {who}. Type sessions to see the ones you can join.",
            title=session.title,
            who=audience_name(turn._, session),
        )


A_SESSION = Subject(find, open_to_you)
A_PRESSED_SESSION = Subject(subject_session, open_to_you)


def signup_of(db: Session, session_id: int | None, member_id: int | None) -> SessionSignup | None:
    """This member's place or waitlist entry, if they have one now."""
    return db.exec(
        select(SessionSignup).where(
            SessionSignup.session_id == session_id,
            SessionSignup.member_id == member_id,
            col(SessionSignup.status).in_(ACTIVE),
        )
    ).first()


def waitlist(db: Session, session_id: int | None) -> list[SessionSignup]:
    """The waitlist in order: first come, first moved up."""
    return list(
        db.exec(
            select(SessionSignup)
            .where(SessionSignup.session_id == session_id, SessionSignup.status == WAITLISTED)
            .order_by(col(SessionSignup.id))
        )
    )


def waiting(db: Session, session_id: int | None) -> int:
    return db.exec(
        select(func.count(col(SessionSignup.id))).where(
            SessionSignup.session_id == session_id, SessionSignup.status == WAITLISTED
        )
    ).one()


def position(db: Session, signup: SessionSignup) -> int:
    """Where someone is on the waitlist, from 1."""
    return db.exec(
        select(func.count(col(SessionSignup.id))).where(
            SessionSignup.session_id == signup.session_id,
            SessionSignup.status == WAITLISTED,
            col(SessionSignup.id) <= signup.id,
        )
    ).one()


def may_join(turn: Turn, session: WellbeingSession) -> bool:
    roles = AUDIENCES.get(session.audience, AUDIENCES["partners"])[1]
    return not roles or turn.is_(*roles)


def audience_name(_: Translate, session: WellbeingSession) -> str:
    return _(AUDIENCES.get(session.audience, AUDIENCES["partners"])[0])


# ---- words -----------------------------------------------------------------------------------


def count_text(_: Translate, session: WellbeingSession, waiting_now: int) -> str:
    """'7 of 12 places taken, 3 on the waitlist'."""
    if session.capacity == 1:
        taken = _("{taken} of 1 place taken", taken=session.taken)
    else:
        taken = _("{taken} of {capacity} places taken", taken=session.taken, capacity=session.capacity)
    if waiting_now:
        return _("{taken}, {waiting} on the waitlist", taken=taken, waiting=waiting_now)
    return taken


def left_text(_: Translate, session: WellbeingSession, waiting_now: int) -> str:
    """'3 places left', or 'Full, 2 on the waitlist'."""
    left = session.capacity - session.taken
    if left == 1:
        return _("1 place left")
    if left > 1:
        return _("{count} places left", count=left)
    if waiting_now:
        return _("Full, {waiting} on the waitlist", waiting=waiting_now)
    return _("Full. You can join the waitlist")


def details(session: WellbeingSession, reader: Member, waiting_now: int) -> tuple[Field, ...]:
    """What the session is, in the reader's words and zone."""
    _ = translator(reader.language)
    fields = [
        Field(
            _("When"),
            fill(
                _("{when}, for {minutes} minutes"),
                when=moment_for(reader, session.starts_at),
                minutes=str(session.duration_minutes),
            ),
        ),
        Field(_("Where"), (session.place,)),
    ]
    if session.facilitator_name:
        fields.append(Field(_("Facilitator"), (session.facilitator_name,)))
    if session.description:
        fields.append(Field(_("About"), (session.description,)))
    fields.append(Field(_("Open to"), (audience_name(_, session),)))
    fields.append(Field(_("Places"), (count_text(_, session, waiting_now),)))
    if session.signup_closes_at != session.starts_at:
        fields.append(Field(_("Sign-up closes"), (moment_for(reader, session.signup_closes_at),)))
    return tuple(fields)


def title_spans(_: Translate, session: WellbeingSession, reader: Member) -> tuple[Span, ...]:
    """'Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London)'."""
    return fill(_("{title}, {when}"), title=session.title, when=moment_for(reader, session.starts_at))


# ---- one person's card -------------------------------------------------------------------------


def card(turn: Turn, session: WellbeingSession, lead: tuple[Span, ...] = ()) -> Reply:
    """A session as one person sees it, with the buttons for what they can do with it."""
    _ = turn._
    mine = signup_of(turn.db, session.id, turn.member.id)
    words: list[Span] = list(lead) or [_("Wellbeing session: {title}.", title=session.title)]
    if session.status == CANCELLED:
        words += [" ", _("This session is cancelled.")]
    elif mine is not None and mine.status == CONFIRMED:
        words += [" ", _("You have a place.")]
    elif mine is not None:
        words += [" ", _("You are number {position} on the waitlist.", position=position(turn.db, mine))]
    buttons = []
    scheduled = session.status == SCHEDULED
    subject = session.id
    if scheduled and mine is None and turn.now < session.signup_closes_at and may_join(turn, session):
        buttons.append(Button(_("Sign up"), f"session.signup:{subject}", style="primary"))
    if scheduled and mine is not None and turn.now < session.starts_at:
        label = _("Cancel my place") if mine.status == CONFIRMED else _("Leave the waitlist")
        buttons.append(Button(label, f"session.cancel:{subject}"))
    if scheduled and mine is not None:
        buttons.append(Button(_("Add a note"), f"session.note:{subject}"))
    if scheduled:
        buttons.append(Button(_("Calendar file"), f"session.calendar:{subject}"))
    if turn.is_(Role.COORDINATOR):
        buttons.append(Button(_("People"), f"session.people:{subject}"))
        if scheduled and turn.now < session.starts_at:
            buttons.append(Button(_("Move"), f"session.move:{subject}"))
            buttons.append(Button(_("Cancel the session"), f"session.drop:{subject}", style="danger"))
        if scheduled and turn.now >= session.starts_at:
            buttons.append(Button(_("Mark attendance"), f"session.attendance:{subject}"))
    fields = details(session, turn.member, waiting(turn.db, session.id))
    return turn.say(*words, fields=fields, buttons=tuple(buttons))


# ---- the announcement ------------------------------------------------------------------------


def announcement(session: WellbeingSession, waiting_now: int, reader: Member, now: datetime) -> Message:
    _ = translator(reader.language)
    buttons: list[Button] = []
    if session.status == CANCELLED:
        lead = _("Cancelled: {title}. Everyone who signed up has been told.", title=session.title)
    elif now >= session.signup_closes_at:
        lead = _("Wellbeing session: {title}. Sign-up has closed.", title=session.title)
    elif session.taken >= session.capacity:
        lead = _(
            "Wellbeing session: {title}. It is full. Press Sign up to join the waitlist.", title=session.title
        )
        buttons.append(Button(_("Sign up"), f"session.signup:{session.id}", style="primary"))
    else:
        lead = _("Wellbeing session: {title}. Press Sign up to take a place.", title=session.title)
        buttons.append(Button(_("Sign up"), f"session.signup:{session.id}", style="primary"))
    if session.status == SCHEDULED and now < session.starts_at:
        buttons.append(Button(_("Cancel my place"), f"session.cancel:{session.id}"))
    return Message(
        (lead,), fields=details(session, reader, waiting_now), buttons=tuple(buttons), private=False
    )


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
        cancelled=target.status == CANCELLED,
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
