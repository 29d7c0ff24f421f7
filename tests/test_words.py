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


def entries(language: str) -> dict:
    """msgid -> text; a plural entry is (singular, plural) -> a tuple of its forms."""
    with catalogue.catalogue_path(language).open("rb") as handle:
        return {
            (tuple(m.id) if isinstance(m.id, tuple | list) else m.id): (
                tuple(m.string) if isinstance(m.string, tuple | list) else m.string
            )
            for m in read_po(handle, locale=language)
            if m.id
        }


def english() -> dict:
    return entries("en")


def texts(catalogue_entries: dict) -> list[str]:
    """Every sentence a reader may see, each form of a plural entry on its own."""
    found: list[str] = []
    for text in catalogue_entries.values():
        found.extend(text if isinstance(text, tuple) else (text,))
    return found


def french() -> dict:
    """French sentences, as `entries` gives them; the names of commands (each with a context)
    are typed words, left out."""
    return {
        (tuple(m.id) if isinstance(m.id, tuple | list) else m.id): (
            tuple(m.string) if isinstance(m.string, tuple | list) else m.string
        )
        for m in catalogue.read("fr")
        if m.id and not m.context
    }


def readable(sentence: str) -> str:
    """Fill {gaps} with a short word so they read like the real thing."""
    return re.sub(r"\{[a-z_]+\}", "Sam", sentence)


def test_the_english_catalogue_has_every_sentence_in_the_code_and_no_others():
    in_code = set(catalogue.extracted())
    in_catalogue = english()
    assert in_code - set(in_catalogue) == set(), "run `make catalogue`"
    assert set(in_catalogue) - in_code == set(), "run `make catalogue`"
    assert [msgid for msgid, text in in_catalogue.items() if not all(text) or not text] == []


def as_one_text(texts: list[str]) -> str:
    return " ".join(t if t.rstrip()[-1:] in ".?!" else t + "." for t in (readable(t) for t in texts) if t.strip())


def test_english_is_easy_to_read():
    assert textstat.flesch_reading_ease(as_one_text(texts(english()))) >= 60


def test_french_is_easy_to_read():
    """textstat's French Flesch (Kandel and Moles' weights): 60 and above reads easily."""
    textstat.set_lang("fr")
    try:
        score = textstat.flesch_reading_ease(as_one_text(texts(french())))
    finally:
        textstat.set_lang("en_US")
    assert score >= 60


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_sentence_is_longer_than_25_words(language):
    long = []
    for text in texts(english() if language == "en" else french()):
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


def test_a_plural_reads_right_at_one_and_at_two_in_english():
    _ = translator("en")
    assert _.n("{count} place left", "{count} places left", 1) == "1 place left"
    assert _.n("{count} place left", "{count} places left", 2) == "2 places left"
    assert _.n("{count} place left", "{count} places left", 0) == "0 places left"
    assert _.n("{days} day ago", "{days} days ago", 1, days=1) == "1 day ago"
    # A language without a catalogue reads as English does.
    assert translator("xx").n("{count} place left", "{count} places left", 1) == "1 place left"
    assert translator("xx").n("{count} place left", "{count} places left", 3) == "3 places left"
    # A count with a fraction takes the plural, as English writes "1.5 hours".
    assert _.n("{name} ({hours} hour)", "{name} ({hours} hours)", 1.5, name="Sam", hours="1.5") == "Sam (1.5 hours)"
    assert _.n("{name} ({hours} hour)", "{name} ({hours} hours)", 1.0, name="Sam", hours="1") == "Sam (1 hour)"


def test_a_plural_reads_right_at_zero_one_and_two_in_french():
    _ = translator("fr")
    assert _.n("{count} place left", "{count} places left", 0) == "0 place restante"
    assert _.n("{count} place left", "{count} places left", 1) == "1 place restante"
    assert _.n("{count} place left", "{count} places left", 2) == "2 places restantes"
    assert _.n("{days} day ago", "{days} days ago", 1, days=1) == "il y a 1 jour"
    assert _.n("{days} day ago", "{days} days ago", 3, days=3) == "il y a 3 jours"
    assert (
        _.n("I have told the {count} person signed up.", "I have told the {count} people signed up.", 2)
        == "J'ai avisé les 2 personnes inscrites."
    )


def test_a_plural_sentence_can_hold_times_and_a_refusal_can_have_a_count():
    from bot.checks import Refusal

    _ = translator("fr")
    assert _.pick("{when}, for {minutes} minute", "{when}, for {minutes} minutes", 45) == "{when}, pendant {minutes} minutes"
    refusal = Refusal.n(
        "The only place in {title} is filled. Nothing changed.",
        "All {count} places in {title} are filled. Nothing changed.",
        3,
        title="Art",
    )
    assert refusal.words(translator("en")) == "All 3 places in Art are filled. Nothing changed."
    assert refusal.words(_) == "Les 3 places pour Art sont toutes prises. Rien n'a changé."


def test_plural_sentences_are_extracted_with_both_forms():
    assert ("{count} place left", "{count} places left") in catalogue.extracted()
    assert english()[("{count} place left", "{count} places left")] == ("{count} place left", "{count} places left")


def test_every_french_plural_entry_has_both_forms():
    plurals = {msgid: forms for msgid, forms in entries("fr").items() if isinstance(msgid, tuple)}
    assert plurals, "the French catalogue has plural entries"
    assert [msgid for msgid, forms in plurals.items() if len(forms) != 2 or not all(forms)] == []


def test_a_plural_entry_with_a_form_missing_falls_back_to_english(tmp_path, monkeypatch):
    import bot.words as words

    for language, forms in (("en", ("{count} cat", "{count} cats")), ("de", ("{count} Katze", ""))):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(
            f'msgid "{{count}} cat"\nmsgid_plural "{{count}} cats"\n'
            f'msgstr[0] "{forms[0]}"\nmsgstr[1] "{forms[1]}"\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(words, "LOCALE_DIR", tmp_path)
    words._entries.cache_clear()
    try:
        assert words.translator("de").n("{count} cat", "{count} cats", 2) == "2 cats"
        assert words.translator("de").n("{count} cat", "{count} cats", 1) == "1 cat"
    finally:
        words._entries.cache_clear()


def test_every_plural_entry_takes_its_singular_at_one_in_english_and_at_zero_and_one_in_french():
    import string

    en, fr = translator("en"), translator("fr")
    french = entries("fr")
    for (singular, plural), _forms in [(k, v) for k, v in english().items() if isinstance(k, tuple)]:
        names = {name for text in (singular, plural) for _l, name, _s, _c in string.Formatter().parse(text) if name}
        values = {name: "X" for name in names if name != "count"}
        assert en.pick(singular, plural, 1) == singular
        assert en.pick(singular, plural, 2) == plural
        one, many = french[(singular, plural)]
        assert fr.pick(singular, plural, 0) == fr.pick(singular, plural, 1) == one
        assert fr.pick(singular, plural, 2) == many
        # Every form fills in: French may not ask for a gap the English does not give.
        for count in (0, 1, 2):
            fr.n(singular, plural, count, **values)
