"""Discord through discord.py: slash commands, buttons, selects and modals become core events; the
core's replies are drawn back into Discord, through the poster the outbox uses too.
`DiscordPlatform` is how `partnerbot run` starts and stops it.

The adapter translates and draws, nothing more: it holds no rule and makes no database call.
An interaction is answered directly when the core's turn is quick, as it nearly always is; if it
takes longer than DEFER_AFTER, Discord is told "thinking" and the answer follows. Messages for
other people and files for later go through the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from adapters.discord import translate
from adapters.discord.localize import CatalogueTranslator, name, option, sentence
from adapters.discord.poster import DiscordPoster, download, parts
from adapters.discord.render import NO_PINGS, form_errors, form_offer, render_modal, shorten
from adapters.discord.sender import DiscordSender, limit_trace
from adapters.platforms import NotStarted, Started, secret
from bot.conversation import MAX_FILE_BYTES, Event, FormSubmit, Message, Reply
from bot.core import Bot
from bot.feature import CommandSpec, Verb
from bot.settings import Settings
from bot.words import Translate, translator, verb_context

log = logging.getLogger(__name__)

MAX_SUBCOMMANDS = 25  # in one group
# Seconds to wait for the core before answering "thinking" (Discord allows 3 for the first answer).
DEFER_AFTER = 2.0


def use_urls(api_url: str, gateway_url: str | None) -> None:
    """Point discord.py at DISCORD_API_URL and DISCORD_GATEWAY_URL (a proxy, or a test's fake).

    discord.py keeps both on classes, so they hold for every client in the process.
    """
    discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class DiscordAdapter(discord.Client):
    def __init__(self, bot: Bot, guild_id: str | None = None, **options: Any) -> None:
        # Slash commands and components need no privileged intent, and no message content.
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=NO_PINGS,
            # Longer rate limits go back to the outbox instead of holding every message up.
            max_ratelimit_timeout=30.0,
            # Tells the outbox whether such a limit was the bot's global one (adapters/discord/sender.py).
            http_trace=limit_trace(),
            **options,
        )
        self.bot = bot
        self.poster = DiscordPoster(self)
        self.guild = discord.Object(int(guild_id)) if guild_id else None
        # What makes a turn slow enough to say "thinking" first: DEFER_AFTER seconds passing.
        # Tests give a signal of their own, so a busy machine never changes what they see.
        self.slow: Callable[[], Awaitable[object]] = partial(asyncio.sleep, DEFER_AFTER)
        self._ = translator(bot.settings.default_language)
        self._answering: set[asyncio.Task[Any]] = set()
        self.tree = app_commands.CommandTree(self)
        # Every command works in a direct message with the bot. With a server set, the server
        # has its own copies (they update at once), so the global ones are for direct messages
        # only: nobody sees each command twice.
        self.contexts = app_commands.AppCommandContext(
            guild=self.guild is None, dm_channel=True, private_channel=False
        )
        for spec in bot.features.commands.values():
            self.tree.add_command(self._slash(spec))

    def _slash(self, spec: CommandSpec) -> app_commands.Command[Any, ..., None] | app_commands.Group:
        """`/guide`; or a group of subcommands, one per verb: `/sessions join session:3`.
        Names and descriptions are marked for CatalogueTranslator: Discord shows them in each
        language the bot speaks (`/profil`), and still sends the English name."""
        summary = sentence(shorten(self._(spec.summary), 100), spec.summary)
        if not spec.verbs:
            typed = None
            if spec.argument:
                typed = Verb(spec.name, spec.run, spec.summary, argument=spec.argument, hint=spec.hint, optional=True)
            made = self._subcommand(spec.name, name(spec.name), "", summary, typed)
            made.allowed_contexts = self.contexts
            return made
        group = app_commands.Group(name=name(spec.name), description=summary, allowed_contexts=self.contexts)
        for verb in spec.verbs[:MAX_SUBCOMMANDS]:
            described = sentence(shorten(self._(verb.summary), 100), verb.summary)
            group.add_command(
                self._subcommand(spec.name, name(verb.name, verb_context(spec.name)), verb.name, described, verb)
            )
        return group

    def _subcommand(
        self,
        command: str,
        name: app_commands.locale_str,
        words: str,
        summary: app_commands.locale_str,
        verb: Verb | None,
    ) -> app_commands.Command[Any, ..., None]:
        """One slash command whose answer is the core's command `command`, with `words` and
        what was typed in the verb's one option after them (which may be left out when the verb
        says so: /report's period, /openings payments')."""
        if verb is None or not verb.argument:

            async def run(interaction: discord.Interaction) -> None:
                await self._answer(interaction, translate.slash_command(interaction, command, words))

            return app_commands.Command(name=name, description=summary, callback=run)

        async def answer_with(interaction: discord.Interaction, value: str) -> None:
            typed = f"{words} {value}"
            known = await self._names_of(translate.mentioned_ids(typed))
            await self._answer(interaction, translate.slash_command(interaction, command, typed, known))

        async def run_with(interaction: discord.Interaction, value: str) -> None:
            await answer_with(interaction, value)

        if verb.optional:

            async def run_with(interaction: discord.Interaction, value: str = "") -> None:  # type: ignore[misc]
                await answer_with(interaction, value)

        hint = sentence(shorten(self._(verb.hint), 100), verb.hint) if verb.hint else verb.argument[:100]
        callback = app_commands.rename(value=option(verb.argument))(app_commands.describe(value=hint)(run_with))
        made = app_commands.Command(name=name, description=summary, callback=callback)
        if verb.argument in self.bot.features.suggestions:
            made.autocomplete("value")(self._suggestions(verb.argument))
        return made

    async def _names_of(self, user_ids: list[str]) -> dict[str, str]:
        """The names Discord shows for people mentioned in a text option (Discord sends only
        their ids there), so someone the bot has not met yet is named as Discord names them."""
        names: dict[str, str] = {}
        for user_id in user_ids:
            try:
                found = self.get_user(int(user_id)) or await self.fetch_user(int(user_id))
            except (ValueError, discord.HTTPException):
                continue
            names[user_id] = found.display_name
        return names

    def _suggestions(self, argument: str) -> Any:
        async def suggest(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice[str]]:
            who = translate.who(interaction.user)
            found = await asyncio.to_thread(self.bot.suggest, who, argument, typed)
            return [app_commands.Choice(name=shorten(o.label, 100), value=o.value[:100]) for o in found]

        return suggest

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator(self.bot.features.commands.values()))
        if self.guild is not None:
            self.tree.copy_global_to(guild=self.guild)
            await self.tree.sync(guild=self.guild)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        """A line typed in a direct message with the bot is a command line, as in Slack's:
        `guide`, `help me`, or a greeting, which the core answers with where to start."""
        if message.guild is not None or message.author.bot or not message.content.strip():
            return
        if not await asyncio.to_thread(self.bot.first_time, translate.PLATFORM, f"m{message.id}"):
            return  # sent again by a resumed connection: answered already
        with self._answering_now():
            await self._answer_line(message)

    async def _answer_line(self, message: discord.Message) -> None:
        try:
            reply = await asyncio.to_thread(self.bot.handle, translate.direct_message(message))
            messages = list(reply.messages)
            if reply.form is not None:  # a modal opens only from an interaction: a button does
                messages.append(form_offer(reply.form, self.words(reply)))
            number = 0
            for core_message in messages:
                for part, files in parts(core_message):
                    number += 1
                    await self.poster.post(message.channel, part, files, nonce=f"r{message.id}.{number}"[:25])
        except Exception:
            log.exception("could not answer a Discord direct message")

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons, selects and modal submissions, understood from their own custom_id."""
        event = translate.interaction_event(interaction)
        if event is not None:
            await self._answer(interaction, event)

    # -- answering ---------------------------------------------------------------------------

    @contextmanager
    def _answering_now(self) -> Iterator[None]:
        """This task is showing an answer: `settle` waits for it."""
        task = asyncio.current_task()
        if task is not None:
            self._answering.add(task)
        try:
            yield
        finally:
            self._answering.discard(task)  # type: ignore[arg-type]

    async def _answer(self, interaction: discord.Interaction, event: Event) -> None:
        with self._answering_now():
            await self._answer_interaction(interaction, event)

    async def _answer_interaction(self, interaction: discord.Interaction, event: Event) -> None:
        try:
            work = asyncio.ensure_future(self._turn(interaction, event))
            slow = asyncio.ensure_future(self.slow())
            await asyncio.wait({work, slow}, return_when=asyncio.FIRST_COMPLETED)
            slow.cancel()
            if not work.done():
                # Slow today (a busy database): say "thinking" within Discord's 3 seconds, and
                # follow up. A form then opens from a button, since a modal must come first.
                await self.poster.thinking(interaction, private=interaction.guild_id is not None)
            await self.show(interaction, await work)
        except Exception:
            log.exception("could not answer a Discord interaction")

    async def _turn(self, interaction: discord.Interaction, event: Event) -> Reply:
        """The core's answer to the event, with the bytes of any file uploaded in a form (at most
        one byte past the limit: the form refuses a bigger file kindly)."""
        uploaded = translate.uploads(interaction) if isinstance(event, FormSubmit) else {}
        if uploaded:
            assert isinstance(event, FormSubmit)
            try:
                files = {name: await download(found, MAX_FILE_BYTES + 1) for name, found in uploaded.items()}
            except (aiohttp.ClientError, OSError) as problem:  # nothing is saved; they can send it again
                log.warning("could not fetch a file from a form: %s", type(problem).__name__)
                sorry = self._("I could not fetch that file from Discord. Please try again in a minute.")
                return Reply(messages=(Message((sorry,)),), refused=True)
            values = {**event.values, **{name: file.name for name, file in files.items()}}
            event = replace(event, values=values, files=files)
        # The core is synchronous (a database transaction): keep it off the event loop.
        return await asyncio.to_thread(self.bot.handle, event)

    async def settle(self, timeout: float = 10) -> None:
        """Wait for answers still being shown (for a clean stop, and for tests)."""
        current = asyncio.current_task()
        while waiting := self._answering - {current}:
            await asyncio.wait(waiting, timeout=timeout)

    def words(self, reply: Reply) -> Translate:
        """The adapter's own words around a reply, in the language of the person it answers."""
        return translator(reply.language) if reply.language else self._

    async def show(self, interaction: discord.Interaction, reply: Reply) -> None:
        _ = self.words(reply)
        messages = list(reply.messages)
        form = reply.form
        if form is not None:
            can_open = interaction.type != discord.InteractionType.modal_submit
            if reply.field_errors:
                messages.append(form_errors(reply, _))
            elif can_open and not messages and not interaction.response.is_done():
                await self.poster.open_form(interaction, render_modal(form, _))
                return
            else:  # a modal cannot open a modal: a button opens the next page
                messages.append(form_offer(form, _))
        in_dm = interaction.guild_id is None
        for message in messages:
            for part, files in parts(message):
                await self.poster.answer(interaction, part, files, private=message.private and not in_dm)


