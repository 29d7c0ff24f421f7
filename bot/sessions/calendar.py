"""Calendar files (.ics) for wellbeing sessions, made with icalendar. One file serves every
calendar app: the start is written in the session's own zone, with that zone described."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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
    calendar = Calendar()
    calendar.add("prodid", "-//partnerbot//wellbeing sessions//EN")
    calendar.add("version", "2.0")
    for session in sessions:
        zone = ZoneInfo(session.zone)
        event = Event()
        # The same uid for every file about this session, so a calendar app updates its entry.
        event.add("uid", f"wellbeing-session-{session.id}@partnerbot")
        # A later file wins: a move raises the sequence, and a cancellation is one step more.
        event.add("sequence", session.sequence + (1 if cancelled else 0))
        # To the minute, like every time the bot shows.
        event.add("dtstamp", now.astimezone(UTC).replace(second=0, microsecond=0))
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", ends_at(session).astimezone(zone))
        event.add("summary", session.title)
        if session.place:
            event.add("location", session.place)
            if session.place.startswith(("https://", "http://")):
                event.add("url", session.place)
        about = [session.description] if session.description else []
        if session.facilitator_name:
            about.append(_("Facilitator: {name}", name=session.facilitator_name))
        if about:
            event.add("description", "\n\n".join(about))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    if sessions:
        # Only the zone's changes around these dates, so the file stays short.
        first = min(s.starts_at for s in sessions) - timedelta(days=1)
        last = max(ends_at(s) for s in sessions) + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first.date(), last_date=last.date())
    return File(file_name(sessions[0].title if sessions else ""), MIME, calendar.to_ical().decode())


def file_name(title: str) -> str:
    """'Chair yoga' -> 'chair-yoga.ics'."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return f"{slug or 'wellbeing-session'}.ics"
