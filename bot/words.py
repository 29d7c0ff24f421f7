"""Every sentence a person reads, looked up in their language.

Strings are marked in the code as `_("...")` and kept in gettext catalogues under
`bot/locale/<lang>/LC_MESSAGES/messages.po`, read with Babel. English is complete.
`make catalogue` extracts new strings.

A sentence with a count and a plural noun is one plural entry, looked up with
`_.n("{count} place left", "{count} places left", count)`: the language's own gettext plural
rule picks the form (French: 0 and 1 are singular).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"


@cache
def _entries(language: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The catalogue's sentences, and its plural entries by their singular English."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}, {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    sentences: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for m in catalog:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            forms = tuple(str(f) for f in m.string)
            # A plural entry counts only with every form written: half of one is no use.
            if len(forms) == _plural_rule(language)[0] and all(forms):
                plurals[str(m.id[0])] = forms
        elif m.string and not m.context:  # names of commands have their own reader, _names
            sentences[str(m.id)] = str(m.string)
    return sentences, plurals


@cache
def _plural_rule(language: str) -> tuple[int, Callable[[int], int]]:
    """How many forms the language has, and which one a count takes (gettext's rule)."""
    try:
        found = get_plural(language)
    except (ValueError, UnknownLocaleError):  # a code Babel does not know reads as English does
        found = get_plural("en")
    return found.num_plurals, gettext.c2py(found.plural_expr)


def plural_index(language: str, count: float) -> int:
    """Which form of a plural entry `count` takes. A count with a fraction (1.5 hours) takes
    the last form, as English does."""
    forms, rule = _plural_rule(language)
    if float(count).is_integer():
        return min(rule(int(count)), forms - 1)
    return forms - 1


class Translator:
    """A `_` for one reader: `_("...")` looks the English text up, then fills in {named}
    values; `_.n(singular, plural, count)` does the same for a sentence with a count."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._own, self._own_plurals = _entries(language)
        self._english, self._english_plurals = _entries("en")

    def __call__(self, msgid: str, **values: object) -> str:
        found = self._own.get(msgid) or self._english.get(msgid) or msgid
        return found.format(**values) if values else found

    def pick(self, singular: str, plural: str, count: float) -> str:
        """The form `count` takes, not yet filled in (for `fill`, whose values are spans)."""
        own = self._own_plurals.get(singular)
        if own is not None:
            return own[plural_index(self.language, count)]
        english = self._english_plurals.get(singular, (singular, plural))
        return english[plural_index("en", count)]

    def n(self, singular: str, plural: str, count: float, **values: object) -> str:
        """`count` is also filled in as {count}, unless `values` give their own."""
        return self.pick(singular, plural, count).format(**{"count": count, **values})


Translate = Translator


# The context of a command's name in the catalogues, and of the names of the words after it
# (scripts/catalogue.py writes them from the declarations): "profile" the command is kept apart
# from "profile" the label, and "new" after sessions from "new" after checkin.
COMMAND = "command"
# The context of the name of what a verb takes (its `argument`: "session", "timezone"): one name
# per word, wherever it is taken. Discord shows it as the slash command's option.
OPTION = "option"
# The context of the words the core's sentences put before what to type ("Type guide", "Try:
# sessions join 3"), as each language says them ("Tapez aide"): adapters of slash commands find
# the command after them (adapters/text.py, as_slash_commands).
TYPING = "typing"
LEADS = ("Type", "Try:")


def verb_context(command: str) -> str:
    return f"{COMMAND} {command}"


@cache
def _names(language: str) -> dict[tuple[str, str], str]:
    """A catalogue's names of commands and verbs: (context, English name) -> its own name."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {(str(m.context), str(m.id)): str(m.string) for m in catalog if m.id and m.string and m.context}


def name_in(language: str, context: str, name: str) -> str:
    """A command's name (context COMMAND) or a verb's (verb_context) as a reader of `language`
    types it: "profil" for "profile" in French. English, or no translation: the name itself."""
    return _names(language).get((context, name), name) if language != "en" else name


def typeable(word: str) -> str:
    """A typed name as it is compared: any case, with or without accents ("seances", "Séances")."""
    decomposed = unicodedata.normalize("NFKD", word.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _english_names(context: str) -> dict[str, str]:
    """Every language's name for the commands (or one command's verbs), typeable -> English."""
    found: dict[str, str] = {}
    for language in languages():
        for (where, name), said in _names(language).items():
            if where == context:
                found.setdefault(typeable(said), name)
    return found


def english_name(context: str, typed: str) -> str | None:
    """The English name of a command or verb typed in any language the bot speaks, if any."""
    return _english_names(context).get(typeable(typed))


def languages() -> list[str]:
    """Languages with a catalogue, English first."""
    return list(_languages())


@cache
def _languages() -> tuple[str, ...]:
    """Read once, like the catalogues themselves (_entries): a new language needs a restart
    anyway. Every turn asks (bot/router.py, phrase), and listing the folder costs."""
    found = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    return tuple(sorted(found, key=lambda code: code != "en"))


def translator(language: str) -> Translator:
    """A `_` for one reader (see Translator)."""
    return Translator(language)


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


# ---- words the bot reads ---------------------------------------------------------------------
# A phrase people type (a period, a pause's length, a schedule's words) is a catalogue entry
# marked with N_: its ways of being typed, separated by |, with {count} where a number goes, e.g.
# N_("last {count} months|past {count} months"). Each language's entry says how its speakers
# type it, so a new language needs no code. They are read in the reader's language and in English.
_COUNT = "{count}"


def _plain(text: str) -> str:
    """Typed text as phrases are compared: any case, no accents, ' for ’, single spaces."""
    return " ".join(typeable(text.replace("\u2019", "'")).split())


def forms_of(english: str, language: str) -> list[str]:
    """The ways of typing a phrase in `language` and in English, longest first, as compared."""
    own = _entries(language)[0].get(english, "") if language != "en" else ""
    forms = {_plain(form) for form in (own + "|" + english).split("|") if form.strip()}
    return sorted(forms, key=len, reverse=True)


def _pattern(form: str) -> str:
    return r"(\d{1,3})".join(re.escape(part) for part in form.split(_plain(_COUNT)))


def reads(text: str, english: str, language: str) -> int | None:
    """The count in `text` if it is the whole phrase (1 for a phrase with no {count}), or None."""
    typed = _plain(text)
    for form in forms_of(english, language):
        found = re.fullmatch(_pattern(form), typed)
        if found:
            return int(found[1]) if found.groups() else 1
    return None


def as_english(text: str, english: str, languages_read: list[str]) -> str:
    """`text` (compared plainly) with each form of a phrase in `languages_read` replaced by its
    first English form, e.g. "toutes les 2 semaines lun" -> "every 2 weeks lun"."""
    canonical = english.split("|")[0]
    for language in languages_read:
        for form in forms_of(english, language):
            text = re.sub(
                rf"(?<![\w'/-]){_pattern(form)}(?![\w'/-])",
                lambda hit: canonical.replace(_COUNT, hit[1]) if hit.groups() else canonical,
                text,
            )
    return text