# ---- starting it ------------------------------------------------------------------------------


class DiscordPlatform:
    """Discord for `partnerbot run`: its gateway, with slash commands synced to DISCORD_GUILD_ID
    or globally."""

    name = "discord"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ = translator(settings.default_language)
        self.adapter: DiscordAdapter | None = None

    async def start(self, bot: Bot, stop: asyncio.Event) -> Started:
        settings, _ = self.settings, self._
        use_urls(settings.discord_api_url, settings.discord_gateway_url)
        shards: dict[str, Any] = {}
        if settings.discord_shard_count:
            shards = {"shard_id": settings.discord_shard_id or 0, "shard_count": settings.discord_shard_count}
        self.adapter = adapter = DiscordAdapter(bot, settings.discord_guild_id, **shards)
        try:
            await adapter.login(secret(settings.discord_bot_token))
        except discord.LoginFailure as problem:
            raise NotStarted(_("Discord did not accept the bot token. Please check DISCORD_BOT_TOKEN.")) from problem
        except (OSError, discord.HTTPException) as problem:
            log.info("login failed: %s", problem)
            url = settings.discord_api_url
            raise NotStarted(
                _("I could not reach Discord at {url}. Please check DISCORD_API_URL.", url=url)
            ) from problem
        connection = asyncio.create_task(adapter.connect())
        ready = asyncio.create_task(adapter.wait_until_ready())
        await asyncio.wait([connection, ready], return_when=asyncio.FIRST_COMPLETED)
        if connection.done():
            ready.cancel()
            await connection  # the reason it could not connect, logged with its traceback
            raise ConnectionError("the connection to Discord's gateway ended before it was ready")
        connection.add_done_callback(partial(_ended, stop))
        sender = DiscordSender(adapter.poster, asyncio.get_running_loop(), settings.discord_rate_limit)
        return Started(_("Connected to Discord. Press Ctrl+C to stop."), sender)

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.settle()
            await self.adapter.close()


def _ended(stop: asyncio.Event, connection: asyncio.Task[None]) -> None:
    """A connection to the gateway that ends for good stops the whole process, not Discord alone."""
    if not connection.cancelled() and connection.exception() is not None:
        log.error("the connection to Discord ended", exc_info=connection.exception())
    stop.set()
