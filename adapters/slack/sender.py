"""The outbox's sender for Slack: direct messages, channel posts, edits and files.

The outbox's dispatcher runs in the scheduler's threads; the sends run on the app's event loop,
through the same poster as the answers to events (adapters/slack/poster.py). A short rate limit
is waited out there; a longer one, or any refusal, raises SendFailed, so the row stays in the
outbox and is tried again later.

Each part of a message goes with Slack message metadata naming its outbox row and part. A row
whose dispatcher died in the middle of sending it (the outbox says so) is looked for in the
channel's history first, and only the parts not there are posted: a crash between Slack taking a
message and the row being marked sent does not show it twice. Files cannot carry metadata; see
docs/slack.md for that gap.

A 429 from Slack carries only Retry-After, so what it holds follows from the method's limit
(api.slack.com/apis/rate-limits): chat.postMessage's is about one message a second per channel,
so it holds that channel (or that person's conversation) alone; chat.update has a limit of its
own for the workspace, so it holds edits alone; any other method (opening a conversation, an
upload) holds every Slack send until Retry-After has passed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.platforms import on_loop
from adapters.slack.poster import SlackPoster, retry_after
from adapters.slack.render import render_message, render_whole
from bot.outbox import Delivery, Pace, SendFailed
from bot.words import translator

log = logging.getLogger(__name__)

# The event type of the metadata on each part of an outbox message.
OUTBOX_EVENT = "partnerbot_outbox"
# Our clock and Slack's may differ a little: look back a minute further than the row's making.
CLOCK_MARGIN = timedelta(minutes=1)
# How many pages of a channel's history to read at most, looking for what went out already.
HISTORY_PAGES = 5


@dataclass
class _Progress:
    """What of one outbox row already reached Slack, so a retry sends only the rest."""

    posted: dict[int, str] = field(default_factory=dict)  # part number -> its ts
    files: int = 0
    # Set when some of it may have reached Slack unseen (a dispatcher died mid-send): look in the
    # channel's history since then before posting. Kept until the history has been read, with the
    # page to read next, so a rate limit in the middle does not start the reading over.
    look_since: datetime | None = None
    look_cursor: str | None = None
    pages: int = 0


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
        # Our own words around the message ("Continued in the next message.") in the language it
        # was written in: its reader's for a direct message; the service's when the row says none.
        _ = translator(delivery.language) if delivery.language else self._
        if delivery.edit_message_id:
            await self.poster.edit(channel, delivery.edit_message_id, render_whole(delivery.message, _))
            return delivery.edit_message_id
        done = self._progress.setdefault(delivery.outbox_id, _Progress())
        if delivery.maybe_sent_since is not None:
            done.look_since = delivery.maybe_sent_since
        parts = render_message(delivery.message, _)
        if done.look_since is not None:
            await self.look_back(channel, delivery.outbox_id, len(parts), done)
        for number, part in enumerate(parts):
            if number in done.posted:
                continue  # went out on an earlier try
            done.posted[number] = await self.poster.post(channel, part, tag(delivery.outbox_id, number))
        for file in delivery.message.files[done.files :]:
            await self.poster.upload(channel, file)
            done.files += 1
        del self._progress[delivery.outbox_id]
        return done.posted.get(0)

    async def look_back(self, channel: str, outbox_id: int, parts: int, done: _Progress) -> None:
        """Take the ts of each part of this row that the channel already shows, so it is not
        posted again: newest first, until every part is found or the history since the row was
        made is read (at most HISTORY_PAGES pages). A long rate limit or no connection raises
        (read on at the next try); a history Slack will not give (a scope missing, say) means
        sending: twice rather than never, with one line in the log."""
        assert done.look_since is not None
        oldest = (done.look_since - CLOCK_MARGIN).timestamp()
        while any(number not in done.posted for number in range(parts)):
            if done.pages == HISTORY_PAGES:
                log.warning(
                    "outbox %s: Slack's history of %s since it was made is longer than the bot reads; "
                    "what was not found is sent and may show twice",
                    outbox_id,
                    channel,
                )
                break
            try:
                messages, following = await self.poster.history(channel, oldest, done.look_cursor)
            except SlackApiError as error:
                if error.response.status_code == 429:
                    raise
                log.warning(
                    "could not read Slack's history of %s (%s): outbox %s is sent again and may show twice",
                    channel,
                    error.response.get("error"),
                    outbox_id,
                )
                break
            done.pages += 1
            for message in messages:
                if (number := tagged_part(message, outbox_id)) is not None:
                    done.posted.setdefault(number, str(message["ts"]))
            if following is None:
                break
            done.look_cursor = following
        done.look_since, done.look_cursor, done.pages = None, None, 0


def tag(outbox_id: int, part: int) -> dict[str, Any]:
    """Slack message metadata naming one part of one outbox row (no words of the message)."""
    return {"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": outbox_id, "part": part}}


def tagged_part(message: dict[str, Any], outbox_id: int) -> int | None:
    """Which part of outbox row `outbox_id` a message from the history is, if it is one."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != OUTBOX_EVENT or str(payload.get("outbox_id")) != str(outbox_id):
        return None
    try:
        return int(payload["part"])
    except (KeyError, TypeError, ValueError):
        return None
