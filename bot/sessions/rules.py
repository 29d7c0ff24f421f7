"""The rules of wellbeing sessions, with no database in them: the statuses of a session and of a
seat, who a session is for and who may see it, what may still change, and what a coordinator
types (reminder times, the dates of a weekly repeat in the session's own zone)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.checkins.rules import wall_time
from bot.checks import Refusal
from bot.members import Role
from bot.words import N_, Translate

if TYPE_CHECKING:
    from bot.turn import Turn
    from storage.models import WellbeingSession

MAX_REMINDERS = 3
DEFAULT_REMINDERS = [24 * 60, 60]
_UNITS = {"m": 1, "h": 60, "d": 24 * 60}
_AMOUNT = re.compile(r"^(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?)$")

AUDIENCES = {
    "partners": (N_("partners"), (Role.PARTNER,)),
    "staff": (N_("staff"), (Role.STAFF, Role.COORDINATOR)),
    "everyone": (N_("everyone"), ()),
}


def read_reminders(text: str) -> list[int]:
    """'24h, 1h' -> [1440, 60]: minutes before the start, earliest first. 'none' -> []."""
    words = [w.strip().lower() for w in re.split(r"[,;]|\band\b", text) if w.strip()]
    if words in ([], ["none"], ["no"], ["off"]):
        return []
    found: set[int] = set()
    for word in words:
        match = _AMOUNT.match(word)
        if match is None:
            raise Refusal(
                "I couldn't read '{word}' as a time before the session. Try: 24h, 1h. Or type none.",
                word=word[:30],
            )
        minutes = int(match.group(1)) * _UNITS[match.group(2)[0]]
        if not 10 <= minutes <= 14 * 24 * 60:
            raise Refusal("Each reminder can be from 10 minutes to 14 days before the session.")
        found.add(minutes)
    if len(found) > MAX_REMINDERS:
        raise Refusal("Please choose up to {limit} reminders.", limit=MAX_REMINDERS)
    return sorted(found, reverse=True)


def reminders_as_text(minutes: list[int]) -> str:
    """[1440, 60] -> '24h, 1h' (as typed, so a form can offer it again)."""
    if not minutes:
        return "none"
    parts = []
    for amount in minutes:
        if amount % (24 * 60) == 0 and amount > 24 * 60:
            parts.append(f"{amount // (24 * 60)}d")
        elif amount % 60 == 0:
            parts.append(f"{amount // 60}h")
        else:
            parts.append(f"{amount}m")
    return ", ".join(parts)


def weekly(first: datetime, zone: str, weeks: int) -> list[datetime]:
    """The first start and the same local time on the same weekday after it, `weeks` in all.

    The wall clock in the session's zone stays the same when the clocks change.
    """
    local = first.astimezone(ZoneInfo(zone))
    minutes = local.hour * 60 + local.minute
    return [wall_time(local.date() + timedelta(weeks=n), minutes, zone) for n in range(weeks)]


class Status(StrEnum):
    """Where a wellbeing session stands."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Seat(StrEnum):
    """A person's place at a session: theirs, on the waitlist, or given up."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    GIVEN_UP = "cancelled"


COORDINATORS = (Role.COORDINATOR,)  # who schedules and changes sessions

# Someone with a place, or on the waitlist.
HOLDING = (Seat.CONFIRMED, Seat.WAITLISTED)


def may_join(turn: Turn, session: WellbeingSession) -> bool:
    """Whether this person is among those the session is for."""
    roles = AUDIENCES.get(session.audience, AUDIENCES["partners"])[1]
    return not roles or turn.is_(*roles)


def still_ahead(turn: Turn, target: WellbeingSession) -> None:
    """Only a session that is still to come can be moved or cancelled."""
    if target.status == Status.CANCELLED:
        raise Refusal("{title} is cancelled already. Nothing changed.", title=target.title)
    if turn.now >= target.starts_at:
        raise Refusal("{title} has already started, so it can't be changed now.", title=target.title)


def audience_name(_: Translate, session: WellbeingSession) -> str:
    return _(AUDIENCES.get(session.audience, AUDIENCES["partners"])[0])


def open_to_you(turn: Turn, session: WellbeingSession) -> None:
    """Who a session is for sees it whole (coordinators see every one); anyone else learns only
    that it is not for them, never its time or place."""
    if not turn.is_(Role.COORDINATOR) and not may_join(turn, session):
        raise Refusal(
            "{title} is for {who}. Type sessions to see the ones you can join.",
            title=session.title,
            who=audience_name(turn._, session),
        )
