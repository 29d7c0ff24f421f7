"""Opening the database and bringing its schema up to date.

SQLite lets one writer in at a time. A transaction normally takes that write lock when it begins
(BEGIN IMMEDIATE), so a read followed by a write never fails half-way because another connection
wrote in between. That is the safe default, for every session opened with `Session(engine)`.

But a transaction that only reads then holds the lock for nothing, and every writer waits for it.
A session on `reads_first(engine)` begins without the lock (a plain, deferred BEGIN): it reads from
a snapshot, beside any writer (WAL). If it then writes, SQLite takes the lock at the first write,
and that can fail at once: if another connection wrote since the snapshot, the snapshot cannot
become a write transaction, and SQLite says "database is locked" without waiting (busy_timeout
does not retry it). Nothing was written by then, so the caller rolls back and runs the same work
again on `engine` itself, with the lock from the start (`write_lock_missed` tells that error
apart). The core's turn does this; a session that only ever reads needs no second try.
On PostgreSQL `reads_first` changes nothing: its rows are locked one by one, as statements ask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).with_name("migrations")
# Seconds to wait for the database: for a lock another connection holds (SQLite), or for a
# server to answer a new connection (PostgreSQL).
WAIT_SECONDS = 30.0


def database_url(configured: str | None, data_dir: Path) -> str:
    """The configured URL, or a SQLite file under data_dir made on first run."""
    if configured:
        return configured
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'partnerbot.db').as_posix()}"


def make_engine(url: str, wait_seconds: float = WAIT_SECONDS, **kwargs: Any) -> Engine:
    """An engine whose errors never quote the values of a statement: those are what people
    typed (a note, an answer), and an error ends up in the log."""
    kwargs["hide_parameters"] = True
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": wait_seconds}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(wait_seconds))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {}
    if "connect_timeout" not in make_url(url).query:  # a timeout in the URL wins
        # libpq counts whole seconds, at least 2.
        connect_args["connect_timeout"] = max(2, round(wait_seconds))
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(wait_seconds: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 otherwise starts a transaction only at the first write, so a savepoint
        # before it commits on its own and "all or nothing" breaks. We begin transactions ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return on_connect


_READS_FIRST = "partnerbot_reads_first"
# SQLite's "busy", and its "busy: your snapshot is out of date" (SQLITE_BUSY_SNAPSHOT).
_SQLITE_BUSY = {5, 517}


def reads_first(engine: Engine) -> Engine:
    """The same database, for a transaction that reads before it writes, if it writes at all:
    on SQLite it takes the write lock only at its first write (see the module's docstring)."""
    return engine.execution_options(**{_READS_FIRST: True})


def write_lock_missed(problem: OperationalError) -> bool:
    """Whether a `reads_first` transaction failed to take SQLite's write lock at its first write.
    Run the work again on the engine itself: it takes the lock when it begins."""
    return getattr(problem.orig, "sqlite_errorcode", None) in _SQLITE_BUSY


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(_READS_FIRST):
        connection.exec_driver_sql("BEGIN")
        return
    # IMMEDIATE takes the write lock at the start, so a read followed by a write never fails
    # half-way because another thread wrote in between. SQLite runs as one process anyway.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied. Safe to run on every start."""
    command.upgrade(alembic_config(engine), "head")
