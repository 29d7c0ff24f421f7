"""A local Slack for the Slack adapter's tests, after bolt-python's own `mock_web_api_server`.

`FakeSlack` plays Slack's Web API, response URLs, file uploads and the Socket Mode websocket on
127.0.0.1. It records every call, refuses blocks outside Slack's limits as Slack does
(`invalid_blocks`), and can be told to answer the next call to a method with a 429 or an error,
or to keep it waiting. It keeps each channel's messages, as `conversations.history` serves them:
with their message metadata only when asked to `include_all_metadata`, as Slack does.
`SlackWorld` runs the real bolt app (HTTP mode) against it and sends it signed requests, as
Slack would. Nothing here leaves the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackAdapter, start_http
from adapters.slack.poster import slack_client
from adapters.slack.sender import SlackSender
from bot.clock import Clock
from bot.core import Bot
from bot.outbox import dispatch_due

TEAM = "T1"
BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SECRET = "test-signing-secret"
BOT_USER = "UBOT"

# Slack's users.info for the people in these tests: their names and time zones.
PEOPLE = {
    "UADA": ("Ada", "Europe/London"),
    "UCORA": ("Cora", "Europe/London"),
    "UJO": ("Jo", "Europe/London"),
    "UPRIYA": ("Priya", "America/Toronto"),
    "ULOU": ("Lou", "Europe/London"),
    "UALEX": ("Alex", "Europe/London"),
    # Two real people Slack shows with one name.
    "UPP1": ("Priya Patel", "Europe/London"),
    "UPP2": ("Priya Patel", "Europe/London"),
}


@dataclass
class Call:
    """One request that reached the fake: a Web API method, a response URL or an upload."""

    method: str
    args: dict[str, Any]
    status: int = 200
    error: str = ""
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


@dataclass
class Held:
    """A call the fake keeps waiting, unanswered: `arrived` is set when it comes, and it is
    answered once the test calls `answer()`."""

    loop: asyncio.AbstractEventLoop
    arrived: threading.Event = field(default_factory=threading.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self) -> None:
        self.loop.call_soon_threadsafe(self.released.set)


@dataclass
class Failure:
    status: int = 200
    error: str = ""
    retry_after: int | None = None


# ---- Slack's limits, checked as Slack checks them ----------------------------------------------


def limits_problem(blocks: list[dict[str, Any]], most: int) -> str:
    """What Slack would refuse in these blocks, or "" when they are fine."""
    if len(blocks) > most:
        return f"{len(blocks)} blocks, more than {most}"
    seen_actions: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind == "section" and not 0 < len(text) <= 3000:
            return f"a section of {len(text)} characters"
        elements = block.get("elements") or []
        if kind == "actions" and not 0 < len(elements) <= 25:
            return f"{len(elements)} elements in one actions block"
        if kind == "input":
            elements = [block["element"]]
            if not block.get("block_id"):
                return "an input without a block_id"
            if problem := number_problem(block["element"]):
                return problem
        for element in elements:
            label = (element.get("text") or {}).get("text", "") if element.get("type") == "button" else ""
            if len(label) > 75:
                return f"a button label of {len(label)} characters"
            options = element.get("options") or []
            if len(options) > 100:
                return f"{len(options)} options"
            if any(len(o["text"]["text"]) > 75 for o in options):
                return "an option longer than 75 characters"
            action_id = element.get("action_id")
            if kind != "input" and action_id:
                if action_id in seen_actions:
                    return f"action_id {action_id} twice"
                seen_actions.add(action_id)
    return ""


def number_problem(element: dict[str, Any]) -> str:
    """What Slack would refuse in a number input: its bounds and first value are strings, of
    whole numbers when decimals are not allowed, and the first value is within the bounds."""
    if element.get("type") != "number_input":
        return ""
    if not isinstance(element.get("is_decimal_allowed"), bool):
        return "a number input without is_decimal_allowed"
    found = {}
    for part in ("min_value", "max_value", "initial_value"):
        if part not in element:
            continue
        if not isinstance(element[part], str):
            return f"{part} is not a string"
        try:
            found[part] = float(element[part])
        except ValueError:
            return f"{part} {element[part]!r} is not a number"
        if not element["is_decimal_allowed"] and not found[part].is_integer():
            return f"{part} {element[part]!r} is not a whole number"
    low, high = found.get("min_value", -math.inf), found.get("max_value", math.inf)
    if low > high or not low <= found.get("initial_value", low) <= high:
        return "a number input's initial_value is outside its bounds"
    return ""


def view_problem(view: dict[str, Any]) -> str:
    for part in ("title", "submit", "close"):
        words = (view.get(part) or {}).get("text", "")
        if len(words) > 24:
            return f"a {part} of {len(words)} characters"
    if len(view.get("private_metadata", "")) > 3000:
        return "private_metadata too long"
    return limits_problem(view.get("blocks", []), 100)


def message_problem(args: dict[str, Any]) -> str:
    if not args.get("text"):
        return "no text fallback"
    return limits_problem(args.get("blocks") or [], 50)


# ---- the fake ---------------------------------------------------------------------------------


class FakeSlack:
    def __init__(self, clock: Clock | None = None) -> None:
        # Slack's own time, for the ts of each message (`conversations.history` reads it); without
        # a clock, every ts is in the same second of 2023.
        self.clock = clock
        self.calls: list[Call] = []
        # Each channel's messages, oldest first, as Slack keeps them.
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.failures: dict[str, list[Failure | None]] = {}
        self.uploads: dict[str, bytes] = {}
        # Each file the bot uploaded, by file id: its filename and alt text (files.getUploadURLExternal),
        # then its title, channel and the words posted with it (files.completeUploadExternal).
        self.files: dict[str, dict[str, Any]] = {}
        # Files people uploaded in a modal (a receipt), which the bot may read: id -> (name, mimetype, bytes).
        self.offered: dict[str, tuple[str, str, bytes]] = {}
        self.elsewhere: set[str] = set()
        # The Authorization header of each download of an offered file, in order.
        self.downloads: list[str] = []
        # Response URLs that Slack no longer takes (they last 30 minutes and 5 answers).
        self.expired: set[str] = set()
        self.envelopes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.port = 0
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._held: dict[str, Held] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Without its trailing "/", on purpose: the adapter must add it."""
        return f"{self.base}/api"

    def response_url(self, key: str) -> str:
        return f"{self.base}/response/{key}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/download/{file_id}/{name}", self._download)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests ask of it -------------------------------------------------------------------

    def hold(self, method: str) -> Held:
        """Keep the next call to `method` waiting, unanswered, until the test answers it."""
        held = self._held[method] = Held(self._loop)
        return held

    def fail(self, method: str, *failures: Failure | None) -> None:
        """Answer the next calls to `method` with these failures, in order (None: that call is
        answered as usual)."""
        self.failures.setdefault(method, []).extend(failures)

    def made(self, method: str) -> list[dict[str, Any]]:
        """The arguments of each accepted call to `method`, in order."""
        return [c.args for c in self.calls if c.method == method and c.ok]

    def replies(self, key: str = "") -> list[dict[str, Any]]:
        """What was posted to response URLs (one key, or all)."""
        return [
            c.args for c in self.calls if c.method == "response_url" and (not key or c.args["key"] == key)
        ]

    def posts_in(self, channel: str) -> list[dict[str, Any]]:
        return [a for a in self.made("chat.postMessage") if a["channel"] == channel]

    def stamps_in(self, channel: str) -> list[str]:
        """Slack's ts of each message posted in `channel`: its id for an edit."""
        return [
            c.answer["ts"]
            for c in self.calls
            if c.method == "chat.postMessage" and c.ok and c.args["channel"] == channel
        ]

    def forget(self) -> None:
        self.calls.clear()

    def offer(self, name: str, mimetype: str, content: bytes, elsewhere: bool = False) -> dict[str, Any]:
        """A file someone uploads in a modal's file input: its file object, as a submission holds it.
        `elsewhere`: files.info names a download address on another host (this same fake, by
        another name), as a forged or changed answer would."""
        file_id = f"FUP{next(self._ts)}"
        self.offered[file_id] = (name, mimetype, content)
        if elsewhere:
            self.elsewhere.add(file_id)
        return self._file_object(file_id)

    def _file_object(self, file_id: str) -> dict[str, Any]:
        name, mimetype, content = self.offered[file_id]
        base = f"http://localhost:{self.port}" if file_id in self.elsewhere else self.base
        url = f"{base}/download/{file_id}/{urllib.parse.quote(name)}"
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "size": len(content),
            "url_private": url,
            "url_private_download": url + "?download=1",
        }

    # -- the Web API ----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        held = self._held.pop(method, None)
        if held is not None:
            held.arrived.set()
            await held.released.wait()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = args.pop("token", token)
        waiting = self.failures.get(method)
        failure = waiting.pop(0) if waiting else None
        if failure is not None:
            self.calls.append(Call(method, args, failure.status, failure.error or "ratelimited"))
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status != 200:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=failure.status, headers=headers
                )
            return web.json_response({"ok": False, "error": failure.error})
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            self.calls.append(Call(method, args, 200, "invalid_auth"))
            return web.json_response({"ok": False, "error": "invalid_auth"})
        problem = ""
        if method == "files.info" and args.get("file") not in self.offered:
            self.calls.append(Call(method, args, 200, "file_not_found"))
            return web.json_response({"ok": False, "error": "file_not_found"})
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            problem = message_problem(args)
        elif method.startswith("views."):
            problem = view_problem(args["view"])
        if problem:
            self.calls.append(Call(method, args, 200, "invalid_blocks"))
            return web.json_response({"ok": False, "error": "invalid_blocks", "detail": problem})
        answer = self._answer(method, args)
        self.calls.append(Call(method, args, answer=answer))
        return web.json_response({"ok": True, **answer})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "team": "Test",
                "team_id": TEAM,
                "user": "partnerbot",
                "user_id": BOT_USER,
                "bot_id": "BBOT",
            }
        if method == "users.info":
            name, zone = PEOPLE.get(args["user"], (args["user"].title(), "Europe/London"))
            profile = {"display_name": name, "real_name": f"{name} Example"}
            return {"user": {"id": args["user"], "name": name.lower(), "tz": zone, "profile": profile}}
        if method == "conversations.open":
            return {"channel": {"id": "D" + args["users"]}}
        if method == "chat.postMessage":
            ts = self._stamp()
            self._keep(args["channel"], ts, text=args.get("text"), blocks=args.get("blocks"), metadata=args.get("metadata"))
            return {"channel": args["channel"], "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.update":
            for kept in self.history.get(args["channel"], []):
                if kept["ts"] == args["ts"]:
                    kept.update(text=args.get("text"), blocks=args.get("blocks"))
            return {"channel": args["channel"], "ts": args["ts"], "message": {"text": args.get("text")}}
        if method == "conversations.history":
            return self._history(args)
        if method.startswith("views."):
            return {"view": {**args["view"], "id": "V1"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            self.files[file_id] = {"filename": args.get("filename"), "alt_txt": args.get("alt_txt")}
            return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            for f in args["files"]:
                self.files.setdefault(f["id"], {}).update(
                    title=f.get("title"),
                    channel=args.get("channel_id"),
                    initial_comment=args.get("initial_comment"),
                )
            if args.get("channel_id"):  # shared in the channel: a message with the files, no metadata
                shared = [{"id": f["id"], "name": self.files[f["id"]].get("filename")} for f in args["files"]]
                self._keep(args["channel_id"], self._stamp(), text=args.get("initial_comment") or "", files=shared, upload=True)
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]]}
        if method == "files.info":
            if args.get("file") not in self.offered:
                return {}
            return {"file": self._file_object(args["file"])}
        if method == "apps.connections.open":
            return {"url": f"ws://127.0.0.1:{self.port}/link"}
        return {}

    def _stamp(self) -> str:
        """A new message's ts: Slack's time in seconds, then a number that makes it unique."""
        seconds = int(self.clock.now().timestamp()) if self.clock is not None else 1700000000
        return f"{seconds}.{next(self._ts):06d}"

    def _keep(self, channel: str, ts: str, **message: Any) -> None:
        """A message the bot posted, as the channel's history shows it."""
        kept = {"type": "message", "ts": ts, "user": BOT_USER, "bot_id": "BBOT", "app_id": "A1"}
        self.history.setdefault(channel, []).append(kept | {k: v for k, v in message.items() if v is not None})

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, after `oldest` (from `oldest` with `inclusive`) up
        to `latest`, `limit` a page (100 unless asked), the next page by `cursor`. Metadata only
        with `include_all_metadata`."""
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or math.inf)
        within = [
            m
            for m in reversed(self.history.get(args["channel"], []))
            if (oldest <= float(m["ts"]) if inclusive else oldest < float(m["ts"])) and float(m["ts"]) <= latest
        ]
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page = within[start : start + limit]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(within)
        return {
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _response(self, request: web.Request) -> web.Response:
        args = {**await request.json(), "key": request.match_info["key"]}
        problem = "expired_url" if args["key"] in self.expired else message_problem(args)
        self.calls.append(Call("response_url", args, 400 if problem else 200, problem))
        return web.Response(status=400 if problem else 200, text=problem or "ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}))
        return web.Response(text="OK")

    async def _download(self, request: web.Request) -> web.Response:
        """An uploaded file's bytes, to the bot token only."""
        authorization = request.headers.get("Authorization", "")
        self.downloads.append(authorization)
        found = self.offered.get(request.match_info["file_id"])
        if found is None:
            return web.Response(status=404)
        if authorization != f"Bearer {BOT_TOKEN}":
            return web.Response(status=403)
        return web.Response(body=found[2], content_type=found[1])

    # -- Socket Mode ----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})

        async def forward() -> None:
            while True:
                await socket.send_json(await self.envelopes.get())

        sending = asyncio.create_task(forward())
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self.acks.put(json.loads(message.data))
        finally:
            sending.cancel()
        return socket


