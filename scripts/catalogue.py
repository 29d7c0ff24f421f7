"""Bring the string catalogues up to date with the code (run by `make catalogue`).

Every marked sentence is extracted with Babel; the English catalogue gets it word for word,
other languages get it untranslated (they fall back to English until someone translates it).
A plural sentence (`_.n(singular, plural, count)`) is one entry with a form for each of the
language's plural forms; English gets (singular, plural).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
# `n` is `_.n(...)` and `Refusal.n(...)`, `pick` is `_.pick(...)` (for `fill`), `spans_n` is
# `turn.spans_n(...)`: each takes the singular English, then the plural.
KEYWORDS = {"_": None, "N_": None, "Refusal": None, "spans": None, "n": (1, 2), "pick": (1, 2), "spans_n": (1, 2)}

Sentence = str | tuple[str, str]


def extracted() -> list[Sentence]:
    """Every marked English sentence in bot/ and adapters/, in order of first appearance: a
    str, or (singular, plural) for a sentence with a count."""
    found: dict[Sentence, None] = {}
    for folder in ("bot", "adapters"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message)
            elif isinstance(message, tuple) and len(message) == 2 and all(message):
                found.setdefault((str(message[0]), str(message[1])))
    return list(found)


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def update(language: str, sentences: list[Sentence]) -> None:
    path = catalogue_path(language)
    old: dict[str, object] = {}
    if path.exists():
        with path.open("rb") as handle:
            # A plural entry is kept by its singular English, as gettext looks it up.
            old = {
                (str(m.id[0]) if isinstance(m.id, tuple) else str(m.id)): m.string
                for m in read_po(handle, locale=language)
                if m.id
            }
    catalog = Catalog(locale=language, project="partnerbot", fuzzy=False)
    for sentence in sentences:
        if isinstance(sentence, tuple):
            forms = catalog.num_plurals
            kept = old.get(sentence[0])
            if language == "en":
                translated: str | tuple[str, ...] = sentence
            elif isinstance(kept, tuple | list) and len(kept) == forms:
                translated = tuple(str(f) for f in kept)
            else:
                translated = ("",) * forms
            catalog.add(sentence, translated)
        else:
            kept = old.get(sentence)
            translated = kept if isinstance(kept, str) and language != "en" else ""
            catalog.add(sentence, sentence if language == "en" else translated)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=100)


def main() -> int:
    sentences = extracted()
    languages = {p.name for p in LOCALE.iterdir() if p.is_dir()} | {"en"}
    for language in sorted(languages):
        update(language, sentences)
    print(f"{len(sentences)} sentences in {', '.join(sorted(languages))}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
