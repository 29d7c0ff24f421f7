"""Every Slack call that shows something, for the answer to an event and for the outbox alike:
posting a part of a message, editing one, uploading a file, answering through a response URL,
opening a modal, publishing the App Home, and opening a person's direct message (once: the
channel is remembered for both paths).

One asynchronous client does it all, in the event loop of the app. A short rate limit is waited
out in place, as Slack's Retry-After says; a longer one raises, for the caller to decide.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import SlackMessage
from bot.conversation import File

log = logging.getLogger(__name__)

# Longer waits go back to the outbox rather than hold up every other message.
MAX_WAIT_SECONDS = 30
MAX_ALT_TEXT = 1000  # Slack's limit for an image's alt text
# A receipt is read before the modal is answered, and Slack waits 3 seconds for that answer: a
# slower download says so on the field, in time, rather than leave Slack showing an error.
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=2.5)
# Messages in one page of a channel's history (Slack gives at most 15 to some apps: see docs/slack.md).
HISTORY_PAGE = 100


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


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's rate-limit retry (it sleeps for Retry-After), only for a short Retry-After."""

    def __init__(self, max_wait_seconds: float = MAX_WAIT_SECONDS, max_retry_count: int = 2) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        wait = retry_after(response.headers)
        return wait is None or wait <= self.max_wait_seconds


def slack_client(token: str, api_url: str) -> AsyncWebClient:
    """The one client of the process: bolt's listeners, the replies and the outbox use it."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(), ShortRateLimitRetry()],
    )


class SlackPoster:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        # Each person's direct message channel with the bot, once opened.
        self._dm_channels: dict[str, str] = {}

    async def dm(self, user_id: str) -> str:
        """A person's direct message with the bot, opened once."""
        if user_id not in self._dm_channels:
            opened = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(opened["channel"]["id"])
        return self._dm_channels[user_id]

    async def channel_for(self, target_kind: str, target_id: str) -> str:
        """A channel's id as it is; a person's direct message with the bot."""
        return target_id if target_kind == "channel" else await self.dm(target_id)

    async def post(self, channel: str, part: SlackMessage, metadata: dict[str, Any] | None = None) -> str:
        """One part of a message, with Slack message metadata if given (the outbox's tag); returns
        its ts, Slack's id for an edit."""
        sent = await self.client.chat_postMessage(
            channel=channel,
            text=part.text,
            blocks=part.blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )
        return str(sent["ts"])

    async def history(
        self, channel: str, oldest: float, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a channel's or direct message's messages since `oldest` (Unix seconds),
        newest first, with their metadata; and the cursor of the next page, if there is one."""
        page = await self.client.conversations_history(
            channel=channel,
            oldest=f"{oldest:.6f}",
            limit=HISTORY_PAGE,
            include_all_metadata=True,
            cursor=cursor,
        )
        following = (page.get("response_metadata") or {}).get("next_cursor")
        return list(page.get("messages") or []), (following if page.get("has_more") and following else None)

    async def edit(self, channel: str, ts: str, drawn: SlackMessage) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=drawn.text, blocks=drawn.blocks)

    async def upload(self, channel: str, file: File) -> None:
        """A file in a channel. What it shows in words (a chart's numbers) is the image's alt text
        and the message posted with it, so a screen reader says it too."""
        words = file.description or None
        await self.client.files_upload_v2(
            channel=channel,
            content=file.content,
            filename=file.name,
            title=file.name,
            alt_txt=words[:MAX_ALT_TEXT] if words else None,
            initial_comment=words,
        )

    async def download(self, file_id: str, most: int) -> File:
        """A file someone uploaded in a form (a receipt): files.info, then its bytes, with the bot
        token, read up to `most` bytes (past that the form refuses it, and more is not needed)."""
        found = (await self.client.files_info(file=file_id))["file"]
        url = str(found.get("url_private_download") or found.get("url_private") or "")
        if not self._slacks_own(url):
            raise ValueError("a file's download address is not Slack's: the token stays here")
        headers = {"Authorization": f"Bearer {self.client.token}"}
        async with (
            aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
            session.get(url, headers=headers) as got,
        ):
            got.raise_for_status()
            content = bytearray()
            while len(content) < most and (chunk := await got.content.read(most - len(content))):
                content += chunk
        name = str(found.get("name") or found.get("title") or file_id)
        return File(name, str(found.get("mimetype") or "application/octet-stream"), bytes(content))

    def _slacks_own(self, url: str) -> bool:
        """The bot token goes only to Slack: an https address on slack.com, or the API's own host
        (a local Slack in tests)."""
        host = urlsplit(url).hostname or ""
        if host == urlsplit(self.client.base_url).hostname:
            return True
        return urlsplit(url).scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))

    async def answer(self, response_url: str, part: SlackMessage, visible: bool) -> bool:
        """Where the person acted, for all there (`visible`) or for them alone. False when Slack
        did not take it: a response URL lasts 30 minutes and 5 answers."""
        try:
            answered = await AsyncWebhookClient(response_url).send(
                text=part.text,
                blocks=part.blocks,
                response_type="in_channel" if visible else "ephemeral",
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
            status: Any = answered.status_code
        except Exception as problem:  # no answer at all: the caller still has the direct message
            status = problem
        if status == 200:
            return True
        log.info("response_url did not take the answer (%s)", status)
        return False

    async def open_form(self, trigger_id: str, view: dict[str, Any]) -> bool:
        """A modal; False when Slack would not open it (its trigger lasts 3 seconds)."""
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
            return True
        except SlackApiError as problem:
            log.info("could not open a modal: %s", problem.response.get("error"))
            return False

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self.client.views_publish(user_id=user_id, view=view)
