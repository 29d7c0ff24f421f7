"""Bring the string catalogues up to date with the code (run by `make catalogue`).

Every marked sentence is extracted with Babel; the English catalogue gets it word for word,
other languages get it untranslated (they fall back to English until someone translates it).
It then says, for each language, how many sentences are untranslated and how many are fuzzy;
tests/test_words.py fails the build while French has any.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
KEYWORDS = {"_": None, "N_": None, "Refusal": None, "spans": None}


def extracted() -> list[str]:
    """Every marked English sentence in bot/ and adapters/, in order of first appearance."""
    found: dict[str, None] = {}
    for folder in ("bot", "adapters"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message)
    return list(found)


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    """A language's catalogue as it is on disk (empty if there is none yet)."""
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, project="partnerbot", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def untranslated_and_fuzzy(language: str) -> tuple[list[str], list[str]]:
    """The English sentences a language has no words for yet, and those marked fuzzy (a guess
    to check). Both are read in English until someone translates them."""
    messages = [m for m in read(language) if m.id]

    def missing(string: str | tuple[str, ...]) -> bool:  # a plural has a string for each form
        return not string or (isinstance(string, tuple) and not all(string))

    return [str(m.id) for m in messages if missing(m.string)], [str(m.id) for m in messages if m.fuzzy]


def update(language: str, sentences: list[str]) -> None:
    old = {str(m.id): m for m in read(language) if m.id}
    catalog = Catalog(locale=language, project="partnerbot", fuzzy=False)
    for sentence in sentences:
        before = old.get(sentence)
        if language == "en":
            catalog.add(sentence, sentence)
        else:  # a guess marked fuzzy stays marked until someone checks it
            catalog.add(sentence, str(before.string) if before else "", flags=before.flags if before else ())
    path = catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=100)


def main() -> int:
    sentences = extracted()
    languages = {p.name for p in LOCALE.iterdir() if p.is_dir()} | {"en"}
    for language in sorted(languages):
        update(language, sentences)
    print(f"{len(sentences)} sentences in {', '.join(sorted(languages))}.")
    for language in sorted(languages - {"en"}):
        untranslated, fuzzy = untranslated_and_fuzzy(language)
        print(f"{language}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
