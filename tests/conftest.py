"""Shared fixtures. Every database test runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (CI sets it). Time is a FakeClock that tests move by hand."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

from bot.conversation import ButtonPress, Command, FormSubmit, Reply, Who, plain
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.outbox import Delivery, SendFailed, dispatch_due
from bot.settings import Settings
from storage.db import make_engine, migrate
from storage.models import Account, CheckInPrompt, Member
from tests.clock import FakeClock

PG_URL = os.environ.get("TEST_DATABASE_URL")
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that no FakeClock drives lets real time in, so CI runs it again on other days
    (with the modules marked `wallclock`, which run real programs)."""
    for item in items:
        if "clock" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.wallclock)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly when the PostgreSQL half of the tests did not run, and how to run it."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "[postgresql" in r.nodeid]
    if skipped and not PG_URL:
        terminalreporter.write_line(
            f"{len(skipped)} tests were skipped: they run on PostgreSQL. To run them as well, set "
            "TEST_DATABASE_URL, e.g. TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make test"
        )


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """One connection pool to PostgreSQL for making and dropping each test's schema."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    admin = make_engine(PG_URL)
    yield admin
    admin.dispose()


def in_schema(schema: str) -> str:
    assert PG_URL is not None
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield in_schema(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (Alembic takes far longer)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")  # all of it in the one file, to copy
    return path


@pytest.fixture(scope="session")
def pg_migration(pg_admin: Engine) -> list[tuple[str, Any]]:
    """What Alembic writes when it migrates an empty PostgreSQL schema, recorded once per run
    and written again into each test's schema (the same statements, a tenth of the time)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(in_schema(schema))
    written: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
            written.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        migrate(engine)
    finally:
        engine.dispose()
        with pg_admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return written


@pytest.fixture
def engine(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """The database of `database_url`, migrated to the latest schema."""
    if database_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database_url.removeprefix("sqlite:///"))
        engine = make_engine(database_url)
    else:
        engine = make_engine(database_url)
        with engine.begin() as connection:
            for statement, parameters in request.getfixturevalue("pg_migration"):
                connection.exec_driver_sql(statement, parameters)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, admins="console:ada", default_timezone="Europe/London")


@pytest.fixture
def bot(engine: Engine, settings: Settings, clock: FakeClock) -> Bot:
    return Bot(engine, settings, clock, EVERY_FEATURE)


@dataclass
class RecordingSender:
    """A fake platform: keeps what it was sent; can be told to refuse the next sends."""

    sent: list[Delivery] = field(default_factory=list)
    failures: list[SendFailed] = field(default_factory=list)

    def send(self, delivery: Delivery) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)
        return f"msg-{len(self.sent)}"

    def texts_for(self, user_id: str) -> list[str]:
        return [d.message.plain() for d in self.sent if d.target_id == user_id]


@pytest.fixture
def platform() -> RecordingSender:
    return RecordingSender()


@dataclass
class Person:
    """Someone typing into the core through the console platform.

    Shown the first-contact notice, they press OK at once (so check-ins and invitations may
    reach them), unless `agrees` is False: tests of consent itself answer it themselves.
    """

    bot: Bot
    who: Who
    last: Reply = field(default_factory=Reply)
    agrees: bool = True
    answered: bool = False

    def says(self, line: str, mentions: tuple[AccountRef, ...] = ()) -> Reply:
        name, _sep, rest = line.partition(" ")
        self.last = self._answering_the_notice(self.bot.handle(Command(self.who, name, rest, mentions=mentions)))
        return self.last

    def press(self, label: str) -> Reply:
        """Press the button with this label on the latest reply."""
        for message in self.last.messages:
            for button in message.buttons:
                if button.label == label:
                    self.last = self._answering_the_notice(
                        self.bot.handle(ButtonPress(self.who, button.action_id, button.value))
                    )
                    return self.last
        raise AssertionError(f"no button {label!r} in: {self.last.plain()}")

    def submit(self, values: dict[str, str]) -> Reply:
        """Fill the open form page: given values, the rest as they were offered."""
        form = self.last.form
        assert form is not None, f"no form open; last reply was: {self.last.plain()}"
        answers = {f.name: values.get(f.name, f.initial) for f in form.fields}
        self.last = self.bot.handle(FormSubmit(self.who, form.form_id, answers, page=form.page))
        return self.last

    def _answering_the_notice(self, reply: Reply) -> Reply:
        """OK to the notice the first time it comes (`privacy` shows it again: left to the test)."""
        if self.agrees and not self.answered:
            if any(b.action_id == "consent.ok" for m in reply.messages for b in m.buttons):
                self.bot.handle(ButtonPress(self.who, "consent.ok"))
                self.answered = True
        return reply

    @property
    def text(self) -> str:
        """Everything the last reply showed, fields included, as one plain string."""
        lines = []
        for message in self.last.messages:
            lines.append(message.plain())
            lines += [f"{f.label}: {plain(f.value)}" for f in message.fields]
            lines += [f"[{b.label}]" for b in message.buttons]
        return "\n".join(lines)


@pytest.fixture
def person(bot: Bot):  # noqa: ANN201
    def make(name: str) -> Person:
        return Person(bot, Who(AccountRef("console", "local", name.lower()), name))

    return make


def member_named(engine: Engine, user_id: str) -> Member:
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.user_id == user_id)).one()
        return session.get_one(Member, account.member_id)


def deliver(engine: Engine, sender: RecordingSender, clock: FakeClock) -> int:
    return dispatch_due(engine, {"console": sender}, clock)


def prompts_and_members(engine: Engine) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """Each member's check-in prompt id and each member's id, by display name: what a walk over
    every button needs to name the things it presses."""
    with Session(engine) as session:
        prompts = {
            member.display_name: prompt.id
            for prompt, member in session.exec(
                select(CheckInPrompt, Member).join(Member, Member.id == CheckInPrompt.member_id)
            )
        }
        return prompts, {m.display_name: m.id for m in session.exec(select(Member))}