async def _arguments(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, however slack_sdk sent them (query, form or JSON)."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        args.update(dict(await request.post()))
    for key in ("blocks", "view", "files"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args


# ---- running the real app against it ---------------------------------------------------------


class LoopThread:
    """An event loop in a thread of its own, so tests can stay plain functions."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        self.run(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Answer:
    """What the bolt app answered one HTTP request with."""

    status: int
    body: str
    seconds: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


def sign(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


class SignedRequests:
    """Slack's side of HTTP mode: signed requests to an app listening on 127.0.0.1:`port`."""

    def __init__(self, port: int, fake: FakeSlack) -> None:
        self.port = port
        self.fake = fake
        self._ids = itertools.count(1)

    def settle(self) -> None:
        """Wait for what the app does after its answer (nothing to wait for here)."""

    # -- sending Slack's requests ---------------------------------------------------------------

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Answer:
        """One request to POST /slack/events, signed unless `headers` say otherwise."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events",
            data=body,
            headers={"Content-Type": content_type, **sign(body), **(headers or {})},
            method="POST",
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as answered:
                answer = Answer(answered.status, answered.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as refused:
            answer = Answer(refused.code, refused.read().decode(), time.perf_counter() - started)
        self.settle()
        return answer

    def form(self, fields: dict[str, str], headers: dict[str, str] | None = None) -> Answer:
        return self.post(
            urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded", headers
        )

    def interaction(self, payload: dict[str, Any]) -> Answer:
        return self.form({"payload": json.dumps(payload)})

    def slash(self, user: str, command: str, text: str = "", channel: str = "") -> tuple[Answer, str]:
        """A slash command, as Slack posts it. Returns the answer and its response URL's key."""
        key = f"r{next(self._ids)}"
        channel = channel or "D" + user
        fields = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": PEOPLE.get(user, (user,))[0].lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": self.fake.response_url(key),
            "trigger_id": f"trigger-{key}",
        }
        return self.form(fields), key

    def press(
        self, user: str, element: dict[str, Any], channel: str = "", home: bool = False
    ) -> tuple[Answer, str]:
        """Press a button (or choose a select's first option) drawn by the adapter."""
        key = f"r{next(self._ids)}"
        action = {
            "action_id": element["action_id"],
            "block_id": "b1",
            "type": element["type"],
            "action_ts": "1",
        }
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        else:
            action["selected_option"] = element["options"][0]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger-{key}",
            "actions": [action],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home"}
        else:
            channel = channel or "D" + user
            payload["container"] = {"type": "message", "channel_id": channel, "message_ts": "1.1"}
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["response_url"] = self.fake.response_url(key)
        return self.interaction(payload), key

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any] | None = None) -> Answer:
        """Send a modal in: the given values, the rest as they were offered. A file input's value is
        a file object from `FakeSlack.offer`."""
        values = values or {}
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            name, element = block["block_id"], block["element"]
            if element["type"] == "file_input":  # the file objects of what was uploaded, if anything
                chosen = values.get(name)
                state[name] = {"value": {"type": "file_input", "files": [chosen] if chosen else []}}
                continue
            if element["type"] == "static_select":
                offered = (element.get("initial_option") or {}).get("value")
                wanted = values.get(name, offered)
                chosen = [o for o in element["options"] if o["value"] == wanted]
                state[name] = {
                    "value": {"type": "static_select", "selected_option": chosen[0] if chosen else None}
                }
            else:
                typed = values.get(name, element.get("initial_value"))
                state[name] = {"value": {"type": element["type"], "value": typed or None}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": "trigger-view",
            "view": {**view, "id": "V1", "state": {"values": state}},
            "response_urls": [],
        }
        return self.interaction(payload)

    def event(self, event: dict[str, Any], event_id: str, retry: int | None = None) -> Answer:
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(body).encode(), "application/json", headers)

    def dm(self, user: str, text: str, event_id: str, retry: int | None = None) -> Answer:
        event = {
            "type": "message",
            "channel": "D" + user,
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": "1700000000.000100",
        }
        return self.event(event, event_id, retry)


