"""A period typed in words, read in the person's own zone: "last 3 months", "this month",
"1 Sep to 30 Nov", "2026-09-01 2026-11-30", or one day: "yesterday", "30 Nov". Used by every verb that looks back over a stretch of
time (`openings export`, `report`, `mywork`)."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.checks import Refusal, as_dateparser_reads
from bot.turn import Turn
from bot.words import N_, forms_of, reads, typeable

_UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months",
          "months": "months", "year": "years", "years": "years"}
_LAST = re.compile(r"^(?:the\s+)?(?:last|past)\s+(\d{1,3})?\s*(day|days|week|weeks|month|months|year|years)$")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_THIS = re.compile(r"^this\s+(week|month|year)$")


def period(turn: Turn, text: str, example: str) -> tuple[date, date]:
    """The first and last day (both included) of the period in `text`. `example` is the whole
    sentence to say when there is nothing to read, e.g. "Which dates? For example: report last 3 months."."""
    words = " ".join(text.split())
    if not words:
        raise Refusal(example)
    today = turn.now.astimezone(ZoneInfo(turn.member.timezone)).date()
    lowered = words.lower()
    named = _named(lowered, today, turn.member.language)
    if named is not None:
        return named
    # "1 Sep to 30 Nov", "1 sept. au 30 nov.": the word between them is compared without accents.
    plain = _folded(lowered.replace("\u2019", "'"))
    joiner = next((j for j in joiners(turn.member.language) if j in plain), None)
    if joiner is not None:
        index = plain.index(joiner)
        parts = [words[:index], words[index + len(joiner) :]]
    elif len(words.split()) == 2 and all(_ISO.match(p) for p in words.split()):
        parts = words.split()
    else:  # one day: "yesterday", "30 Nov", "2026-11-30"
        try:
            alone = day(turn, words)
        except Refusal:
            raise Refusal(example) from None
        return alone, alone
    if not all(p.strip() for p in parts):
        raise Refusal(example)
    first, last = (day(turn, p.strip()) for p in parts)
    if first > last:
        raise Refusal("The first date needs to be on or before the second. For example: 1 Sep to 30 Nov.")
    return first, last


def bounds(turn: Turn, first: date, last: date) -> tuple[datetime, datetime]:
    """The period as UTC moments: from the start of `first` to the end of `last`, in the person's zone."""
    zone = ZoneInfo(turn.member.timezone)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def months_back(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


# Periods people type, read in the reader's language and in English (see bot.words.reads).
_CALENDAR = {
    # TRANSLATORS: read, not shown: the calendar month before this one, as people type it. Separate the ways with |.
    N_("last month|the last month|past month"): "last month",
    # TRANSLATORS: read, not shown: the calendar year before this one, as people type it. Separate the ways with |.
    N_("last year"): "last year",
    # TRANSLATORS: read, not shown: the week (Monday to Sunday) before this one. Separate the ways with |.
    N_("last week"): "last week",
    # TRANSLATORS: read, not shown: from Monday to today. Separate the ways with |.
    N_("this week"): "this week",
    # TRANSLATORS: read, not shown: from the first of this month to today. Separate the ways with |.
    N_("this month"): "this month",
    # TRANSLATORS: read, not shown: from 1 January to today. Separate the ways with |.
    N_("this year"): "this year",
}
_ROLLING = {
    # TRANSLATORS: read, not shown: the days up to today. Separate the ways with |; {count} is the number.
    N_("last {count} days|past {count} days|the last {count} days|the past {count} days"): "days",
    # TRANSLATORS: read, not shown: the weeks up to today. Separate the ways with |; {count} is the number.
    N_("last {count} weeks|past {count} weeks|the last {count} weeks|the past {count} weeks"): "weeks",
    # TRANSLATORS: read, not shown: the months up to today. Separate the ways with |; {count} is the number.
    N_("last {count} months|past {count} months|the last {count} months|the past {count} months"): "months",
    # TRANSLATORS: read, not shown: the years up to today. Separate the ways with |; {count} is the number.
    N_("last {count} years|past {count} years|the last {count} years|the past {count} years"): "years",
}
# TRANSLATORS: read, not shown: the word between two dates of a period, as in "1 Sep to 30 Nov". Separate the ways with |.
_TO = N_("to|through")


def joiners(language: str) -> list[str]:
    """The words between the two dates of a period, as the reader and English type them."""
    return [f" {form} " for form in forms_of(_TO, language)]


def _folded(text: str) -> str:
    """`text` without accents, each letter where it was (so an index in it is one in `text`)."""
    return "".join(plain if len(plain := typeable(ch)) == 1 else ch for ch in text)


def _named(lowered: str, today: date, language: str = "en") -> tuple[date, date] | None:
    """"last 3 months" ends today and starts the day after the same day 3 months ago."""
    for phrase, kind in _CALENDAR.items():
        if reads(lowered, phrase, language):
            lowered = kind
            break
    else:
        for phrase, unit in _ROLLING.items():
            count = reads(lowered, phrase, language)
            if count:
                lowered = f"last {count} {unit}"
                break
    if lowered in ("last month", "the last month", "past month"):
        # Said alone, "last month" most often means the calendar month before this one.
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if lowered == "last year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if lowered == "last week":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    found = _THIS.match(lowered)
    if found:
        unit = found.group(1)
        if unit == "week":
            return today - timedelta(days=today.weekday()), today
        if unit == "month":
            return today.replace(day=1), today
        return date(today.year, 1, 1), today
    found = _LAST.match(lowered)
    if not found:
        return None
    count = int(found.group(1) or 1)
    if count < 1:
        return None
    unit = _UNITS[found.group(2)]
    if unit == "days":
        start = today - timedelta(days=count - 1)
    elif unit == "weeks":
        start = today - timedelta(days=7 * count - 1)
    elif unit == "months":
        start = months_back(today, count) + timedelta(days=1)
    else:
        start = months_back(today, 12 * count) + timedelta(days=1)
    return start, today


def day(turn: Turn, value: str) -> date:
    """A date typed in words or as 2026-11-30, read in the person's own zone."""
    today = turn.now.astimezone(ZoneInfo(turn.member.timezone)).replace(tzinfo=None)
    language = turn.member.language
    parser = DateDataParser(
        languages=[language, "en"] if language != "en" else ["en"],
        settings={"RELATIVE_BASE": today, "PREFER_DAY_OF_MONTH": "first"},
    )
    found = parser.get_date_data(as_dateparser_reads(value, language)).date_obj
    if found is None:
        raise Refusal(
            "I couldn't read '{value}' as a date. Try a date like 2026-11-30 or 30 Nov.", value=value[:60]
        )
    return found.date()
