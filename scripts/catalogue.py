"""Bring the string catalogues up to date with the code (run by `make catalogue`).

Every marked sentence is extracted with Babel; the English catalogue gets it word for word,
other languages get it untranslated (they fall back to English until someone translates it).
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


def update(language: str, sentences: list[str]) -> None:
    path = catalogue_path(language)
    old: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as handle:
            old = {str(m.id): str(m.string) for m in read_po(handle) if m.id}
    catalog = Catalog(locale=language, project="partnerbot", fuzzy=False)
    for sentence in sentences:
        translated = sentence if language == "en" else old.get(sentence, "")
        catalog.add(sentence, translated)
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
