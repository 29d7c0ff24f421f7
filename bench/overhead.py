"""Overhead against the bare library: how much longer a person waits for our answer than for a
bare slack-bolt or discord.py app answering the same command with a constant.

Slack. Three apps, each in a process of its own, serve HTTP mode on 127.0.0.1 exactly as
`partnerbot run` does (bolt's AsyncApp with `process_before_response=True` and signature checks,
served by bolt's aiohttp app, see adapters/slack/app.py): our SlackAdapter with the real core
and a SQLite database of 1,000 members; our SlackAdapter with the core replaced by one that
answers a constant (the adapter's own cost); and a bare AsyncApp, same settings, whose `/profile`
listener acks with a constant. This process sends each a signed `/profile` slash command in turn
over a kept-alive connection (signing is done before the clock starts) and plays Slack's Web API
and response URLs with the fake from tests/slack_fakes.py. A bare app's answer is in its HTTP
response; ours acks first (empty) and shows the answer by posting to the response URL, so for
ours "answered" is the moment that post reaches the fake Slack. The HTTP response time is given
too.

Discord. The same three, as discord.py clients in processes of their own, connected to the fake
Discord gateway and REST API of tests/discord_fakes.py (run here): our DiscordAdapter with the
real core, our DiscordAdapter with the constant core, and a bare discord.Client with a
CommandTree whose `/profile` answers a constant. Time runs from the INTERACTION_CREATE sent on the
gateway to the interaction callback received by the fake's REST API.

Each request comes from one of 200 members, all seen once before measuring (so names come from
the adapter's memory, as for regulars). The apps take turns, request by request. The bot's clock
is a FakeClock; time is measured with time.perf_counter in this process.

Target: our p50 and p99 within 1.5 x the bare app's.

Run:
    .venv/bin/python bench/overhead.py
A quick run: --requests 300
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import multiprocessing
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common

from bot.conversation import Event, Message, Reply
from bot.core import Bot
from bot.features import EVERY_FEATURE
from storage.db import make_engine, migrate
from tests.clock import FakeClock

PEOPLE = 200
CONSTANT = "Your profile. Only you and the coordinators can see it."
OURS, CONSTANT_CORE, BARE = "ours", "our adapter, constant core", "bare library"
APPS = (OURS, CONSTANT_CORE, BARE)
TARGET = 1.5
STEP = 2.5  # issue 17: the step on the way to TARGET, at p50


class ConstantBot(Bot):
    """The core replaced by a constant answer: what is left is the adapter's own work."""

    def handle(self, event: Event) -> Reply:
        return Reply(messages=(Message((CONSTANT,)),))


def make_bot(app: str, url: str) -> Bot:
    engine = make_engine(url)
    kind = ConstantBot if app == CONSTANT_CORE else Bot
    return kind(engine, common.settings(), FakeClock(common.START), EVERY_FEATURE)


def wait_for(stop: Any) -> asyncio.Event:
    """An asyncio event set when the multiprocessing event `stop` is (waited for in a thread, so
    neither the loop nor the executor the adapters use is kept busy)."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    threading.Thread(
        target=lambda: (stop.wait(), loop.call_soon_threadsafe(stopped.set)), daemon=True
    ).start()
    return stopped


# ---- Slack --------------------------------------------------------------------------------------------


def slack_app(app: str, url: str, api_url: str, ready: Any, stop: Any) -> None:
    """One Slack app in HTTP mode, in a process of its own; puts (app, port) on `ready`."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncAck, AsyncApp

    from adapters.slack.app import EVENTS_PATH, SlackAdapter, start_http
    from adapters.slack.poster import slack_client
    from tests.slack_fakes import BOT_TOKEN, SECRET

    async def serve() -> None:
        client = slack_client(BOT_TOKEN, api_url)
        if app == BARE:
            bare = AsyncApp(
                client=client,
                signing_secret=SECRET,
                process_before_response=True,
                request_verification_enabled=True,
            )

            async def answer(ack: AsyncAck) -> None:
                await ack(CONSTANT)

            bare.command("/profile")(answer)
            runner = web.AppRunner(bare.web_app(path=EVENTS_PATH, port=0))
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        else:
            adapter = SlackAdapter(make_bot(app, url), client, SECRET)
            runner = await start_http(adapter, "127.0.0.1", 0)
        stopped = wait_for(stop)
        ready.put((app, runner.addresses[0][1]))
        await stopped.wait()
        await runner.cleanup()

    asyncio.run(serve())


