"""Text helpers every chat adapter shares: splitting long text without breaking its markup."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.conversation import Span


def split_text(text: str, limit: int, atoms: re.Pattern[str]) -> list[str]:
    """`text` in pieces of at most `limit` characters. `atoms` finds the pieces that must stay
    whole (a platform's time token, an escape); text breaks best at a newline, then a space."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current = ""
    for atom in atoms.findall(text):
        while len(atom) > limit:  # one very long word: cut it
            room = limit - len(current)
            pieces.append(current + atom[:room])
            current, atom = "", atom[room:]
        if len(current) + len(atom) > limit:
            pieces.append(current)
            current = "" if atom.isspace() else atom
        else:
            current += atom
    pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def runs(spans: Sequence[Span]) -> Iterator[Span]:
    """The spans with the words between two tokens (times, mentions) joined, so that escaping
    sees them whole."""
    words: list[str] = []
    for span in spans:
        if isinstance(span, str):
            words.append(span)
        else:
            if words:
                yield "".join(words)
                words = []
            yield span
    if words:
        yield "".join(words)
