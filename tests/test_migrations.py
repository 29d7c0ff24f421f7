"""The migrations build exactly the tables the models describe, and running them twice is safe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import migrate


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrating_again_changes_nothing(engine):
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"member", "account", "member_role", "member_interest", "form_draft", "outbox"} <= set(before)


def test_upgrading_a_database_that_already_has_members_keeps_them(database_url):
    """A provider on the first release upgrades: its members stay, with check-ins on."""
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config, make_engine

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO member (display_name, timezone, language, created_at) "
                "VALUES ('Alex', 'Europe/London', 'en', '2026-11-26 09:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT display_name, checkins_off FROM member")).all()
    engine.dispose()
    assert [(name, bool(off)) for name, off in rows] == [("Alex", False)]
