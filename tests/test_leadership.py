"""A leader that stops working loses the lead (PostgreSQL; SQLite runs as one process, which
always leads). Two Schedulers on one database, each with its own engine, play two processes;
the test drives their beats by calling `work` with the FakeClock, as APScheduler would every
5 seconds. The leader's work thread is a real thread that the test can leave stuck in a step;
a fan-out's pauses between batches move the FakeClock while the other process beats.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot import batches
from bot.checkins import delivery as checkin_delivery
from bot.core import Bot
from bot.feature import Feature
from bot.features import EVERY_FEATURE
from bot.members import Role
from bot.scheduling import HEARTBEAT_KEY, LOCK_HOLDER, LOCK_NAME, Scheduler
from bot.settings import Settings
from storage.db import make_engine
from storage.models import CheckInPrompt, Outbox, ServiceSetting
from tests.clock import FakeClock
from tests.conftest import RecordingSender
from tests.test_checkin_delivery import create_checkin

BEAT = timedelta(seconds=5)
DUE = timedelta(minutes=30)  # the check-in's time, 09:30, after the tests' START at 09:00


@pytest.fixture
def pg_engine(engine: Engine, database_url: str) -> Engine:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs as one process, which always leads: nothing to take over")
    return engine


@pytest.fixture
def second_engine(pg_engine: Engine, database_url: str) -> Iterator[Engine]:
    """The same database through another pool: another process's connections."""
    other = make_engine(database_url)
    yield other
    other.dispose()


def process(engine: Engine, settings: Settings, clock: FakeClock, features: list[Feature]) -> Scheduler:
    """One bot process's scheduler (its beats are the test's calls to `work`)."""
    bot = Bot(engine, settings, clock, features)
    return Scheduler(bot, {"console": RecordingSender()}, interval_seconds=BEAT.total_seconds())


