"""`leave`: no more messages, at once; the offer to erase; and coordinators told only that the
person left. Writing again (typing anything but `leave` or `mydata`) is coming back.

A member who left gets nothing: `enqueue_dm` (bot/outbox.py) queues nothing for them, the
audiences of check-ins, invitations and reminders leave them out, and what was waiting for them
is let go here."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.conversation import Command, Event, Message, Reply
from bot.feature import Asked
from bot.mydata.words import erase_buttons, has_left, left, welcome_back
from bot.notify import tell_coordinators
from bot.outbox import drop_unsent
from bot.turn import Turn
from storage.models import Member

# Typing these is not coming back: looking at one's data, or erasing it, after leaving.
STILL_LEAVING = ("leave", "mydata")


def leave(turn: Turn, _asked: Asked) -> Reply:
    member = turn.member
    assert member.id is not None
    _ = turn._
    told = False  # leaving again: nobody is told twice
    if member.left_at is None:
        member.left_at = turn.now
        turn.db.add(member)
        turn.db.flush()
        drop_unsent(turn.db, member.id)
        name = member.display_name
        told = bool(
            tell_coordinators(
                turn.db,
            turn.settings,
                lambda reader: has_left(name, reader),
                turn.now,
                key=f"member.left:{member.id}:{turn.now.isoformat()}",
            )
        )
    return turn.say(left(_, told), buttons=erase_buttons(_, member))


def come_back(db: Session, member: Member, event: Event, now: datetime) -> Message | None:
    """Someone who left and writes again is welcome back: messages start again."""
    if member.left_at is None or not isinstance(event, Command):
        return None
    if event.name.strip().lstrip("/").lower() in STILL_LEAVING:
        return None
    member.left_at = None
    db.add(member)
    return welcome_back(member)
