"""Checking what people type. A problem raises `Refusal` with a kind sentence saying what to do."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date
from dateparser.date import DateData, DateDataParser

from bot.words import N_, Translate, reads


class Refusal(Exception):
    """Bad input or a missing permission: nothing is saved and the person is told what to do.

    `msgid` is English text from the catalogue; `values` fill its {named} gaps. A sentence
    with a count is made with `Refusal.n(singular, plural, count, ...)`.
    """

    def __init__(self, msgid: str, *, field: str | None = None, **values: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values
        # The form field this is about, when a whole form is refused for one answer.
        self.field = field
        # The plural English and the count, for a sentence made with Refusal.n.
        self.plural: str | None = None
        self.count: float = 0

    @classmethod
    def n(cls, singular: str, plural: str, count: float, *, field: str | None = None, **values: object) -> Refusal:
        refusal = cls(singular, field=field, **values)
        refusal.plural, refusal.count = plural, count
        return refusal

    def words(self, _: Translate) -> str:
        """The sentence in the reader's language."""
        if self.plural is not None:
            return _.n(self.msgid, self.plural, self.count, **self.values)
        return _(self.msgid, **self.values)


# Text that would make a platform notify a whole channel, a role or everyone.
_MASS_PING = re.compile(
    r"@(everyone|here|channel)\b|<!(everyone|here|channel|subteam\^[^>]*)(\|[^>]*)?>|<@&\d+>",
    re.IGNORECASE,
)


# Newlines and tabs, and the zero-width (non-)joiners that some emoji (a person in a
# wheelchair) and scripts (Persian, Hindi) need; every other control or format character goes.
_KEEP = "\n\t\u200c\u200d"


def without_controls(value: str) -> str:
    """`value` without control or format characters (a NUL, which PostgreSQL refuses in text, a
    bell, a right-to-left override), but with newlines, tabs and the joiners words need."""
    if value.isprintable():  # nearly always: nothing to take out
        return value
    return "".join(ch for ch in value if ch in _KEEP or unicodedata.category(ch)[0] != "C")


def clean_text(value: str, label: str, max_length: int, required: bool = True) -> str:
    """Trimmed text without control characters, pings or excess length."""
    kept = without_controls(value)
    cleaned = kept.strip().strip("\u200c\u200d").strip()  # a joiner at either end joins nothing
    if not cleaned:
        if required:
            raise Refusal("Please fill in {label}.", label=label)
        return ""
    if len(cleaned) > max_length:
        raise Refusal(
            "{label} can be up to {limit} characters. Yours has {count}. Please make it shorter.",
            label=label[:1].upper() + label[1:],  # it starts the sentence
            limit=max_length,
            count=len(cleaned),
        )
    if _MASS_PING.search(cleaned):
        raise Refusal("Please leave out @everyone, @here and group mentions. They would alert everyone.")
    return cleaned


@cache
def _zones() -> dict[str, str]:
    # Region/City names and UTC; not tzdata's odd extras such as "Factory" or "localtime".
    return {z.lower(): z for z in available_timezones() if "/" in z or z == "UTC"}


def time_zone_names() -> list[str]:
    """Every zone name people choose, as `time_zone` accepts them."""
    return list(_zones().values())


def is_time_zone(name: str) -> bool:
    """Exactly an IANA zone name people choose (cached: the list is read from disk once)."""
    return _zones().get(name.lower()) == name


def time_zone(value: str) -> str:
    """An IANA time zone name, matched without caring about case."""
    name = value.strip().replace(" ", "_")
    found = _zones().get(name.lower())
    if found:
        return found
    # "London" should find "Europe/London".
    by_city = [z for key, z in _zones().items() if key.rsplit("/", 1)[-1] == name.lower()]
    if len(by_city) == 1:
        return by_city[0]
    close = difflib.get_close_matches(name.lower(), list(_zones()), n=1, cutoff=0.75)
    if close:
        raise Refusal(
            "I don't know the time zone '{value}'. Did you mean {suggestion}?",
            value=value.strip()[:60],
            suggestion=_zones()[close[0]],
        )
    raise Refusal(
        "I don't know the time zone '{value}'. Try a name like Europe/London or America/Toronto.",
        value=value.strip()[:60],
    )


