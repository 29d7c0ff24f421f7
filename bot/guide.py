"""`guide`: what this person can do, by their role; and their home page: what is theirs now."""

from __future__ import annotations

from bot.conversation import Button, Field, Reply
from bot.turn import COMMANDS, HOME, Turn, action, command
from bot.words import N_


@command(
    "guide",
    summary=N_("Shows what you can do here."),
    example="guide",
    aliases=("help", "?", "start", "menu"),
)
def guide(turn: Turn, _text: str = "") -> Reply:
    _ = turn._
    allowed = [spec for spec in COMMANDS.values() if not spec.roles or turn.is_(*spec.roles)]
    lines = [(spec.name, spec.summary, spec.example) for spec in allowed]
    lines += [
        (f"{spec.name} {verb.name}", verb.summary, verb.example)
        for spec in allowed
        for verb in spec.verbs
        if verb.roles and verb.example and turn.is_(*verb.roles)
    ]
    fields = tuple(
        Field(label, (_(summary), " ", _("Try: {example}", example=example)))
        for label, summary, example in lines
    )
    return turn.say(
        _("Here is what you can do. Type a command, or press a button."),
        fields=fields,
        buttons=(
            Button(_("My profile"), "profile.show"),
            Button(_("Edit my profile"), "profile.edit"),
        ),
    )


@action("guide")
def guide_button(turn: Turn, _subject: str, _value: str) -> Reply:
    return guide(turn)


def home(turn: Turn) -> Reply:
    """What is this person's right now, from every feature: a check-in waiting, alerts..."""
    _ = turn._
    fields = tuple(field for section in HOME for field in section(turn))
    lead = _("Hello, {name}. Here is what is yours right now.", name=turn.member.display_name)
    if not fields:
        lead = _(
            "Hello, {name}. Nothing is waiting for you. Type guide to see what you can do.",
            name=turn.member.display_name,
        )
    return turn.say(
        lead,
        fields=fields,
        buttons=(Button(_("What can I do?"), "guide"), Button(_("My profile"), "profile.show")),
    )
