"""What a check-in is made of: its questions and its schedule, read from what a coordinator
types, and the times each occurrence reaches each member."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from bot import checks
from bot.checks import Refusal
from bot.words import N_, Translator, as_english, languages, translator, typeable

MAX_QUESTIONS = 5
SCALE_POINTS = 5

# ---- questions -------------------------------------------------------------------------------


def read_questions(text: str) -> list[dict[str, Any]]:
    """One question a line (or separated by ;): 'How is your energy? | very low, low, okay,
    good, very high', 'Did you sleep well? | yes/no' or 'Anything else? | text'."""
    lines = [line.strip() for line in re.split(r"[\n;]", text) if line.strip()]
    if not lines:
        raise Refusal("Please write at least one question.")
    if len(lines) > MAX_QUESTIONS:
        raise Refusal(
            "A check-in can have up to {limit} questions. This one has {count}.",
            limit=MAX_QUESTIONS,
            count=len(lines),
        )
    return [_question(line, number) for number, line in enumerate(lines, start=1)]


# The kinds of answer a coordinator types after a |, in English and in every language the bot
# speaks ("oui/non", "texte"); scale words are their own.
YES_NO = (N_("yes/no"), N_("yes or no"), "yesno")
TEXT = (N_("text"), N_("free text"), "words")


def _kind_words(english: tuple[str, ...]) -> set[str]:
    return {_plain_kind(translator(language)(word)) for word in english for language in languages()}


def _plain_kind(kind: str) -> str:
    """A kind as it is compared: any case, no spaces around a / ("yes / no")."""
    return re.sub(r"\s*/\s*", "/", " ".join(kind.casefold().split()))


def _question(line: str, number: int) -> dict[str, Any]:
    wording, sep, answer = line.partition("|")
    wording = checks.clean_text(wording, "a question", 200)
    kind = answer.strip().lower()
    if not sep or not kind:
        raise Refusal(
            "Question {number} needs its kind of answer after a |. For example: How are you? | yes/no",
            number=number,
        )
    if _plain_kind(kind) in _kind_words(YES_NO):
        return {"kind": "yesno", "text": wording}
    if _plain_kind(kind) in _kind_words(TEXT):
        return {"kind": "text", "text": wording}
    labels = [checks.clean_text(word, "a scale word", 30) for word in answer.split(",") if word.strip()]
    if len(labels) != SCALE_POINTS:
        raise Refusal(
            "Question {number} needs a word for each point from 1 to 5, like: awful, poor, okay, good, great.",
            number=number,
        )
    return {"kind": "scale", "text": wording, "labels": labels}


def questions_as_text(questions: list[dict[str, Any]]) -> str:
    """The questions written back the way they are typed (for editing)."""
    lines = []
    for question in questions:
        kind = question["kind"]
        answer = (
            ", ".join(question["labels"]) if kind == "scale" else ("yes/no" if kind == "yesno" else "text")
        )
        lines.append(f"{question['text']} | {answer}")
    return "; ".join(lines)


def has_scale(questions: list[dict[str, Any]]) -> bool:
    return any(q["kind"] == "scale" for q in questions)


# ---- schedules -------------------------------------------------------------------------------

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm)?$")


ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}