@dataclass
class Timing:
    answered: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)  # Slack: the HTTP response to the command
    odd: int = 0


def measure_slack(url: str, requests: int) -> dict[str, Timing]:
    from slack_sdk.signature import SignatureVerifier

    from tests.slack_fakes import SECRET, TEAM, FakeSlack, LoopThread

    class TimedSlack(FakeSlack):
        """The fake Slack, noting when each response URL is posted to."""

        def __init__(self) -> None:
            super().__init__()
            self.arrived: dict[str, float] = {}
            self.signals: dict[str, threading.Event] = {}

        async def _response(self, request: Any) -> Any:
            key = request.match_info["key"]
            self.arrived.setdefault(key, time.perf_counter())
            self.signals.setdefault(key, threading.Event()).set()
            return await super()._response(request)

    loop = LoopThread()
    fake = TimedSlack()
    loop.run(fake.start())
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    workers = [context.Process(target=slack_app, args=(app, url, fake.api_url, ready, stop)) for app in APPS]
    for worker in workers:
        worker.start()
    ports = dict(ready.get(timeout=120) for _ in workers)
    connections = {app: http.client.HTTPConnection("127.0.0.1", ports[app], timeout=10) for app in APPS}
    verifier = SignatureVerifier(SECRET)
    keys = itertools.count(1)
    timings = {app: Timing() for app in APPS}

    def one(app: str, member: int, record: bool) -> None:
        key = f"{app[:4]}{next(keys)}"
        fields = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": "D" + common.slack_user(member),
            "channel_name": "directmessage",
            "user_id": common.slack_user(member),
            "user_name": common.slack_user(member).lower(),
            "command": "/profile",
            "text": "",
            "api_app_id": "A1",
            "response_url": fake.response_url(key),
            "trigger_id": f"trigger-{key}",
        }
        body = urllib.parse.urlencode(fields).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
        }
        connection = connections[app]
        started = time.perf_counter()
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode()
        responded = time.perf_counter()
        if app == BARE:
            answered, good = responded, answer.status == 200 and CONSTANT in text
        else:
            signal = fake.signals.setdefault(key, threading.Event())
            good = answer.status == 200 and signal.wait(10)
            answered = fake.arrived.get(key, responded)
            good = good and any(CONSTANT[:12] in c.args.get("text", "") for c in fake.calls[-3:])
        if record:
            timings[app].answered.append(answered - started)
            timings[app].http.append(responded - started)
            timings[app].odd += not good

    try:
        interleaved(one, requests)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        for connection in connections.values():
            connection.close()
        loop.run(fake.stop())
        loop.close()
    return timings


def interleaved(one: Callable[[str, int, bool], None], requests: int) -> None:
    """Everyone once to warm up (names remembered, caches filled), then `requests` for each app,
    the apps taking turns."""
    members = list(range(20, 20 + PEOPLE))
    for member in members:
        for app in APPS:
            one(app, member, False)
    for number in range(requests):
        for app in APPS:
            one(app, members[number % PEOPLE], True)


# ---- Discord --------------------------------------------------------------------------------------------


