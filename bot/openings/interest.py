"""A partner saying they are interested, with an optional note; withdrawing until selected; and,
once selected, choosing whether to be paid."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.checks import Refusal
from bot.conversation import Button, FormField, Reply
from bot.feature import Asked, ButtonSpec, FormSpec
from bot.forms import open_form
from bot.members import Role
from bot.openings.pay import PayStatus
from bot.openings.queries import A_PRESSED_OPENING, interest_of, is_full
from bot.openings.rules import still_open
from bot.turn import Turn
from bot.words import N_
from storage.models import Involvement, Member, Opening, OpeningInterest

PARTNERS = (Role.PARTNER,)


NOT_PARTNER = N_("Only partners can say they are interested. Type openings to see what is open.")


def _full(turn: Turn, opening: Opening) -> None:
    if is_full(turn.db, opening):
        raise Refusal("All places in {title} are now filled. Thank you all the same.", title=opening.title)


def _poster(turn: Turn, opening: Opening) -> str:
    return turn.db.get_one(Member, opening.posted_by).display_name


def interested(turn: Turn, asked: Asked) -> Reply:
    """Opens the note form, or, pressed again, changes nothing and says where things stand."""
    opening: Opening = asked.subject
    mine = interest_of(turn.db, opening.id, turn.member.id)
    _ = turn._
    if mine is not None and mine.selected_at is not None:
        return turn.say(_("You were selected for {title}. Nothing changed.", title=opening.title))
    still_open(opening, turn.now)
    if mine is not None and mine.withdrawn_at is None:
        return turn.say(
            _("You already said you're interested in {title}. Nothing changed.", title=opening.title),
            buttons=_own_buttons(turn, opening),
        )
    _full(turn, opening)
    return open_form(turn, f"opening.note:{opening.id}")


def _own_buttons(turn: Turn, opening: Opening) -> tuple[Button, ...]:
    _ = turn._
    return (
        Button(_("Change my note"), f"opening.note:{opening.id}"),
        Button(_("Withdraw"), f"opening.withdraw:{opening.id}"),
    )


def _note_fields(turn: Turn, asked: Asked) -> list[FormField]:
    _ = turn._
    opening: Opening = asked.subject
    still_open(opening, turn.now)
    mine = interest_of(turn.db, opening.id, turn.member.id)
    active = mine is not None and mine.withdrawn_at is None
    if not active:
        _full(turn, opening)
    return [
        FormField(
            "availability",
            _("Your availability"),
            "long",
            required=False,
            max_length=500,
            initial=mine.availability if mine and active else "",
            hint=_("For example: weekday mornings"),
        ),
        FormField(
            "access_needs",
            _("Access needs or adjustments"),
            "long",
            required=False,
            max_length=500,
            initial=mine.access_needs if mine and active else "",
        ),
        FormField(
            "note",
            _("Anything else"),
            "long",
            required=False,
            max_length=500,
            initial=mine.note if mine and active else "",
        ),
    ]


def _note_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    opening: Opening = asked.subject
    still_open(opening, turn.now)
    _ = turn._
    assert opening.id is not None and turn.member.id is not None
    mine = interest_of(turn.db, opening.id, turn.member.id)
    if mine is None:
        _full(turn, opening)
        mine = OpeningInterest(opening_id=opening.id, member_id=turn.member.id, created_at=turn.now)
        try:
            with turn.db.begin_nested():
                turn.db.add(mine)
                turn.db.flush()
        except IntegrityError:  # the same form sent twice at once: the other one made it
            mine = interest_of(turn.db, opening.id, turn.member.id)
            assert mine is not None
        else:
            return _saved_new(turn, opening, mine, values)
    if mine.withdrawn_at is not None:
        _full(turn, opening)
        mine.withdrawn_at = None
        mine.created_at = turn.now  # back in the queue from now
        return _saved_new(turn, opening, mine, values)
    _keep(mine, values)
    turn.db.add(mine)
    return turn.say(
        _("Saved. Your note for {title} is up to date.", title=opening.title),
        buttons=_own_buttons(turn, opening),
    )


def _keep(mine: OpeningInterest, values: dict[str, str]) -> None:
    mine.availability = values.get("availability", "")
    mine.access_needs = values.get("access_needs", "")
    mine.note = values.get("note", "")


def _saved_new(turn: Turn, opening: Opening, mine: OpeningInterest, values: dict[str, str]) -> Reply:
    _keep(mine, values)
    turn.db.add(mine)
    _ = turn._
    return turn.say(
        _("Thank you. You said you're interested in {title}.", title=opening.title),
        " ",
        _("Only {name}, who posted it, and the coordinators see your note.", name=_poster(turn, opening)),
        " ",
        _("You can withdraw until you are selected."),
        buttons=_own_buttons(turn, opening),
    )


def withdraw(turn: Turn, asked: Asked) -> Reply:
    opening: Opening = asked.subject
    _ = turn._
    mine = interest_of(turn.db, opening.id, turn.member.id)
    if mine is not None and mine.selected_at is not None:
        raise Refusal(
            "You were already selected for {title}, so I can't withdraw you here. "
            "If things have changed, that's okay. Please tell {name}, who posted it.",
            title=opening.title,
            name=_poster(turn, opening),
        )
    if mine is None or mine.withdrawn_at is not None:
        return turn.say(_("You are not on the list for {title}. Nothing changed.", title=opening.title))
    still_open(opening, turn.now)
    claimed = turn.db.execute(
        update(OpeningInterest)
        .where(col(OpeningInterest.id) == mine.id)
        .where(col(OpeningInterest.withdrawn_at).is_(None), col(OpeningInterest.selected_at).is_(None))
        .values(withdrawn_at=turn.now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal("That changed a moment ago. Please press the button again.")
    return turn.say(
        _("You have withdrawn from {title}. No need to explain.", title=opening.title),
        " ",
        _("You can say you're interested again while it is open."),
    )


def payment(turn: Turn, asked: Asked) -> Reply:
    """A selected partner may choose not to be paid (some must, to keep their benefits)."""
    opening: Opening = asked.subject
    choice = asked.text.partition(":")[2]
    if choice not in ("decline", "accept"):
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    mine = turn.db.exec(
        select(Involvement).where(
            Involvement.opening_id == opening.id, Involvement.member_id == turn.member.id
        )
    ).first()
    if mine is None:
        raise Refusal(
            "You are not selected for {title}, so there is no payment to choose.", title=opening.title
        )
    _ = turn._
    declining = choice == "decline"
    if mine.pay_status == PayStatus.PAID:
        raise Refusal("The payment for {title} was made already, so it can't be changed here.", title=opening.title)
    if mine.payment_declined == declining:
        words = (
            _("You already chose not to be paid for {title}. Nothing changed.", title=opening.title)
            if declining
            else _("You are already down to be paid for {title}. Nothing changed.", title=opening.title)
        )
        return turn.say(words, buttons=(_payment_button(turn, opening, declining),))
    mine.payment_declined = declining
    turn.db.add(mine)
    if declining:
        words = _("Noted. You chose not to be paid for {title}. Nothing else changes.", title=opening.title)
    else:
        words = _("Noted. You will be paid for {title} as offered.", title=opening.title)
    return turn.say(words, buttons=(_payment_button(turn, opening, declining),))


def _payment_button(turn: Turn, opening: Opening, declined: bool) -> Button:
    """The way back: whichever choice they made, they can change their mind."""
    if declined:
        return Button(turn._("I'd like to be paid after all"), f"opening.payment:{opening.id}:accept")
    return Button(turn._("I'd rather not be paid"), f"opening.payment:{opening.id}:decline")


BUTTONS = (
    ButtonSpec("opening.interested", interested, PARTNERS, A_PRESSED_OPENING, NOT_PARTNER),
    # Anyone on the list may take themselves off it, whatever roles they hold now.
    ButtonSpec("opening.withdraw", withdraw, subject=A_PRESSED_OPENING),
    ButtonSpec("opening.payment", payment, subject=A_PRESSED_OPENING),
)

NOTE_FORM = FormSpec(
    name="opening.note",
    title=lambda turn: turn._("I'm interested"),
    fields=_note_fields,
    submit=_note_submit,
    submit_label=lambda turn: turn._("Send"),
    roles=PARTNERS,
    subject=A_PRESSED_OPENING,
    refusal=NOT_PARTNER,
)