_CLOCK = re.compile(r"^\s*(\d{1,2})(?::|\.|h)?(\d{2})?\s*$")


def _minutes(value: str) -> int | None:
    match = _CLOCK.match(value)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def quiet_hours(value: str) -> tuple[int, int] | None:
    """'22:00-07:30' as minutes after midnight. 'none' or empty means no quiet hours."""
    text = value.strip().lower()
    if text in ("", "none", "off", "no"):
        return None
    start_text, sep, end_text = text.replace("to", "-").partition("-")
    start, end = _minutes(start_text), _minutes(end_text)
    if not sep or start is None or end is None:
        raise Refusal("Please give quiet hours as two times, like 22:00-08:00. Or type none.")
    if start == end:
        raise Refusal("Quiet hours need a different start and end, like 22:00-08:00.")
    return start, end


def format_quiet_hours(start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def in_quiet_hours(at: datetime, zone: str, start: int | None, end: int | None) -> bool:
    if start is None or end is None:
        return False
    local = at.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def after_quiet_hours(at: datetime, zone: str, start: int | None, end: int | None) -> datetime:
    """`at`, or the end of the quiet hours it falls in (in the member's own zone)."""
    if not in_quiet_hours(at, zone, start, end):
        return at
    assert end is not None
    local = at.astimezone(ZoneInfo(zone))
    wake = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if wake <= local:
        wake = (local + timedelta(days=1)).replace(hour=end // 60, minute=end % 60)
    # Rebuild from wall time so a daylight-saving change that night is respected.
    wall = datetime(wake.year, wake.month, wake.day, wake.hour, wake.minute, tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC)


MAX_TAGS = 20


def interest_tags(value: str) -> list[str]:
    """'Pain, mental health ,pain' -> ['mental health', 'pain']."""
    tags = []
    for raw in re.split(r"[,;\n]", value):
        tag = " ".join(raw.split()).lower().lstrip("#")
        if not tag:
            continue
        tag = clean_text(tag, "an interest", 40)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Refusal("Please choose up to {limit} interests.", limit=MAX_TAGS)
    return sorted(tags)


_YEAR = re.compile(r"\b\d{4}\b")
_HALF_A_YEAR = timedelta(days=183)
# A pause until the person says resume (`stop`): far enough that no clock reaches it.
UNTIL_RESUMED = datetime(9999, 12, 31, tzinfo=UTC)
_SPAN = re.compile(r"^(?:for\s+)?(a|an|one|two|three|four|\d{1,3})\s+(day|week|month)s?$")
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_SPAN_DAYS = {"day": 1, "week": 7, "month": 30}
# A pause's length as people type it, with the days each one counts for.
_LENGTHS = {
    # TRANSLATORS: read, not shown: the ways of typing a pause of some days. Separate them with |; {count} is the number.
    N_("{count} days|{count} day|for {count} days|a day|one day"): 1,
    # TRANSLATORS: read, not shown: the ways of typing a pause of some weeks. Separate them with |; {count} is the number.
    N_("{count} weeks|{count} week|for {count} weeks|a week|one week"): 7,
    # TRANSLATORS: read, not shown: the ways of typing a pause of some months. Separate them with |; {count} is the number.
    N_("{count} months|{count} month|for {count} months|a month|one month"): 30,
}
_TIME_ON_THE_DAY = "What time on that day?"


def pause_end(value: str, zone: str, now: datetime, language: str = "en") -> datetime:
    """When a pause typed as people say it ends: "2 weeks", "a month", "until Monday" (a day
    with no time means 9:00 that day), "next Friday 5pm"."""
    text = " ".join(value.split())
    span = _SPAN.match(text.lower())
    if span:
        count = _COUNTS.get(span[1]) or int(span[1])
        return now + timedelta(days=count * _SPAN_DAYS[span[2]])
    for length, days in _LENGTHS.items():
        count = reads(text, length, language)
        if count:
            return now + timedelta(days=count * days)
    for word in ("until ", "till ", *_UNTIL.get(language, ())):
        if text.lower().replace("\u2019", "'").startswith(word):
            text = text[len(word) :]
    try:
        return moment(text, zone, now, language)
    except Refusal as refusal:
        if not refusal.msgid.startswith(_TIME_ON_THE_DAY):
            raise
    return moment(f"{text} 9am", zone, now, language)


# An hour written the French way ("14 h", "14h30", "9 h 15"): dateparser reads "14 h" as 14 hours.
HOUR_MARK = re.compile(r"\b(\d{1,2}) ?h ?(\d{2})?\b", re.IGNORECASE)
# The word for "next" that people put beside a day's name ("mardi prochain"), in the languages
# where dateparser does not read it. A day's name alone already means the next one (as "next
# Tuesday" does in English), so it is left out.
_NEXT = {"fr": ("prochain", "prochaine")}
# "Until" before the end of a pause, in the languages where dateparser does not read it.
_UNTIL = {"fr": ("jusqu'à ", "jusqu'au ")}


@cache
def _day_names(language: str) -> frozenset[str]:
    try:
        days = Locale.parse(language).days["format"]["wide"]
    except (ValueError, LookupError):
        return frozenset()
    return frozenset(str(name).casefold() for name in days.values())


def as_dateparser_reads(value: str, language: str) -> str:
    """A date typed in words, with the ways of saying it that dateparser misreads put plainly:
    "mardi prochain 14 h" is "mardi 14:00"."""
    text = " ".join(value.split())
    if not re.match(r"(in|dans) ", text, re.IGNORECASE):  # "dans 2 h" is two hours from now
        text = HOUR_MARK.sub(lambda hour: f"{hour[1]}:{hour[2] or '00'}", text)
    nexts = _NEXT.get(language, ())
    if nexts:
        days = _day_names(language)
        words = text.split(" ")
        kept = [
            word
            for at, word in enumerate(words)
            if not (
                word.casefold() in nexts
                and any(0 <= near < len(words) and words[near].casefold() in days for near in (at - 1, at + 1))
            )
        ]
        text = " ".join(kept)
    return text


def moment(value: str, zone: str, now: datetime, language: str = "en") -> datetime:
    """A date and time typed in words ("next Tuesday 2pm", "3 Dec 14:00") in the person's zone.

    A day with no time is asked again rather than guessed; so is a time that does not exist
    because the clocks go forward.
    """
    local_now = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None)

    def parse(base: datetime) -> DateData:
        parser = DateDataParser(
            languages=[language, "en"] if language != "en" else ["en"],
            settings={"RETURN_TIME_AS_PERIOD": True, "PREFER_DATES_FROM": "future", "RELATIVE_BASE": base},
        )
        return parser.get_date_data(as_dateparser_reads(value, language))

    data = parse(local_now)
    if data.date_obj is not None and data.period != "time":
        # dateparser calls "tomorrow 9am" a whole day when it is exactly 09:00:00 now, because the
        # time typed equals the time it started from. A microsecond later it sees the time.
        again = parse(local_now + timedelta(microseconds=1))
        if again.period == "time":
            data = again
    if data.date_obj is None:
        raise Refusal(
            "I couldn't read '{value}' as a date and time. Try something like 'next Tuesday 2pm' or '3 Dec 14:00'.",
            value=value.strip()[:60],
        )
    if data.period != "time":
        raise Refusal(
            "What time on that day? Please add a time with am, pm or a colon, like 'Friday 2pm' or 'Friday 14:00'."
        )
    wall = data.date_obj.replace(tzinfo=None)
    typed = value.strip().lower()
    if wall - local_now > _HALF_A_YEAR and not _YEAR.search(typed) and not typed.startswith("in "):
        # "29 Nov" on 1 December: it has passed this year; next year is a guess worth asking.
        raise Refusal(
            "{day} has passed this year. Did you mean {date}? If so, please type the year too.",
            day=value.strip()[:40],
            date=format_date(wall, "d MMMM y", locale=language),
        )
    at = wall.replace(tzinfo=ZoneInfo(zone))
    back = at.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    if back != wall:
        raise Refusal(
            "That time does not exist in {zone}, because the clocks go forward then. Please pick another time.",
            zone=zone,
        )
    return at.astimezone(UTC)
