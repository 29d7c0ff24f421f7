"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url

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


def _sqlite_begin(connection: Any) -> None:
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
