"""A partner asking for someone, at any moment: the `support` command, the words people use
("help me", "I'm not OK"), and the "Talk to someone" form. Each raises the same alert as a
check-in's contact button, and says at once, honestly, whether anyone was told."""

from __future__ import annotations

from bot.care.notices import raise_alert, show_as_it_stands
from bot.care.queries import open_call
from bot.care.rules import MESSAGE_LENGTH, Reason
from bot.care.words import after_asking
from bot.checks import without_controls
from bot.conversation import FormField, Option, Reply
from bot.feature import Asked, FormSpec
from bot.turn import Turn


def ask(turn: Turn, message: str, tell_partner: bool = True) -> Reply:
    """Raise an alert, or add to the one this person raised lately that nobody has finished."""
    words = " ".join(without_controls(message).split())[:MESSAGE_LENGTH]
    earlier = open_call(turn.db, turn.member.id, turn.now)
    if earlier is not None and earlier.reached:
        if words:
            joined = f"{earlier.message} / {words}" if earlier.message else words
            earlier.message = joined[-MESSAGE_LENGTH:]
            turn.db.add(earlier)
            show_as_it_stands(turn.db, turn.settings, earlier, turn.now)
        return turn.say(*after_asking(turn._, turn.settings, reached=True))
    alert = raise_alert(
        turn.db, turn.settings, turn.member, Reason.SUPPORT, turn.now, message=words, tell_partner=tell_partner
    )
    return turn.say(*after_asking(turn._, turn.settings, alert.reached))


def typed(turn: Turn, asked: Asked) -> Reply:
    """`support`, or `support I can't cope today`."""
    return ask(turn, asked.text)


def said(turn: Turn, asked: Asked) -> Reply:
    """Words people use ("help me", "I'm not OK"): what they typed is their message."""
    return ask(turn, asked.text)


def _fields(turn: Turn, _asked: Asked) -> list[FormField]:
    _ = turn._
    return [
        FormField(
            "message",
            _("Anything you'd like to say"),
            "long",
            required=False,
            max_length=MESSAGE_LENGTH,
            hint=_("You can leave this empty."),
        ),
        FormField(
            "tell",
            _("Tell me who will contact me"),
            "choice",
            choices=(Option(_("Yes"), "yes"), Option(_("No"), "no")),
            initial="yes",
        ),
    ]


def _submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    return ask(turn, values.get("message", ""), tell_partner=values.get("tell") != "no")


FORM = FormSpec(
    name="support.ask",
    title=lambda turn: turn._("Talk to someone"),
    fields=_fields,
    submit=_submit,
    submit_label=lambda turn: turn._("Send"),
    without_consent=True,
)
