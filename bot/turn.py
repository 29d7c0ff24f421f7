"""One turn of conversation (who acted, in which transaction, at what time) and the registry
of commands, buttons and forms that features add to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.conversation import Button, Event, Field, FormField, Message, Moment, Option, Reply, Span, fill
from bot.members import Role
from bot.settings import Settings
from bot.words import Translate, translator, when
from storage.models import Account, Member


@dataclass
class Turn:
    session: Session
    member: Member
    account: Account
    roles: set[Role]
    now: datetime
    settings: Settings
    event: Event
    _: Translate = field(init=False)

    def __post_init__(self) -> None:
        self._ = translator(self.member.language)

    def is_(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def spans(self, msgid: str, **values: Span) -> tuple[Span, ...]:
        """A translated sentence whose {gaps} may hold times, each shown in the reader's zone."""
        return fill(self._(msgid), **values)

    def moment(self, at: datetime) -> Moment:
        return moment_for(self.member, at)

    def say(
        self,
        *spans: Span,
        buttons: tuple[Button, ...] = (),
        fields: tuple = (),
        private: bool = True,
    ) -> Reply:
        return Reply(messages=(Message(spans, fields, buttons, private=private),))


def moment_for(reader: Member, at: datetime) -> Moment:
    """A time as `reader` should see it where the platform cannot localise it."""
    return Moment(at, when(at, reader.timezone, reader.language))


CommandHandler = Callable[[Turn, str], Reply]
ActionHandler = Callable[[Turn, str, str], Reply]


@dataclass(frozen=True)
class Verb:
    """A word that can follow a command, as in `sessions join 3`. Platforms with menus offer
    each one (Discord's subcommands); `guide` also lists those kept for some roles that have an
    example. The command's handler reads the words as typed, whichever way they came.

    `argument` names what follows the verb, if anything (a session's number, a time zone), and
    where suggestions for it come from as someone types (see `suggestions`); `hint` says in
    English what to type there.
    """

    name: str
    summary: str
    example: str = ""
    roles: tuple[Role, ...] = ()
    argument: str = ""
    hint: str = ""


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: CommandHandler
    # Roles that may use it; empty means everyone.
    roles: tuple[Role, ...]
    # English text for `guide`: what it does, and an example to type.
    summary: str
    example: str
    # The words that can follow it.
    verbs: tuple[Verb, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    """A form: its title and fields for one person, and what happens when it is sent in full."""

    name: str
    title: Callable[[Turn], str]
    fields: Callable[[Turn, str], list[FormField]]
    # Field name -> check that returns the cleaned value or raises Refusal.
    checks: dict[str, Callable[[Turn, str], str]]
    submit: Callable[[Turn, str, dict[str, str]], Reply]
    submit_label: Callable[[Turn], str]


# Scheduled work: each is called with (engine, settings, now) on every tick and must be safe
# to call as often as anyone likes (the database decides what is due).
TickJob = Callable[[Engine, Settings, datetime], None]
TICKS: list[TickJob] = []


def scheduled(job: TickJob) -> TickJob:
    TICKS.append(job)
    return job


# What each feature shows on a person's home page: the fields that are theirs right now.
HomeSection = Callable[["Turn"], list[Field]]
HOME: list[HomeSection] = []


def home_section(section: HomeSection) -> HomeSection:
    HOME.append(section)
    return section


COMMANDS: dict[str, CommandSpec] = {}
ALIASES: dict[str, str] = {}
ACTIONS: dict[str, ActionHandler] = {}
FORMS: dict[str, FormSpec] = {}


def command(
    name: str,
    summary: str,
    example: str,
    roles: tuple[Role, ...] = (),
    aliases: tuple[str, ...] = (),
    verbs: tuple[Verb, ...] = (),
) -> Callable[[CommandHandler], CommandHandler]:
    def register(handler: CommandHandler) -> CommandHandler:
        COMMANDS[name] = CommandSpec(name, handler, roles, summary, example, verbs)
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return register


def action(name: str) -> Callable[[ActionHandler], ActionHandler]:
    """A button. Its action id is `name` or `name:subject`, e.g. `event.signup:42`."""

    def register(handler: ActionHandler) -> ActionHandler:
        ACTIONS[name] = handler
        return handler

    return register


def form(spec: FormSpec) -> FormSpec:
    FORMS[spec.name] = spec
    return spec


# Suggestions for what someone is typing after a verb (Discord's autocomplete), by argument name.
# Each reads, never writes, and gives at most MAX_SUGGESTIONS (label, value) options.
Suggester = Callable[[Turn, str], list[Option]]
SUGGESTIONS: dict[str, Suggester] = {}
MAX_SUGGESTIONS = 25


def suggestions(argument: str) -> Callable[[Suggester], Suggester]:
    def register(suggester: Suggester) -> Suggester:
        SUGGESTIONS[argument] = suggester
        return suggester

    return register


def matching(options: list[Option], typed: str) -> list[Option]:
    """Those whose label holds what was typed (any case), those that start with it first."""
    wanted = typed.strip().casefold()
    found = [o for o in options if wanted in o.label.casefold()]
    found.sort(key=lambda o: not o.label.casefold().startswith(wanted))
    return found[:MAX_SUGGESTIONS]


def split_id(identifier: str) -> tuple[str, str]:
    """'event.signup:42' -> ('event.signup', '42')."""
    name, _, subject = identifier.partition(":")
    return name, subject
