"""The slash commands' names and descriptions in each language the bot speaks, as Discord shows
them to someone whose Discord is set to that language (`name_localizations` and
`description_localizations`). Everything comes from the catalogues: a command's and a verb's name
as the core reads it typed (bot/words.py, name_in), and the summaries and hints already there.

Discord still sends the English name when someone uses a command, so nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord
from discord import app_commands

from adapters.discord.render import shorten
from bot.feature import CommandSpec
from bot.words import COMMAND, OPTION, languages, name_in, translator

# What a marked string is, in its locale_str's extras.
NAME, SENTENCE = "name", "sentence"


def name(english: str, context: str = COMMAND) -> app_commands.locale_str:
    """A command's name (or, with verb_context, a verb's), translated when commands are synced."""
    return app_commands.locale_str(english, kind=NAME, context=context)


def option(english: str) -> app_commands.locale_str:
    """The name of what a verb takes (`session`), as a slash command's option: "séance" in
    French. Discord sends the English name whichever one was shown."""
    return name(english, OPTION)


def sentence(shown: str, msgid: str) -> app_commands.locale_str:
    """A description shown as `shown` (in the default language), and `msgid` in the others."""
    return app_commands.locale_str(shown, kind=SENTENCE, msgid=msgid)


class CatalogueTranslator(app_commands.Translator):
    """Discord's locales that are a language with a catalogue ("fr"; "en-GB" is English, the
    names themselves) get its names and sentences. A command name that two commands share in
    one language (guide and help are both "aide") goes to the first; the other keeps its English
    name there, since Discord takes each name once."""

    def __init__(self, commands: Iterable[CommandSpec]) -> None:
        self.taken: dict[tuple[str, str], str] = {}
        for language in languages():
            seen: set[str] = set()
            for spec in commands:
                said = name_in(language, COMMAND, spec.name)
                if said not in seen:
                    self.taken[(language, spec.name)] = said
                seen.add(said)

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = _language(locale.value)
        if language is None or language == "en":
            return None
        if string.extras.get("kind") == NAME:
            where = string.extras["context"]
            if where == COMMAND:
                said = self.taken.get((language, string.message), string.message)
            else:
                said = name_in(language, where, string.message)
            return said if said != string.message else None
        if string.extras.get("kind") == SENTENCE:
            return shorten(translator(language)(string.extras["msgid"]), 100)
        return None


def _language(locale: str) -> str | None:
    """The catalogue's language for one of Discord's locales: "fr" for "fr", "en" for "en-GB"."""
    spoken = languages()
    for each in (locale, locale.split("-")[0]):
        if each in spoken:
            return each
    return None