# The words of a schedule as people type them in each language, each read as its first English
# form (see bot.words.as_english), then read below. The first form in the reader's language is
# also how the schedule is written back to them.
# TRANSLATORS: read, not shown: a check-in sent once, now. Separate the ways with |; the first is also shown.
NOW = N_("now|send now|once")
# TRANSLATORS: read, not shown: every so many days. Separate the ways with |; {count} is the number.
EVERY_DAYS = N_("every {count} days|every {count} day")
# TRANSLATORS: read, not shown: every so many weeks. Separate the ways with |; {count} is the number.
EVERY_WEEKS = N_("every {count} weeks|every {count} week")
# TRANSLATORS: read, not shown: every second week. Separate the ways with |.
FORTNIGHTLY = N_("fortnightly|biweekly|bi-weekly|every other|every second")
# TRANSLATORS: read, not shown: every week. Separate the ways with |; the first is also shown.
WEEKLY = N_("weekly|every week|each week")
# TRANSLATORS: read, not shown: every day. Separate the ways with |; the first is also shown.
DAILY = N_("daily|every day|each day")
# TRANSLATORS: read, not shown: in a schedule like "first monday of the month". The first is also shown.
FIRST = N_("first|1st")
# TRANSLATORS: read, not shown: in a schedule like "second monday of the month". The first is also shown.
SECOND = N_("second|2nd")
# TRANSLATORS: read, not shown: in a schedule like "third monday of the month". The first is also shown.
THIRD = N_("third|3rd")
# TRANSLATORS: read, not shown: in a schedule like "fourth monday of the month". The first is also shown.
FOURTH = N_("fourth|4th")
# TRANSLATORS: read, not shown: in a schedule like "last friday of the month". The first is also shown.
LAST = N_("last")
# TRANSLATORS: read, not shown: in a schedule like "first monday of the month". Separate the ways with |.
OF_THE_MONTH = N_("of the month|monthly|each month|every month")
# TRANSLATORS: read, not shown: small words a schedule can have that change nothing ("at 10:00", "on monday"). Separate them with |.
FILLERS = N_("and|at|on|of|the|in")
_PHRASES = (NOW, EVERY_DAYS, EVERY_WEEKS, FORTNIGHTLY, WEEKLY, DAILY, OF_THE_MONTH, FIRST, SECOND, THIRD, FOURTH, LAST)
_ORDINAL_WORDS = {1: FIRST, 2: SECOND, 3: THIRD, 4: FOURTH, -1: LAST}


@dataclass(frozen=True)
class Schedule:
    """When a check-in goes out. "weekly": on `weekdays`, every `every_weeks` weeks (counted from
    the first of those days on or after the check-in's anchor date); "every": every `every_days`
    days from the anchor; "monthly": on the `nth` (1 to 4, or -1 for the last) of `weekdays` in
    each month; "once": now."""

    kind: str  # "weekly", "every", "monthly" or "once"
    weekdays: tuple[int, ...] = ()
    every_days: int | None = None
    local_time: int = 600
    fixed_zone: str = ""
    every_weeks: int = 1
    nth: int | None = None

    @property
    def stored_every(self) -> int | None:
        """What the check-in's `every_days` column holds: the days, the weeks as days, or the nth."""
        if self.kind == "weekly":
            return 7 * self.every_weeks if self.every_weeks > 1 else None
        if self.kind == "monthly":
            return self.nth
        return self.every_days


