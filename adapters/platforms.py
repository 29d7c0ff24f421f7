"""What `partnerbot run` asks of a chat platform, and running several in one process.

A platform (Slack, Discord) starts, giving the outbox its sender, and stops. `serve` starts every
configured one, then one scheduler for all of them, and runs until Ctrl+C, SIGTERM or a platform
that ends by itself. If one cannot start, those that did are stopped and one line says why:
a half-working bot is never left running unnoticed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine, Sequence
from typing import Any, NamedTuple, Protocol, TextIO, TypeVar

from pydantic import SecretStr

from bot.care import warnings_at_start
from bot.core import Bot
from bot.outbox import Sender
from bot.scheduling import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

SEND_TIMEOUT = 120.0  # seconds for one delivery from the outbox, rate limits included

T = TypeVar("T")


class NotStarted(Exception):
    """A platform could not start: the message says, in one sentence, what to check."""


class Started(NamedTuple):
    """A platform that runs: the sentence that says so, and its sender for the outbox."""

    said: str
    sender: Sender


class Platform(Protocol):
    # The platform's name in the outbox: "slack", "discord".
    name: str

    async def start(self, bot: Bot, stop: asyncio.Event) -> Started:
        """Connect; raise NotStarted with the sentence that says why not. Set `stop` if the
        platform later ends by itself."""
        ...

    async def stop(self) -> None:
        """Finish the answers being shown and disconnect; also after a start that failed."""
        ...


def secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T], timeout: float = SEND_TIMEOUT) -> T:
    """Run `work` on the platform's event loop from another thread (the outbox's dispatcher),
    and wait for it; it is cancelled if it fails to finish in `timeout` seconds."""
    future = asyncio.run_coroutine_threadsafe(work, loop)
    try:
        return future.result(timeout)
    except BaseException:
        future.cancel()
        raise


def stop_on_signals() -> asyncio.Event:
    """An event set by Ctrl+C or SIGTERM, for the running loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def serve(bot: Bot, platforms: Sequence[Platform], settings: Settings, out: TextIO) -> int:
    """Start the platforms one after another, then the scheduler, and run until stopped.
    Returns the exit code: 1 if a platform could not start."""
    stop = stop_on_signals()
    started: list[Platform] = []
    running: dict[str, Started] = {}
    try:
        for platform in platforms:
            started.append(platform)  # stopped too if its start fails half way
            running[platform.name] = await platform.start(bot, stop)
    except NotStarted as problem:
        await stop_all(started)
        print(problem, file=out, flush=True)
        return 1
    except Exception:
        await stop_all(started)
        raise
    # Said once all run, so nothing claims to run when another platform could not start.
    for each in running.values():
        print(each.said, file=out, flush=True)
    for problem in warnings_at_start(bot.engine, settings):  # a call for support must reach someone
        log.warning("%s", problem)
    senders = {name: each.sender for name, each in running.items()}
    scheduler = Scheduler(bot, senders, settings.dispatch_interval_seconds)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing what is being sent first")
        # Sends under way run on this loop: it keeps running while they finish, so each one
        # is marked sent and none goes again after a restart.
        await asyncio.to_thread(scheduler.shutdown, True)
        await stop_all(started)
    return 0


async def stop_all(platforms: Sequence[Platform]) -> None:
    for platform in reversed(platforms):
        try:
            await platform.stop()
        except Exception:  # the others still stop
            log.exception("%s did not stop cleanly", platform.name)
