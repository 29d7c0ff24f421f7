"""What people read about support: what a partner is told (honestly: whether anyone was reached),
the alert coordinators see and how it reads once taken or done, the list of alerts, and the
warnings an admin sees when nobody could be reached."""

from __future__ import annotations

from bot.care.rules import Reason, State, state_of
from bot.conversation import Button, Field, Message, Span
from bot.settings import Settings
from bot.turn import Turn
from bot.words import N_, Translate, translator
from storage.models import Alert, Member

# Said always, after what the partner is told, unless EMERGENCY_TEXT says otherwise.
EMERGENCY = N_("If you are in danger, or might harm yourself, call your local emergency number now.")


def emergency(_: Translate, settings: Settings) -> str:
    return settings.emergency_text.strip() or _(EMERGENCY)


def after_asking(_: Translate, settings: Settings, reached: bool) -> tuple[str, ...]:
    """What someone who asked for support reads at once: whether a coordinator was told (never
    a promise that did not happen), the service's contacts, and what to do in an emergency."""
    contacts = settings.support_contacts.strip()
    if reached:
        said = [_("Thank you for asking. I have told the coordinators, and someone will contact you soon.")]
        if contacts:
            said.append(_("If you need help sooner: {contacts}", contacts=contacts))
    else:
        said = [_("I'm sorry. I couldn't reach a coordinator just now, so nobody has been told yet.")]
        if contacts:
            said.append(_("Please use these contacts: {contacts}", contacts=contacts))
    said.append(emergency(_, settings))
    return (" ".join(said),)


def after_a_low_answer(_: Translate, settings: Settings, reached: bool) -> tuple[str, ...]:
    """What someone reads after an answer at or below the alert level."""
    contacts = settings.support_contacts.strip()
    said = [
        _("I have let the coordinators know, so someone can check in with you.")
        if reached
        else _("I wanted to let the coordinators know, but I couldn't reach anyone just now.")
    ]
    if contacts:
        said.append(_("If you need help sooner: {contacts}", contacts=contacts))
    if not reached:
        said.append(emergency(_, settings))
    return (" ".join(said),)


def alert_message(alert: Alert, partner: str, reader: Member, by: str = "") -> Message:
    """The alert as coordinators see it, with what they can do now. `by` names who took it, or
    who finished it."""
    _ = translator(reader.language)
    if alert.reason == Reason.ANSWER:
        words = _(
            "{name} answered '{answer}' to '{question}' in the check-in '{checkin}'. Please check in with them.",
            name=partner,
            answer=alert.answer,
            question=alert.question,
            checkin=alert.checkin,
        )
    elif alert.reason == Reason.CONTACT:
        words = _(
            "{name} would like someone to contact them. This came from the check-in '{checkin}'.",
            name=partner,
            checkin=alert.checkin,
        )
    else:
        words = _("{name} would like someone to contact them.", name=partner)
    spans: list[Span] = [words]
    if alert.message:
        spans += [" ", _("They wrote: {words}", words=alert.message)]
    state = state_of(alert)
    buttons: tuple[Button, ...] = ()
    if state == State.OPEN:
        buttons = (
            Button(_("I'll take this"), f"alert.take:{alert.id}", style="primary"),
            Button(_("Done"), f"alert.done:{alert.id}"),
        )
    elif state == State.TAKEN:
        spans += [" ", _("Taken by {name}.", name=by)]
        buttons = (Button(_("Done"), f"alert.done:{alert.id}"),)
    else:
        spans += [" ", _("Done by {name}.", name=by)]
    return Message(tuple(spans), buttons=buttons)


def again(alert: Alert, partner: str, reader: Member, minutes: int) -> Message:
    """The alert sent again to every coordinator and admin, when nobody took it in time."""
    _ = translator(reader.language)
    first = alert_message(alert, partner, reader)
    lead = _.n(
        "Nobody has taken this yet, after {minutes} minute.",
        "Nobody has taken this yet, after {minutes} minutes.",
        minutes,
        minutes=minutes,
    )
    return Message((lead, " ", *first.text), buttons=first.buttons)


def taken_for_partner(reader: Member, by: str) -> Message:
    _ = translator(reader.language)
    return Message((_("{name} has your message and will be in touch.", name=by),))


def listing(turn: Turn, found: list[tuple[Alert, str, str]]) -> tuple[tuple[Field, ...], tuple[Button, ...]]:
    """Alerts as a coordinator sees them in `alerts`: who, when, where it stands, and buttons
    for those nobody has taken. Each is (alert, the partner's name, who took or finished it)."""
    _ = turn._
    fields = []
    buttons = []
    for alert, partner, by in found:
        state = state_of(alert)
        said: list[Span] = [turn.moment(alert.created_at), ". "]
        if state == State.OPEN:
            said.append(_("Nobody has taken it yet."))
            buttons.append(Button(_("Take #{number}", number=alert.id), f"alert.take:{alert.id}"))
        elif state == State.TAKEN:
            said.append(_("Taken by {name}.", name=by))
        else:
            said.append(_("Done by {name}.", name=by))
            if alert.done_note:
                said += [" ", _("Note: {note}", note=alert.done_note)]
        if alert.message:
            said += [" ", _("They wrote: {words}", words=alert.message)]
        fields.append(Field(f"#{alert.id} {partner}", tuple(said)))
    return tuple(fields), tuple(buttons)


# What an admin is warned of, on their home page and when the bot starts.
NO_COORDINATOR = N_("There is no coordinator, so a call for support reaches nobody. Give someone the coordinator role.")
NO_CONTACTS = N_("SUPPORT_CONTACTS is not set, so people who ask for support get no number to call.")
NO_ROOM = N_("COORDINATOR_CHANNEL is on a platform this service does not run, so alerts go to each coordinator instead.")
