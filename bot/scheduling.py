"""The scheduler wakes the code up; the database decides what is due.

Each process has one Scheduler. It sends what is due in the outbox, for every platform the
process serves, and the process that leads also does the scheduled work (check-ins due,
reminders, closing openings). On PostgreSQL, leading is holding an advisory lock: exactly one
process holds it, and when that process dies PostgreSQL drops its connection, and with it the
lock, so another takes over at its next beat. SQLite runs as one process, which always leads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, Engine, text

from bot.core import Bot
from bot.outbox import Pacer, Sender, dispatch_due

log = logging.getLogger(__name__)


class _NoSkippedBeats(logging.Filter):
    """A beat that comes while the last one still runs (a long fan-out) is skipped, by design:
    not a warning worth a line in the log every few seconds."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_NoSkippedBeats())

# Rows one dispatch may send before it lets the next beat start (a big fan-out goes on then).
DISPATCH_LIMIT = 5000
# Sends in flight at once: one waiting out a short rate limit holds up no other.
DISPATCH_WORKERS = 4
# Names this service's lock; the schema is part of it, so installs in one database keep apart.
LOCK_NAME = ":partnerbot.scheduler"
# A leader whose machine vanishes (not just its process) is noticed in about 25 seconds.
KEEPALIVES = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}


class Leadership:
    """Whether this process does the scheduled work. Asked at every beat: it takes the lead if
    nobody has it, and notices if it lost it (its connection gone)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # a beat and a stop may come at once

    @property
    def leading(self) -> bool:
        """Whether this process led at its latest beat."""
        return self.engine.dialect.name != "postgresql" or self._connection is not None

    def leads(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        with self._lock:
            return self._leads()

    def _leads(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.exec_driver_sql("SELECT 1")
                return True
            except Exception:
                log.warning("lost the connection that held the scheduler's lock")
                self._drop()
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception:
            log.warning("could not reach the database to take the scheduler's lock", exc_info=True)
            return False
        try:
            for setting, value in KEEPALIVES.items():
                connection.exec_driver_sql(f"SET {setting} = {int(value)}")
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(hashtext(current_schema() || :name))"), {"name": LOCK_NAME}
            ).scalar()
        except Exception:
            log.warning("could not take the scheduler's lock", exc_info=True)
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        log.info("this process now does the scheduled work")
        self._connection = connection
        return True

    def release(self) -> None:
        """Let another process lead (on a clean stop; a crash lets go by itself)."""
        with self._lock:
            self._release()

    def _release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(hashtext(current_schema() || :name))"), {"name": LOCK_NAME}
                )
            except Exception:
                log.info("the scheduler's lock went with its connection")
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:
                pass
        self._connection = None


class Scheduler:
    """This process's beat: dispatch for its platforms, and the scheduled work if it leads."""

    def __init__(
        self,
        bot: Bot,
        senders: Mapping[str, Sender],
        interval_seconds: float,
        workers: int = DISPATCH_WORKERS,
    ) -> None:
        self.bot = bot
        self.workers = workers
        self.senders: dict[str, Sender] = dict(senders)
        self.pacer = Pacer()
        self.leadership = Leadership(bot.engine)
        self._scheduler = BackgroundScheduler(timezone="UTC")
        # Two jobs, so a long fan-out does not hold up the scheduled work, nor the other way.
        for job in (self.work, self.dispatch):
            self._scheduler.add_job(
                job,
                "interval",
                seconds=interval_seconds,
                id=job.__name__,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )

    def work(self) -> None:
        try:
            if self.leadership.leads():
                self.bot.tick()
        except Exception:  # the next beat tries again
            log.exception("scheduled work failed")

    def dispatch(self) -> int:
        try:
            sent = dispatch_due(
                self.bot.engine, dict(self.senders), self.bot.clock, DISPATCH_LIMIT, self.pacer, self.workers
            )
        except Exception:  # nothing is marked sent that was not; the next beat tries again
            log.exception("sending from the outbox failed")
            return 0
        if sent:  # a beat that did nothing leaves no line
            log.info("sent %d from the outbox", sent)
        return sent

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self, wait: bool = False) -> None:
        self._scheduler.shutdown(wait=wait)
        self.leadership.release()
