"""`guide`: what this person can do, with the roles they hold, written from what each feature
declares."""

from __future__ import annotations

from bot.conversation import Button, Field, Reply
from bot.feature import Asked, ButtonSpec, CommandSpec, Feature
from bot.members import Role
from bot.turn import Turn
from bot.words import COMMAND, N_, name_in, verb_context


def guide(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    allowed = [
        spec
        for spec in turn.features.commands.values()
        if (not spec.roles or turn.is_(*spec.roles)) and (spec.run is not guide or spec.name == "guide")
    ]
    language = turn.member.language
    lines = [(name_in(language, COMMAND, spec.name), spec.summary, spec.example) for spec in allowed]
    lines += [
        (said_in(turn, f"{spec.name} {verb.name}"), verb.summary, verb.example)
        for spec in allowed
        for verb in spec.verbs
        if verb.roles and verb.example and turn.is_(*verb.roles)
    ]
    fields = tuple(
        Field(label, (_(summary), " ", _("Try: {example}", example=said_in(turn, example))))
        for label, summary, example in lines
    )
    buttons = (Button(_("My profile"), "profile.show"), Button(_("Edit my profile"), "profile.edit"))
    if turn.is_(Role.PARTNER):
        buttons += (Button(_("Talk to someone"), "support.ask"),)
    return turn.say(_("Here is what you can do. Type a command, or press a button."), fields=fields, buttons=buttons)


def said_in(turn: Turn, example: str) -> str:
    """An example of what to type ("sessions join 3") with the names this person types: the
    command's and the verb's, in their language ("séances inscrire 3")."""
    language = turn.member.language
    command, _sep, rest = example.partition(" ")
    spec = turn.features.commands.get(command)
    if spec is None or language == "en":
        return example
    verb, _sep, after = rest.partition(" ")
    found = spec.verb(verb) if verb else None
    if found is not None and verb == found.name:
        rest = " ".join(filter(None, (name_in(language, verb_context(spec.name), found.name), after)))
    return " ".join(filter(None, (name_in(language, COMMAND, spec.name), rest)))


FEATURE = Feature(
    "guide",
    commands=(
        CommandSpec(
            "guide",
            summary=N_("Shows what you can do here."),
            example="guide",
            run=guide,
            aliases=("?", "start", "menu"),
            without_consent=True,
        ),
        # `help` is the guide too, and a slash command of its own: people try /help first.
        CommandSpec("help", summary=N_("Shows what you can do here."), example="help", run=guide, without_consent=True),
    ),
    buttons=(ButtonSpec("guide", guide, without_consent=True),),
)
