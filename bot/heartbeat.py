"""Long scheduled work says, between its batches, that it is still going.

The scheduler renews the leader's heartbeat from the thread that does the scheduled work
(bot/scheduling.py): after each step of Bot.tick and, through `still_leads` here, between the
batches of a step that goes on for long (a fan-out to thousands), so that such a step does not
look like a stuck leader. Outside the scheduler (the console, most tests) nobody is told, and the
answer is always yes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_work = threading.local()  # each thread its own: only the work thread's own batches renew


def still_leads() -> bool:
    """Renew the heartbeat; False if this process lost the lead (leave the rest to the new one,
    which goes on from what the database holds)."""
    renew: Callable[[], bool] | None = getattr(_work, "renew", None)
    return True if renew is None else renew()


@contextmanager
def renewed_by(renew: Callable[[], bool]) -> Iterator[None]:
    """While the scheduled work runs in this thread, `still_leads` asks `renew`."""
    before = getattr(_work, "renew", None)
    _work.renew = renew
    try:
        yield
    finally:
        _work.renew = before
