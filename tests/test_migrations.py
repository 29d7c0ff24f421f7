"""The migrations build exactly the tables the models describe, and running them twice is safe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import alembic_config, make_engine, migrate


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrating_again_changes_nothing(engine):
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"member", "account", "member_role", "member_interest", "form_draft", "outbox"} <= set(before)


def at_revision_with_a_member(database_url: str, revision: str, insert: str) -> Engine:
    """A database as a release left it (migrated up to `revision`), holding one member."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), revision)
    with engine.begin() as connection:
        connection.execute(text(insert))
    return engine


def test_upgrading_a_database_that_already_has_members_keeps_them(database_url):
    """A provider on the first release upgrades: its members stay, with check-ins on."""
    engine = at_revision_with_a_member(
        database_url,
        "0001",
        "INSERT INTO member (display_name, timezone, language, created_at) "
        "VALUES ('Alex', 'Europe/London', 'en', '2026-11-26 09:00:00')",
    )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT display_name, checkins_off FROM member")).all()
    engine.dispose()
    assert [(name, bool(off)) for name, off in rows] == [("Alex", False)]


def test_0005_adds_when_a_name_changed_empty_for_members_already_here(database_url):
    """Members from before keep their names, with no time of change (not "changed lately");
    going back to 0004 drops the column and keeps them."""
    engine = at_revision_with_a_member(
        database_url,
        "0004",
        "INSERT INTO member (display_name, timezone, language, created_at, checkins_off) "
        "VALUES ('Priya Patel', 'Europe/London', 'en', '2026-11-26 09:00:00', false)",
    )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT display_name, name_changed_at FROM member")).all()
    assert [tuple(r) for r in rows] == [("Priya Patel", None)]

    command.downgrade(alembic_config(engine), "0004")
    columns = {c["name"] for c in inspect(engine).get_columns("member")}
    with engine.connect() as connection:
        names = connection.execute(text("SELECT display_name FROM member")).scalars().all()
    engine.dispose()
    assert "name_changed_at" not in columns
    assert names == ["Priya Patel"]


def test_0010_adds_linking_with_members_already_here_messaged_as_before(database_url):
    """Members from before have no platform chosen for messages (the one used last serves);
    going back drops the code tables and the column, and keeps them."""
    engine = at_revision_with_a_member(
        database_url,
        "0009",
        "INSERT INTO member (display_name, timezone, language, created_at, checkins_off) "
        "VALUES ('Priya Patel', 'Europe/London', 'en', '2026-11-26 09:00:00', false)",
    )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT display_name, dm_platform FROM member")).all()
    assert [tuple(r) for r in rows] == [("Priya Patel", None)]
    assert {"link_code", "link_try"} <= set(inspect(engine).get_table_names())

    command.downgrade(alembic_config(engine), "0009")
    columns = {c["name"] for c in inspect(engine).get_columns("member")}
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        names = connection.execute(text("SELECT display_name FROM member")).scalars().all()
    engine.dispose()
    assert "dm_platform" not in columns and not {"link_code", "link_try"} & tables
    assert names == ["Priya Patel"]


def test_0013_adds_service_settings_and_going_back_drops_them(database_url):
    engine = at_revision_with_a_member(
        database_url,
        "0012",
        "INSERT INTO member (display_name, timezone, language, created_at, checkins_off) "
        "VALUES ('Priya Patel', 'Europe/London', 'en', '2026-11-26 09:00:00', false)",
    )
    migrate(engine)
    assert "service_setting" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0012")
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        names = connection.execute(text("SELECT display_name FROM member")).scalars().all()
    engine.dispose()
    assert "service_setting" not in tables
    assert names == ["Priya Patel"]


def test_0014_keeps_an_openings_words_as_its_pay_note_and_asks_about_no_old_work(database_url):
    """Openings from before keep their pay as words with no rate; those already closed count as
    asked about their hours; selections wait as offered. Going back drops it all, keeping them."""
    engine = at_revision_with_a_member(
        database_url,
        "0013",
        "INSERT INTO member (display_name, timezone, language, created_at, checkins_off) "
        "VALUES ('Jo Staff', 'Europe/London', 'en', '2026-11-26 09:00:00', false)",
    )
    opening = (
        "INSERT INTO opening (title, team, involves, commitment, dates, place_kind, place, seats, payment, "
        "access, tags, closes_at, status, posted_by, created_at, closed_at) VALUES "
        "('{title}', 'Team', 'Work', '2 hours', 'Soon', 'remote', '', 1, '£25 an hour plus travel', '', '[]', "
        "'2026-11-27 17:00:00', '{status}', 1, '2026-11-26 09:00:00', {closed})"
    )
    with engine.begin() as connection:
        connection.execute(text(opening.format(title="Old", status="closed", closed="'2026-11-27 17:00:00'")))
        connection.execute(text(opening.format(title="New", status="open", closed="NULL")))
        connection.execute(
            text("INSERT INTO involvement (member_id, opening_id, selected_at, payment_offered, payment_declined, "
                 "next_steps) VALUES (1, 1, '2026-11-26 10:00:00', '£25 an hour plus travel', false, '')")
        )
    migrate(engine)
    with engine.connect() as connection:
        openings = connection.execute(
            text("SELECT title, payment, rate_minor, rate_unit, currency, hours_asked_at IS NOT NULL "
                 "FROM opening ORDER BY id")
        ).all()
        work = connection.execute(text("SELECT pay_status, amount_minor, currency FROM involvement")).all()
    assert [tuple(r) for r in openings] == [
        ("Old", "£25 an hour plus travel", None, "", "", True),
        ("New", "£25 an hour plus travel", None, "", "", False),
    ]
    assert [tuple(r) for r in work] == [("offered", None, "")]
    assert "expense" in inspect(engine).get_table_names()

    command.downgrade(alembic_config(engine), "0013")
    columns = {c["name"] for c in inspect(engine).get_columns("opening")}
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        titles = connection.execute(text("SELECT title FROM opening ORDER BY id")).scalars().all()
    engine.dispose()
    assert "rate_minor" not in columns and "expense" not in tables
    assert titles == ["Old", "New"]
