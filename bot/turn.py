"""One turn of conversation: who acted, with which roles, in which database transaction, at what
time, and the features the bot was built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.conversation import Button, Event, Message, Moment, Option, Reply, Span, fill
from bot.members import Role
from bot.settings import Settings
from bot.words import Translate, translator, when
from storage.models import Account, Member

if TYPE_CHECKING:
    from bot.feature import Features

MAX_SUGGESTIONS = 25


@dataclass
class Turn:
    db: Session  # this turn's database transaction (a wellbeing session is a WellbeingSession)
    member: Member
    account: Account
    roles: set[Role]
    now: datetime
    settings: Settings
    event: Event
    features: Features
    _: Translate = field(init=False)

    def __post_init__(self) -> None:
        self._ = translator(self.member.language)

    def is_(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def spans(self, msgid: str, **values: Span) -> tuple[Span, ...]:
        """A translated sentence whose {gaps} may hold times, each shown in the reader's zone."""
        return fill(self._(msgid), **values)

    def spans_n(self, singular: str, plural: str, count: int, **values: Span) -> tuple[Span, ...]:
        """`spans` for a sentence with a count, also filled in as {count}."""
        return fill(self._.pick(singular, plural, count), **{"count": str(count), **values})

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


def matching(options: list[Option], typed: str) -> list[Option]:
    """Those whose label holds what was typed (any case), those that start with it first."""
    wanted = typed.strip().casefold()
    found = [o for o in options if wanted in o.label.casefold()]
    found.sort(key=lambda o: not o.label.casefold().startswith(wanted))
    return found[:MAX_SUGGESTIONS]


def number_in(text: str) -> int | None:
    """The number in "3" or "#3", as lists show them; None for anything else, and for a number
    too long to be anything's id."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdecimal() and len(digits) <= 9 else None


def split_id(identifier: str) -> tuple[str, str]:
    """'event.signup:42' -> ('event.signup', '42')."""
    name, _, subject = identifier.partition(":")
    return name, subject
