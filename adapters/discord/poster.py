"""Every Discord call that shows a message, for the answer to an interaction and for the outbox
alike: answering where the person acted (or saying "thinking" first), opening a modal, posting
a part of a message in a channel, editing one, and opening a person's direct message (once: the
channel is remembered, as discord.py keeps only 128).

Nothing sent can ping anyone (allowed_mentions none). Buttons are read back from their
custom_id, never from memory, so each view is stopped once it is sent.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import aiohttp
import discord

from adapters.discord.render import NO_PINGS, DiscordMessage, render_message
from bot.conversation import File, Message

MAX_DESCRIPTION = 1024  # Discord's limit for an attachment's description
MAX_FILES = 10  # attachments in one message
# A receipt is read while the person waits (Discord shows "thinking" after a moment).
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=20)


def attachments(files: Sequence[File]) -> list[discord.File]:
    """Each file as an attachment; what it shows in words (a chart's numbers) is its description,
    which screen readers say."""
    return [
        discord.File(
            io.BytesIO(f.content if isinstance(f.content, bytes) else f.content.encode()),
            filename=f.name,
            description=f.description[:MAX_DESCRIPTION] or None,
        )
        for f in files
    ]


async def download(attachment: discord.Attachment, most: int) -> File:
    """A file someone uploaded in a form (a receipt), read up to `most` bytes: past that the form
    refuses it, and more is not needed."""
    content = bytearray()
    async with aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session, session.get(attachment.url) as got:
        got.raise_for_status()
        while len(content) < most and (chunk := await got.content.read(most - len(content))):
            content += chunk
    mime = attachment.content_type or "application/octet-stream"
    return File(attachment.filename, mime.split(";")[0].strip(), bytes(content))


def parts(message: Message) -> list[tuple[DiscordMessage, Sequence[File]]]:
    """The parts of a message, each with the files it carries: the last carries the first ten
    (Discord takes no more in one message), and parts with no words of their own the rest."""
    drawn = render_message(message)
    batches = [message.files[start : start + MAX_FILES] for start in range(0, len(message.files), MAX_FILES)]
    made: list[tuple[DiscordMessage, Sequence[File]]] = [
        (part, batches[0] if batches and number == len(drawn) - 1 else ()) for number, part in enumerate(drawn)
    ]
    return made + [(DiscordMessage(""), batch) for batch in batches[1:]]


@contextmanager
def _drawn(part: DiscordMessage, files: Sequence[File] = ()) -> Iterator[dict[str, Any]]:
    """What discord.py takes for `part`, besides its content."""
    view = part.view()
    options: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if view is not None:
        options["view"] = view
    if files:
        options["files"] = attachments(files)
    try:
        yield options
    finally:
        if view is not None:
            view.stop()  # presses are read from each button's custom_id, not from memory


class DiscordPoster:
    def __init__(self, client: discord.Client) -> None:
        self.client = client
        # Each person's direct message channel with the bot, once opened.
        self._dm_channels: dict[str, int] = {}

    # -- where the person acted ------------------------------------------------------------------

    async def answer(
        self, interaction: discord.Interaction, part: DiscordMessage, files: Sequence[File], private: bool
    ) -> None:
        """The first answer to an interaction, or a follow-up; `private` only the person sees."""
        with _drawn(part, files) as options:
            if not interaction.response.is_done():
                await interaction.response.send_message(part.content or None, ephemeral=private, **options)
            else:
                await interaction.followup.send(part.content, ephemeral=private, **options)

    async def thinking(self, interaction: discord.Interaction, private: bool) -> None:
        """Discord shows "thinking" until the answer follows."""
        await interaction.response.defer(ephemeral=private, thinking=True)

    async def open_form(self, interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
        await interaction.response.send_modal(modal)
        modal.stop()  # its submission is read from its custom_id, not from memory

    # -- channels and direct messages ------------------------------------------------------------

    def opens_dm(self, target_kind: str, target_id: str) -> bool:
        """Whether reaching this target takes a request to open a direct message first."""
        return target_kind == "dm" and target_id not in self._dm_channels

    async def channel_for(self, target_kind: str, target_id: str) -> discord.PartialMessageable:
        """A channel by its id; a person's direct message with the bot, opened once."""
        if target_kind == "channel":
            return self.client.get_partial_messageable(int(target_id))
        known = self._dm_channels.get(target_id)
        if known is None:
            opened = await self.client.create_dm(discord.Object(int(target_id)))
            known = self._dm_channels[target_id] = opened.id
        return self.client.get_partial_messageable(known, type=discord.ChannelType.private)

    async def post(
        self, channel: discord.PartialMessageable, part: DiscordMessage, files: Sequence[File], nonce: str
    ) -> str:
        """One part of a message; returns its id. Discord enforces the nonce: a part sent again
        with the same one comes back as the message already made, not a second one."""
        with _drawn(part, files) as options:
            sent = await channel.send(part.content or None, nonce=nonce, **options)
        return str(sent.id)

    async def edit(self, channel: discord.PartialMessageable, message_id: str, drawn: DiscordMessage) -> None:
        with _drawn(drawn) as options:
            options.setdefault("view", None)  # no buttons now: those it had go
            await channel.get_partial_message(int(message_id)).edit(content=drawn.content, **options)
