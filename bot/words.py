"""Every sentence a person reads, looked up in their language.

Strings are marked in the code as `_("...")` and kept in gettext catalogues under
`bot/locale/<lang>/LC_MESSAGES/messages.po`, read with Babel. English is complete.
`make catalogue` extracts new strings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"

Translate = Callable[..., str]


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def languages() -> list[str]:
    """Languages with a catalogue, English first."""
    return list(_languages())


@cache
def _languages() -> tuple[str, ...]:
    """Read once, like the catalogues themselves (_catalogue): a new language needs a restart
    anyway. Every turn asks (bot/router.py, phrase), and listing the folder costs."""
    found = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    return tuple(sorted(found, key=lambda code: code != "en"))


def translator(language: str) -> Translate:
    """A `_` for one reader: looks the English text up, then fills in {named} values."""
    own = _catalogue(language)
    english = _catalogue("en")

    def _(msgid: str, **values: object) -> str:
        found = own.get(msgid) or english.get(msgid) or msgid
        return found.format(**values) if values else found

    return _


def when(at: datetime, zone: str, language: str) -> str:
    """A time written out in the reader's zone, e.g. "Tuesday 1 December 2026 at 14:00 (Europe/London)"."""
    local = at.astimezone(ZoneInfo(zone))
    day = format_datetime(local, "EEEE d MMMM y", locale=language)
    hour = format_datetime(local, "HH:mm", locale=language)
    _ = translator(language)
    return _("{day} at {time} ({zone})", day=day, time=hour, zone=zone)


def short_when(at: datetime, zone: str, language: str) -> str:
    """A moment short enough for a button, in the reader's zone: "Thu 3 Dec, 14:00"."""
    local = at.astimezone(ZoneInfo(zone))
    return format_datetime(local, "EEE d MMM, HH:mm", locale=language)


def as_typed(at: datetime | date, zone: str, language: str) -> str:
    """A moment as a person would type it back into a form, in their zone and language:
    "03 Dec 2026 14:00", "03 déc. 2026 14:00" (a date alone: "03 Dec 2026")."""
    if not isinstance(at, datetime):
        return format_date(at, "dd MMM y", locale=language)
    return format_datetime(at.astimezone(ZoneInfo(zone)), "dd MMM y HH:mm", locale=language)


def N_(msgid: str) -> str:
    """Marks English text for the catalogue where it is translated later, at the reader."""
    return msgid


@cache
def language_name(code: str) -> str:
    """A language's own name for itself: 'English', 'Français'. Every profile shows one."""
    return str(Locale.parse(code).get_display_name(code)).capitalize()
