"""The scheduler wakes the code up; the database decides what is due.

Each process has one Scheduler. It sends what is due in the outbox, for every platform the
process serves, and the process that leads also does the scheduled work (check-ins due,
reminders, closing openings). On PostgreSQL, leading is holding an advisory lock: exactly one
process holds it, and when that process dies PostgreSQL drops its connection, and with it the
lock, so another takes over at its next beat.

A leader can also stop working while it lives (its work thread stuck). So the leader renews a
heartbeat from the thread that does the work, at each beat and between the steps of its work;
another process that sees the heartbeat unchanged for STALE_AFTER by its own clock ends the
stuck leader's lock connection, which frees the lock, and takes the lead. SQLite runs as one
process, which always leads: there is nobody to take over.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import insert

from bot.clock import Clock
from bot.core import Bot
from bot.outbox import Pacer, Sender, dispatch_due
from storage.models import ServiceSetting

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
# A leader whose heartbeat has not changed for this long has stopped working: with beats every
# 5 seconds, another process takes over within 55 seconds of its last beat.
STALE_AFTER = timedelta(seconds=45)
# ...and over more than this many further beats of the process that takes over, so that its
# clock jumping (set by hand, or a test's) does not alone make a leader look stopped.
STALE_BEATS = 3
# The leader's heartbeat: its row in service_setting, in this schema like the lock.
HEARTBEAT_KEY = "scheduler.leader"
# How long a process taking over waits for the stuck leader's connection to end (milliseconds).
TERMINATE_WAIT_MS = 5000
# The process that holds our lock, as PostgreSQL lists it (a bigint key is split in two oids).
LOCK_HOLDER = """
SELECT l.pid FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid::bigint = ((hashtext(current_schema() || :name)::bigint >> 32) & 4294967295)
  AND l.objid::bigint = (hashtext(current_schema() || :name)::bigint & 4294967295)
"""


class Leadership:
    """Whether this process does the scheduled work. Asked at every beat: it takes the lead if
    nobody has it, or if the leader stopped beating, and notices if it lost it (its connection
    gone). The leader's heartbeat says which PostgreSQL backend holds the lock, for whom, and
    how many beats it has made; it is written on the lock's own connection, so only the holder
    can write it, and only from the work thread (`leads` and `still_leads`)."""

    def __init__(
        self, engine: Engine, clock: Clock, label: str | None = None, stale_after: timedelta = STALE_AFTER
    ) -> None:
        self.engine = engine
        self.clock = clock
        # Which process this is, for whoever reads the heartbeat: its machine and process id.
        self.label = (label or f"{socket.gethostname()}:{os.getpid()}")[:100]
        self.stale_after = stale_after
        self._connection: Connection | None = None
        self._backend = 0  # the lock connection's backend pid
        self._beats = 0
        # The heartbeat as this process last read it, since when (by this process's clock) and
        # at how many of its beats: a leader is stale when it has not changed for stale_after,
        # so two machines' clocks need not agree.
        self._seen: str | None = None
        self._seen_since: datetime | None = None
        self._seen_beats = 0
        self._lock = threading.Lock()  # a beat and a stop may come at once

    @property
    def leading(self) -> bool:
        """Whether this process led at its latest beat."""
        return self.engine.dialect.name != "postgresql" or self._connection is not None

    def leads(self) -> bool:
        """At the start of a beat: renew the heartbeat if this process leads, else take the lead
        if it is free or its holder stopped beating."""
        if self.engine.dialect.name != "postgresql":
            return True
        with self._lock:
            if self._connection is not None and self._beat():
                return True
            return self._take()

    def still_leads(self) -> bool:
        """Between the steps of the scheduled work: renew the heartbeat; False if the lead was
        lost meanwhile (then the rest of the work is left to the new leader)."""
        if self.engine.dialect.name != "postgresql":
            return True
        with self._lock:
            return self._connection is not None and self._beat()

    def _beat(self) -> bool:
        assert self._connection is not None
        self._beats += 1
        heartbeat = json.dumps({"backend": self._backend, "process": self.label, "beat": self._beats})
        upsert = insert(ServiceSetting).values(key=HEARTBEAT_KEY, value=heartbeat, changed_at=self.clock.now())
        try:
            self._connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"value": upsert.excluded.value, "changed_at": upsert.excluded.changed_at, "changed_by": None},
                )
            )
            return True
        except Exception:
            log.warning("lost the connection that held the scheduler's lock; this process stops the scheduled work")
            self._drop()
            return False

    def _take(self) -> bool:
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception:
            log.warning("could not reach the database to take the scheduler's lock", exc_info=True)
            return False
        try:
            for setting, value in KEEPALIVES.items():
                connection.exec_driver_sql(f"SET {setting} = {int(value)}")
            taken, took_over = self._try_lock(connection), False
            if not taken:
                stale = self._stale_holder(connection)
                took_over = stale is not None and self._end(connection, stale)
                taken = took_over and self._try_lock(connection)
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() if taken else None
        except Exception:
            log.warning("could not take the scheduler's lock", exc_info=True)
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        self._connection, self._backend, self._beats = connection, int(backend or 0), 0
        if not self._beat():  # a leader nobody can see beating would be taken over at once
            return False
        if not took_over:  # else its one line said so
            log.info("this process now does the scheduled work")
        return True

    @staticmethod
    def _try_lock(connection: Connection) -> bool:
        return bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(hashtext(current_schema() || :name))"), {"name": LOCK_NAME}
            ).scalar()
        )

    def _stale_holder(self, connection: Connection) -> int | None:
        """The backend pid of a leader that stopped beating, or None while it beats (or if the
        lock's holder is not the one the heartbeat names: a new leader about to write its own,
        or one from before heartbeats, which is left to lead until it stops)."""
        heartbeat = connection.execute(
            text("SELECT value FROM service_setting WHERE key = :key"), {"key": HEARTBEAT_KEY}
        ).scalar()
        now = self.clock.now()
        if heartbeat != self._seen or self._seen_since is None:
            self._seen, self._seen_since, self._seen_beats = heartbeat, now, 0
            return None
        self._seen_beats += 1
        if heartbeat is None or now - self._seen_since < self.stale_after or self._seen_beats <= STALE_BEATS:
            return None
        named = json.loads(heartbeat).get("backend")
        holder = connection.execute(text(LOCK_HOLDER), {"name": LOCK_NAME}).scalar()
        return named if holder is not None and holder == named else None

    def _end(self, connection: Connection, backend: int) -> bool:
        """End the stuck leader's lock connection, which frees the lock. True if it ended."""
        log.warning("the leader stopped beating; this process takes over the scheduled work")
        try:
            return bool(
                connection.execute(
                    text("SELECT pg_terminate_backend(:pid, :wait)"), {"pid": backend, "wait": TERMINATE_WAIT_MS}
                ).scalar()
            )
        except Exception:  # most often a missing privilege: see docs/operations.md
            log.warning("could not end the stopped leader's connection to the database", exc_info=True)
            return False

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
        # Beats far apart (a long DISPATCH_INTERVAL_SECONDS) must not look like a stuck leader.
        stale_after = max(STALE_AFTER, timedelta(seconds=3 * interval_seconds))
        self.leadership = Leadership(bot.engine, bot.clock, stale_after=stale_after)
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
        """The scheduled work, if this process leads. The heartbeat is renewed here, in the
        thread that does the work, before it and after each of its steps: a thread that is stuck
        renews nothing, and another process takes the lead."""
        try:
            if self.leadership.leads():
                self.bot.tick(self.leadership.still_leads)
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
