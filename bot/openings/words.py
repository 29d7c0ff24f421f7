"""What people read about an opening: how it reads in the announcements channel, in a message to
a partner and in full; the thanks at closing, the final list, a cancellation and the news of
being selected."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from bot.conversation import Button, Field, Message, Span, fill
from bot.notify import channel_reader
from bot.openings.pay import rate_words
from bot.openings.queries import filled, interested
from bot.openings.rules import Status, hours_text
from bot.settings import Settings
from bot.turn import moment_for
from bot.words import Translate, translator
from storage.models import Involvement, Member, Opening


def where(_: Translate, opening: Opening) -> str:
    if opening.place_kind == "in_person":
        return _("In person at {place}", place=opening.place)
    if opening.place_kind == "hybrid":
        return _("Hybrid: online, or in person at {place}", place=opening.place)
    return _("Remote")


def seats_taken(_: Translate, opening: Opening, taken: int) -> str:
    if taken == 0:
        return str(opening.seats)
    return _("{filled} of {places} filled", filled=taken, places=opening.seats)


def fields(
    opening: Opening, reader: Member, taken: int, full: bool = False, closing: bool = True
) -> tuple[Field, ...]:
    """What a partner needs to decide. `full` adds the rest: when, access support, interests.
    `closing` adds when it closes."""
    _ = translator(reader.language)
    shown = [
        Field(_("Team"), (opening.team,)),
        Field(_("What it involves"), (opening.involves,)),
        Field(_("Time commitment"), (opening.commitment,)),
    ]
    if full:
        shown.append(Field(_("When"), (opening.dates,)))
    shown += [
        Field(_("Where"), (where(_, opening),)),
        Field(_("Places"), (seats_taken(_, opening, taken),)),
        Field(_("Payment and expenses"), (pay_summary(_, opening),)),
    ]
    if full:
        shown.append(Field(_("Access support"), (opening.access or _("Ask the person who posted it"),)))
        if opening.tags:
            shown.append(Field(_("Interests"), (", ".join(opening.tags),)))
    if closing:
        shown.append(Field(_("Closes"), (moment_for(reader, opening.closes_at),)))
    return tuple(shown)


def pay_summary(_: Translate, opening: Opening) -> str:
    """The pay, as partners read it: "£25 an hour plus travel". An opening from before pay
    was structured (no currency) has only its words."""
    if not opening.currency:
        return opening.payment
    rate = rate_words(_, opening.rate_minor, opening.rate_unit, opening.currency)
    if not opening.payment:
        return rate
    return f"{rate}. {opening.payment}" if opening.rate_minor is None else f"{rate} {opening.payment}"


def interest_buttons(reader: Member, opening: Opening) -> tuple[Button, ...]:
    _ = translator(reader.language)
    return (
        Button(_("I'm interested"), f"opening.interested:{opening.id}", style="primary"),
        Button(_("More details"), f"opening.details:{opening.id}"),
    )


def announcement(db: Session, settings: Settings, opening: Opening, now: datetime) -> Message:
    """The channel post as things stand: open, full, closed or cancelled."""
    reader = channel_reader(settings, now)
    _ = translator(reader.language)
    taken = filled(db, opening.id)
    buttons: tuple[Button, ...] = ()
    if opening.status == Status.CANCELLED:
        text = _("Cancelled: {title}. Sorry, this opening is not going ahead.", title=opening.title)
    elif opening.status == Status.CLOSED:
        text = _("Closed: {title}. Thank you to everyone who said they were interested.", title=opening.title)
    elif taken >= opening.seats:
        text = _("{title}: all places are now filled. Thank you, everyone.", title=opening.title)
        buttons = interest_buttons(reader, opening)[1:]
    else:
        text = _("New opening: {title}.", title=opening.title)
        buttons = interest_buttons(reader, opening)
    still = opening.status == Status.OPEN
    return Message((text,), fields(opening, reader, taken, closing=still), buttons, private=False)


def invitation(opening: Opening, reader: Member, matched: list[str], added: bool = False) -> Message:
    """`added`: the opening was posted before, and an interest they just added matches it."""
    _ = translator(reader.language)
    if added:
        lead = _(
            "An opening still open matches your interests ({tags}): {title}.",
            tags=", ".join(matched),
            title=opening.title,
        )
    else:
        lead = _(
            "A new opening matches your interests ({tags}): {title}.",
            tags=", ".join(matched),
            title=opening.title,
        )
    words: tuple[Span, ...] = (
        lead,
        " ",
        _("To change your interests, type profile interests."),
    )
    return Message(words, fields(opening, reader, 0), interest_buttons(reader, opening))


def closes_words(reader: Member, opening: Opening) -> tuple[Span, ...]:
    _ = translator(reader.language)
    return fill(_("It closes {when}."), when=moment_for(reader, opening.closes_at))


def thanks(opening: Opening, reader: Member) -> Message:
    _ = translator(reader.language)
    return Message(
        (
            _("Thank you for saying you were interested in {title}.", title=opening.title)
            + " "
            + _("It has now closed, and you were not selected this time.")
            + " "
            + _("Places are shared out fairly, so please do say yes to the next one that suits you."),
        )
    )


def final_list(db: Session, opening: Opening, reader: Member) -> Message:
    _ = translator(reader.language)
    people = interested(db, opening.id)
    hours = {
        i.member_id: i.hours_agreed
        for i in db.exec(select(Involvement).where(Involvement.opening_id == opening.id))
    }
    chosen = []
    for interest, member in people:
        if interest.selected_at is not None:
            agreed = hours.get(member.id)
            chosen.append(
                _.n("{name} ({hours} hour)", "{name} ({hours} hours)", agreed, name=member.display_name, hours=hours_text(agreed))
                if agreed is not None
                else member.display_name
            )
    others = [m.display_name for i, m in people if i.selected_at is None]
    return Message(
        (
            _("{title} has closed. Here is the final list.", title=opening.title)
            + " "
            + _("Those not selected have been thanked."),
        ),
        (
            Field(_("Selected"), (", ".join(chosen) or _("nobody"),)),
            Field(_("Not selected"), (", ".join(others) or _("nobody"),)),
        ),
    )


def cancelled(opening: Opening, reader: Member) -> Message:
    _ = translator(reader.language)
    return Message(
        (
            _("Sorry: {title} has been cancelled, so it is not going ahead.", title=opening.title)
            + " "
            + _("Nothing more is needed from you. Thank you for your interest."),
        )
    )


def selected_message(opening: Opening, involvement: Involvement, reader: Member, by: str) -> Message:
    _ = translator(reader.language)
    words = (
        _(
            "Good news! You have been selected for {title}. Here are the next steps from {name}.",
            title=opening.title,
            name=by,
        )
        + " "
        + _(
            "Being paid is your choice. If you would rather not be paid, press the button. Nothing else changes."
        )
    )
    shown = [Field(_("Next steps"), (involvement.next_steps,))]
    if involvement.hours_agreed is not None:
        shown.append(Field(_("Hours agreed"), (hours_text(involvement.hours_agreed),)))
    shown += [
        Field(_("Where"), (where(_, opening),)),
        Field(_("Payment and expenses"), (involvement.payment_offered,)),
    ]
    if opening.access:
        shown.append(Field(_("Access support"), (opening.access,)))
    return Message(
        (words,),
        tuple(shown),
        (Button(_("I'd rather not be paid"), f"opening.payment:{opening.id}:decline"),),
    )


def unselected_message(opening: Opening, reader: Member, by: str) -> Message:
    """Kind words for someone un-selected before it closed: no blame, nothing to do."""
    _ = translator(reader.language)
    return Message(
        (
            _("Sorry, there is a change of plan for {title}.", title=opening.title)
            + " "
            + _("{name} can no longer offer you a place.", name=by)
            + " "
            + _("You don't need to do anything. You are still on the list of people interested."),
        )
    )


def digest(reader: Member, found: list[tuple[Opening, int]]) -> Message:
    """The weekly digest: the openings posted in the week before, still open, that match."""
    _ = translator(reader.language)
    shown: list[Field] = []
    buttons: list[Button] = []
    for opening, taken in found:
        label = f"#{opening.id} {opening.title}"
        summary = [opening.team, where(_, opening), _("places: {places}", places=seats_taken(_, opening, taken))]
        shown.append(Field(label, ("; ".join(summary) + ". ", *closes_words(reader, opening))))
        buttons += [replace(b, group=label) for b in interest_buttons(reader, opening)]
    return Message(
        (
            _("This week's new openings that match your interests: {count}.", count=len(found))
            + " "
            + _("Press a button to say you're interested, or for more details.")
            + " "
            + _("To change how you hear about openings, type profile openings."),
        ),
        tuple(shown),
        tuple(buttons),
    )
