"""Care: a partner can ask for someone at any moment, in their own words, and is told honestly
whether anyone was reached; coordinators and admins take each alert and finish it, everyone who
saw it sees who has it, and an alert nobody takes goes again to all of them.

What each command, button and form does, and who may use it, is declared here.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from bot.care import notices, support, working
from bot.care.queries import AN_ALERT
from bot.care.rules import CARERS
from bot.care.words import NO_CONTACTS, NO_COORDINATOR, NO_ROOM
from bot.conversation import Field
from bot.feature import ButtonSpec, CommandSpec, Feature, Phrase
from bot.members import Role, members_with_role
from bot.settings import Settings
from bot.turn import Turn
from bot.words import N_, translator


def readiness(db: Session, settings: Settings) -> list[str]:
    """What would leave a call for support unanswered (English, from the catalogue)."""
    found = []
    if not members_with_role(db, Role.COORDINATOR):
        found.append(NO_COORDINATOR)
    if not settings.support_contacts.strip():
        found.append(NO_CONTACTS)
    channel = settings.coordinators_channel()
    if channel is not None and channel.platform not in settings.platforms():
        found.append(NO_ROOM)
    return found


def warnings_at_start(engine: Engine, settings: Settings) -> list[str]:
    """The same, in the service's own language, for the log when the bot starts."""
    _ = translator(settings.default_language)
    with Session(engine) as db:
        return [_(sentence) for sentence in readiness(db, settings)]


def warnings(turn: Turn) -> list[Field]:
    """On an admin's home page."""
    if not turn.is_(Role.ADMIN):
        return []
    return [Field(turn._("Before someone needs support"), (turn._(s),)) for s in readiness(turn.db, turn.settings)]


FEATURE = Feature(
    "care",
    commands=(
        CommandSpec(
            "support",
            summary=N_("Tells the coordinators you'd like someone to contact you. You can add a few words."),
            example="support",
            run=support.typed,
            without_consent=True,  # a call for support is never refused
        ),
        CommandSpec(
            "alerts",
            summary=N_("Lists calls for support: open, taken and done."),
            example="alerts",
            run=working.show_list,
            roles=CARERS,
        ),
    ),
    buttons=(ButtonSpec("alert.take", working.take, CARERS, AN_ALERT),),
    forms=(support.FORM, working.DONE_FORM),
    phrases=tuple(
        Phrase(words, support.said, without_consent=True)
        for words in (
            N_("help me"),
            N_("contact me"),
            N_("I need someone"),
            N_("I need help"),
            N_("I'm not OK"),
            N_("I'm not okay"),
            N_("I am not OK"),
            N_("talk to someone"),
            N_("I'd like someone to contact me"),
        )
    ),
    scheduled=(notices.send_again,),
    home=(warnings,),
)
