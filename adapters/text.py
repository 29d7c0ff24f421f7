"""Text helpers every chat adapter shares: splitting long text without breaking its markup."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.conversation import Span
from bot.words import COMMAND, LEADS, TYPING, english_name, languages, name_in, verb_context


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


def _hint() -> re.Pattern[str]:
    """What to type after the words the core's sentences put before it, in every language the
    bot speaks (TYPING in the catalogues): "Type guide", "type checkin on", "Try: sessions",
    "Tapez profil", "Essayez : séances inscrire 3". Their first letter in either case."""
    leads: dict[str, None] = {}
    for language in languages():
        for lead in LEADS:
            leads.setdefault(name_in(language, TYPING, lead))
    either = "|".join(f"(?i:{re.escape(lead[0])}){re.escape(lead[1:])}" for lead in sorted(leads, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?P<lead>{either}) (?P<command>[^\W\d_][\w-]*)(?: (?P<verb>[^\W\d_][\w-]*))?")


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
_HINTS: list[re.Pattern[str]] = []


def as_slash_commands(text: str, verb_needed: bool) -> str:
    """What to type, said as a platform of slash commands takes it: "Type guide" is "Type /guide",
    "Tapez profil" is "Tapez /profile", wherever it is read. `verb_needed`: a command of several
    words needs one of them (Discord's subcommands), so "Type sessions" is "Type /sessions list".

    The slash command is the English name, in every language: it is the one name the platform
    runs for everyone. Slack registers only the English commands (adapters/slack/manifest.yml).
    Discord shows a French name (/profil) only to people whose Discord is in French, and its
    documentation promises nothing about the other names being found by the rest, so a French
    member reading "/profil" in a channel post with an English Discord would find nothing; the
    English name is found by all. What follows the command on Slack is text the core reads in
    any language, so a verb stays as it is written ("Tapez /profile fuseau"); on Discord the
    verb is a subcommand, named in English like the command ("/profile timezone")."""
    if not _COMMANDS:
        _COMMANDS.update(_commands())
        _HINTS.append(_hint())

    def one(hint: re.Match[str]) -> str:
        command = hint["command"] if hint["command"] in _COMMANDS else english_name(COMMAND, hint["command"])
        verbs = _COMMANDS.get(command or "")
        if command is None or verbs is None:
            return hint[0]
        verb = hint["verb"]
        english = None if verb is None else verb if verb in verbs else english_name(verb_context(command), verb)
        if english in verbs:
            return f"{hint['lead']} /{command} {english if verb_needed else verb}"
        rest = f" {verb}" if verb else ""
        if verb_needed and verbs:
            return f"{hint['lead']} /{command} {verbs[0]}{rest}"
        return f"{hint['lead']} /{command}{rest}"

    return _HINTS[0].sub(one, text)
