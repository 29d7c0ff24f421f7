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
    line = 0  # where the last line begun in `current` starts, after a newline atom (0: none)
    for atom in atoms.findall(text):
        while len(atom) > limit:  # one very long word: cut it
            room = limit - len(current)
            pieces.append(current + atom[:room])
            current, atom, line = "", atom[room:], 0
        if len(current) + len(atom) > limit:
            if line and len(current) - line + len(atom) <= limit:
                # Break at the newline: the line begun goes whole to the next piece.
                pieces.append(current[:line])
                current = current[line:] + atom
            else:
                pieces.append(current)
                current = "" if atom.isspace() else atom
            line = 0
        else:
            current += atom
        if atom == "\n":
            line = len(current)
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


# "Type guide", "type checkin on", "Try: sessions": what to type, said as the console takes it.
_HINT = re.compile(r"\b(?P<lead>[Tt]ype|Try:) (?P<command>[a-z]+)(?: (?P<verb>[a-z]+))?")


def _commands() -> dict[str, tuple[str, ...]]:
    """Each command of the bot and the words that may follow it, the one it takes alone first."""
    from bot.feature import Features
    from bot.features import EVERY_FEATURE

    found: dict[str, tuple[str, ...]] = {}
    for name, spec in Features(EVERY_FEATURE).commands.items():
        verbs = [verb.name for verb in spec.verbs]
        first = [word for word in spec.default if word in verbs][:1]
        found[name] = tuple(dict.fromkeys([*first, *verbs]))
    return found


_COMMANDS: dict[str, tuple[str, ...]] = {}


def as_slash_commands(text: str, verb_needed: bool) -> str:
    """What to type, said as a platform of slash commands takes it: "Type guide" is "Type /guide",
    wherever it is read. `verb_needed`: a command of several words needs one of them (Discord's
    subcommands), so "Type sessions" is "Type /sessions list"."""
    if not _COMMANDS:
        _COMMANDS.update(_commands())

    def one(hint: re.Match[str]) -> str:
        verbs = _COMMANDS.get(hint["command"])
        if verbs is None:
            return hint[0]
        verb = hint["verb"]
        if verb in verbs:
            return f"{hint['lead']} /{hint['command']} {verb}"
        rest = f" {verb}" if verb else ""
        if verb_needed and verbs:
            return f"{hint['lead']} /{hint['command']} {verbs[0]}{rest}"
        return f"{hint['lead']} /{hint['command']}{rest}"

    return _HINT.sub(one, text)
