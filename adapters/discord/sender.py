"""The outbox's sender for Discord: direct messages, channel posts, edits and files.

The outbox's dispatcher runs in the scheduler's thread; the sends run on the client's own event
loop, where discord.py waits out short rate limits itself (a 429 is retried, the message goes
once). A longer rate limit or any refusal raises SendFailed, so the row stays for a later try.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from adapters.discord.render import NO_PINGS, render_message, render_whole
from bot.conversation import File
from bot.outbox import Delivery, SendFailed
from bot.words import translator

log = logging.getLogger(__name__)

SEND_TIMEOUT = 120.0  # seconds for one delivery, rate limits included


def attachments(files: Sequence[File]) -> list[discord.File]:
    return [discord.File(io.BytesIO(f.content.encode()), filename=f.name) for f in files]


@dataclass
class _Progress:
    """What of one outbox row already reached Discord, so a retry sends only the rest."""

    posted: list[str] = field(default_factory=list)


class DiscordSender:
    def __init__(self, client: discord.Client, loop: asyncio.AbstractEventLoop, language: str) -> None:
        self.client = client
        self.loop = loop
        self._ = translator(language)
        self._progress: dict[int, _Progress] = {}

    def send(self, delivery: Delivery) -> str | None:
        future = asyncio.run_coroutine_threadsafe(self.deliver(delivery), self.loop)
        try:
            return future.result(SEND_TIMEOUT)
        except discord.RateLimited as error:
            raise SendFailed("Discord asked us to wait", error.retry_after) from error
        except discord.HTTPException as error:  # Forbidden, NotFound, a server error...
            raise SendFailed(f"Discord said {error.status} {error.text}"[:300]) from error
        except (OSError, TimeoutError, discord.ClientException) as error:
            future.cancel()
            raise SendFailed(f"could not reach Discord: {type(error).__name__}") from error

    async def deliver(self, delivery: Delivery) -> str | None:
        channel = await self.channel_for(delivery.target_kind, delivery.target_id)
        if delivery.edit_message_id:
            drawn = render_whole(delivery.message)
            view = drawn.view()
            await channel.get_partial_message(int(delivery.edit_message_id)).edit(
                content=drawn.content, view=view, allowed_mentions=NO_PINGS
            )
            if view is not None:
                view.stop()
            return delivery.edit_message_id
        done = self._progress.setdefault(delivery.outbox_id, _Progress())
        parts = render_message(delivery.message)
        for number, part in enumerate(parts):
            if number < len(done.posted):
                continue  # went out on an earlier try
            last = number == len(parts) - 1
            view = part.view()
            sent = await channel.send(
                part.content or None,
                view=view or discord.utils.MISSING,
                files=attachments(delivery.message.files)
                if last and delivery.message.files
                else discord.utils.MISSING,
                allowed_mentions=NO_PINGS,
            )
            if view is not None:
                view.stop()  # presses are read from each button's custom_id
            done.posted.append(str(sent.id))
        del self._progress[delivery.outbox_id]
        return done.posted[0] if done.posted else None

    async def channel_for(self, target_kind: str, target_id: str) -> discord.abc.Messageable:
        """A channel by its id; a person's direct message with the bot (discord.py keeps it)."""
        if target_kind == "channel":
            return self.client.get_partial_messageable(int(target_id))
        return await self.client.create_dm(discord.Object(int(target_id)))
