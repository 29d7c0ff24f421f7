"""What a wellbeing session is made of, read from what a coordinator types: reminder times,
who it is for, and the dates of a weekly repeat in the session's own zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.checkins.rules import wall_time
from bot.checks import Refusal
from bot.members import Role
from bot.words import N_

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
