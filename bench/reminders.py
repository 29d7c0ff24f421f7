"""Reminders: the beat at which 10,000 people with a place in one session are due their reminder.

The community is seeded as in bench/common.py (10,000 members, 500 sessions, 300 openings,
200,000 check-in answers). One more session is posted, in a week, with a place for every member
(10,000 confirmed sign-ups, written straight into the table as the core writes them). The clock
is set to 24 hours before its start, when its first reminder is due to all of them, and the
sessions' scheduled work (`bot/sessions/delivery.py` `tick`, what the leader's scheduler runs at
each beat) runs once.

Reported: how many reminders it queued (those in quiet hours or paused wait, as they should),
the time the beat took, and the longest single transaction in it: from its first statement to
its commit, and from its first write to its commit (on SQLite, the time the database's one write
lock was held, so the time an interaction that writes may wait behind it). With reminders in
batches, the beat also pauses between batches so that waiting writers get their turn; that
pause is counted in the beat's time, and shown apart.

Run (about 2 minutes):
    .venv/bin/python bench/reminders.py
Options: --databases sqlite,postgresql (default both), --members 10000, --no-write (print only).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import common
from sqlalchemy import Engine, event, insert, update
from sqlmodel import Session, col, func, select

from bot.sessions import delivery
from storage.db import make_engine, migrate
from storage.models import Outbox, SessionSignup, WellbeingSession

WRITES = ("INSERT", "UPDATE", "DELETE")
# What an interaction that writes may wait behind on SQLite, at most (one transaction held it for
# 21 s when every reminder went in one).
TARGET_WRITE = 1.0  # seconds


@dataclass
class Transactions:
    """Every transaction on an engine: how long from its first statement to its end, and from
    its first write to its end."""

    lengths: list[float] = field(default_factory=list)
    write_lengths: list[float] = field(default_factory=list)
    _open: dict[int, list[float | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, connection: Any) -> None:
        with self._lock:
            self._open[id(connection)] = [time.perf_counter(), None]

    def _statement(self, connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        with self._lock:
            began = self._open.get(id(connection))
            if began is not None and began[1] is None and statement.lstrip().upper().startswith(WRITES):
                began[1] = time.perf_counter()

    def _end(self, connection: Any) -> None:
        now = time.perf_counter()
        with self._lock:
            began = self._open.pop(id(connection), None)
        if began is None:
            return
        started, first_write = began
        assert started is not None
        self.lengths.append(now - started)
        if first_write is not None:
            self.write_lengths.append(now - first_write)


def add_signups(engine: Engine, session_id: int, members: int, now: Any) -> None:
    """A confirmed place for every member, a day before the session was posted to now."""
    rows = [
        {
            "session_id": session_id,
            "member_id": member_id,
            "status": "confirmed",
            "note": "",
            "created_at": now - timedelta(days=1),
            "confirmed_at": now - timedelta(days=1),
            "cancelled_at": None,
            "attended": None,
        }
        for member_id in range(1, members + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(SessionSignup.__table__), rows)  # type: ignore[attr-defined]
        connection.execute(
            update(WellbeingSession)
            .where(col(WellbeingSession.id) == session_id)
            .values(capacity=members, taken=members)
        )


def measure(members: int, database: str, folder: Path) -> dict[str, Any]:
    with common.fresh_database(database, folder) as url:
        engine = make_engine(url)
        migrate(engine)
        community = common.seed(engine, common.Plan(members=members), common.START)
        session_id = common.add_session(engine, common.START, capacity=members, created_by=community.coordinators[0])
        add_signups(engine, session_id, members, common.START)
        with Session(engine) as db:
            starts = db.get_one(WellbeingSession, session_id).starts_at
        now = starts - timedelta(hours=24)  # the 24-hour reminder is due to everyone
        seen = Transactions()
        seen.watch(engine)
        pauses: list[float] = []
        real_sleep = time.sleep

        def counted_sleep(seconds: float) -> None:
            pauses.append(seconds)
            real_sleep(seconds)

        time.sleep = counted_sleep  # the pauses between batches, wherever they are taken
        try:
            began = time.perf_counter()
            delivery.tick(engine, common.settings(), now)
            seconds = time.perf_counter() - began
        finally:
            time.sleep = real_sleep
        with Session(engine) as db:
            queued = db.exec(
                select(func.count()).where(col(Outbox.dedupe_key).startswith(f"session.remind:{session_id}:"))
            ).one()
        engine.dispose()
    return {
        "database": database,
        "members": members,
        "queued": queued,
        "seconds": seconds,
        "paused": sum(pauses),
        "transactions": len(seen.lengths),
        "longest": max(seen.lengths, default=0.0),
        "longest_write": max(seen.write_lengths, default=0.0),
        "seeded": community.seconds,
    }


def report(results: list[dict[str, Any]], before: str = "") -> tuple[str, list[common.Verdict]]:
    lines = [
        "## Reminders: one beat with 10,000 reminders due (`bench/reminders.py`)",
        "",
        common.machine([str(r["database"]) for r in results]),
        "",
        "`.venv/bin/python bench/reminders.py`. Seeded as bench/common.py does, plus one session with "
        "a confirmed place for every member; the clock at 24 hours before it starts; the sessions' "
        "scheduled work runs once. The longest transaction is timed from its first statement to its "
        "commit; the longest write, from its first INSERT, UPDATE or DELETE to its commit (on SQLite, "
        "the time the one write lock is held: what an interaction that writes may wait behind).",
        "",
        "| database | members | reminders queued | beat | of which pauses between batches | transactions | longest transaction | longest write |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['members']:,} | {r['queued']:,} | {r['seconds']:.1f} s | {r['paused']:.1f} s "
            f"| {r['transactions']:,} | {common.ms(r['longest'])} ms | {common.ms(r['longest_write'])} ms |"
        )
    if before:
        lines += ["", before]
    sqlite = [r for r in results if r["database"] == "sqlite"]
    verdicts = []
    if sqlite:
        verdicts.append(
            common.Verdict(
                "g",
                f"{sqlite[0]['members']:,} session reminders due at once, in batches: the longest write on SQLite "
                f"<= {TARGET_WRITE * 1000:.0f} ms",
                "; ".join(
                    f"{r['database']}: longest write {common.ms(r['longest_write'])} ms, {r['queued']:,} queued "
                    f"in {r['transactions']:,} transactions, beat {r['seconds']:.0f} s"
                    for r in results
                )
                + ".",
                all(r["longest_write"] <= TARGET_WRITE for r in sqlite),
            )
        )
    return "\n".join(lines), verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--before", default="", help="a line on the figures before, kept under the table")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for database in args.databases.split(","):
            results.append(measure(args.members, database.strip(), Path(folder)))
    body, verdicts = report(results, args.before)
    print(body)
    print("\n".join(v.line() for v in verdicts))
    if not args.no_write:
        common.write_section("reminders", body, verdicts)
        print(f"wrote the reminders section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
