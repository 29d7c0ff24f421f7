"""The outbox's sender for Discord: direct messages, channel posts, edits, files, and entries
in the server's calendar (Scheduled Events).

The outbox's dispatcher runs in the scheduler's threads; the sends run on the client's own event
loop, through the same poster as the answers to interactions (adapters/discord/poster.py), where
discord.py waits out short rate limits itself (a 429 is retried, the message goes once). A longer
rate limit or any refusal raises SendFailed, so the row stays for a later try.
Each message part carries a nonce made from its outbox row, which Discord enforces: if a send
went through but its answer was lost, the retry gets the same message back, not a second one.

A long rate limit holds as much as it covers: only the bot's global limit (a 429 with
X-RateLimit-Global, or scope "global") holds every Discord send; any other (a route's bucket, a
channel's) holds the row's target alone. discord.py's RateLimited does not say which it was, so
`limit_trace`, on the client's HTTP session, notes it in the task that made the request.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import SimpleNamespace

import aiohttp
import discord

from adapters.discord.poster import DiscordPoster, parts
from adapters.discord.render import escaped_within, render_message, render_whole, shorten
from adapters.platforms import on_loop
from bot.conversation import CalendarEvent
from bot.outbox import Delivery, Pace, SendFailed

log = logging.getLogger(__name__)


# Whether the last answer Discord gave to this task's requests was a 429 for the global limit.
_GLOBAL_LIMIT: ContextVar[bool] = ContextVar("discord_global_limit", default=False)


def limit_trace() -> aiohttp.TraceConfig:
    """For the client's `http_trace`: notes, in the task that made each request, whether Discord
    answered with a 429 for the bot's global limit (aiohttp calls this within that task)."""

    async def answered(_session: aiohttp.ClientSession, _context: SimpleNamespace, params: object) -> None:
        response = getattr(params, "response", None)
        headers = response.headers if response is not None else {}
        _GLOBAL_LIMIT.set(
            response is not None
            and response.status == 429
            and (headers.get("X-RateLimit-Global", "").lower() == "true" or headers.get("X-RateLimit-Scope") == "global")
        )

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(answered)
    return trace


@dataclass
class _Progress:
    """What of one outbox row already reached Discord, so a retry sends only the rest."""

    posted: list[str] = field(default_factory=list)


class DiscordSender:
    def __init__(self, poster: DiscordPoster, loop: asyncio.AbstractEventLoop, per_second: float = 50.0) -> None:
        # Discord's global limit is per bot: 50 requests a second. We keep 3% under it, for the
        # requests discord.py sends again after a 429, and start with half a second's worth.
        self.pace = Pace(per_second=per_second * 0.97, burst=max(1, int(per_second / 2)))
        self.poster = poster
        self.client = poster.client
        self.loop = loop
        self._progress: dict[int, _Progress] = {}

    def cost(self, delivery: Delivery) -> int:
        """Requests one delivery makes: opening a direct message the first time, each part."""
        if delivery.event is not None:
            return 2 if delivery.edit_message_id else 1  # a change is read first
        opening = self.poster.opens_dm(delivery.target_kind, delivery.target_id)
        count = 1 if delivery.edit_message_id else len(render_message(delivery.message))
        return count + (1 if opening else 0)

    def send(self, delivery: Delivery) -> str | None:
        try:
            return on_loop(self.loop, self._deliver_or_say_what_waits(delivery))
        except (discord.Forbidden, discord.NotFound) as error:  # no access, or gone: ask an admin
            raise SendFailed(f"Discord said {error.status} {error.text}"[:300], permanent=True) from error
        except discord.HTTPException as error:  # a server error: try again later
            raise SendFailed(f"Discord said {error.status} {error.text}"[:300]) from error
        except (OSError, discord.ClientException) as error:
            raise SendFailed(f"could not reach Discord: {type(error).__name__}") from error

    async def _deliver_or_say_what_waits(self, delivery: Delivery) -> str | None:
        """`deliver`; a long rate limit raises SendFailed with what it holds (see the module)."""
        _GLOBAL_LIMIT.set(False)
        try:
            return await self.deliver(delivery)
        except discord.RateLimited as error:
            scope = None if _GLOBAL_LIMIT.get() else delivery.target_id
            raise SendFailed("Discord asked us to wait", error.retry_after, scope=scope) from error

    async def deliver(self, delivery: Delivery) -> str | None:
        if delivery.event is not None:
            return await self.keep_event(delivery.target_id, delivery.event, delivery.edit_message_id)
        channel = await self.poster.channel_for(delivery.target_kind, delivery.target_id)
        if delivery.edit_message_id:
            await self.poster.edit(channel, delivery.edit_message_id, render_whole(delivery.message))
            return delivery.edit_message_id
        done = self._progress.setdefault(delivery.outbox_id, _Progress())
        for number, (part, files) in enumerate(parts(delivery.message)):
            if number < len(done.posted):
                continue  # went out on an earlier try
            done.posted.append(await self.poster.post(channel, part, files, nonce(delivery.outbox_id, number)))
        del self._progress[delivery.outbox_id]
        return done.posted[0] if done.posted else None

    # -- the server's calendar -------------------------------------------------------------------

    async def keep_event(self, channel_id: str, event: CalendarEvent, event_id: str | None) -> str | None:
        """Make the entry in the calendar of the server that holds `channel_id`, or change it.

        Returns the entry's id, or None when the bot may not make events there (then nothing is
        kept in step, and people still have the post and calendar files).
        """
        guild = await self.guild_of(channel_id)
        if guild is None:
            return None
        if event_id is None:
            if not may_make_events(guild):
                log.info("no Scheduled Event for a session: the bot lacks Create Events in %s", guild.id)
                return None
            try:
                made = await guild.create_scheduled_event(
                    entity_type=discord.EntityType.external,
                    privacy_level=discord.PrivacyLevel.guild_only,
                    **event_fields(event),
                )
            except discord.Forbidden:
                log.info("no Scheduled Event for a session: Discord refused it in %s", guild.id)
                return None
            return str(made.id)
        try:
            found = await guild.fetch_scheduled_event(int(event_id), with_counts=False)
        except discord.NotFound:
            return event_id  # someone removed it by hand: nothing to keep in step
        if event.cancelled:
            if found.status in (discord.EventStatus.scheduled, discord.EventStatus.active):
                await found.cancel()
        else:
            await found.edit(**event_fields(event))
        return event_id

    async def guild_of(self, channel_id: str) -> discord.Guild | None:
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            channel = await self.client.fetch_channel(int(channel_id))
        guild = getattr(channel, "guild", None)
        return guild if isinstance(guild, discord.Guild) else None


def nonce(outbox_id: int, part: int) -> str:
    """At most 25 characters, the same on every try of one part of one outbox row."""
    return f"ob{outbox_id}.{part}"[:25]


def may_make_events(guild: discord.Guild) -> bool:
    """Whether the bot holds Create Events or Manage Events there; unknown counts as yes (Discord
    then says no with a 403 if not)."""
    me = guild.me
    if me is None:
        return True
    allowed = me.guild_permissions
    return allowed.create_events or allowed.manage_events


def event_fields(event: CalendarEvent) -> dict[str, object]:
    """Within Discord's limits: a name of 100 characters, a place of 100, a description of 1000."""
    return {
        "name": shorten(event.title, 100),
        "description": escaped_within(event.description, 1000),  # shown as markdown
        "start_time": event.starts_at,
        "end_time": event.ends_at,
        "location": shorten(event.place, 100),
    }
