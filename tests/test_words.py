"""Every sentence a person reads is in the catalogue, and the English is plain."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import textstat
from babel.messages.pofile import read_po

from bot.words import translator, when

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import catalogue  # noqa: E402


def english() -> dict[str, str]:
    with catalogue.catalogue_path("en").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def french() -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalogue.read("fr") if m.id}


def readable(sentence: str) -> str:
    """Fill {gaps} with a short word so they read like the real thing."""
    return re.sub(r"\{[a-z_]+\}", "Sam", sentence)


def test_the_english_catalogue_has_every_sentence_in_the_code_and_no_others():
    in_code = set(catalogue.extracted())
    in_catalogue = english()
    assert in_code - set(in_catalogue) == set(), "run `make catalogue`"
    assert set(in_catalogue) - in_code == set(), "run `make catalogue`"
    assert [msgid for msgid, text in in_catalogue.items() if not text] == []


def as_one_text(texts: list[str]) -> str:
    return " ".join(t if t.rstrip()[-1:] in ".?!" else t + "." for t in (readable(t) for t in texts) if t.strip())


def test_english_is_easy_to_read():
    assert textstat.flesch_reading_ease(as_one_text(list(english().values()))) >= 60


def test_french_is_easy_to_read():
    """textstat's French Flesch (Kandel and Moles' weights): 60 and above reads easily."""
    textstat.set_lang("fr")
    try:
        score = textstat.flesch_reading_ease(as_one_text(list(french().values())))
    finally:
        textstat.set_lang("en_US")
    assert score >= 60


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_sentence_is_longer_than_25_words(language):
    texts = english().values() if language == "en" else french().values()
    long = []
    for text in texts:
        for sentence in re.split(r"(?<=[.?!])\s+", readable(text)):
            if len(sentence.split()) > 25:
                long.append(sentence)
    assert long == []


def test_french_has_every_sentence_translated_and_none_fuzzy():
    """A new English sentence without French fails here (it would reach a French reader in
    English), and so does a guess marked fuzzy that nobody has checked."""
    untranslated, fuzzy = catalogue.untranslated_and_fuzzy("fr")
    advice = "run `make catalogue`, then write the French in bot/locale/fr/LC_MESSAGES/messages.po"
    assert untranslated == [], f"{len(untranslated)} sentences have no French: {advice}"
    assert fuzzy == [], f"{len(fuzzy)} French sentences are marked fuzzy: check them and remove the mark"
    assert set(french()) == set(catalogue.extracted()), "run `make catalogue`"


def test_a_sentence_is_looked_up_and_filled_in():
    _ = translator("en")
    assert _("Please choose up to {limit} interests.", limit=20) == "Please choose up to 20 interests."
    # A language without a catalogue falls back to English rather than failing.
    assert translator("xx")("Next") == "Next"


def test_times_are_written_in_the_readers_zone():
    from datetime import UTC, datetime

    at = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    assert when(at, "America/Toronto", "en") == "Tuesday 1 December 2026 at 14:00 (America/Toronto)"
    assert when(at, "Pacific/Auckland", "en") == "Wednesday 2 December 2026 at 08:00 (Pacific/Auckland)"
