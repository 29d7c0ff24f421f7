"""One bot process for tests/test_processes.py, as `partnerbot run` runs one: the real Scheduler
(dispatch in every process, scheduled work in the one that leads), its clock read from a file the
test moves, and a sender that posts to the test's fake platform over HTTP.

    python -m tests.process_worker DATABASE_URL CLOCK_FILE PLATFORM_URL NAME STATUS_DIR

It writes STATUS_DIR/NAME.started once its scheduler runs, NAME.leader once it leads, NAME.ticks
each time it does the scheduled work and NAME.idle when it finds nothing to send; it stops when
STATUS_DIR/stop appears.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.outbox import Delivery, Pace, SendFailed
from bot.scheduling import Scheduler
from bot.settings import Settings
from storage.db import make_engine

BEAT = 0.05  # seconds between the scheduler's beats here (5 in production)


class FileClock:
    """The time written in a file: the test moves it for every process at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        return datetime.fromisoformat(self.path.read_text().strip()).astimezone(UTC)


class HttpSender:
    """Posts each message to the fake platform with a nonce from its outbox row, as the
    Discord sender does, so the platform can tell a retry from a new message."""

    pace = Pace(per_second=500, burst=50)

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name

    def send(self, delivery: Delivery) -> str | None:
        body = {
            "worker": self.name,
            "outbox_id": delivery.outbox_id,
            "target": delivery.target_id,
            "nonce": f"ob{delivery.outbox_id}",
            "text": delivery.message.plain(),
        }
        request = urllib.request.Request(
            self.url, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return str(json.loads(answer.read())["id"])
        except (urllib.error.URLError, OSError) as error:
            raise SendFailed(f"the platform did not answer: {error}") from error


class StatusScheduler(Scheduler):
    """The real Scheduler; it also writes NAME.idle with the time a dispatch beat began that
    found nothing to send (beats never overlap, so every row this process claimed is done)."""

    def __init__(self, *args: object, status: Path) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.status = status

    def dispatch(self) -> int:
        began = self.bot.clock.now()
        sent = super().dispatch()
        if sent == 0:
            write_at_once(self.status, began.isoformat())
        return sent


def write_at_once(path: Path, text: str) -> None:
    """Replace a file's text so that a reader sees the old text or the new, never half."""
    part = path.with_suffix(".part")
    part.write_text(text)
    part.replace(path)


class StatusBot(Bot):
    def __init__(self, *args: object, status: Path) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.status = status

    def tick(self, still_leads: Callable[[], bool] = lambda: True) -> None:
        super().tick(still_leads)
        with self.status.open("a") as ticks:
            ticks.write(self.clock.now().isoformat() + "\n")


def main(url: str, clock_file: str, platform_url: str, name: str, status_dir: str) -> None:
    status = Path(status_dir)
    settings = Settings(_env_file=None, default_timezone="Europe/London")
    engine = make_engine(url)
    bot = StatusBot(engine, settings, FileClock(Path(clock_file)), EVERY_FEATURE, status=status / f"{name}.ticks")
    scheduler = StatusScheduler(bot, {"fake": HttpSender(platform_url, name)}, BEAT, status=status / f"{name}.idle")
    scheduler.start()
    (status / f"{name}.started").touch()
    try:
        while not (status / "stop").exists():
            if scheduler.leadership.leading:
                (status / f"{name}.leader").touch()
            time.sleep(BEAT)
    finally:
        scheduler.shutdown(wait=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
