"""What people read about a wellbeing session: its details, the live count of places and
waitlist, one person's card with what they can do, the channel's announcement, a confirmation and
a reminder."""

from __future__ import annotations

from datetime import datetime

from bot.conversation import Button, Field, Message, Reply, Span, fill
from bot.members import Role
from bot.sessions.calendar import calendar_file
from bot.sessions.queries import later_in_series, position, signup_of, waiting
from bot.sessions.rules import Seat, Status, audience_name, may_join
from bot.turn import Turn, moment_for
from bot.words import N_, Translate, translator
from storage.models import Member, SessionSignup, WellbeingSession

NOT_COORDINATOR = N_("Only coordinators can schedule and change sessions. Type sessions to see them.")


def count_text(_: Translate, session: WellbeingSession, waiting_now: int) -> str:
    """'7 of 12 places taken, 3 on the waitlist'."""
    taken = _.n(
        "{taken} of {capacity} place taken",
        "{taken} of {capacity} places taken",
        session.capacity,
        taken=session.taken,
        capacity=session.capacity,
    )
    if waiting_now:
        return _("{taken}, {waiting} on the waitlist", taken=taken, waiting=waiting_now)
    return taken


def left_text(_: Translate, session: WellbeingSession, waiting_now: int) -> str:
    """'3 places left', or 'Full, 2 on the waitlist'."""
    left = session.capacity - session.taken
    if left > 0:
        return _.n("{count} place left", "{count} places left", left)
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
                _.pick("{when}, for {minutes} minute", "{when}, for {minutes} minutes", session.duration_minutes),
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


def card(turn: Turn, session: WellbeingSession, lead: tuple[Span, ...] = ()) -> Reply:
    """A session as one person sees it, with the buttons for what they can do with it."""
    _ = turn._
    mine = signup_of(turn.db, session.id, turn.member.id)
    words: list[Span] = list(lead) or [_("Wellbeing session: {title}.", title=session.title)]
    if session.status == Status.CANCELLED:
        words += [" ", _("This session is cancelled.")]
    elif mine is not None and mine.status == Seat.CONFIRMED:
        words += [" ", _("You have a place.")]
    elif mine is not None:
        words += [" ", _("You are number {position} on the waitlist.", position=position(turn.db, mine))]
    buttons = []
    scheduled = session.status == Status.SCHEDULED
    subject = session.id
    weekly = scheduled and bool(later_in_series(turn, session))
    if scheduled and mine is None and turn.now < session.signup_closes_at and may_join(turn, session):
        buttons.append(Button(_("Sign up"), f"session.signup:{subject}", style="primary"))
        if weekly:
            buttons.append(Button(_("Sign up for every week"), f"session.signup_all:{subject}"))
    if scheduled and mine is not None and turn.now < session.starts_at:
        label = _("Cancel my place") if mine.status == Seat.CONFIRMED else _("Leave the waitlist")
        buttons.append(Button(label, f"session.cancel:{subject}"))
        if weekly:
            buttons.append(Button(_("Cancel every week"), f"session.cancel_all:{subject}"))
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


def announcement(session: WellbeingSession, waiting_now: int, reader: Member, now: datetime) -> Message:
    _ = translator(reader.language)
    buttons: list[Button] = []
    if session.status == Status.CANCELLED:
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
    if session.series_id is not None and buttons:  # the first week of a weekly series
        buttons.append(Button(_("Sign up for every week"), f"session.signup_all:{session.id}"))
    if session.status == Status.SCHEDULED and now < session.starts_at:
        buttons.append(Button(_("Cancel my place"), f"session.cancel:{session.id}"))
    return Message(
        (lead,), fields=details(session, reader, waiting_now), buttons=tuple(buttons), private=False
    )


def place_words(turn: Turn, mine: SessionSignup | None) -> tuple[str, ...]:
    if mine is None:
        return ()
    if mine.status == Seat.CONFIRMED:
        return (" ", turn._("You have a place."))
    number = position(turn.db, mine)
    return (" ", turn._("You are number {position} on the waitlist.", position=number))


def when(turn: Turn, target: WellbeingSession) -> Span:
    return turn.moment(target.starts_at)


def confirmation(turn: Turn, target: WellbeingSession) -> Reply:
    """What someone who just took a place reads."""
    _ = turn._
    words = (
        *turn.spans(
            "You have a place at {title}, {when}. Your calendar file comes with this message.",
            title=target.title,
            when=when(turn, target),
        ),
        " ",
        _("If you have access needs, press Add a note. Only the coordinators see it."),
    )
    return Reply(messages=(your_place(_, target, words, turn.now),))


def moved_up(target: WellbeingSession, reader: Member, now: datetime) -> Message:
    """What the first on the waitlist reads when a place comes up for them."""
    _ = translator(reader.language)
    words = (
        *fill(
            _("Good news: a place came up at {title}, {when}. It is yours now. Your calendar file is below."),
            title=target.title,
            when=moment_for(reader, target.starts_at),
        ),
        " ",
        _("If you can't come after all, press Cancel my place."),
    )
    return your_place(_, target, words, now)


def your_place(_: Translate, target: WellbeingSession, words: tuple[Span, ...], now: datetime) -> Message:
    """A place that is now someone's: where, what they can do, and the calendar file."""
    return Message(
        words,
        fields=(Field(_("Where"), (target.place,)),),
        buttons=(
            Button(_("Add a note"), f"session.note:{target.id}"),
            Button(_("Cancel my place"), f"session.cancel:{target.id}"),
        ),
        files=(calendar_file([target], now, _),),
    )


def reminder(target: WellbeingSession, reader: Member) -> Message:
    _ = translator(reader.language)
    words = (
        *fill(
            _("A reminder: {title} starts {when}."),
            title=target.title,
            when=moment_for(reader, target.starts_at),
        ),
        " ",
        _("If you can't come after all, that's okay. Press Cancel my place."),
    )
    return Message(
        words,
        fields=(Field(_("Where"), (target.place,)),),
        buttons=(
            Button(_("Cancel my place"), f"session.cancel:{target.id}"),
            Button(_("Calendar file"), f"session.calendar:{target.id}"),
        ),
    )