def discord_app(
    app: str, url: str, api_url: str, gateway_url: str, subcommand: str, ready: Any, stop: Any
) -> None:
    """One Discord client in a process of its own, connected to the fake; puts `app` on `ready`.
    The bare client's `/profile` has the shape ours has: `subcommand` under a group, if not empty."""
    import discord
    from discord import app_commands

    from adapters.discord.app import DiscordAdapter, use_urls
    from tests.discord_fakes import GUILD, TOKEN

    class BareClient(discord.Client):
        def __init__(self) -> None:
            super().__init__(intents=discord.Intents.default())
            self.tree = app_commands.CommandTree(self)

            async def profile(interaction: discord.Interaction) -> None:
                await interaction.response.send_message(CONSTANT, ephemeral=True)

            about = "Shows your settings."
            if subcommand:
                group = app_commands.Group(name="profile", description=about)
                group.add_command(app_commands.Command(name=subcommand, description=about, callback=profile))
                self.tree.add_command(group)
            else:
                self.tree.add_command(
                    app_commands.Command(name="profile", description=about, callback=profile)
                )

        async def setup_hook(self) -> None:
            guild = discord.Object(int(GUILD))
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    use_urls(api_url, gateway_url)

    async def serve() -> None:
        client: discord.Client = BareClient() if app == BARE else DiscordAdapter(make_bot(app, url), GUILD)
        async with client:
            await client.login(TOKEN)
            connection = asyncio.create_task(client.connect(reconnect=False))
            await client.wait_until_ready()
            stopped = wait_for(stop)
            ready.put(app)
            await stopped.wait()
            await client.close()
            await asyncio.gather(connection, return_exceptions=True)

    asyncio.run(serve())


def measure_discord(url: str, requests: int) -> dict[str, Timing]:
    from tests.discord_fakes import GENERAL, FakeDiscord, LoopThread

    loop = LoopThread()
    fake = FakeDiscord()
    loop.run(fake.start())
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    sockets: dict[str, Any] = {}
    synced: dict[str, dict[str, Any]] = {}
    workers = []
    subcommand = ""
    for app in APPS:  # one at a time, so each app's gateway socket and commands are known; ours first
        worker = context.Process(
            target=discord_app, args=(app, url, fake.api_url, fake.gateway_url, subcommand, ready, stop)
        )
        worker.start()
        workers.append(worker)
        ready.get(timeout=120)
        sockets[app], synced[app] = fake.sockets[-1], dict(fake.commands["profile"])
        subcommand = first_subcommand(synced[app])
    numbers = itertools.count(1)
    timings = {app: Timing() for app in APPS}

    async def interact(app: str, payload: dict[str, Any]) -> float:
        answered = fake.callbacks.setdefault(payload["id"], asyncio.Event())
        started = time.perf_counter()
        await fake._send(sockets[app], "INTERACTION_CREATE", payload)
        await asyncio.wait_for(answered.wait(), 10)
        return time.perf_counter() - started

    def one(app: str, member: int, record: bool) -> None:
        data: dict[str, Any] = {"id": synced[app]["id"], "name": "profile", "type": 1, "options": []}
        if first_subcommand(synced[app]):
            data["options"] = [{"name": first_subcommand(synced[app]), "type": 1, "options": []}]
        payload = fake.payload(next(numbers), common.discord_user(member), 2, data, GENERAL)
        took = loop.run(interact(app, payload))
        shown = fake.answers.get(payload["token"], [])
        # A first answer of type 5 would be "thinking", not the answer: counted as unexpected.
        good = bool(shown) and shown[0]["type"] == 4 and CONSTANT[:12] in (shown[0].get("content") or "")
        if record:
            timings[app].answered.append(took)
            timings[app].odd += not good

    try:
        interleaved(one, requests)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        loop.run(fake.stop())
        loop.close()
    return timings


def first_subcommand(command: dict[str, Any]) -> str:
    """As Discord offers `/profile`: its first subcommand, if it has any (see tests/discord_fakes)."""
    subcommands = [o for o in command.get("options") or [] if o["type"] == 1]
    return str(subcommands[0]["name"]) if subcommands else ""


# ---- the report --------------------------------------------------------------------------------------------


