"""Calendar files (.ics) for wellbeing sessions, made with icalendar. One file serves every
calendar app: the start is written in the session's own zone, with that zone described."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.conversation import File
from bot.words import Translate
from storage.models import WellbeingSession

MIME = "text/calendar"


def ends_at(session: WellbeingSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def calendar_file(
    sessions: list[WellbeingSession], now: datetime, _: Translate, cancelled: bool = False
) -> File:
    """A calendar file with these sessions; `cancelled` makes one that takes them off a calendar."""
    # To the minute, like every time the bot shows (and so one file serves a minute's sign-ups).
    stamp = now.astimezone(UTC).replace(second=0, microsecond=0)
    entries = tuple(_entry(session, _) for session in sessions)
    return File(file_name(sessions[0].title if sessions else ""), MIME, _ics(entries, stamp, cancelled))


class _Entry(NamedTuple):
    """All a calendar file says of one session, in the reader's words."""

    id: int | None
    sequence: int
    starts_at: datetime
    ends_at: datetime
    zone: str
    title: str
    place: str
    about: str


def _entry(session: WellbeingSession, _: Translate) -> _Entry:
    about = [session.description] if session.description else []
    if session.facilitator_name:
        about.append(_("Facilitator: {name}", name=session.facilitator_name))
    return _Entry(
        session.id,
        session.sequence,
        session.starts_at,
        ends_at(session),
        session.zone,
        session.title,
        session.place or "",
        "\n\n".join(about),
    )


# Made with icalendar, which takes about a millisecond a file: a rush of sign-ups to one session
# within a minute gets the same file, so the last few made are kept (keyed by all they say).
@functools.lru_cache(maxsize=64)
def _ics(entries: tuple[_Entry, ...], stamp: datetime, cancelled: bool) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//partnerbot//wellbeing sessions//EN")
    calendar.add("version", "2.0")
    for entry in entries:
        zone = ZoneInfo(entry.zone)
        event = Event()
        # The same uid for every file about this session, so a calendar app updates its entry.
        event.add("uid", f"wellbeing-session-{entry.id}@partnerbot")
        # A later file wins: a move raises the sequence, and a cancellation is one step more.
        event.add("sequence", entry.sequence + (1 if cancelled else 0))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at.astimezone(zone))
        event.add("dtend", entry.ends_at.astimezone(zone))
        event.add("summary", entry.title)
        if entry.place:
            event.add("location", entry.place)
            if entry.place.startswith(("https://", "http://")):
                event.add("url", entry.place)
        if entry.about:
            event.add("description", entry.about)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    if entries:
        # Only the zone's changes around these dates, so the file stays short.
        first = min(e.starts_at for e in entries) - timedelta(days=1)
        last = max(e.ends_at for e in entries) + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first.date(), last_date=last.date())
    return calendar.to_ical().decode()


def file_name(title: str) -> str:
    """'Chair yoga' -> 'chair-yoga.ics'."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return f"{slug or 'wellbeing-session'}.ics"
