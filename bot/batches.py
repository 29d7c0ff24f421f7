"""Big scheduled work in short transactions.

A fan-out to thousands (prompts, reminders) made in one transaction holds the database's write
lock for as long as it takes: on SQLite every interaction waits behind it. So the work goes a
batch to a transaction, with a pause between in which a waiting writer gets its turn. A crash
between batches loses nothing (what was committed stays) and doubles nothing: each message has a
unique key, so the next tick (or another process doing the same) skips what was done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.heartbeat import still_leads

# Rows made in one transaction, and the pause between two (seconds; longer than SQLite's
# longest wait between two tries for its lock).
BATCH = 100
PAUSE = 0.25

Cursor = TypeVar("Cursor")


def in_batches(engine: Engine, step: Callable[[Session, Cursor | None], Cursor | None], pause: float) -> bool:
    """Call `step` in a transaction of its own, again and again, each time with where the last
    one stopped (None the first time), until it returns None: nothing more to do.

    Between batches it renews the leader's heartbeat (bot/heartbeat.py), so a long fan-out does
    not look like a stuck leader; False if this process lost the lead meanwhile: it stops, and
    the new leader goes on from what the database holds."""
    cursor: Cursor | None = None
    while True:
        with Session(engine) as db:
            cursor = step(db, cursor)
            db.commit()
        if cursor is None:
            return True
        time.sleep(pause)
        if not still_leads():
            return False
