"""Slack through slack-bolt's AsyncApp: slash commands, buttons, modals, the App Home and direct
messages become core events; the core's replies are drawn back into Slack, through the poster
the outbox uses too. `SlackPlatform` is how `partnerbot run` starts and stops it.

The adapter translates and draws, nothing more: it holds no rule and makes no database call.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.platforms import NotStarted, Started, secret
from adapters.slack import translate
from adapters.slack.poster import SlackPoster, slack_client
from adapters.slack.render import (
    Origin,
    SlackMessage,
    read_metadata,
    render_errors,
    render_home,
    render_message,
    render_modal,
)
from adapters.slack.sender import SlackSender
from bot.conversation import MAX_FILE_BYTES, Button, Event, File, Form, FormSubmit, Message, Reply, Who
from bot.core import Bot
from bot.settings import Settings
from bot.words import Translate, translator

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
REMEMBERED = 2000  # people's names and zones, and event ids already handled


class _OurClientOnPurpose(logging.Filter):
    """bolt also reads SLACK_BOT_TOKEN from the environment and warns that our client (with the
    configured SLACK_API_URL and retry handlers) wins over it. It does, on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_OurClientOnPurpose())


@dataclass(frozen=True)
class Place:
    """Where to answer the person who acted."""

    user_id: str
    channel_id: str = ""
    # Slack's URL for answering an interaction where it happened (slash commands, buttons).
    response_url: str = ""
    # Lets a modal open for a few seconds after the interaction.
    trigger_id: str = ""
    # Pressed on the App Home, which is drawn again afterwards.
    home: bool = False

    @property
    def in_dm(self) -> bool:
        return self.channel_id.startswith("D")


