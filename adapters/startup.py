"""Opening the database when `partnerbot` starts, and saying in plain words why it could not:
which setting to check, never a page of traceback (`--debug` shows that).

A locked SQLite file or a PostgreSQL server that does not answer fails within seconds here,
not after the usual wait for a busy database.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.settings import Settings
from bot.words import translator
from storage.db import database_url, make_engine, migrate

# Seconds to wait for a locked file or a silent server at start-up; the whole start stays
# under 10 seconds.
START_WAIT_SECONDS = 3.0
EXAMPLE_URL = "postgresql+psycopg://user:password@host:5432/partnerbot"


class CannotStart(Exception):
    """The bot cannot start; the message says what is wrong and what to set."""

    def __init__(self, sentence: str, code: int = 1) -> None:
        super().__init__(sentence)
        self.code = code


def open_database(settings: Settings) -> Engine:
    """The database brought up to date, or CannotStart with a sentence that says why not."""
    _ = translator(settings.default_language)
    try:
        url = database_url(settings.database_url, settings.data_dir)
    except OSError as error:
        folder = settings.data_dir.absolute()
        raise CannotStart(say(_("I can't write to {folder}.", folder=folder), fix(settings))) from error
    try:
        make_url(url)
    except (ArgumentError, ValueError) as error:
        raise unusable(settings) from error
    try:
        first = make_engine(url, wait_seconds=START_WAIT_SECONDS)
        try:
            migrate(first)
        finally:
            first.dispose()
        return make_engine(url)
    except Exception as error:
        raise explain(error, url, settings) from error


def explain(error: Exception, url: str, settings: Settings) -> CannotStart:
    """One sentence for a failure to open or migrate the database at `url`."""
    _ = translator(settings.default_language)
    if isinstance(error, NoSuchModuleError | ModuleNotFoundError):  # postgresql:// wants psycopg2
        return unusable(settings)
    cause = driver_error(error)
    if isinstance(cause, sqlite3.Error):
        path = Path(make_url(url).database or "")
        kind = getattr(cause, "sqlite_errorname", "")
        if kind in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            in_use = _(
                "The database file {path} is in use by another program (perhaps another partnerbot).",
                path=path.absolute(),
            )
            stop = (
                _("Stop it, or check DATABASE_URL.")
                if settings.database_url
                else _("Stop it, or set DATA_DIR to another folder.")
            )
            return CannotStart(say(in_use, stop))
        if kind in ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM"):
            return CannotStart(
                say(_("I can't write to {folder}.", folder=path.absolute().parent), fix(settings))
            )
    elif isinstance(cause, psycopg.Error):
        found = make_url(url)
        place = (
            f"{found.host}:{found.port or 5432}" if found.host else found.render_as_string(hide_password=True)
        )
        words = str(cause)
        if re.search(r'database "[^"]*" does not exist', words):
            return CannotStart(
                _(
                    "The database '{name}' does not exist on {host}. Create it, or check DATABASE_URL.",
                    name=found.database,
                    host=found.host or place,
                )
            )
        if re.search(r'role "[^"]*" does not exist|password authentication failed', words):
            refused = _("The database at {place} did not accept the user name or password.", place=place)
            return CannotStart(say(refused, _("Please check DATABASE_URL.")))
        if "connection failed" in words or "failed to resolve host" in words or "timeout" in words:
            unreachable = _("I could not connect to the database at {place}.", place=place)
            return CannotStart(say(unreachable, _("Please check DATABASE_URL.")))
    return CannotStart(
        say(
            _("I could not open the database."),
            _("Run the same command with --debug to see why."),
        )
    )


def driver_error(error: Exception) -> Exception | None:
    """The database driver's own error, whether SQLAlchemy wrapped it or not."""
    if isinstance(error, DBAPIError):
        return error.orig if isinstance(error.orig, Exception) else None
    return error if isinstance(error, sqlite3.Error | psycopg.Error) else None


def unusable(settings: Settings) -> CannotStart:
    _ = translator(settings.default_language)
    wrong = _("DATABASE_URL is not a database address I can use.")
    return CannotStart(say(wrong, _("It should look like {example}.", example=EXAMPLE_URL)), code=2)


def fix(settings: Settings) -> str:
    """What to set when the SQLite file's folder cannot be written."""
    _ = translator(settings.default_language)
    if settings.database_url:
        return _("Please check DATABASE_URL.")
    return _("Please set DATA_DIR to a folder I can write to.")


def say(*sentences: str) -> str:
    return " ".join(sentences)