class SlackWorld(SignedRequests):
    """The bot's real slack-bolt app in HTTP mode, a fake Slack, and the outbox's Slack sender."""

    def __init__(self, bot: Bot, loop: LoopThread, fake: FakeSlack) -> None:
        self.bot = bot
        self.loop = loop
        self.adapter = loop.run(self._adapter())
        self.runner = loop.run(start_http(self.adapter, "127.0.0.1", 0))
        super().__init__(self.runner.addresses[0][1], fake)
        # The outbox's sender, as `partnerbot run` makes it: on the app's poster and event loop.
        self.sender = SlackSender(self.adapter.poster, loop.loop, bot.settings.default_language)

    async def _adapter(self) -> SlackAdapter:
        return SlackAdapter(self.bot, slack_client(BOT_TOKEN, self.bot.settings.slack_api_url), SECRET)

    def settle(self) -> None:
        # Replies are shown by tasks that run after the ack: wait for them (I/O, with a deadline).
        self.loop.run(self.adapter.settle())

    def close(self) -> None:
        self.settle()
        self.loop.run(self.runner.cleanup())

    def dispatch(self, clock: Clock) -> int:
        """The scheduler's job: send what is due in the outbox, through the Slack sender."""
        return dispatch_due(self.bot.engine, {"slack": self.sender}, clock)


# ---- reading what Slack was asked to show -----------------------------------------------------


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every mrkdwn text in these blocks, one per line, as Slack would be asked to show them."""
    lines = []
    for block in blocks:
        if "text" in block:
            lines.append(block["text"]["text"])
        for element in block.get("elements") or []:
            if element.get("type") == "mrkdwn":
                lines.append(element["text"])
    return "\n".join(lines)


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for element in elements(blocks):
        if element["type"] == "button" and element["text"]["text"] == label:
            return element
    shown = [e["text"]["text"] for e in elements(blocks) if e["type"] == "button"]
    raise AssertionError(f"no button {label!r} among {shown}")


def all_strings(thing: Any) -> Iterator[str]:
    if isinstance(thing, str):
        yield thing
    elif isinstance(thing, dict):
        for value in thing.values():
            yield from all_strings(value)
    elif isinstance(thing, list | tuple):
        for value in thing:
            yield from all_strings(value)


# A mention, a special ping or a link in Slack's markup; the adapter's own times are allowed.
PING = re.compile(r"<(?:[@#]|!(?!date\^)|https?:|mailto:)", re.IGNORECASE)


def pings(thing: Any) -> list[str]:
    return [s for s in all_strings(thing) if PING.search(s)]
