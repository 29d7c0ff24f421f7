"""The outbox's sender for Slack: direct messages, channel posts, edits and files.

A short rate limit is waited out in place (slack_sdk's handler, honouring Retry-After); a longer
one, or any refusal, raises SendFailed, so the row stays in the outbox and is tried again later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.slack.render import render_message, render_whole
from bot.outbox import Delivery, Pace, SendFailed
from bot.words import translator

log = logging.getLogger(__name__)

# Longer waits go back to the outbox rather than hold up every other message.
MAX_WAIT_SECONDS = 30


def retry_after(headers: Any) -> float | None:
    """Slack's Retry-After, in seconds, from any of the header shapes slack_sdk hands over."""
    for key, value in dict(headers or {}).items():
        if key.lower() == "retry-after":
            found = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(found)
            except (TypeError, ValueError):
                return None
    return None


class ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """slack_sdk's rate-limit retry (it sleeps for Retry-After), only for a short Retry-After."""

    def __init__(self, max_wait_seconds: float = MAX_WAIT_SECONDS, max_retry_count: int = 2) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        wait = retry_after(response.headers)
        return wait is None or wait <= self.max_wait_seconds


def web_client(token: str, api_url: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[ConnectionErrorRetryHandler(), ShortRateLimitRetry()],
    )


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


class SlackSender:
    # chat.postMessage: about one message a second into one channel, with short bursts.
    pace = Pace(per_target_per_second=1.0, target_burst=4)

    def __init__(self, client: WebClient, language: str) -> None:
        self.client = client
        self._ = translator(language)
        self._dm_channels: dict[str, str] = {}
        self._progress: dict[int, _Progress] = {}

    def send(self, delivery: Delivery) -> str | None:
        try:
            return self._send(delivery)
        except SlackApiError as error:
            reason = error.response.get("error") if isinstance(error.response.data, dict) else None
            status = error.response.status_code
            wait = retry_after(error.response.headers) if status == 429 else None
            raise SendFailed(f"Slack said {reason or status}", wait, permanent=reason in LASTING) from error
        except (SlackClientError, OSError) as error:  # refused upload, no connection
            raise SendFailed(f"could not reach Slack: {type(error).__name__}") from error

    def _send(self, delivery: Delivery) -> str | None:
        if delivery.event is not None:
            return None  # Slack has no shared calendar of the workspace; calendar files serve
        channel = self.channel_for(delivery.target_kind, delivery.target_id)
        if delivery.edit_message_id:
            drawn = render_whole(delivery.message, self._)
            self.client.chat_update(
                channel=channel, ts=delivery.edit_message_id, text=drawn.text, blocks=drawn.blocks
            )
            return delivery.edit_message_id
        done = self._progress.setdefault(delivery.outbox_id, _Progress())
        for number, part in enumerate(render_message(delivery.message, self._)):
            if number < len(done.posted):
                continue  # went out on an earlier try
            sent = self.client.chat_postMessage(
                channel=channel, text=part.text, blocks=part.blocks, unfurl_links=False, unfurl_media=False
            )
            done.posted.append(str(sent["ts"]))
        for file in delivery.message.files[done.files :]:
            self.client.files_upload_v2(
                channel=channel, content=file.content, filename=file.name, title=file.name
            )
            done.files += 1
        del self._progress[delivery.outbox_id]
        return done.posted[0] if done.posted else None

    def channel_for(self, target_kind: str, target_id: str) -> str:
        """A channel's id as it is; a person's direct message with the bot, opened once."""
        if target_kind == "channel":
            return target_id
        if target_id not in self._dm_channels:
            opened = self.client.conversations_open(users=target_id)
            self._dm_channels[target_id] = str(opened["channel"]["id"])
        return self._dm_channels[target_id]
