"""The rules of asking for support, with no database in them: an alert's state, who works
alerts, and how long an open call joins the next one."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from bot.members import Role
from storage.models import Alert

# Who takes and finishes alerts (admins too: an alert nobody takes goes to them as well).
CARERS = (Role.COORDINATOR, Role.ADMIN)
# A second call for support this soon, while the first is not done, joins the first.
JOINS_WITHIN = timedelta(hours=24)
MESSAGE_LENGTH = 500  # characters a partner's words to the coordinators can have


class Reason(StrEnum):
    """Why an alert was raised."""

    SUPPORT = "support"  # asked at any moment: support, help me, Talk to someone
    CONTACT = "contact"  # a check-in's "I'd like someone to contact me"
    ANSWER = "answer"  # a check-in answer at or below its alert level


class State(StrEnum):
    """Where an alert stands: nobody has it yet, someone took it, or it is done."""

    OPEN = "open"
    TAKEN = "taken"
    DONE = "done"


def state_of(alert: Alert) -> State:
    if alert.done_at is not None:
        return State.DONE
    if alert.taken_at is not None:
        return State.TAKEN
    return State.OPEN
