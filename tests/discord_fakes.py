"""A local fake Discord on 127.0.0.1 for the real discord.py client: a gateway websocket (HELLO,
IDENTIFY, heartbeats and their ACKs, READY, GUILD_CREATE, INTERACTION_CREATE) and the REST calls
the adapter makes, recorded so tests can assert on what a person would see.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import discord
from aiohttp import web

from adapters.discord.app import DiscordAdapter, use_urls
from adapters.discord.sender import DiscordSender
from bot.core import Bot
from bot.outbox import dispatch_due
from tests.slack_fakes import LoopThread

TOKEN = "fake-bot-token"
APP_ID = "700"
BOT_ID = "701"
GUILD = "800"
ANNOUNCEMENTS = "810"
GENERAL = "811"
BOT_USER = {
    "id": BOT_ID,
    "username": "partnerbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
# The bot's role in the server: Create Events (1 << 44), so sessions can be Scheduled Events.
CREATE_EVENTS = str(1 << 44)
BOT_ROLE = "802"
NAMES = {"1001": "Priya", "1002": "Ada", "1003": "Cora", "1004": "Lou", "1005": "Jo", "1006": "Alex"}
NAMES |= {"1007": "Priya Patel", "1008": "Priya Patel"}  # two real people Discord shows alike
STAMP = "2026-11-26T09:00:00+00:00"


def user(user_id: str) -> dict[str, Any]:
    name = NAMES.get(user_id, f"user{user_id}")
    return {
        "id": user_id,
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


@dataclass
class Call:
    method: str
    path: str
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when it arrived (bench/rush.py)


class FakeDiscord:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.identified: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.sequence = 0
        self.ids = itertools.count(5000)
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages, in order
        self.dm_of: dict[str, str] = {}  # user id -> their direct message channel
        self.callbacks: dict[str, asyncio.Event] = {}
        self.answers: dict[str, list[dict[str, Any]]] = {}  # interaction token -> what it showed
        self.refusals: list[tuple[int, dict[str, str], dict[str, Any]]] = []  # for message sends
        self.nonces: dict[str, dict[str, Any]] = {}  # enforced nonce -> the message it made
        self.events: dict[str, dict[str, Any]] = {}  # the server's Scheduled Events, by id
        self.bot_permissions = CREATE_EVENTS  # what the bot's role allows, sent in GUILD_CREATE
        # The slash commands synced, by name: to the server, and globally (where, for a bot with
        # a server, they are for direct messages only).
        self.commands: dict[str, dict[str, Any]] = {}
        self.global_commands: dict[str, dict[str, Any]] = {}
        self.posted: dict[str, asyncio.Event] = {}  # channel id -> set at its next message
        self.deferred = threading.Event()  # set when an interaction is answered "thinking"
        # Discord's global rate limit, when set (requests a second, a second's worth at once),
        # and a share of requests answered 429 anyway (for bench/fanout.py).
        self.limit_per_second: float | None = None
        self.random_429 = 0.0
        self.dice = random.Random(2026)
        self.bucket: tuple[float, float] | None = None  # (tokens, when)
        self.accepted = self.limited = 0
        self.runner: web.AppRunner | None = None
        self.port = 0
        # Files people uploaded in a modal (a receipt): attachment id -> (filename, type, bytes).
        self.offered: dict[str, tuple[str, str, bytes]] = {}

    # -- serving -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway/ws", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        app.router.add_get("/attachments/{attachment_id}/{name}", self._attachment)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self.runner is not None:
            await self.runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/ws"

    # -- the gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None})
        async for frame in socket:
            message = json.loads(frame.data)
            if message["op"] == 1:
                self.heartbeats += 1
                await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:
                self.identified.append(message["d"])
                await self._send(socket, "READY", self._ready())
                await self._send(socket, "GUILD_CREATE", self._guild())
        return socket

    async def _send(self, socket: web.WebSocketResponse, name: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        await socket.send_json({"op": 0, "t": name, "s": self.sequence, "d": data})

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": GUILD, "unavailable": True}],
            "session_id": "session-1",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
        }

    def _guild(self) -> dict[str, Any]:
        channel = {"type": 0, "guild_id": GUILD, "position": 0, "permission_overwrites": [], "nsfw": False}
        role = {"position": 1, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        return {
            "id": GUILD,
            "name": "Partners",
            "unavailable": False,
            "owner_id": "1002",
            "member_count": 7,
            "large": False,
            "joined_at": STAMP,
            "features": [],
            "roles": [
                {**role, "id": GUILD, "name": "@everyone", "permissions": "0", "position": 0},
                {**role, "id": BOT_ROLE, "name": "partnerbot", "permissions": self.bot_permissions},
            ],
            "channels": [
                {**channel, "id": ANNOUNCEMENTS, "name": "announcements"},
                {**channel, "id": GENERAL, "name": "general"},
            ],
            "members": [
                {"user": BOT_USER, "roles": [BOT_ROLE], "joined_at": STAMP, "deaf": False, "mute": False, "flags": 0}
            ],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        }

    async def direct_message(self, user_id: str, content: str, deadline: float = 5.0) -> str:
        """Someone types a line in their direct message with the bot (a MESSAGE_CREATE with no
        server); returns the channel, once the bot's first answer is in it."""
        channel = self.dm_of.setdefault(user_id, str(next(self.ids)))
        answered = self.posted[channel] = asyncio.Event()
        message = {
            **self._message({"content": content}, channel, {}),
            "author": user(user_id),
            "mentions": [user(found) for found in re.findall(r"<@!?(\d+)>", content)],
        }
        await self._send(self.sockets[-1], "MESSAGE_CREATE", message)
        await asyncio.wait_for(answered.wait(), deadline)
        return channel

    async def interact(self, payload: dict[str, Any], deadline: float = 5.0) -> float:
        """Send an INTERACTION_CREATE; return how many seconds the first answer took."""
        answered = self.callbacks.setdefault(payload["id"], asyncio.Event())
        started = time.monotonic()
        await self._send(self.sockets[-1], "INTERACTION_CREATE", payload)
        await asyncio.wait_for(answered.wait(), deadline)
        return time.monotonic() - started

    def payload(
        self, number: int, user_id: str, kind: int, data: dict[str, Any], channel: str | None
    ) -> dict[str, Any]:
        """An interaction as Discord sends it: in a direct message, or in a channel of the server."""
        payload: dict[str, Any] = {
            "id": str(100000 + number),
            "application_id": APP_ID,
            "type": kind,
            "token": f"token-{number}",
            "version": 1,
            "data": data,
            "locale": "en-GB",
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {},
        }
        if channel is None:  # the direct message with the bot
            payload["channel_id"] = self.dm_of.setdefault(user_id, str(next(self.ids)))
            payload["channel"] = {"id": payload["channel_id"], "type": 1}
            payload["user"] = user(user_id)
            payload["context"] = 1
        else:
            payload["channel_id"] = channel
            payload["channel"] = {"id": channel, "type": 0, "guild_id": GUILD, "name": "general"}
            payload["guild_id"] = GUILD
            payload["context"] = 0
            payload["member"] = {
                "user": user(user_id),
                "roles": [],
                "joined_at": STAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
            }
        return payload

    # -- files people upload -------------------------------------------------------------------

    def offer(self, filename: str, content_type: str, content: bytes) -> dict[str, Any]:
        """A file someone uploads in a modal's file upload: its attachment, as resolved data holds it."""
        attachment_id = str(next(self.ids))
        self.offered[attachment_id] = (filename, content_type, content)
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
            "ephemeral": True,
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        found = self.offered.get(request.match_info["attachment_id"])
        if found is None or found[0] != request.match_info["name"]:
            return web.Response(status=404)
        return web.Response(body=found[2], content_type=found[1])

    # -- REST ------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body, files = await _read(request)
        self.calls.append(Call(request.method, path, body, files))
        if path == "/users/@me" and request.headers.get("Authorization") != f"Bot {TOKEN}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        parts = path.strip("/").split("/")
        method = request.method
        refused = self._over_the_limit()
        if refused is not None:
            return refused
        shown = body if isinstance(body, dict) else {}
        shown = shown.get("data") if isinstance(shown.get("data"), dict) else shown
        if len(files) > 10 or len(str(shown.get("content") or "")) > 2000:
            # As Discord refuses them: at most 10 attachments and 2000 characters in a message.
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        if (method, path) == ("GET", "/users/@me"):
            return _json(BOT_USER)
        if method == "GET" and parts[0] == "users" and parts[1] in NAMES:
            return _json(user(parts[1]))
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            made = [self._command(c, n) for n, c in enumerate(body)]
            if "guilds" in parts:
                self.commands = {c["name"]: c for c in made}
            else:
                self.global_commands = {c["name"]: c for c in made}
                self.commands = self.commands or self.global_commands
            return _json(made)
        if method == "POST" and parts[0] == "interactions":
            return self._callback(parts[1], parts[2], body, files)
        if method == "POST" and parts[0] == "webhooks":
            made = self._message(body, "", files)
            self.answers.setdefault(parts[2], []).append({**body, "files": files, "followup": True})
            return _json(made)
        if (method, path) == ("POST", "/users/@me/channels"):
            recipient = str(body["recipient_id"])
            channel = self.dm_of.setdefault(recipient, str(next(self.ids)))
            return _json({"id": channel, "type": 1, "recipients": [user(recipient)]})
        if parts[0] == "channels" and parts[-1] == "messages" and method == "POST":
            if self.refusals and self.refusals[0][0] != 503:
                status, headers, problem = self.refusals.pop(0)
                return _json(problem, status=status, headers=headers)
            if body.get("enforce_nonce") and body.get("nonce") in self.nonces:
                return _json(self.nonces[body["nonce"]])  # Discord gives back the one it made
            made = self._message(body, parts[1], files)
            self.messages.setdefault(parts[1], []).append(
                {**made, "allowed_mentions": body.get("allowed_mentions"), "nonce": body.get("nonce")}
            )
            if parts[1] in self.posted:
                self.posted[parts[1]].set()
            if body.get("enforce_nonce"):
                self.nonces[str(body["nonce"])] = made
            if self.refusals:  # made, but the answer is lost on the way back
                status, headers, problem = self.refusals.pop(0)
                return _json(problem, status=status, headers=headers)
            return _json(made)
        if parts[0] == "guilds" and parts[2] == "scheduled-events":
            return self._scheduled_event(method, parts[1], parts[3] if len(parts) > 3 else "", body)
        if parts[0] == "channels" and parts[2] == "messages" and method == "PATCH":
            return _json(self._message(body, parts[1], files, parts[3]))
        return _json({"message": f"the fake has no {method} {path}", "code": 0}, status=404)

    def _scheduled_event(
        self, method: str, guild: str, event_id: str, body: dict[str, Any] | None
    ) -> web.Response:
        """Create, read and change a Scheduled Event, refused without Create Events."""
        if method == "POST" and not int(self.bot_permissions) & int(CREATE_EVENTS):
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        if method == "POST":
            event_id = str(next(self.ids))
            self.events[event_id] = {
                "id": event_id,
                "guild_id": guild,
                "channel_id": None,
                "creator_id": BOT_ID,
                "creator": BOT_USER,
                "entity_id": None,
                "image": None,
                "status": 1,
                "user_count": 0,
                "scheduled_end_time": None,
            }
        if event_id not in self.events:
            return _json({"message": "Unknown Guild Scheduled Event", "code": 10070}, status=404)
        event = self.events[event_id]
        if method in ("POST", "PATCH"):
            event.update({k: v for k, v in (body or {}).items() if k != "entity_metadata"})
            if "entity_metadata" in (body or {}):
                event["entity_metadata"] = body["entity_metadata"]  # type: ignore[index]
        return _json(event)

    def _application(self) -> dict[str, Any]:
        return {
            "id": APP_ID,
            "name": "partnerbot",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": user("1002"),
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _command(self, command: dict[str, Any], number: int) -> dict[str, Any]:
        return {
            "id": str(9000 + number),
            "application_id": APP_ID,
            "version": "1",
            "type": 1,
            "default_member_permissions": None,
            "nsfw": False,
            "options": [],
            **command,
        }

    def _message(
        self, body: dict[str, Any], channel: str, files: dict[str, bytes], message_id: str = ""
    ) -> dict[str, Any]:
        return {
            "id": message_id or str(next(self.ids)),
            "channel_id": channel or GENERAL,
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": STAMP,
            "edited_timestamp": STAMP if message_id else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {"id": str(n), "filename": name, "size": len(data), "url": "", "proxy_url": ""}
                for n, (name, data) in enumerate(files.items())
            ],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": body.get("components") or [],
        }

    def _callback(
        self, interaction_id: str, token: str, body: dict[str, Any], files: dict[str, bytes]
    ) -> web.Response:
        data = body.get("data") or {}
        self.answers.setdefault(token, []).append({**data, "type": body["type"], "files": files})
        self.callbacks.setdefault(interaction_id, asyncio.Event()).set()
        if body["type"] in (5, 6):
            self.deferred.set()
        resource: dict[str, Any] = {"type": body["type"]}
        if body["type"] == 4:
            resource["message"] = self._message(data, "", files)
        return _json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_id": resource.get("message", {}).get("id"),
                    "response_message_loading": False,
                    "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
                },
                "resource": resource,
            }
        )

    # -- what was shown ----------------------------------------------------------------------------

    def made(self, method: str, start: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(start)]

    def posts_in(self, channel: str) -> list[dict[str, Any]]:
        return self.messages.get(channel, [])

    def _over_the_limit(self) -> web.Response | None:
        """A 429 as Discord gives it, when a request goes over the global limit or the dice say."""
        if self.limit_per_second is None and not self.random_429:
            return None
        if self.limit_per_second is not None:
            rate, now = self.limit_per_second, time.monotonic()
            tokens, when = self.bucket or (rate, now)
            tokens = min(rate, tokens + (now - when) * rate)
            if tokens < 1:
                self.bucket = (tokens, now)
                self.limited += 1
                status, headers, problem = _too_many(round((1 - tokens) / rate, 3), scope="global")
                return _json(problem, status=status, headers=headers)
            self.bucket = (tokens - 1, now)
        if self.dice.random() < self.random_429:
            self.limited += 1
            status, headers, problem = _too_many(0.25)
            return _json(problem, status=status, headers=headers)
        self.accepted += 1
        return None

    def rate_limit_next_send(self, retry_after: float, scope: str = "user") -> None:
        """The next message send gets a 429 as Discord sends it (with a Via header): for the
        route's bucket ("user"), or for the bot as a whole ("global")."""
        self.refusals.append(_too_many(retry_after, scope))

    def lose_answer_to_next_send(self) -> None:
        """The next message is made, but the bot gets a 503 instead of the answer."""
        self.refusals.append((503, {}, {"message": "Service Unavailable", "code": 0}))

    def refuse_next_send(self) -> None:
        self.refusals.append((403, {}, {"message": "Missing Access", "code": 50001}))

    def forget(self) -> None:
        self.calls.clear()
        self.messages.clear()
        self.answers.clear()


