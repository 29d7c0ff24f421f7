"""Contention: 500 partners press "Sign up" on one wellbeing session with 20 places at the same
moment, from 4 processes, on PostgreSQL.

Each process is what `partnerbot run` is: its own engine and `Bot`, calling `Bot.handle` from a
pool of threads as large as asyncio's default executor (which the Slack and Discord adapters use
through `asyncio.to_thread`): min(32, cores + 4). Each process warms up first (one sign-up to
another session), then all 4 wait on a multiprocessing barrier and hand their 125 sign-ups to
their pool at once. The community around them is the 1,000-member one of bench/latency.py.

What "arrival order" means here. All 500 presses are made at the same instant, so the time a
request was made cannot order them. A sign-up's place is decided while it holds the session's row
lock (`bot.sessions.queries.lock`, SELECT ... FOR UPDATE, held to the commit), so the order that
matters is the order in which the requests reached that lock. The script records, in every
process, the moment `lock` returned (CLOCK_MONOTONIC, one clock for all processes; `lock` is
wrapped in the benchmark's own processes, the core is not changed), and checks that:
  1. exactly 20 have a place and 480 are waitlisted, and nothing went wrong;
  2. the 20 places went to the first 20 to get the lock;
  3. the waitlist in the database (the order the core moves people up in) is the order in which
     the other 480 got the lock;
  4. the number each person was told is their place in that waitlist: 1 to 480, each once.
It also reports, for information, how far the order of answers (when `Bot.handle` returned)
strays from the lock order: the commit comes before the answer, so only thread scheduling
between the commit and the return can swap two answers.

Run:
    .venv/bin/python bench/contention.py
Options: --database sqlite (SQLite's single writer instead), --processes, --crowd, --capacity,
--threads.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from storage.db import make_engine, migrate
from storage.models import SessionSignup, WellbeingSession
from tests.clock import FakeClock

SORRY = "Sorry, something went wrong"
PLACE = re.compile(r"you are number (\d+) on the waitlist")


def now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


@dataclass
class Press:
    member: int
    process: int
    pressed: int  # ns, CLOCK_MONOTONIC: handed to the pool (the moment the person pressed)
    started: int  # a thread called Bot.handle
    locked: int  # when the session's row lock was granted (0: never)
    answered: int  # Bot.handle returned
    reply: str
    failure: str = ""

    @property
    def confirmed(self) -> bool:
        return self.reply.startswith("You have a place at")

    @property
    def told(self) -> int | None:
        found = PLACE.search(self.reply)
        return int(found.group(1)) if found else None


# ---- one process --------------------------------------------------------------------------------


def crowd_process(
    number: int,
    url: str,
    session_id: int,
    warm: tuple[int, int],
    members: list[tuple[int, str, str]],
    threads: int,
    barrier: Any,
    results: Any,
) -> None:
    """One bot process: warm up, wait for the others, then press Sign up for each member at once."""
    import bot.sessions.seats as seats

    engine = make_engine(url)
    bot = Bot(engine, common.settings(), FakeClock(common.START), EVERY_FEATURE)
    granted = threading.local()
    original: Callable[..., Any] = seats.lock

    def timed_lock(*args: Any, **kwargs: Any) -> Any:
        row = original(*args, **kwargs)
        granted.at = now_ns()
        return row

    seats.lock = timed_lock  # type: ignore[assignment]

    warm_member, warm_session = warm
    bot.handle(ButtonPress(Who(common.account_of(warm_member)), f"session.signup:{warm_session}"))
    events = [
        (m, ButtonPress(Who(common.account_of(m), name, zone), f"session.signup:{session_id}"))
        for m, name, zone in members
    ]

    def press(member: int, event: ButtonPress, pressed: int) -> Press:
        granted.at = 0
        started = now_ns()
        try:
            reply = bot.handle(event).plain()
            failure = ""
        except Exception as problem:  # Bot.handle never raises; if it does, it is an error
            reply, failure = "", repr(problem)
        return Press(member, number, pressed, started, granted.at, now_ns(), reply, failure)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        barrier.wait(timeout=120)
        futures = [pool.submit(press, member, event, now_ns()) for member, event in events]
        done = [future.result() for future in futures]
    results.put(done)
    engine.dispose()


# ---- the crowd ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    processes: int
    threads: int
    crowd: int
    capacity: int
    presses: list[Press]
    rows: list[tuple[int, int, str]]  # (signup id, member, status) in id order
    taken: int
    seconds: float

    def by_member(self) -> dict[int, Press]:
        return {p.member: p for p in self.presses}


def run(database: str, processes: int, crowd: int, capacity: int, threads: int) -> Outcome:
    with tempfile.TemporaryDirectory() as folder, common.fresh_database(database, Path(folder)) as url:
        engine = make_engine(url)
        migrate(engine)
        print(f"{database}: seeding a community of 1,000 members ...", flush=True)
        community = common.seed(engine, common.Plan(max(1000, crowd + processes + 100)), common.START)
        session_id = common.add_session(engine, common.START, capacity, community.coordinators[0])
        partners = community.partners
        people = partners[:crowd]
        warmers = partners[crowd : crowd + processes]
        warm_sessions = community.sessions_open[:processes]
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(processes + 1)
        results = context.Queue()
        workers = []
        for number in range(processes):
            mine = [(m, community.names[m - 1], community.zones[m - 1]) for m in people[number::processes]]
            worker = context.Process(
                target=crowd_process,
                args=(
                    number,
                    url,
                    session_id,
                    (warmers[number], warm_sessions[number]),
                    mine,
                    threads,
                    barrier,
                    results,
                ),
            )
            worker.start()
            workers.append(worker)
        barrier.wait(timeout=300)
        began = now_ns()
        print(f"  {crowd} sign-ups from {processes} processes ...", flush=True)
        presses: list[Press] = []
        for _ in workers:
            presses += results.get(timeout=600)
        for worker in workers:
            worker.join(timeout=60)
        seconds = (max(p.answered for p in presses) - began) / 1e9
        with Session(engine) as session:
            rows = [
                (s.id or 0, s.member_id, s.status)
                for s in session.exec(
                    select(SessionSignup)
                    .where(SessionSignup.session_id == session_id)
                    .order_by(col(SessionSignup.id))
                )
            ]
            taken = session.get_one(WellbeingSession, session_id).taken
        engine.dispose()
        return Outcome(database, processes, threads, crowd, capacity, presses, rows, taken, seconds)


# ---- what it shows ------------------------------------------------------------------------------------


def inversions(order: list[int], key: dict[int, int]) -> tuple[int, int]:
    """Pairs of `order` (members) whose `key` times are the other way round, and the largest gap
    (ns) by which such a pair is the other way round."""
    count, worst = 0, 0
    for i, first in enumerate(order):
        for second in order[i + 1 :]:
            if key[first] > key[second]:
                count += 1
                worst = max(worst, key[first] - key[second])
    return count, worst


def report(outcome: Outcome) -> tuple[str, list[common.Verdict]]:
    presses = outcome.by_member()
    errors = [p for p in outcome.presses if p.failure or SORRY in p.reply]
    confirmed = [p for p in outcome.presses if p.confirmed]
    waitlisted = [p for p in outcome.presses if p.told is not None]
    other = [p for p in outcome.presses if not p.confirmed and p.told is None and p not in errors]
    lock_order = [p.member for p in sorted(outcome.presses, key=lambda p: p.locked) if p.locked]
    db_confirmed = [m for _id, m, status in outcome.rows if status == "confirmed"]
    db_waiting = [m for _id, m, status in outcome.rows if status == "waitlisted"]
    first_to_lock = set(lock_order[: outcome.capacity])
    places_to_first = set(db_confirmed) == first_to_lock == {p.member for p in confirmed}
    waitlist_is_lock_order = db_waiting == [m for m in lock_order if m not in first_to_lock]
    told = [presses[m].told for m in db_waiting]
    told_right = told == list(range(1, len(db_waiting) + 1))
    answer_swaps, answer_gap = inversions(lock_order, {p.member: p.answered for p in outcome.presses})
    start_spread = (max(p.pressed for p in outcome.presses) - min(p.pressed for p in outcome.presses)) / 1e6
    latencies = [(p.answered - p.pressed) / 1e9 for p in outcome.presses]
    inside = [(p.answered - p.started) / 1e9 for p in outcome.presses]
    holds = sorted(
        b.locked - a.locked
        for a, b in zip(
            sorted(outcome.presses, key=lambda p: p.locked),
            sorted(outcome.presses, key=lambda p: p.locked)[1:],
            strict=False,
        )
        if a.locked
    )
    expected_wait = outcome.crowd - outcome.capacity
    met = (
        len(confirmed) == outcome.capacity == len(db_confirmed) == outcome.taken
        and len(waitlisted) == expected_wait == len(db_waiting)
        and not errors
        and not other
        and places_to_first
        and waitlist_is_lock_order
        and told_right
    )

    def yes(value: bool) -> str:
        return "yes" if value else "**no**"

    lines = [
        "## Contention (`bench/contention.py`)",
        "",
        "Command: `.venv/bin/python bench/contention.py`"
        + ("" if outcome.database == "postgresql" else f" (here with `--database {outcome.database}`)"),
        "",
        common.machine([outcome.database]),
        "",
        f"{outcome.crowd} partners press Sign up on one session with {outcome.capacity} places at the same moment, from "
        f"{outcome.processes} processes (multiprocessing, spawn; all released by one barrier), each calling "
        f"`Bot.handle` from {outcome.threads} threads (asyncio's default executor size here, which the adapters use), "
        "on a database holding the 1,000-member community of the latency benchmark. Arrival order is the order "
        "in which the requests got the session's row lock, where a place is decided; see the script's docstring "
        "for why and how it is recorded.",
        "",
        "| | |",
        "|---|---|",
        f"| Confirmed (replies / rows / `taken`) | {len(confirmed)} / {len(db_confirmed)} / {outcome.taken} |",
        f"| Waitlisted (replies / rows) | {len(waitlisted)} / {len(db_waiting)} |",
        f"| Errors | {len(errors)} |",
        f"| Other replies | {len(other)} |",
        f"| Time from the barrier to the last answer | {outcome.seconds:.2f} s "
        f"({outcome.crowd / outcome.seconds:.0f} sign-ups/s) |",
        f"| One sign-up, press to answer, waiting for a thread included (p50 / p99 / max) | "
        f"{common.ms(common.percentile(latencies, 50))} / {common.ms(common.percentile(latencies, 99))} / "
        f"{common.ms(max(latencies))} ms |",
        f"| One sign-up inside `Bot.handle` (p50 / p99 / max) | {common.ms(common.percentile(inside, 50))} / "
        f"{common.ms(common.percentile(inside, 99))} / {common.ms(max(inside))} ms |",
        f"| Time between one lock grant and the next (p50 / p99) | {common.ms(common.percentile(holds, 50) / 1e9)} / "
        f"{common.ms(common.percentile(holds, 99) / 1e9)} ms |",
        f"| The {outcome.capacity} places went to the first {outcome.capacity} to get the lock | {yes(places_to_first)} |",
        f"| The waitlist in the database is in lock order | {yes(waitlist_is_lock_order)} |",
        f"| Each waitlisted person was told their place, 1 to {len(db_waiting)}, each once | {yes(told_right)} |",
        f"| Pairs whose answers came back in the other order than their lock (information) | {answer_swaps} "
        f"of {len(lock_order) * (len(lock_order) - 1) // 2}, by at most {answer_gap / 1e6:.1f} ms |",
        f"| Spread of the moments the {outcome.crowd} presses were made | {start_spread:.1f} ms |",
        "",
        f"Target: exactly {outcome.capacity} confirmed, {expected_wait} waitlisted in arrival order, 0 errors: "
        + ("**met**." if met else "**missed** (see the rows above marked no, or the counts)."),
        "",
        f"The presses are all made within {start_spread:.0f} ms, but a thread pool of "
        f"{outcome.threads} per process means at most {outcome.threads * outcome.processes} are inside `Bot.handle` "
        "at once; the rest wait for a thread, as they would behind the adapters. Inside `Bot.handle` a sign-up "
        "spends most of its time waiting for the session's row lock: the sign-ups to one session go through "
        "one at a time, each holding the lock from `lock` to its commit (the time between one grant and the "
        "next above), which sets how many sign-ups a second one session can take. Answers can come back in "
        "another order than the lock only by the thread scheduling between a commit and the return of "
        "`Bot.handle`: the waitlist itself never disagrees with the lock order.",
    ]
    if errors or other:
        lines += ["", "First unexpected replies:", ""]
        lines += [f"- member {p.member}: {(p.failure or p.reply)[:200]!r}" for p in (errors + other)[:5]]
    verdict = common.Verdict(
        "c",
        f"{outcome.crowd} sign-ups for {outcome.capacity} places from {outcome.processes} processes: "
        f"{outcome.capacity} confirmed, {expected_wait} waitlisted in arrival order, 0 errors",
        f"{len(db_confirmed)} confirmed, {len(db_waiting)} waitlisted, {len(errors)} errors, "
        f"arrival order {'kept' if waitlist_is_lock_order and places_to_first else 'not kept'}.",
        bool(met),
    )
    return "\n".join(lines), [verdict]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--crowd", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--threads", type=int, default=min(32, (os.cpu_count() or 1) + 4))
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    outcome = run(args.database, args.processes, args.crowd, args.capacity, args.threads)
    body, verdicts = report(outcome)
    if args.no_write:
        print(body)
    else:
        common.write_section("contention", body, verdicts)
        print(body.split("Target:")[1].split("\n")[0])
        print(f"wrote the contention section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