def heartbeat(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        row = session.get_one(ServiceSetting, HEARTBEAT_KEY)
    return json.loads(row.value)


def lock_holders(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(text(LOCK_HOLDER), {"name": LOCK_NAME}).scalars())


def queued_prompts(engine: Engine) -> int:
    with Session(engine) as session:
        prompts = session.exec(select(CheckInPrompt)).all()
        rows = session.exec(select(Outbox).where(col(Outbox.dedupe_key).startswith("checkin.prompt:"))).all()
    assert len(rows) == len(prompts)  # each prompt queued once, and nothing else
    return len(prompts)


class StuckStep:
    """A step of the scheduled work that, once `stick` is set, blocks until the test lets go;
    and a step after it that notes the times it ran."""

    def __init__(self) -> None:
        self.stick = threading.Event()
        self.stuck = threading.Event()
        self.let_go = threading.Event()
        self.after: list[str] = []

    def feature(self) -> Feature:
        return Feature("stuck", scheduled=(self.block, self.note))

    def block(self, _engine: Engine, _settings: Settings, _now: Any) -> None:
        if self.stick.is_set():
            self.stuck.set()
            assert self.let_go.wait(30), "the test never let the stuck step go"

    def note(self, _engine: Engine, _settings: Settings, now: Any) -> None:
        self.after.append(now.strftime("%H:%M:%S"))


def test_a_leader_whose_work_thread_is_stuck_loses_the_lead_within_a_minute(
    pg_engine, second_engine, settings, clock, bot, person, caplog
):
    # Two partners, and a check-in due for them at 09:30.
    bot.prepare_local_member(person("Cora").who, Role.COORDINATOR)
    cora = person("Cora")
    cora.says("profile")
    for name in ("Pat", "Sam"):
        person(name).says("profile")
    create_checkin(cora, schedule="weekly thu 09:30")

    step = StuckStep()
    first = process(pg_engine, settings, clock, [step.feature(), *EVERY_FEATURE])
    second = process(second_engine, settings, clock, EVERY_FEATURE)
    first.work()
    second.work()
    assert first.leadership.leading and not second.leadership.leading
    stuck_leader = heartbeat(pg_engine)["backend"]
    assert lock_holders(pg_engine) == [stuck_leader]

    # 09:29:30: the leader's work thread sticks in a step, still holding the lock.
    clock.set(clock.now() + DUE - timedelta(seconds=30))
    step.stick.set()
    work_thread = threading.Thread(target=first.work)
    work_thread.start()
    try:
        assert step.stuck.wait(30), "the leader's work never reached the stuck step"
        assert step.after == ["09:00:00"]  # the step after it ran at the first beat only
        caplog.set_level(logging.INFO, logger="bot.scheduling")

        # The other process beats every 5 seconds; the heartbeat does not change. Until 45
        # seconds have gone by, it waits: the check-in due at 09:30 waits with it.
        for _ in range(9):
            second.work()
            assert not second.leadership.leading
            clock.advance(BEAT)
        assert clock.now().strftime("%H:%M:%S") == "09:30:15"
        assert queued_prompts(pg_engine) == 0

        # 45 seconds after it first saw that heartbeat, it takes over, and does the work at once.
        second.work()
        assert second.leadership.leading
        assert queued_prompts(pg_engine) == 2
        # One plain line in the log says so.
        lines = [r.getMessage() for r in caplog.records if r.name == "bot.scheduling"]
        assert lines == ["the leader stopped beating; this process takes over the scheduled work"]
        new_leader = heartbeat(pg_engine)["backend"]
        assert new_leader != stuck_leader
        assert lock_holders(pg_engine) == [new_leader]
    finally:
        step.let_go.set()
        work_thread.join(30)

    # The stuck thread wakes in the middle of its tick: it finds it lost the lead before the
    # next step, and does no more.
    assert not work_thread.is_alive()
    assert not first.leadership.leading
    assert step.after == ["09:00:00"]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.scheduling"]
    assert lines[-1] == "lost the connection that held the scheduler's lock; this process stops the scheduled work"
    # At their next beats the old leader does not lead again, and the new one still does.
    clock.advance(BEAT)
    first.work()
    second.work()
    assert not first.leadership.leading and second.leadership.leading
    assert step.after == ["09:00:00"]
    assert heartbeat(pg_engine)["backend"] == new_leader
    assert lock_holders(pg_engine) == [new_leader]
    assert queued_prompts(pg_engine) == 2


def test_a_leader_that_beats_is_never_taken_over(pg_engine, second_engine, settings, clock):
    # One of its ticks is long: three steps of 30 s each, with the other process beating in the
    # middle of each. The heartbeat is renewed after each step, so a tick of 90 s is no stop.
    long_steps: list[int] = []

    def long_step(_engine: Engine, _settings: Settings, _now: Any) -> None:
        if long_steps:
            long_steps.pop()
            clock.advance(timedelta(seconds=30))
            second.work()

    # Only that step to do: the other scheduled work is not what this test is about.
    first = process(pg_engine, settings, clock, [Feature("long", scheduled=(long_step, long_step, long_step))])
    second = process(second_engine, settings, clock, [])
    first.work()
    second.work()
    leader = heartbeat(pg_engine)["backend"]
    long_steps.extend([1, 2, 3])
    clock.advance(BEAT)
    first.work()
    assert not long_steps
    assert first.leadership.leading and not second.leadership.leading
    # Then beats every 5 seconds for three minutes, one process or the other first.
    for number in range(36):
        clock.advance(BEAT)
        for scheduler in (second, first) if number % 2 else (first, second):
            scheduler.work()
        assert first.leadership.leading and not second.leadership.leading
    # The other process reads the heartbeat; the clock jumps ten minutes (set by hand) and it
    # beats again before the leader: a stop is seen over several beats, not one clock reading.
    second.work()
    clock.advance(timedelta(minutes=10))
    second.work()
    first.work()
    assert first.leadership.leading and not second.leadership.leading
    assert heartbeat(pg_engine)["backend"] == leader
    assert lock_holders(pg_engine) == [leader]


class Pauses:
    """Stands in for the `time` module of bot/batches.py: each pause between two
    batches of a fan-out lasts 30 s of the FakeClock, while the other processes beat every 5 s."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.others: list[Scheduler] = []
        self.first: Callable[[], None] | None = None  # done at the first pause

    def sleep(self, _seconds: float) -> None:
        first, self.first = self.first, None
        if first is not None:
            first()
        for _ in range(6):
            self.clock.advance(BEAT)
            for other in self.others:
                other.work()


def a_fan_out(bot: Bot, person: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Pauses:
    """Four partners and a check-in due for them at 09:30, sent one prompt to a batch."""
    bot.prepare_local_member(person("Cora").who, Role.COORDINATOR)
    cora = person("Cora")
    cora.says("profile")
    for name in ("Pat", "Sam", "Alex", "Jo"):
        person(name).says("profile")
    create_checkin(cora, schedule="weekly thu 09:30")
    pauses = Pauses(clock)
    monkeypatch.setattr(checkin_delivery, "FILL_BATCH", 1)
    monkeypatch.setattr(batches, "time", pauses)  # where the pause between two batches is taken
    return pauses


def test_a_leader_in_a_long_fan_out_renews_its_heartbeat_between_batches(
    pg_engine, second_engine, settings, clock, bot, person, monkeypatch
):
    pauses = a_fan_out(bot, person, clock, monkeypatch)
    first = process(pg_engine, settings, clock, EVERY_FEATURE)
    second = process(second_engine, settings, clock, EVERY_FEATURE)
    pauses.others = [second]
    first.work()
    second.work()
    leader = heartbeat(pg_engine)["backend"]

    # 09:30: the fan-out goes one prompt to a batch, with four pauses: two minutes in all.
    clock.set(clock.now() + DUE)
    first.work()
    assert clock.now().strftime("%H:%M:%S") == "09:32:00"
    assert queued_prompts(pg_engine) == 4
    assert first.leadership.leading and not second.leadership.leading
    assert heartbeat(pg_engine)["backend"] == leader


def test_a_leader_that_loses_the_lead_in_a_fan_out_leaves_the_rest_to_the_new_one(
    pg_engine, second_engine, settings, clock, bot, person, monkeypatch
):
    pauses = a_fan_out(bot, person, clock, monkeypatch)
    first = process(pg_engine, settings, clock, EVERY_FEATURE)
    second = process(second_engine, settings, clock, EVERY_FEATURE)
    first.work()
    second.work()

    # In the first pause the leader's lock connection ends, as when another process takes over.
    def end_the_leaders_connection() -> None:
        with pg_engine.connect() as connection:
            pid = heartbeat(pg_engine)["backend"]
            connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    pauses.first = end_the_leaders_connection
    clock.set(clock.now() + DUE)
    first.work()
    assert not first.leadership.leading
    assert queued_prompts(pg_engine) == 1  # it stopped after the first batch
    # The other process takes the lead, free now, at its next beat, and sends the rest.
    second.work()
    assert second.leadership.leading
    assert queued_prompts(pg_engine) == 4


def test_only_a_stopped_leader_that_holds_the_lock_is_ended(pg_engine, second_engine, settings, clock):
    # The lock is held by a leader that writes no heartbeat (a version from before heartbeats),
    # and the heartbeat left in the table names a backend that is no leader now (it may be any
    # connection: PostgreSQL reuses process ids).
    with pg_engine.connect() as connection, pg_engine.connect() as bystander:
        older = connection.execution_options(isolation_level="AUTOCOMMIT")
        lock = "SELECT pg_try_advisory_lock(hashtext(current_schema() || :name))"
        assert older.execute(text(lock), {"name": LOCK_NAME}).scalar()
        holder = older.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        named = bystander.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with Session(pg_engine) as session:
            former = {"backend": named, "process": "former:1", "beat": 7}
            session.add(ServiceSetting(key=HEARTBEAT_KEY, value=json.dumps(former), changed_at=clock.now()))
            session.commit()
        other = process(second_engine, settings, clock, [])
        # Two minutes of beats: the heartbeat never changes, but the lock is not its backend's.
        for _ in range(24):
            other.work()
            assert not other.leadership.leading
            clock.advance(BEAT)
        assert lock_holders(pg_engine) == [holder]
        assert bystander.exec_driver_sql("SELECT 1").scalar() == 1  # not ended
        older.invalidate()  # that leader stops: its connection closes
    # The lock is free, and the other process takes it at its next beat.
    other.work()
    assert other.leadership.leading
    assert heartbeat(pg_engine)["backend"] == lock_holders(pg_engine)[0] != holder
