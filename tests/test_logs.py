"""What people type and are sent never reaches the log, at any level, unless LOG_PERSONAL_TEXT
asks for it; secrets never do. Logging is set up by the same function the `partnerbot` command
uses, at DEBUG, and the log it writes is read back as text."""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from apscheduler.executors.base import run_job
from sqlalchemy import Engine, text

from adapters.logs import configure_logging
from bot.conversation import Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.scheduling import Scheduler
from bot.settings import Settings
from tests.conftest import Person, deliver
from tests.discord_fakes import DiscordWorld
from tests.slack_fakes import BOT_TOKEN, SECRET, TEAM, FakeSlack, LoopThread, SlackWorld
from tests.test_checkins import prompt_row, prompts_to, sent_now, someone, tap

NOTE = "I stopped taking my medication because it made me dizzy"
TYPED = "Priya Quillfeather"  # a name someone types
ROLE_DM = "Ada gave you the coordinator role"
SORRY = "Sorry, something went wrong on our side. Nothing was saved. Please try again in a minute."


@pytest.fixture
def log_to() -> Iterator[Callable[..., io.StringIO]]:
    """Logging as `partnerbot` sets it up, into a string; put back as it was afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    hooks = sys.excepthook, threading.excepthook

    def configure(**settings: object) -> io.StringIO:
        stream = io.StringIO()
        configure_logging(Settings(_env_file=None, log_level="DEBUG", **settings), stream=stream)
        return stream

    yield configure
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


# ---- a database error while a note is saved ------------------------------------------------------


def refuse_notes(engine: Engine) -> None:
    """A real database error on saving a note. PostgreSQL's quotes the note, as its own errors
    quote a failing row ("Failing row contains (...)")."""
    if engine.dialect.name == "sqlite":
        statements = [
            "CREATE TRIGGER refuse_notes BEFORE UPDATE OF note ON checkin_prompt "
            "BEGIN SELECT RAISE(ABORT, 'notes are refused today'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse_notes() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused the note %', NEW.note; END $$",
            "CREATE TRIGGER refuse_notes BEFORE UPDATE OF note ON checkin_prompt "
            "FOR EACH ROW EXECUTE FUNCTION refuse_notes()",
        ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_a_database_error_while_a_note_is_saved_says_sorry_and_keeps_the_note_out_of_the_log(
    bot, engine, platform, clock, log_to
):
    log = log_to()
    cora, pat = someone(bot, "Cora", Role.COORDINATOR), someone(bot, "Pat")
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    tap(pat, prompt, "Add a note")
    refuse_notes(engine)

    pat.submit({"note": NOTE})

    assert pat.text == SORRY
    assert prompt_row(engine, "pat").note == ""
    written = log.getvalue()
    # The log still says what failed and where, by the error's type and its frames.
    assert "ERROR bot.core: could not handle FormSubmit" in written
    assert "Traceback (most recent call last):" in written
    assert "sqlalchemy.exc." in written and "(message hidden)" in written
    assert "medication" not in written


def test_an_error_that_quotes_what_someone_typed_is_logged_by_its_type_and_place(log_to):
    log = log_to()
    try:
        int(TYPED)
    except ValueError as error:  # as slack-bolt logs a listener's error, its words in the line
        logging.getLogger("slack_bolt.AsyncApp").exception(
            f"Failed to run listener function (error: {error})"
        )
    # An error nobody caught, in a thread of its own.
    thread = threading.Thread(target=int, args=(TYPED,), name="reader")
    thread.start()
    thread.join()

    written = log.getvalue()
    assert "ERROR slack_bolt.AsyncApp: Failed to run listener function (error: (message hidden))" in written
    assert "ERROR partnerbot: thread reader stopped by an error" in written
    assert written.count("ValueError: (message hidden)") == 2
    assert "Quillfeather" not in written


def test_a_sender_that_fails_quoting_the_message_keeps_the_message_out_of_the_log(
    engine, clock, person, platform, log_to
):
    log = log_to()

    class Quotes(type(platform)):
        def send(self, delivery):
            raise RuntimeError(f"could not draw {delivery.message.plain()!r}")

    person("Bob").says("guide")
    assert "Done." in person("Ada").says("roles grant bob staff").plain()
    assert deliver(engine, Quotes(), clock) == 0

    written = log.getvalue()
    assert "WARNING bot.outbox: outbox 1 not sent (attempt 1): (message hidden)" in written
    assert "RuntimeError: (message hidden)" in written
    assert "gave you the staff role" not in written


# ---- Slack and Discord at DEBUG ----------------------------------------------------------------------


@pytest.fixture
def slack(engine, clock) -> Iterator[SlackWorld]:
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    settings = Settings(_env_file=None, admins=f"slack:{TEAM}/UADA", slack_api_url=fake.api_url)
    made = SlackWorld(Bot(engine, settings, clock, EVERY_FEATURE), loop, fake)
    yield made
    made.close()
    loop.run(fake.stop())
    loop.close()


@pytest.fixture
def discord_world(engine, clock) -> Iterator[DiscordWorld]:
    settings = Settings(_env_file=None, admins="discord:1002")
    made = DiscordWorld(Bot(engine, settings, clock, EVERY_FEATURE))
    yield made
    made.close()


def slack_talk(world: SlackWorld, clock) -> None:
    """Priya types her name in the direct message; Ada makes Cora a coordinator, and Cora is told
    by a direct message from the outbox."""
    world.dm("UPRIYA", f"profile name {TYPED}", "Ev1")
    world.slash("UADA", "/guide")
    world.slash("UCORA", "/guide")
    world.slash("UADA", "/roles", "grant <@UCORA> coordinator")
    assert world.dispatch(clock) >= 1
    assert any(TYPED in post["text"] for post in world.fake.posts_in("DUPRIYA"))
    assert any(post["text"].startswith(ROLE_DM) for post in world.fake.posts_in("DUCORA"))


def discord_talk(world: DiscordWorld, clock) -> None:
    world.slash("1001", "profile", f"name {TYPED}")
    world.slash("1002", "guide")
    world.slash("1003", "guide")
    world.slash("1002", "roles", "grant <@1003> coordinator")
    assert world.dispatch(clock) >= 1
    assert any(TYPED in answer.get("content", "") for answer in world.fake.answers["token-1"])
    [sent] = world.fake.posts_in(world.fake.dm_of["1003"])
    assert sent["content"].startswith(ROLE_DM)


def test_slack_at_debug_logs_its_requests_but_not_what_was_typed_or_sent(slack, clock, log_to):
    log = log_to()
    slack_talk(slack, clock)
    written = log.getvalue()
    assert "chat.postMessage" in written  # that a request was made, and where
    assert TYPED not in written and "Quillfeather" not in written
    assert ROLE_DM not in written
    assert BOT_TOKEN not in written and SECRET not in written


def test_discord_at_debug_logs_its_requests_but_not_what_was_typed_or_sent(discord_world, clock, log_to):
    log = log_to()
    discord_talk(discord_world, clock)
    written = log.getvalue()
    assert TYPED not in written and "Quillfeather" not in written
    assert ROLE_DM not in written
    assert "/messages has returned 200" in written  # that a request was made, and where
    # An interaction's token answers it for 15 minutes: it is a secret too.
    assert "/token-1/" not in written


def test_log_personal_text_shows_what_was_typed_but_never_a_token(slack, discord_world, clock, log_to):
    log = log_to(log_personal_text=True, slack_bot_token=BOT_TOKEN)
    slack_talk(slack, clock)
    discord_talk(discord_world, clock)
    # A library that writes a token where it should not.
    logging.getLogger("slack_sdk.web.base_client").debug("headers: {'Authorization': 'Bearer %s'}", BOT_TOKEN)
    written = log.getvalue()
    assert TYPED in written and ROLE_DM in written  # the setting does what it says
    assert BOT_TOKEN not in written and "xoxb-" not in written
    # Discord's interaction token, in the event received and in the address that answers it.
    assert "'token': '(secret)'" in written and "/interactions/100001/(secret)/callback" in written
    assert "token-1" not in written


# ---- the scheduler's beat ----------------------------------------------------------------------


def test_a_beat_leaves_a_line_only_when_it_sent_something(engine, clock, platform, log_to, request):
    stream = log_to()  # LOG_LEVEL=DEBUG: the most a log can hold
    bot = Bot(engine, Settings(_env_file=None, admins="console:ada"), clock, EVERY_FEATURE)
    scheduler = Scheduler(bot, {"console": platform}, interval_seconds=5)
    scheduler._scheduler.start(paused=True)  # its jobs as it keeps them; beats come only from the test
    request.addfinalizer(scheduler.shutdown)

    def beat() -> None:
        """Each job run as APScheduler's own executor runs it, with the lines it logs."""
        for job in scheduler._scheduler.get_jobs():
            run_job(job, "default", [datetime.now(UTC)], "apscheduler.executors.default")

    beat()  # on PostgreSQL, the first beat takes the lead, and says so once
    stream.truncate(0)  # the lines of starting, once, are not a beat's
    stream.seek(0)
    beat()
    beat()
    assert stream.getvalue() == ""
    ada = Person(bot, Who(AccountRef("console", "local", "ada"), "Ada"))
    Person(bot, Who(AccountRef("console", "local", "sam"), "Sam")).says("guide")
    ada.says("roles grant Sam staff")  # a message to Sam, in the outbox
    stream.truncate(0)
    stream.seek(0)
    beat()
    beat()

    assert [line.split(" ", 3)[-1] for line in stream.getvalue().splitlines()] == [
        "bot.scheduling: sent 1 from the outbox"
    ]
    assert len(platform.texts_for("sam")) == 1