class SlackAdapter:
    def __init__(self, bot: Bot, client: AsyncWebClient, signing_secret: str = "") -> None:
        self.bot = bot
        self.client = client
        self.poster = SlackPoster(client)
        self._ = translator(bot.settings.default_language)
        self._people: OrderedDict[str, translate.Profile] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        # process_before_response=True: Slack's answer goes back the moment a listener returns,
        # not on bolt's 10 ms poll for ack(). A listener does only the fast part in line (a
        # cached name, one core turn: a short transaction) and hands the Slack calls that show
        # the reply to a task that runs after the ack. Messages for other people, files and
        # anything slow are in the outbox already, sent by the scheduler.
        self.app = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            process_before_response=True,
            request_verification_enabled=True,
        )
        self.app.middleware(self._once_per_event)
        # One listener for every command: bolt tries its listeners in turn, each with its own
        # matching work, so one per command made the last of twenty cost twenty tries.
        ours = "|".join(re.escape(name) for name in bot.features.commands)
        self.app.command(re.compile(f"^/(?:{ours})$"))(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.view_submission(re.compile(".+"))(self._on_submit)
        self.app.event("app_home_opened")(self._on_home)
        self.app.event("message")(self._on_message)

    # -- listeners ---------------------------------------------------------------------------

    async def _once_per_event(
        self, body: dict[str, Any], request: AsyncBoltRequest, next_: Any
    ) -> BoltResponse | None:
        """Slack sends an event again when it thinks we missed it: handle each event once, in
        whichever process it reaches (the core remembers it in the database)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.to_thread(self.bot.first_time, "slack", str(event_id)):
            retry = request.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("event %s came again (retry %s); it was handled already", event_id, retry)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        someone = await self._who(translate.team_of(body), body["user_id"], body.get("user_name", ""))
        names = await self._names(translate.mentioned_ids(body.get("text") or ""))
        reply = await self._handle(translate.slash_command(body, someone, names))
        place = Place(
            someone.account.user_id,
            body.get("channel_id", ""),
            body.get("response_url", ""),
            body.get("trigger_id", ""),
        )
        # A slash command's ack may carry the answer, shown as a post to the response URL would be
        # (the ack goes back when this listener returns, see __init__): one request, not two.
        part, private = self._in_one_part(reply)
        if part is None:
            await ack()
            self._later(self._show(reply, place, someone))
            return
        visible = place.in_dm or not private
        await ack(
            text=part.text,
            blocks=part.blocks,
            response_type="in_channel" if visible else "ephemeral",
            unfurl_links=False,
            unfurl_media=False,
        )

    def _in_one_part(self, reply: Reply) -> tuple[SlackMessage | None, bool]:
        """The reply as one Slack message, and whether it is private, when that is all it is: no
        file, no form, nothing more to draw. (None, _) for anything else."""
        if len(reply.messages) != 1 or reply.form is not None:
            return None, True
        [message] = reply.messages
        if message.files:
            return None, True
        parts = render_message(message, self.words(reply))
        return (parts[0], message.private) if len(parts) == 1 else (None, True)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        view = body.get("view") or {}
        if view.get("type") == "modal":
            return  # our modals hold only fields; their answers come with the submission
        user = body.get("user") or {}
        someone = await self._who(translate.team_of(body), user.get("id", ""), user.get("name", ""))
        reply = await self._handle(translate.button_press(body, action, someone))
        place = Place(
            someone.account.user_id,
            (body.get("channel") or {}).get("id", ""),
            body.get("response_url", ""),
            body.get("trigger_id", ""),
            home=view.get("type") == "home",
        )
        self._later(self._show(reply, place, someone))

    async def _on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A page of a form: the next page, the same page with what to put right, or done."""
        user = body.get("user") or {}
        someone = await self._who(translate.team_of(body), user.get("id", ""), user.get("name", ""))
        submitted = translate.form_submit(body, someone)
        uploaded = translate.uploaded_files(view)
        if uploaded:
            try:
                submitted = await self._with_files(submitted, uploaded)
            except Exception as problem:  # Slack's answer or the connection; the modal stays open
                log.warning("could not fetch a file from a form: %s", type(problem).__name__)
                sorry = self._("I could not fetch that file from Slack. Please try again in a minute.")
                await ack(response_action="errors", errors={name: sorry for name in uploaded})
                return
        reply = await self._handle(submitted)
        _page, origin = read_metadata(view.get("private_metadata", ""))
        if reply.form is not None:
            errors = render_errors(reply)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            drawn = render_modal(reply.form, origin, self.words(reply), notes=reply.messages)
            await ack(response_action="update", view=drawn)
            return
        await ack()
        place = Place(someone.account.user_id, origin.channel_id, origin.response_url)
        self._later(self._show(reply, place, someone))

    async def _with_files(self, submitted: FormSubmit, uploaded: dict[str, str]) -> FormSubmit:
        """The submission with the bytes of each file uploaded in it (at most one byte past the
        limit: the form refuses a bigger file kindly)."""
        files = {name: await self.poster.download(file_id, MAX_FILE_BYTES + 1) for name, file_id in uploaded.items()}
        values = {**submitted.values, **{name: file.name for name, file in files.items()}}
        return replace(submitted, values=values, files=files)

    async def _on_home(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        someone = await self._who(translate.team_of(body), event.get("user", ""))
        self._later(self._publish_home(someone))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A line typed in the direct message with the bot, read as a command."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        if not event.get("user"):
            return
        team = translate.team_of(body)
        someone = await self._who(team, event["user"])
        names = await self._names(translate.mentioned_ids(event.get("text") or ""))
        reply = await self._handle(translate.direct_message(event, team, someone, names))
        self._later(self._show(reply, Place(someone.account.user_id, event.get("channel", "")), someone))

    # -- the person ----------------------------------------------------------------------------

    async def _who(self, team_id: str, user_id: str, name_hint: str = "") -> Who:
        return translate.who(team_id, user_id, await self._profile(user_id, name_hint))

    async def _profile(self, user_id: str, name_hint: str = "") -> translate.Profile:
        """Their name and time zone from users.info, asked once and remembered."""
        known = self._people.get(user_id)
        if known is not None:
            self._people.move_to_end(user_id)
            return known
        try:
            found = await self.client.users_info(user=user_id)
        except Exception as problem:  # a name is not worth failing a turn for
            # Slack's error code, or the kind of failure: the whole error quotes Slack's answer.
            reason = problem.response.get("error") if isinstance(problem, SlackApiError) else None
            log.warning("users.info for %s did not answer: %s", user_id, reason or type(problem).__name__)
            return translate.Profile(name_hint or user_id)
        profile = translate.profile_from_user(found["user"])
        self._remember(self._people, user_id, profile)
        return profile

    async def _names(self, user_ids: Sequence[str]) -> dict[str, str]:
        return {user_id: (await self._profile(user_id)).name for user_id in user_ids}

    def _remember(self, store: OrderedDict[str, Any], key: str, value: Any) -> None:
        store[key] = value
        while len(store) > REMEMBERED:
            store.popitem(last=False)

    async def _handle(self, event: Event) -> Reply:
        # The core is synchronous (a database transaction): keep it off the event loop.
        return await asyncio.to_thread(self.bot.handle, event)

    # -- after the ack -------------------------------------------------------------------------

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("could not show a reply in Slack")

    async def settle(self, timeout: float = 10) -> None:
        """Wait for replies still being shown (for a clean stop, and for tests)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        """Show the replies still on their way, then let go of the poster's connections."""
        await self.settle()
        await self.poster.close()

    def words(self, reply: Reply) -> Translate:
        """The adapter's own words around a reply, in the language of the person it answers."""
        return translator(reply.language) if reply.language else self._

    async def _show(self, reply: Reply, place: Place, someone: Who) -> None:
        _ = self.words(reply)
        for message in reply.messages:
            for part in render_message(message, _):
                await self._post(place, part, private=message.private)
            if message.files:
                await self._upload(place.user_id, message.files)
        if any(m.files for m in reply.messages) and not place.in_dm:
            # Files go to their direct message: say so where they are, once for the reply.
            where = Message((_("Your file is in your direct message with me."),))
            for part in render_message(where, _):
                await self._post(place, part, private=True)
        if reply.form is not None:
            await self._open_form(reply.form, place, _)
        if place.home:
            await self._publish_home(someone)

    async def _post(self, place: Place, part: SlackMessage, private: bool) -> None:
        """Where the person acted when Slack allows it; otherwise in their direct message."""
        visible = place.in_dm or not private
        if place.response_url and await self.poster.answer(place.response_url, part, visible):
            return
        channel = place.channel_id if place.channel_id and visible else await self.poster.dm(place.user_id)
        await self.poster.post(channel, part)

    async def _upload(self, user_id: str, files: Sequence[File]) -> None:
        """Files (a calendar file, an export) go to the person's direct message: they are theirs."""
        channel = await self.poster.dm(user_id)
        for file in files:
            await self.poster.upload(channel, file)

    async def _open_form(self, form: Form, place: Place, _: Translate) -> None:
        origin = Origin(place.channel_id, place.response_url)
        if place.trigger_id and await self.poster.open_form(place.trigger_id, render_modal(form, origin, _)):
            return
        # No trigger (a typed direct message), or too late: a button opens the form, from its first page.
        offer = Message(
            (_("Press the button to open the form."),),
            buttons=(Button(form.title, form.form_id, style="primary"),),
        )
        for part in render_message(offer, _):
            await self._post(place, part, private=True)

    async def _publish_home(self, someone: Who) -> None:
        reply = await self._handle(translate.home_opened(someone))
        await self.poster.publish_home(someone.account.user_id, render_home(reply, self.words(reply)))


# ---- starting it ------------------------------------------------------------------------------


async def start_http(adapter: SlackAdapter, host: str, port: int) -> web.AppRunner:
    """bolt's aiohttp app (request signatures checked) on POST /slack/events."""
    runner = web.AppRunner(adapter.app.web_app(path=EVENTS_PATH, port=port))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def start_socket_mode(adapter: SlackAdapter, app_token: str) -> AsyncSocketModeHandler:
    handler = AsyncSocketModeHandler(adapter.app, app_token)
    await handler.connect_async()
    return handler


class SlackPlatform:
    """Slack for `partnerbot run`: Socket Mode with an app token, else HTTP mode."""

    name = "slack"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ = translator(settings.default_language)
        self.adapter: SlackAdapter | None = None
        self._closing: list[Callable[[], Awaitable[None]]] = []

    async def start(self, bot: Bot, stop: asyncio.Event) -> Started:
        settings, _ = self.settings, self._
        client = slack_client(secret(settings.slack_bot_token), settings.slack_api_url)
        try:
            await client.auth_test()
        except SlackApiError as problem:
            raise NotStarted(
                _(
                    "Slack did not accept the bot token ({reason}). Please check SLACK_BOT_TOKEN.",
                    reason=problem.response.get("error"),
                )
            ) from problem
        except Exception as problem:
            raise NotStarted(
                _("I could not reach Slack at {url}. Please check SLACK_API_URL.", url=settings.slack_api_url)
            ) from problem
        self.adapter = adapter = SlackAdapter(bot, client, secret(settings.slack_signing_secret))
        sender = SlackSender(adapter.poster, asyncio.get_running_loop(), settings.default_language)
        if settings.slack_app_token:
            try:
                handler = await start_socket_mode(adapter, secret(settings.slack_app_token))
            except SlackApiError as problem:
                raise NotStarted(
                    _(
                        "Slack did not accept the app-level token ({reason}). Please check SLACK_APP_TOKEN.",
                        reason=problem.response.get("error"),
                    )
                ) from problem
            self._closing.append(handler.close_async)
            return Started(_("Connected to Slack in Socket Mode. Press Ctrl+C to stop."), sender)
        runner = await start_http(adapter, settings.slack_host, settings.slack_port)
        self._closing.append(runner.cleanup)
        address = f"http://{settings.slack_host}:{settings.slack_port}{EVENTS_PATH}"
        return Started(_("Waiting for Slack at {address}. Press Ctrl+C to stop.", address=address), sender)

    async def stop(self) -> None:
        while self._closing:
            await self._closing.pop()()
        if self.adapter is not None:
            await self.adapter.close()
