"""Bring the string catalogues up to date with the code (run by `make catalogue`).

Every marked sentence is extracted with Babel; the English catalogue gets it word for word,
other languages get it untranslated (they fall back to English until someone translates it).
A plural sentence (`_.n(singular, plural, count)`) is one entry with a form for each of the
language's plural forms; English gets (singular, plural).

Other languages also get the name of every command and of every word after one, read from the
declarations (bot/features.py), each with a context ("command", or "command sessions" for the
words after sessions) so a translator can tell them from the same English word used as a label.
Their translations are what people may type in that language (bot/feature.py), and the names
Discord shows in it.

It then says, for each language, how many entries are untranslated and how many are fuzzy (a
guess marked to check, kept marked); tests/test_words.py fails the build while French has any.
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
    return list(_extracted())


def notes() -> dict[Sentence, list[str]]:
    """What the code tells translators about a sentence: a `# TRANSLATORS: ...` comment just
    above it (words the bot reads, not shows, say so there)."""
    return {sentence: said for sentence, said in _extracted().items() if said}


def _extracted() -> dict[Sentence, list[str]]:
    found: dict[Sentence, list[str]] = {}
    for folder in ("bot", "adapters"):
        for _file, _line, message, comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            said = [c.removeprefix("TRANSLATORS:").strip() for c in comments]
            if isinstance(message, str) and message:
                found.setdefault(message, said)
            elif isinstance(message, tuple) and len(message) == 2 and all(message):
                found.setdefault((str(message[0]), str(message[1])), said)
    return found


NAME_RULE = "A name people type: lowercase, no spaces, at most 32 characters; letters, digits, - or _."


def names() -> list[tuple[str, str, str]]:
    """(context, English name, note for translators) of every command and verb, in the order
    `guide` lists them."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bot.feature import Features
    from bot.features import EVERY_FEATURE
    from bot.words import COMMAND, LEADS, OPTION, TYPING, verb_context

    found: list[tuple[str, str, str]] = []
    options: dict[str, str] = {}  # what a verb takes, by its name: the first verb's hint
    for spec in Features(EVERY_FEATURE).commands.values():
        found.append((COMMAND, spec.name, f"The command {spec.name}: {spec.summary} {NAME_RULE}"))
        if spec.argument:
            options.setdefault(spec.argument, f"`{spec.name} {spec.argument}`: {spec.hint.rstrip('.')}.")
        for verb in spec.verbs:
            note = f"The word after {spec.name} in `{spec.name} {verb.name}`: {verb.summary} {NAME_RULE}"
            found.append((verb_context(spec.name), verb.name, note))
            if verb.argument:
                options.setdefault(verb.argument, f"`{spec.name} {verb.name} {verb.argument}`: {verb.hint.rstrip('.')}.")
    for option, note in options.items():
        found.append((OPTION, option, f"The name of a slash command's option (Discord), in {note} {NAME_RULE}"))
    for lead in LEADS:
        note = (
            f"The words before a command to type, as in `{lead} guide`: exactly as your translations of such"
            " sentences say them, capitalised (a lowercase first letter is found too). Chat apps make"
            " the command after them a slash command."
        )
        found.append((TYPING, lead, note))
    return found


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


def update(
    language: str,
    sentences: list[Sentence],
    named: list[tuple[str, str, str]] | None = None,
    told: dict[Sentence, list[str]] | None = None,
) -> None:
    named = names() if named is None else named
    told = notes() if told is None else told
    path = catalogue_path(language)
    # By (context, English): a plural entry by its singular English, as gettext looks it up.
    old: dict[tuple[str | None, str], object] = {}
    flags: dict[tuple[str | None, str], set[str]] = {}  # "fuzzy" stays until someone checks it
    if path.exists():
        with path.open("rb") as handle:
            for m in read_po(handle, locale=language):
                if m.id:
                    key = (m.context, str(m.id[0]) if isinstance(m.id, tuple) else str(m.id))
                    old[key], flags[key] = m.string, set(m.flags)
    catalog = Catalog(locale=language, project="partnerbot", fuzzy=False)
    for sentence in sentences:
        if isinstance(sentence, tuple):
            forms = catalog.num_plurals
            kept = old.get((None, sentence[0]))
            if language == "en":
                translated: str | tuple[str, ...] = sentence
            elif isinstance(kept, tuple | list) and len(kept) == forms:
                translated = tuple(str(f) for f in kept)
            else:
                translated = ("",) * forms
            catalog.add(
                sentence, translated, auto_comments=told.get(sentence, ()), flags=flags.get((None, sentence[0]), ())
            )
        else:
            kept = old.get((None, sentence))
            translated = kept if isinstance(kept, str) and language != "en" else ""
            catalog.add(
                sentence,
                sentence if language == "en" else translated,
                auto_comments=told.get(sentence, ()),
                flags=flags.get((None, sentence), ()),
            )
    if language != "en":  # English names are the declarations themselves
        for context, name, note in named:
            kept = old.get((context, name))
            catalog.add(
                name,
                kept if isinstance(kept, str) else "",
                auto_comments=[note],
                context=context,
                flags=flags.get((context, name), ()),
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=100)


def main() -> int:
    sentences = extracted()
    named = names()
    told = notes()
    languages = {p.name for p in LOCALE.iterdir() if p.is_dir()} | {"en"}
    for language in sorted(languages):
        update(language, sentences, named, told)
    print(f"{len(sentences)} sentences in {', '.join(sorted(languages))}.")
    for language in sorted(languages - {"en"}):
        untranslated, fuzzy = untranslated_and_fuzzy(language)
        print(f"{language}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
