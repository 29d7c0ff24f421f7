"""What the Slack and Discord adapters share in how they run."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

SEND_TIMEOUT = 120.0  # seconds for one delivery from the outbox, rate limits included

T = TypeVar("T")


def on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T], timeout: float = SEND_TIMEOUT) -> T:
    """Run `work` on the platform's event loop from another thread (the outbox's dispatcher),
    and wait for it; it is cancelled if it fails to finish in `timeout` seconds."""
    future = asyncio.run_coroutine_threadsafe(work, loop)
    try:
        return future.result(timeout)
    except BaseException:
        future.cancel()
        raise
