"""What a feature offers, declared as values: its commands and their verbs, the words people use
for them, its buttons, its forms, its scheduled work, what it puts on a person's home page and the
suggestions it makes as people type. Each declaration says who may use it: the roles, and for something that acts on one thing
(a session, an opening) a check on that thing. The core's router checks both, with the roles
held now, before any handler runs (see bot/router.py).

Nothing registers itself by being imported: the bot is built from a list of features
(bot/features.py), and `Features` composes them, each name declared once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from bot.conversation import Field, File, FormField, Option, Reply
from bot.members import Role
from bot.settings import Settings
from bot.words import COMMAND, english_name, verb_context

if TYPE_CHECKING:
    from bot.turn import Turn


@dataclass(frozen=True)
class Asked:
    """What a person asked for, read once by the router.

    For a verb, `text` is what was typed after it; for a button or a form, what its id names
    after its name ("42" in "session.signup:42"). When the declaration names a `Subject`, `subject`
    is the thing found from the first word of `text` (and allowed), and `rest` is what follows that
    word. `value` is a button's value. `files`: a form's uploads by field name, when it is sent.
    """

    text: str = ""
    subject: Any = None
    rest: str = ""
    value: str = ""
    files: Mapping[str, File] = field(default_factory=dict)


Handler = Callable[["Turn", Asked], Reply]


@dataclass(frozen=True)
class Subject:
    """The one thing a verb, a button or a form acts on: how to find it from what names it
    ("3" or "#3"; for a button, its id's subject), and who may act on it beyond their roles
    (only the person who posted an opening...). Both raise `Refusal` with a kind sentence."""

    find: Callable[[Turn, str], Any]
    check: Callable[[Turn, Any], None] | None = None


@dataclass(frozen=True)
class Verb:
    """A word that follows a command, as in `sessions join 3`: what it does, who may use it and
    what follows it. Platforms with menus offer each one (Discord's subcommands); `guide` lists
    those kept for some roles that have an example.

    `argument` names what follows the verb, if anything (a session's number, a time zone), and
    where suggestions for it come from as someone types; `hint` says in English what to type
    there. `instead`, for someone without the roles, names the verb that does what they most
    likely meant (a partner's `sessions cancel` is `sessions leave`). `refusal`, if set, is what
    someone without the roles is told (else the command's, else "Only ... can use ...").
    """

    name: str
    run: Handler
    summary: str
    roles: tuple[Role, ...] = ()
    subject: Subject | None = None
    argument: str = ""
    hint: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()
    instead: str = ""
    refusal: str = ""
    # Whether what follows may be left out (`openings payments` lists everything), for
    # platforms with menus (Discord's option is then not required).
    optional: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """A command and its verbs (or, with none, its own handler). With nothing after it, the
    first of `default` the person may use runs; a number straight after it (`sessions 3`) goes to the verb `by_number`,
    and any other word that names no verb to `by_other`, if set.
    `refusal`, if set, is what someone without a verb's roles is told instead of the general
    "Only ... can use ..." sentence."""

    name: str
    summary: str
    example: str
    verbs: tuple[Verb, ...] = ()
    # What answers a command that has no verbs (guide).
    run: Handler | None = None
    default: tuple[str, ...] = ()
    by_number: str = ""
    # A word straight after the command that names no verb goes to this verb, with the word
    # as what follows it (`link K7P-4QD` is `link join K7P-4QD`).
    by_other: str = ""
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    refusal: str = ""
    # Whether someone who said "No thanks" to what the bot keeps may still use it.
    without_consent: bool = False
    # What may follow a command that has no verbs (`report last 3 months`): named, and said in
    # English, for platforms with menus (an optional option of Discord's slash command).
    argument: str = ""
    hint: str = ""

    def verb(self, word: str) -> Verb | None:
        """The verb a word names: its English name or an alias, or its name in any language
        the bot speaks (from the catalogues: `séances voir 3`)."""
        for verb in self.verbs:
            if word == verb.name or word in verb.aliases:
                return verb
        english = english_name(verb_context(self.name), word)
        for verb in self.verbs:
            if english == verb.name:
                return verb
        return None


@dataclass(frozen=True)
class ButtonSpec:
    """A button. Its action id is `name` or `name:subject`, e.g. `session.signup:42`."""

    name: str
    run: Handler
    roles: tuple[Role, ...] = ()
    subject: Subject | None = None
    refusal: str = ""
    without_consent: bool = False


@dataclass(frozen=True)
class FormSpec:
    """A form: its title and fields for one person, and what happens when it is sent in full.
    Who may open it, go on to a later page and send it: `roles`, and `subject`'s check on the
    thing it changes, checked at each of those steps. (`without_consent`, as for a command.)"""

    name: str
    title: Callable[[Turn], str]
    fields: Callable[[Turn, Asked], list[FormField]]
    submit: Callable[[Turn, Asked, dict[str, str]], Reply]
    submit_label: Callable[[Turn], str]
    # Field name -> check that returns the cleaned value or raises Refusal.
    checks: Mapping[str, Callable[[Turn, str], str]] = field(default_factory=dict)
    roles: tuple[Role, ...] = ()
    subject: Subject | None = None
    refusal: str = ""
    without_consent: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words people type the way they would say them ("help me"), that do what a command does.
    `words` is English from the catalogue; what someone types matches it, or its translation in
    any language the bot speaks, when it starts with those words."""

    words: str
    run: Handler
    roles: tuple[Role, ...] = ()
    without_consent: bool = False


# Scheduled work: called with (engine, settings, now) on every beat of the leading process, and
# safe to call as often as anyone likes (the database decides what is due).
TickJob = Callable[[Engine, Settings, datetime], None]
# What a feature shows on a person's home page: the fields that are theirs right now.
HomeSection = Callable[["Turn"], list[Field]]
# Suggestions for what someone types after a verb (Discord's autocomplete): they read, never
# write, and give at most turn.MAX_SUGGESTIONS options.
Suggester = Callable[["Turn", str], list[Option]]


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[CommandSpec, ...] = ()
    buttons: tuple[ButtonSpec, ...] = ()
    forms: tuple[FormSpec, ...] = ()
    scheduled: tuple[TickJob, ...] = ()
    home: tuple[HomeSection, ...] = ()
    suggestions: Mapping[str, Suggester] = field(default_factory=dict)
    phrases: tuple[Phrase, ...] = ()


class Features:
    """Features composed into one bot: every command, button and form by its name. A name
    declared twice is a mistake found when the bot is built, not when someone presses."""

    def __init__(self, features: Sequence[Feature]) -> None:
        self.all = tuple(features)
        self.commands: dict[str, CommandSpec] = {}
        self.aliases: dict[str, str] = {}
        self.buttons: dict[str, ButtonSpec] = {}
        self.forms: dict[str, FormSpec] = {}
        self.suggestions: dict[str, Suggester] = {}
        for feature in self.all:
            for command in feature.commands:
                _once(self.commands, command.name, command, "command")
                for alias in command.aliases:
                    _once(self.aliases, alias, command.name, "command alias")
            for button in feature.buttons:
                _once(self.buttons, button.name, button, "button")
            for form in feature.forms:
                _once(self.forms, form.name, form, "form")
            for argument, suggester in feature.suggestions.items():
                _once(self.suggestions, argument, suggester, "suggestion")
        for name in self.buttons.keys() & self.forms.keys():
            raise ValueError(f"{name} is both a button and a form")
        self.phrases = tuple(phrase for feature in self.all for phrase in feature.phrases)
        self.scheduled = tuple(job for feature in self.all for job in feature.scheduled)
        self.home = tuple(section for feature in self.all for section in feature.home)

    def command(self, word: str) -> CommandSpec | None:
        """The command a word names: its English name or an alias first, so English works for
        everyone, then its name in any language the bot speaks (`profil`, `seances`)."""
        found = self.commands.get(self.aliases.get(word, word))
        if found is None:
            found = self.commands.get(english_name(COMMAND, word) or "")
        return found


def _once(found: dict[str, Any], name: str, value: Any, kind: str) -> None:
    if name in found:
        raise ValueError(f"the {kind} {name} is declared twice")
    found[name] = value
