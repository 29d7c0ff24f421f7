"""The outbox's sender for Slack: direct messages, channel posts, edits and files.

The outbox's dispatcher runs in the scheduler's threads; the sends run on the app's event loop,
through the same poster as the answers to events (adapters/slack/poster.py). A short rate limit
is waited out there; a longer one, or any refusal, raises SendFailed, so the row stays in the
outbox and is tried again later.

A 429 from Slack carries only Retry-After, so what it holds follows from the method's limit
(api.slack.com/apis/rate-limits): chat.postMessage's is about one message a second per channel,
so it holds that channel (or that person's conversation) alone; chat.update has a limit of its
own for the workspace, so it holds edits alone; any other method (opening a conversation, an
upload) holds every Slack send until Retry-After has passed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.platforms import on_loop
from adapters.slack.poster import SlackPoster, retry_after
from adapters.slack.render import render_message, render_whole
from bot.outbox import Delivery, Pace, SendFailed
from bot.words import translator


@dataclass
class _Progress:
    """What of one outbox row already reached Slack, so a retry sends only the rest."""

    posted: list[str] = field(default_factory=list)
    files: int = 0


# Refusals that trying again will not change: a channel gone or not joined, a person gone.
LASTING = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "account_inactive",
    "cannot_dm_bot",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
}


# What a 429 on chat.update holds: every edit in the workspace, nothing else.
EDITS = "chat.update"


def limit_scope(api_url: str, delivery: Delivery) -> str | None:
    """What a 429 on this call holds (see the module's docstring): the delivery's target, the
    edits, or (None) every send to Slack."""
    method = api_url.rstrip("/").rsplit("/", 1)[-1]
    if method == "chat.postMessage":
        return delivery.target_id
    return EDITS if method == EDITS else None


class SlackSender:
    # chat.postMessage: about one message a second into one channel, with short bursts.
    pace = Pace(per_target_per_second=1.0, target_burst=4)

    def __init__(self, poster: SlackPoster, loop: asyncio.AbstractEventLoop, language: str) -> None:
        self.poster = poster
        self.loop = loop
        self._ = translator(language)
        self._progress: dict[int, _Progress] = {}

    def send(self, delivery: Delivery) -> str | None:
        try:
            return on_loop(self.loop, self.deliver(delivery))
        except SlackApiError as error:
            reason = error.response.get("error") if isinstance(error.response.data, dict) else None
            status = error.response.status_code
            wait = retry_after(error.response.headers) if status == 429 else None
            scope = limit_scope(str(error.response.api_url), delivery) if status == 429 else None
            raise SendFailed(
                f"Slack said {reason or status}", wait, permanent=reason in LASTING, scope=scope
            ) from error
        except (SlackClientError, ClientError, OSError) as error:  # refused upload, no connection
            raise SendFailed(f"could not reach Slack: {type(error).__name__}") from error

    def scopes(self, delivery: Delivery) -> set[str]:
        """The limits, besides its channel's, that a delivery counts against (see limit_scope)."""
        return {EDITS} if delivery.edit_message_id and delivery.event is None else set()

    async def deliver(self, delivery: Delivery) -> str | None:
        if delivery.event is not None:
            return None  # Slack has no shared calendar of the workspace; calendar files serve
        channel = await self.poster.channel_for(delivery.target_kind, delivery.target_id)
        if delivery.edit_message_id:
            await self.poster.edit(channel, delivery.edit_message_id, render_whole(delivery.message, self._))
            return delivery.edit_message_id
        done = self._progress.setdefault(delivery.outbox_id, _Progress())
        for number, part in enumerate(render_message(delivery.message, self._)):
            if number < len(done.posted):
                continue  # went out on an earlier try
            done.posted.append(await self.poster.post(channel, part))
        for file in delivery.message.files[done.files :]:
            await self.poster.upload(channel, file)
            done.files += 1
        del self._progress[delivery.outbox_id]
        return done.posted[0] if done.posted else None