def report(results: dict[str, dict[str, Timing]], requests: int) -> tuple[str, list[common.Verdict]]:
    lines = [
        "## Overhead against the bare library (`bench/overhead.py`)",
        "",
        f"Command: `.venv/bin/python bench/overhead.py` (here with `--requests {requests}`)",
        "",
        common.machine(["sqlite"], ["slack_bolt", "discord.py", "aiohttp"]),
        "",
        f"`/profile` from 200 members in turn, {requests} requests to each app after one from each member to warm "
        "up; the apps take turns. *ours*: our adapter with the real core on SQLite (1,000 members); *our adapter, "
        "constant core*: our adapter with the core replaced by a constant answer; *bare library*: slack-bolt's "
        "AsyncApp or a discord.py Client with a CommandTree answering a constant. Each app in its own process; "
        "the fake Slack and Discord of tests/ and the clock in this one. Slack: until the answer reaches the fake "
        "Slack (ours: the post to the response URL; bare: the HTTP response, which carries the answer); the HTTP "
        "response alone in brackets. Discord: INTERACTION_CREATE sent to the interaction callback received.",
        "",
        "| Platform | App | p50 ms | p99 ms | ours / bare, p50 | ours / bare, p99 | Unexpected |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    verdicts: list[common.Verdict] = []
    for platform_name, timings in results.items():
        bare = timings[BARE]
        for app in APPS:
            found = timings[app]
            p50, p99 = common.percentile(found.answered, 50), common.percentile(found.answered, 99)
            http = ""
            if found.http and app != BARE:
                http = f" ({common.ms(common.percentile(found.http, 50))})"
                http99 = f" ({common.ms(common.percentile(found.http, 99))})"
            else:
                http99 = ""
            ratio50 = p50 / common.percentile(bare.answered, 50)
            ratio99 = p99 / common.percentile(bare.answered, 99)
            ratios = ("", "") if app == BARE else (f"{ratio50:.2f}", f"{ratio99:.2f}")
            lines.append(
                f"| {platform_name} | {app} | {common.ms(p50)}{http} | {common.ms(p99)}{http99} | {ratios[0]} | "
                f"{ratios[1]} | {found.odd} |"
            )
            if app == OURS:
                figures = f"{platform_name}: ours / bare {ratio50:.2f} x at p50, {ratio99:.2f} x at p99."
                verdicts.append(
                    common.Verdict(
                        f"d {platform_name}",
                        f"ours / bare library <= {TARGET} x at p50 and p99, {platform_name}",
                        figures,
                        ratio50 <= TARGET and ratio99 <= TARGET,
                    )
                )
                verdicts.append(
                    common.Verdict(
                        f"d1 {platform_name}",
                        f"ours / bare library <= {STEP} x at p50, {platform_name} (issue 17's step)",
                        figures,
                        ratio50 <= STEP,
                    )
                )
    lines += ["", "### Where ours spends the difference (p50)", ""]
    for platform_name, timings in results.items():
        ours, constant, bare = (common.percentile(timings[app].answered, 50) for app in APPS)
        lines.append(
            f"- {platform_name}: the core's turn (ours minus the constant core) {common.ms(ours - constant)} ms; "
            f"our adapter beyond the bare library (constant core minus bare) {common.ms(constant - bare)} ms; "
            f"the bare library {common.ms(bare)} ms. Our adapter alone is {constant / bare:.2f} x the bare library."
        )
    return "\n".join(lines), verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="measured requests to each app")
    parser.add_argument("--platforms", default="slack,discord")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    measures: dict[str, Callable[[str, int], dict[str, Timing]]] = {
        "slack": measure_slack,
        "discord": measure_discord,
    }
    results: dict[str, dict[str, Timing]] = {}
    with tempfile.TemporaryDirectory() as folder, common.fresh_database("sqlite", Path(folder)) as url:
        engine = make_engine(url)
        migrate(engine)
        print("seeding 1,000 members ...", flush=True)
        common.seed(engine, common.Plan(1000, platforms=("slack", "discord")), common.START)
        engine.dispose()
        for platform_name in args.platforms.split(","):
            print(f"{platform_name}: {args.requests} requests to each app ...", flush=True)
            results[platform_name.capitalize()] = measures[platform_name](url, args.requests)
    body, verdicts = report(results, args.requests)
    if args.no_write:
        print(body)
    else:
        common.write_section("overhead", body, verdicts)
    print("\n".join(v.line().split("\n")[0] for v in verdicts))
    if not args.no_write:
        print(f"wrote the overhead section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