def stored_schedule(kind: str, weekdays: tuple[int, ...], every: int | None, local_time: int, zone: str) -> Schedule:
    """A schedule as a check-in row keeps it (see `Schedule.stored_every`)."""
    if kind == "weekly":
        return Schedule(kind, weekdays, None, local_time, zone, every_weeks=(every or 7) // 7)
    if kind == "monthly":
        return Schedule(kind, weekdays, None, local_time, zone, nth=every)
    return Schedule(kind, weekdays, every, local_time, zone)


def read_schedule(text: str) -> Schedule:
    """'weekly mon, thu 10:00', 'every 3 days 9am', 'daily 18:30 Europe/London', 'fortnightly
    mon 10:00' (or 'biweekly', 'every other monday', 'every 2 weeks on monday'), 'first monday of
    the month 10:00', or 'now'."""
    as_typed = {typeable(word): word for word in re.split(r"[\s,;]+", text)}  # a zone, for its refusal
    text = checks.HOUR_MARK.sub(lambda hour: f"{hour[1]}:{hour[2] or '00'}", text)  # "10 h" is 10:00
    text = re.sub(r"[,;]", " ", _in_english(text))
    typed = re.sub(r"\b(and|at|on|of|the|in)\b", " ", text, flags=re.IGNORECASE).split()
    words = [word.lower() for word in typed]
    if not words:
        raise Refusal("Please give a schedule, like: weekly mon 10:00, every 3 days 10:00, or now.")
    if words in (["now"], ["send", "now"], ["once"]):
        return Schedule("once")
    days: list[int] = []
    every: int | None = None
    minutes: int | None = None
    zone = ""
    daily = False
    weeks = 1
    nth: int | None = None
    monthly = False
    position = 0
    while position < len(words):
        word = words[position]
        position += 1
        if word in ("fortnightly", "biweekly", "bi-weekly"):
            weeks = 2
            continue
        if word == "every" and position < len(words) and words[position] in ("other", "second"):
            weeks, position = 2, position + 1
            continue
        if word in ORDINALS:
            nth = ORDINALS[word]
            continue
        if word in ("month", "monthly", "months"):
            monthly = True
            continue
        if word in ("weekly", "every", "each", "week", "weeks"):
            if word == "every" and position < len(words) and words[position].isdigit():
                count = int(words[position])
                position += 1
                if position < len(words) and words[position] in ("week", "weeks"):
                    weeks, position = count, position + 1
                    continue
                every = count
                if position < len(words) and words[position] in ("day", "days"):
                    position += 1
            continue
        if word in ("daily", "day"):
            daily = True
            continue
        day = _day(word)
        if day is not None:
            days.append(day)
            continue
        clock = _clock(word)
        if clock is not None:
            minutes = clock
            continue
        if "/" in word or word == "utc":
            zone = checks.time_zone(as_typed.get(word, word))
            continue
        if word.endswith("day") or word.endswith("days"):
            raise Refusal(
                "'{word}' is not a day of the week. Try mon, tue, wed, thu, fri, sat or sun.", word=word[:30]
            )
        raise Refusal(
            "I couldn't read '{word}' in the schedule. Try: weekly mon 10:00, every 3 days 10:00, or now.",
            word=word[:30],
        )
    if minutes is None:
        raise Refusal("What time should it go out? For example: weekly mon 10:00.")
    if every is not None:
        if not 1 <= every <= 90:
            raise Refusal("Every how many days? Please choose from 1 to 90.")
        if days:
            raise Refusal("Please choose either days of the week or every so many days, not both.")
        return Schedule("every", every_days=every, local_time=minutes, fixed_zone=zone)
    if daily:
        days = list(range(7))
    if nth is not None or monthly:
        if nth is None or len(set(days)) != 1:
            raise Refusal("Which day of the month? For example: first monday of the month 10:00.")
        return Schedule("monthly", weekdays=(days[0],), local_time=minutes, fixed_zone=zone, nth=nth)
    if not days:
        raise Refusal("Which days? For example: weekly mon, thu 10:00, or every 3 days 10:00.")
    if not 1 <= weeks <= 12:
        raise Refusal("Every how many weeks? Please choose from 1 to 12.")
    weekdays = tuple(sorted(set(days)))
    return Schedule("weekly", weekdays=weekdays, local_time=minutes, fixed_zone=zone, every_weeks=weeks)


def _in_english(text: str) -> str:
    """A schedule typed in any language the bot speaks, with its words put as English reads them:
    "toutes les 2 semaines lun 10:00" is "every 2 weeks lun 10:00" (day names are read later)."""
    plain = " ".join(typeable(text.replace("\u2019", "'")).split())
    for phrase in (*_PHRASES, FILLERS):
        plain = as_english(plain, phrase, languages())
    return plain


@cache
def _day_names() -> dict[str, int]:
    """Each language's names of the days, whole and short ("lundi", "lun"), by day number."""
    names: dict[str, int] = {}
    for language in languages():
        try:
            days = Locale.parse(language).days
        except (ValueError, LookupError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in days[context][width].items():
                    names.setdefault(typeable(str(name)).rstrip("."), number)
    return names


def _day(word: str) -> int | None:
    word = word.rstrip("s") if word.endswith("days") else word
    for number, name in enumerate(DAYS):
        if len(word) >= 3 and name.startswith(word):
            return number
    word = word.rstrip(".")
    if len(word) < 3:
        return None
    if word in _day_names():
        return _day_names()[word]
    if word.endswith("s") and word[:-1] in _day_names():  # "lundis"
        return _day_names()[word[:-1]]
    found = {number for name, number in _day_names().items() if name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def _clock(word: str) -> int | None:
    match = _TIME.match(word)
    if not match:
        return None
    hours, minutes, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if match.group(2) is None and half is None:
        return None  # a bare number is not a time
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half == "pm" else 0)
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def schedule_as_text(schedule: Schedule, _: Translator | None = None) -> str:
    """The schedule as a reader of `_`'s language types it (English when none is given)."""
    _ = _ or translator("en")
    if schedule.kind == "once":
        return _first(_(NOW))
    clock = f"{schedule.local_time // 60:02d}:{schedule.local_time % 60:02d}"
    at = clock + (f" {schedule.fixed_zone}" if schedule.fixed_zone else "")
    if schedule.kind == "every":
        count = schedule.every_days or 1
        return _.n("every {count} day {time}", "every {count} days {time}", count, time=at)
    days = ", ".join(day_name(d, _.language) for d in schedule.weekdays)
    if schedule.kind == "monthly":
        nth = _first(_(_ORDINAL_WORDS[schedule.nth or 1]))
        return _("{nth} {day} of the month {time}", nth=nth, day=days, time=at)
    if schedule.every_weeks > 1:
        return _.n(
            "every {count} week {days} {time}", "every {count} weeks {days} {time}", schedule.every_weeks, days=days, time=at
        )
    if len(schedule.weekdays) == 7:
        return _("daily {time}", time=at)
    return _("weekly {days} {time}", days=days, time=at)


def _first(forms: str) -> str:
    return forms.split("|")[0]


def day_name(number: int, language: str) -> str:
    """A day's short name as people type it: "mon" in English, "lun" in French."""
    if language == "en":
        return DAYS[number][:3]
    try:
        name = Locale.parse(language).days["format"]["abbreviated"][number]
    except (ValueError, LookupError):
        return DAYS[number][:3]
    return str(name).lower().rstrip(".")


def occurs_on(schedule: Schedule, day: date, anchor: date) -> bool:
    if schedule.kind == "weekly":
        if day.weekday() not in schedule.weekdays:
            return False
        if schedule.every_weeks == 1:
            return True
        # Weeks count from the week of the first of its days on or after the anchor.
        first = next(anchor + timedelta(days=n) for n in range(7) if (anchor + timedelta(days=n)).weekday() in schedule.weekdays)
        weeks = ((day - timedelta(days=day.weekday())) - (first - timedelta(days=first.weekday()))).days // 7
        return day >= first and weeks % schedule.every_weeks == 0
    if schedule.kind == "every":
        assert schedule.every_days
        return day >= anchor and (day - anchor).days % schedule.every_days == 0
    if schedule.kind == "monthly":
        if day.weekday() not in schedule.weekdays:
            return False
        if schedule.nth == -1:
            return (day + timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == schedule.nth
    return False


def next_send(schedule: Schedule, anchor: date, after: datetime, zone: str) -> datetime | None:
    """The next time this schedule sends, after `after`, at its local time in `zone` (the
    check-in's own zone if it has one); None if it sends no more."""
    if schedule.kind == "once":
        return None
    where = schedule.fixed_zone or zone
    today = after.astimezone(ZoneInfo(where)).date()
    for offset in range(0, 7 * 13 + 31):
        day = today + timedelta(days=offset)
        if occurs_on(schedule, day, anchor):
            at = wall_time(day, schedule.local_time, where)
            if at > after:
                return at
    return None


def wall_time(day: date, minutes: int, zone: str) -> datetime:
    """`day` at the local time in `zone`, as UTC. A time the clocks skip comes out an hour later."""
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def candidate_days(now: datetime, window: timedelta) -> list[date]:
    """Local dates whose occurrence may be due somewhere on Earth now or still open."""
    # Zones run from UTC-12 to UTC+14; quiet hours may move a prompt by up to a day.
    first = (now - window - timedelta(days=2)).date()
    last = (now + timedelta(days=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class Prompt(StrEnum):
    """A partner's prompt in one run: sent, or not asked because they had paused."""

    SENT = "sent"
    PAUSED = "paused"


class Visibility(StrEnum):
    """Who sees a check-in's answers."""

    NAMED = "named"  # coordinators, with each partner's name
    TOTALS = "totals"  # coordinators, as totals and unnamed words
    ANONYMOUS = "anonymous"  # kept with no link to the person at all, so no alerts


# The position an anonymous note is kept at (questions are 0 and up).
NOTE = -1
