"""Several bot processes on one PostgreSQL database, as a large provider runs them: each one
dispatches from the outbox, exactly one (holding an advisory lock) does the scheduled work, and
when that one is killed in the middle of a fan-out the other takes over. Nothing is lost and
nothing is doubled.

The processes are real (`tests/process_worker.py`, the real Scheduler); their clock is a file the
test moves; the platform is a small HTTP server here that records every request and, like
Discord with an enforced nonce, makes one message per nonce.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, Command, Who
from bot.members import AccountRef, Role
from bot.outbox import LEASE
from bot.scheduling import DISPATCH_WORKERS, Leadership
from storage.models import CheckInPrompt, Outbox
from tests.conftest import START
from tests.process_worker import write_at_once
from tests.test_checkin_delivery import create_checkin

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = 60
HOLD_AT = 10  # the request of the first process that the platform holds while it is killed
SEND_AT = START + timedelta(minutes=30)  # the check-in's time: 09:30 on Thursday, London


@dataclass
class Platform:
    """Records every request; makes one message per nonce; can hold one request unanswered."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    made: dict[str, dict[str, Any]] = field(default_factory=dict)  # nonce -> message
    hold_worker: str = ""
    held = threading.Event()
    release = threading.Event()
    lock = threading.Lock()

    def handle(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.requests.append(body)
            made = self.made.setdefault(body["nonce"], {**body, "id": str(len(self.made) + 1)})
            from_worker = sum(1 for r in self.requests if r["worker"] == body["worker"])
        if body["worker"] == self.hold_worker and from_worker == HOLD_AT:
            self.held.set()  # made, but the answer waits: its process is about to die
            self.release.wait(30)
        return made


def serve(platform: Platform) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answer = json.dumps(platform.handle(body)).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the process that asked is gone

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # eight senders at once, and one request held
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Wait for other processes to do something (not for time to pass: the clock is a file)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


@pytest.fixture
def pg_engine(engine, database_url) -> Iterator[Any]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs as one process (see docs/operations.md); this is PostgreSQL's")
    yield engine


def test_two_processes_share_a_fan_out_and_one_takes_over_when_the_other_is_killed(
    pg_engine, database_url, bot, clock, person, tmp_path
):
    engine = pg_engine
    # A coordinator, and partners whose accounts are on the fake platform.
    bot.prepare_local_member(Who(AccountRef("console", "local", "cora"), "Cora"), Role.COORDINATOR)
    cora = person("Cora")
    cora.says("profile")
    for number in range(PARTNERS):
        who = Who(AccountRef("fake", "", f"p{number}"), f"Partner {number}")
        bot.handle(Command(who, "profile"))
        bot.handle(ButtonPress(who, "consent.ok"))  # OK to the notice: check-ins may come
    create_checkin(cora, schedule="weekly thu 09:30")
    with Session(engine) as session:  # the partners' welcome messages came as replies, not here
        assert session.exec(select(Outbox)).all() == []

    clock_file = tmp_path / "clock"
    clock_file.write_text(START.isoformat())
    platform = Platform(hold_worker="first")
    server = serve(platform)
    url = f"http://127.0.0.1:{server.server_port}/messages"
    status = tmp_path / "status"
    status.mkdir()

    def start(name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.process_worker", database_url, str(clock_file), url, name, str(status)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def set_clock(when: datetime) -> None:
        write_at_once(clock_file, when.isoformat())

    first = start("first")
    second = None
    try:
        until(lambda: (status / "first.leader").exists(), "the first process to lead")
        second = start("second")
        until(lambda: (status / "second.started").exists(), "the second process to start")
        assert not (status / "second.leader").exists()  # only one leads

        # 09:30: the leader's scheduled work queues the check-in for every partner; both send.
        set_clock(SEND_AT)
        assert platform.held.wait(60), "the first process never sent its share"
        first.send_signal(signal.SIGKILL)  # in the middle of a send, with more rows claimed
        first.wait(30)
        killed_at = time.monotonic()
        platform.release.set()
        until(lambda: (status / "second.leader").exists(), "the second process to take over", 30)
        assert time.monotonic() - killed_at < 30

        # Before the first's leases run out, the second sends all else and has nothing in hand
        # (else jumping past LEASE would also free the rows the second is still sending).
        settled = SEND_AT + timedelta(minutes=1)
        set_clock(settled)
        until(lambda: idle_since(status / "second.idle") >= settled, "the second process to send all it may")
        # What the first had claimed goes out once its lease has run out.
        set_clock(SEND_AT + LEASE + timedelta(minutes=1))
        until(lambda: all_sent(engine), "every message to be sent")
    finally:
        (status / "stop").touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.wait(30)
        server.shutdown()

    # Nothing lost, nothing doubled: one message made for each partner.
    with Session(engine) as session:
        rows = session.exec(select(Outbox).order_by(col(Outbox.id))).all()
        prompts = session.exec(select(CheckInPrompt)).all()
    assert len(rows) == len(prompts) == PARTNERS
    made = sorted(m["target"] for m in platform.made.values())
    assert made == sorted(f"p{n}" for n in range(PARTNERS))
    assert all(m["text"].startswith("Check-in: Weekly wellbeing.") for m in platform.made.values())
    # Both processes sent, each row once. Only what was in flight when the first died (the held
    # send, and any its other workers had under way) was asked for again, by the second, and the
    # platform's nonce made each of those once.
    by_first = [r["outbox_id"] for r in platform.requests if r["worker"] == "first"]
    by_second = [r["outbox_id"] for r in platform.requests if r["worker"] == "second"]
    assert by_first and by_second
    assert len(set(by_first)) == len(by_first) and len(set(by_second)) == len(by_second)
    again = set(by_first) & set(by_second)
    assert 1 <= len(again) <= DISPATCH_WORKERS
    for row in rows:
        assert row.sent_at is not None and row.platform_message_id == platform.made[f"ob{row.id}"]["id"]
    # The second process did the scheduled work after it took over.
    assert (status / "second.ticks").read_text().splitlines()[-1] >= (SEND_AT + LEASE).isoformat()


def idle_since(path: Path) -> datetime:
    """When the process last began a dispatch that found nothing to send."""
    return datetime.fromisoformat(path.read_text()) if path.exists() else datetime.min.replace(tzinfo=UTC)


def all_sent(engine: Any) -> bool:
    with Session(engine) as session:
        rows = session.exec(select(Outbox)).all()
    return len(rows) == PARTNERS and all(r.sent_at is not None for r in rows)


def test_one_leader_at_a_time_and_on_sqlite_the_one_process(engine, database_url, clock):
    leadership = Leadership(engine, clock)
    if database_url.startswith("postgresql"):
        # Two in one database: the first leads until it lets go, then the second does.
        other = Leadership(engine, clock)
        assert leadership.leads() and not other.leads()
        assert leadership.leads()  # asked again at the next beat: still the leader
        leadership.release()
        assert other.leads() and not leadership.leads()
        other.release()
        return
    assert leadership.leads() and leadership.leading