def _too_many(retry_after: float, scope: str = "user") -> tuple[int, dict[str, str], dict[str, Any]]:
    """A 429 as Discord sends it: with a Via header (without one, discord.py takes it for a
    Cloudflare ban), the bucket's headers, and the wait in the body."""
    headers = {
        "Via": "1.1 google",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": str(retry_after),
        "X-RateLimit-Bucket": "messages",
        "X-RateLimit-Scope": scope,
        "Retry-After": str(retry_after),
    }
    if scope == "global":
        headers["X-RateLimit-Global"] = "true"
    problem = {"message": "You are being rate limited.", "retry_after": retry_after, "global": scope == "global"}
    return 429, headers, problem


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """discord.py reads JSON only when the content type is exactly application/json."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


async def _read(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    """A JSON body, or discord.py's multipart one (payload_json and files[n])."""
    if request.content_type.startswith("multipart/"):
        body: Any = {}
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                files[part.filename or part.name or ""] = bytes(await part.read())  # type: ignore[union-attr]
        return body, files
    text = await request.text()
    return (json.loads(text) if text else None), {}


# ---- the real client against it ------------------------------------------------------------------


@dataclass
class Shown:
    """What one interaction showed: its first answer, then follow-ups, in order."""

    seconds: float
    answers: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [a.get("content") or "" for a in self.answers]

    @property
    def modal(self) -> dict[str, Any]:
        [first, *_rest] = self.answers
        assert first["type"] == 9, f"no modal: {self.texts}"
        return first


class DiscordWorld:
    """The fake Discord, and the real adapter connected to it, in a loop of their own."""

    def __init__(self, bot: Bot, guild_id: str | None = GUILD) -> None:
        self.bot = bot
        self.guild_id = guild_id
        self.loop = LoopThread()
        self.fake = FakeDiscord()
        self.loop.run(self.fake.start())
        self.saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        use_urls(self.fake.api_url, self.fake.gateway_url)
        self.ids = itertools.count(1)
        self.slow_turns = asyncio.Event()
        self.adapter = self.start()

    def start(self) -> DiscordAdapter:
        adapter = self.loop.run(self._make())
        self.loop.run(adapter.login(TOKEN))
        self.connection = asyncio.run_coroutine_threadsafe(adapter.connect(reconnect=False), self.loop.loop)
        self.loop.run(adapter.wait_until_ready())
        return adapter

    async def _make(self) -> DiscordAdapter:
        # No wait for more guilds after the fake's one (discord.py waits 2 s by default).
        adapter = DiscordAdapter(self.bot, self.guild_id, guild_ready_timeout=0)
        # A turn counts as slow only when a test says so, never because the machine is busy.
        adapter.slow = self.slow_turns.wait
        return adapter

    def turns_are_slow(self, slow: bool) -> None:
        """From now on the adapter treats every turn as slow (says "thinking" first), or none."""
        self.loop.loop.call_soon_threadsafe(self.slow_turns.set if slow else self.slow_turns.clear)

    def restart(self) -> None:
        """A new process: a new client, nothing remembered but what is in the database."""
        self.loop.run(self.adapter.close())
        self.adapter = self.start()

    def close(self) -> None:
        self.loop.run(self.adapter.close())
        self.loop.run(self.fake.stop())
        self.loop.close()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.saved

    # -- people acting -------------------------------------------------------------------------------

    def _interaction(self, user_id: str, kind: int, data: dict[str, Any], channel: str | None) -> Shown:
        payload = self.fake.payload(next(self.ids), user_id, kind, data, channel)
        try:
            seconds = self.loop.run(self.fake.interact(payload))
        except TimeoutError:
            if self.connection.done():
                self.connection.result()
            raise
        self.settle()
        return Shown(seconds, self.fake.answers.get(payload["token"], []))

    def settle(self) -> None:
        self.loop.run(self.adapter.settle())

    def direct_message(self, user_id: str, text: str) -> list[dict[str, Any]]:
        """A line typed to the bot in a direct message; what the bot posted back there."""
        before = len(self.fake.posts_in(self.fake.dm_of.get(user_id, "")))
        channel = self.loop.run(self.fake.direct_message(user_id, text))
        self.settle()
        return self.fake.posts_in(channel)[before:]

    def slash(self, user_id: str, name: str, text: str = "", channel: str | None = None) -> Shown:
        """Use a slash command as a person picks it in Discord: `text` is the subcommand, then
        what they typed in its option ("join 3"); with no text, the first subcommand."""
        return self._interaction(user_id, 2, self.command_data(name, text), channel)

    def command_data(self, name: str, text: str, focused: bool = False) -> dict[str, Any]:
        """The interaction's data for `/name verb value`, shaped by the commands synced."""
        synced = self.fake.commands[name]
        data: dict[str, Any] = {"id": synced["id"], "name": name, "type": 1, "options": []}
        subcommands = [o for o in synced.get("options") or [] if o["type"] == 1]
        if not subcommands:
            own = synced.get("options") or []  # a command's own option (/report's period), or none
            assert own or not text, f"/{name} takes nothing"
            if own and text:
                [option] = own
                data["options"] = [{"name": option["name"], "type": option["type"], "value": text}]
            return data
        verb, _sep, value = text.partition(" ")
        [picked] = [o for o in subcommands if o["name"] == (verb or subcommands[0]["name"])]
        options: list[dict[str, Any]] = []
        for option in picked.get("options") or []:
            if not value and not option.get("required"):
                continue  # an option that may be left out, and was: Discord sends nothing
            options.append({"name": option["name"], "type": option["type"], "value": value})
            if focused:
                options[-1]["focused"] = True
        data["options"] = [{"name": picked["name"], "type": 1, "options": options}]
        return data

    def suggestions(self, user_id: str, name: str, text: str, channel: str | None = None) -> list[dict[str, Any]]:
        """What Discord offers as someone types `text` into the option of `/name verb`."""
        shown = self._interaction(user_id, 4, self.command_data(name, text, focused=True), channel)
        [answer] = shown.answers
        assert answer["type"] == 8, answer
        return list(answer["choices"])

    def press(
        self, user_id: str, custom_id: str, channel: str | None = None, values: list[str] | None = None
    ) -> Shown:
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        if values is not None:
            data["values"] = values
        return self._interaction(user_id, 3, data, channel)

    def submit(
        self, user_id: str, modal: dict[str, Any], values: dict[str, Any], channel: str | None = None
    ) -> Shown:
        """Send a modal as shown, with these values typed over what it offered. A file upload's
        value is an attachment from `FakeDiscord.offer`."""
        rows: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for row in modal["components"]:
            if row["type"] == 18 and row["component"]["type"] == 19:  # a label over a file upload
                upload = row["component"]
                sent = values.get(upload["custom_id"])
                if sent:  # an attachment from `FakeDiscord.offer`
                    resolved[sent["id"]] = sent
                chosen = {"type": 19, "custom_id": upload["custom_id"], "values": [sent["id"]] if sent else []}
                rows.append({"type": 18, "component": chosen})
                continue
            if row["type"] == 18 and row["component"]["type"] == 4:  # a label over a text input
                item = row["component"]
                typed = values.get(item["custom_id"], item.get("value") or "")
                rows.append({"type": 18, "component": {"type": 4, "custom_id": item["custom_id"], "value": typed}})
                continue
            if row["type"] == 18:  # a label over a select: the option picked, or the one offered
                select = row["component"]
                offered = [o["value"] for o in select["options"] if o.get("default")]
                picked = [values[select["custom_id"]]] if select["custom_id"] in values else offered
                chosen = {"type": 3, "custom_id": select["custom_id"], "values": picked}
                rows.append({"type": 18, "component": chosen})
                continue
            for item in row["components"]:
                typed = values.get(item["custom_id"], item.get("value") or "")
                rows.append(
                    {"type": 1, "components": [{"type": 4, "custom_id": item["custom_id"], "value": typed}]}
                )
        data: dict[str, Any] = {"custom_id": modal["custom_id"], "components": rows}
        if resolved:
            data["resolved"] = {"attachments": resolved}
        return self._interaction(user_id, 5, data, channel)

    def dispatch(self, clock: Any) -> int:
        """The outbox's dispatcher, as the scheduler runs it: in a thread of its own."""
        sender = DiscordSender(self.adapter.poster, self.loop.loop)
        return dispatch_due(self.bot.engine, {"discord": sender}, clock)


def attached(message: dict[str, Any]) -> list[tuple[str, str | None, bytes]]:
    """A message's files as sent: each one's filename and description (from the `attachments` of
    its payload_json) and its bytes (from its part of the multipart body)."""
    found = []
    for attachment in message.get("attachments") or []:
        [content] = [data for name, data in message["files"].items() if name == attachment["filename"]]
        found.append((attachment["filename"], attachment.get("description"), content))
    return found


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A message's buttons: label -> custom_id."""
    return {
        item["label"]: item["custom_id"]
        for row in message.get("components") or []
        for item in row["components"]
        if item["type"] == 2
    }
