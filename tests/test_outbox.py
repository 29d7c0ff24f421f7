"""The outbox: written with the change, sent once, retried after a refusal, kept across a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.conversation import CalendarEvent, HomeOpened, Message, message_from_json
from bot.members import AccountRef
from bot.outbox import (
    FOLLOW_WAIT,
    LEASE,
    MAX_ATTEMPTS,
    RETRY_MAX,
    Pace,
    Pacer,
    SendFailed,
    dispatch_due,
    enqueue,
    enqueue_channel,
    enqueue_dm,
    enqueue_dms,
    enqueue_edit,
    enqueue_event,
    retry,
)
from storage.models import Outbox
from tests.conftest import START, deliver, member_named

ROOT = Path(__file__).resolve().parent.parent


def test_a_role_change_queues_one_message_and_it_is_sent_once(engine, bot, clock, person, platform):
    ada, bob = person("Ada"), person("Bob")
    bob.says("profile")
    ada.says("roles grant bob coordinator")
    with Session(engine) as session:
        rows = session.exec(select(Outbox)).all()
    assert [(r.target_kind, r.target_id, r.sent_at) for r in rows] == [("dm", "bob", None)]

    assert deliver(engine, platform, clock) == 1
    assert deliver(engine, platform, clock) == 0
    assert platform.texts_for("bob") == [
        "Ada gave you the coordinator role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert row.sent_at == clock.now()
    assert row.platform_message_id == "msg-1"


def test_nothing_is_queued_when_the_change_is_not_saved(engine, bot, clock, person):
    bob = person("Bob")
    bob.says("profile")
    member_id = member_named(engine, "bob").id
    with Session(engine) as session:
        enqueue_dm(session, member_id, Message(("hello",)), clock.now())
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Outbox)).all() == []


def test_a_refused_send_waits_for_retry_after_then_goes(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    person("Ada").says("roles grant bob staff")
    platform.failures.append(SendFailed("429 Too Many Requests", retry_after=30))

    assert deliver(engine, platform, clock) == 0
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    # A rate limit is waited out; it is not counted as a failure.
    assert (row.attempts, row.sent_at, row.last_error) == (0, None, "429 Too Many Requests")
    assert row.due_at == clock.now() + timedelta(seconds=30)

    clock.advance(timedelta(seconds=29))
    assert deliver(engine, platform, clock) == 0
    clock.advance(timedelta(seconds=1))
    assert deliver(engine, platform, clock) == 1
    assert len(platform.texts_for("bob")) == 1


def test_failures_back_off_longer_each_time(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    person("Ada").says("roles grant bob staff")
    platform.failures += [SendFailed("503"), SendFailed("503")]
    deliver(engine, platform, clock)
    clock.advance(timedelta(seconds=5))
    deliver(engine, platform, clock)
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert row.attempts == 2
    assert row.due_at == clock.now() + timedelta(seconds=10)
    assert platform.sent == []


def test_a_message_due_later_waits_and_a_key_is_queued_only_once(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    member_id = member_named(engine, "bob").id
    later = clock.now() + timedelta(hours=1)
    with Session(engine) as session:
        first = enqueue_dm(session, member_id, Message(("later",)), clock.now(), "k:1", due_at=later)
        again = enqueue_dm(session, member_id, Message(("later",)), clock.now(), "k:1", due_at=later)
        session.commit()
    assert first is not None and again is None
    assert deliver(engine, platform, clock) == 0
    clock.set(later)
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("bob") == ["later"]


def test_only_senders_for_the_row_platform_are_used(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    person("Ada").says("roles grant bob staff")
    from bot.outbox import dispatch_due

    assert dispatch_due(engine, {"slack": platform}, clock) == 0
    assert platform.sent == []


def test_a_row_whose_dispatcher_died_is_handed_over_as_maybe_sent_and_only_that_one(
    engine, bot, clock, person, platform
):
    person("Bob").says("profile")
    person("Cy").says("profile")
    person("Ada").says("roles grant bob staff")
    person("Ada").says("roles grant cy staff")
    made = clock.now()
    with Session(engine) as session:  # Bob's row: claimed by a dispatcher that then died
        bobs = session.exec(select(Outbox).where(Outbox.target_id == "bob")).one()
        bobs.claimed_until = made + LEASE
        session.add(bobs)
        session.commit()
    platform.failures.append(SendFailed("503"))  # Cy's: refused, so tried again later

    clock.advance(timedelta(seconds=5))
    assert deliver(engine, platform, clock) == 0
    clock.advance(LEASE)  # Bob's lease has run out; Cy's wait too
    assert deliver(engine, platform, clock) == 2

    handed = {d.target_id: d.maybe_sent_since for d in platform.sent}
    # Bob's may have reached the platform before; Cy's was refused, so it did not.
    assert handed == {"bob": made, "cy": None}


def run_console(database_url: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ADMINS": "console:ada"}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "console", "--as", "bob"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_crash_before_dispatch_then_restart_sends_once(database_url, tmp_path):
    """A change whose message is in the outbox; the process is killed before sending; on
    restart the message goes out once, and a second restart sends nothing more."""
    crash = textwrap.dedent(f"""
        import os, signal
        from adapters.cli import build_bot
        from bot.conversation import Command, Who
        from bot.members import AccountRef
        from bot.settings import Settings
        bot = build_bot(Settings(_env_file=None, database_url={database_url!r}, admins="console:ada"))
        ada = Who(AccountRef("console", "local", "ada"), "Ada")
        bob = Who(AccountRef("console", "local", "bob"), "Bob")
        bot.handle(Command(bob, "profile"))
        print(bot.handle(Command(ada, "roles", "grant bob coordinator")).plain(), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    killed = subprocess.run(
        [sys.executable, "-c", crash], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert killed.returncode == -9, killed.stderr
    assert "Done. Bob now has the coordinator role." in killed.stdout

    first = run_console(database_url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Ada gave you the coordinator role.") == 1
    second = run_console(database_url, tmp_path)
    assert "Ada gave you the coordinator role." not in second.stdout


def test_an_edit_waits_for_its_original_and_then_changes_that_message(engine, bot, clock, platform):
    from bot.members import AccountRef
    from bot.outbox import enqueue_channel, enqueue_edit

    room = AccountRef("console", "local", "announcements")
    with Session(engine) as session:
        first = enqueue_channel(session, room, Message(("3 places left",)), clock.now())
        first.due_at = clock.now() + timedelta(minutes=1)  # not out yet
        enqueue_edit(session, first.id, Message(("2 places left",)), clock.now())
        session.commit()

    assert deliver(engine, platform, clock) == 0  # the edit waits for the post it changes
    clock.advance(timedelta(minutes=1))
    assert deliver(engine, platform, clock) == 1
    clock.advance(timedelta(seconds=5))
    assert deliver(engine, platform, clock) == 1
    post, edit = platform.sent
    assert (post.message.plain(), post.edit_message_id) == ("3 places left", None)
    assert (edit.message.plain(), edit.edit_message_id) == ("2 places left", "msg-1")
    assert (edit.target_kind, edit.target_id) == ("channel", "announcements")


def test_a_sender_that_breaks_does_not_block_the_others(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    person("Cal").says("profile")
    person("Ada").says("roles grant bob staff")
    person("Ada").says("roles grant cal staff")

    class Breaks(type(platform)):
        def send(self, delivery):
            if delivery.target_id == "bob":
                raise RuntimeError("a bug in the sender")
            return super().send(delivery)

    breaks = Breaks()
    assert deliver(engine, breaks, clock) == 1
    assert breaks.texts_for("cal") == ["Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."]
    with Session(engine) as session:
        bob_row = session.exec(select(Outbox).where(Outbox.target_id == "bob")).one()
    assert (bob_row.sent_at, bob_row.attempts, bob_row.last_error) == (None, 1, "a bug in the sender")


def test_a_message_failing_again_and_again_is_set_aside_and_an_admin_tries_it_again(
    engine, bot, clock, person, platform
):
    ada, bob = person("Ada"), person("Bob")
    bob.says("profile")
    ada.says("roles grant bob staff")
    platform.failures += [SendFailed("Slack said internal_error")] * MAX_ATTEMPTS
    for _try in range(MAX_ATTEMPTS):
        deliver(engine, platform, clock)
        clock.advance(RETRY_MAX)
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert (row.attempts, row.sent_at) == (MAX_ATTEMPTS, None) and row.dead_at is not None
    assert deliver(engine, platform, clock) == 0  # not tried again by itself

    # Admins see it on their home page and with the outbox command; others cannot.
    home = bot.handle(HomeOpened(ada.who)).messages[0]
    assert ("Messages not sent", ("1. Type outbox to see why.",)) in [(f.label, f.value) for f in home.fields]
    bob.says("outbox")
    assert bob.text == "Only admins can use outbox. Type guide to see what you can do."
    ada.says("outbox")
    assert ada.text.startswith("Messages not sent: 1. The latest are below.")
    assert f"#{row.id} to Bob on console: Slack said internal_error. Tries: 8." in ada.text
    assert "Ada gave you the staff role" not in ada.text  # the words were meant for Bob alone
    listed = ada.last
    ada.says("outbox retry 999")
    assert ada.text == "Which message? Type outbox to see their numbers, or type outbox retry all."

    ada.last = listed
    ada.press("Try them all again")
    assert ada.text == "Trying them again now. Messages: 1."
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("bob") == ["Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."]
    ada.says("outbox")
    assert ada.text == "Every message was sent. Nothing is waiting."


def test_a_lasting_refusal_is_set_aside_at_once(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    person("Ada").says("roles grant bob staff")
    platform.failures.append(SendFailed("Discord said 403 Missing Access", permanent=True))
    assert deliver(engine, platform, clock) == 0
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert (row.attempts, row.dead_at) == (1, clock.now())


ROOM = AccountRef("console", "local", "announcements")


def posted(engine, platform, clock, words: str = "3 places left") -> int:
    """A post in the announcements channel, sent: the message later edits change."""
    with Session(engine) as session:
        first = enqueue_channel(session, ROOM, Message((words,)), clock.now())
        session.commit()
        assert first is not None and first.id is not None
        first_id = first.id
    assert deliver(engine, platform, clock) == 1
    return first_id


def edits_sent(platform) -> list[str]:
    return [d.message.plain() for d in platform.sent if d.edit_message_id is not None]


def test_many_edits_of_one_message_go_out_as_one_with_the_newest_content(engine, bot, clock, platform):
    first = posted(engine, platform, clock, "3 places left")
    with Session(engine) as session:
        for taken in range(1, 21):
            enqueue_edit(session, first, Message((f"{taken} signed up",)), clock.now(), dedupe_key=f"count:{taken}")
            session.commit()  # each sign-up is a turn of its own
        again = enqueue_edit(session, first, Message(("20 signed up",)), clock.now(), dedupe_key="count:20")

    assert again is None  # a key queued before is not queued again, even once let go
    assert deliver(engine, platform, clock) == 1
    assert edits_sent(platform) == ["20 signed up"]
    assert platform.sent[-1].edit_message_id == "msg-1"
    assert deliver(engine, platform, clock) == 0
    with Session(engine) as session:
        edits = session.exec(select(Outbox).where(Outbox.edit_of == first).order_by(Outbox.id)).all()
    # Every edit is done with; only the newest reached the platform (it has the platform's id).
    assert len(edits) == 20 and all(e.sent_at is not None and e.dead_at is None for e in edits)
    assert [e.platform_message_id is not None for e in edits] == [False] * 19 + [True]


def test_edits_queued_before_the_post_went_wait_for_it_and_only_the_newest_follows(engine, bot, clock, platform):
    with Session(engine) as session:
        first = enqueue_channel(session, ROOM, Message(("3 places left",)), clock.now())
        first.due_at = clock.now() + timedelta(minutes=1)  # not out yet
        enqueue_edit(session, first.id, Message(("2 places left",)), clock.now())
        enqueue_edit(session, first.id, Message(("1 place left",)), clock.now())
        session.commit()
    for _beat in range(4):
        deliver(engine, platform, clock)
        clock.advance(timedelta(seconds=30))
    assert [d.message.plain() for d in platform.sent] == ["3 places left", "1 place left"]


def test_an_edit_queued_while_an_older_one_is_being_sent_goes_right_after_it(engine, bot, clock, platform):
    first = posted(engine, platform, clock)

    class SignUpsMeanwhile(type(platform)):
        """Two more people sign up while the platform is taking the first edit."""

        def send(self, delivery):
            if delivery.message.plain() == "2 places left":
                with Session(engine) as session:
                    enqueue_edit(session, first, Message(("1 place left",)), clock.now())
                    session.commit()
                with Session(engine) as session:
                    enqueue_edit(session, first, Message(("Full",)), clock.now())
                    session.commit()
            return super().send(delivery)

    slow = SignUpsMeanwhile(sent=list(platform.sent))
    with Session(engine) as session:
        enqueue_edit(session, first, Message(("2 places left",)), clock.now())
        session.commit()

    assert deliver(engine, slow, clock) == 2  # the same beat, in order: the newest lands last
    assert edits_sent(slow) == ["2 places left", "Full"]
    assert deliver(engine, slow, clock) == 0


def test_an_edit_waits_a_moment_while_another_dispatcher_sends_an_older_one(engine, bot, clock, platform):
    first = posted(engine, platform, clock)
    with Session(engine) as session:
        older = enqueue_edit(session, first, Message(("2 places left",)), clock.now())
        older.claimed_until = clock.now() + LEASE  # another process is sending it right now
        newer = enqueue_edit(session, first, Message(("1 place left",)), clock.now())
        session.commit()
        older_id, newer_id = older.id, newer.id

    assert deliver(engine, platform, clock) == 0  # not over the older one, which may land after
    with Session(engine) as session:
        waiting = session.get_one(Outbox, newer_id)
        assert (waiting.sent_at, waiting.due_at) == (None, clock.now() + FOLLOW_WAIT)
        done = session.get_one(Outbox, older_id)  # the other process is done with it
        done.sent_at, done.claimed_until, done.platform_message_id = clock.now(), None, "msg-1"
        session.commit()
    clock.advance(FOLLOW_WAIT)
    assert deliver(engine, platform, clock) == 1
    assert edits_sent(platform) == ["1 place left"]


def test_an_older_edit_tried_again_after_a_newer_went_is_let_go(engine, bot, clock, platform):
    first = posted(engine, platform, clock)
    with Session(engine) as session:
        older = enqueue_edit(session, first, Message(("2 places left",)), clock.now())
        session.commit()
        older_id = older.id
    platform.failures.append(SendFailed("Slack said internal_error"))
    assert deliver(engine, platform, clock) == 0  # it waits to be tried again
    with Session(engine) as session:
        enqueue_edit(session, first, Message(("1 place left",)), clock.now())
        session.commit()
    assert deliver(engine, platform, clock) == 1
    clock.advance(RETRY_MAX)
    assert deliver(engine, platform, clock) == 0
    assert edits_sent(platform) == ["1 place left"]
    with Session(engine) as session:
        assert session.get_one(Outbox, older_id).sent_at is not None


def test_edits_of_a_set_aside_post_wait_and_the_newest_goes_once_it_is_tried_again(engine, bot, clock, platform):
    with Session(engine) as session:
        first = enqueue_channel(session, ROOM, Message(("3 places left",)), clock.now())
        session.commit()
        first_id = first.id
    platform.failures.append(SendFailed("Slack said not_in_channel", permanent=True))
    assert deliver(engine, platform, clock) == 0
    with Session(engine) as session:
        enqueue_edit(session, first_id, Message(("2 places left",)), clock.now())
        enqueue_edit(session, first_id, Message(("1 place left",)), clock.now())
        session.commit()
    assert deliver(engine, platform, clock) == 0
    with Session(engine) as session:  # the edit waits long: its post is set aside
        [waiting] = session.exec(select(Outbox).where(Outbox.edit_of == first_id, Outbox.sent_at == None)).all()  # noqa: E711
        assert waiting.due_at == clock.now() + RETRY_MAX

    with Session(engine) as session:  # an admin put it right and typed: outbox retry all
        assert retry(session, clock.now()) == 1
        session.commit()
    assert deliver(engine, platform, clock) == 2
    assert [d.message.plain() for d in platform.sent] == ["3 places left", "1 place left"]


def test_changes_to_a_calendar_entry_coalesce_too(engine, bot, clock, platform):
    def entry(place: str) -> CalendarEvent:
        return CalendarEvent("Chair yoga", START, START + timedelta(hours=1), place)

    with Session(engine) as session:
        first = enqueue_event(session, ROOM, entry("Room 1"), clock.now(), "event:1")
        session.commit()
        first_id = first.id
    assert deliver(engine, platform, clock) == 1
    with Session(engine) as session:
        for number in (2, 3, 4):
            enqueue_edit(session, first_id, entry(f"Room {number}"), clock.now(), dedupe_key=f"event:1:{number}")
        session.commit()
    assert deliver(engine, platform, clock) == 1
    assert [(d.event.place, d.edit_message_id) for d in platform.sent] == [("Room 1", None), ("Room 4", "msg-1")]


class Ticking:
    """Real time for the pacer, moved by hand: `sleep` moves it instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_the_pacer_keeps_a_platforms_rate_and_each_channels_share():
    time = Ticking()
    pacer = Pacer(time.monotonic, time.sleep)
    discord = Pace(per_second=50, burst=50)
    assert all(pacer.take("discord", f"u{n}", discord) for n in range(50))
    assert time.slept == []  # a second's worth at once
    assert pacer.take("discord", "u50", discord, cost=2)  # opening a conversation, then the message
    assert time.slept == [0.04]  # two requests' worth of waiting at 50 a second

    slack = Pace(per_target_per_second=1, target_burst=4)
    assert [pacer.take("slack", "C1", slack) for _ in range(5)] == [True] * 4 + [False]
    assert pacer.next_turn() == 1.0  # when C1 has its turn again: the dispatcher comes back then
    assert pacer.next_turn() is None
    assert pacer.take("slack", "C2", slack)  # another channel is not held up
    time.now += 1
    assert pacer.take("slack", "C1", slack)

    pacer.hold("slack", START + timedelta(seconds=30))
    assert pacer.held("slack", START + timedelta(seconds=29))
    assert not pacer.held("slack", START + timedelta(seconds=30))
    assert not pacer.held("discord", START)

    pacer.hold("discord", START + timedelta(seconds=45), scope="C1")  # one channel's limit
    assert not pacer.held("discord", START) and pacer.held("discord", START, {"C1"})
    assert pacer.held_scopes("discord", START) == {"C1"}
    assert pacer.held_until("discord", START, {"C2", "C1"}) == START + timedelta(seconds=45)
    assert pacer.held_scopes("discord", START + timedelta(seconds=45)) == set()


def test_a_busy_channel_waits_its_turn_while_others_are_sent(engine, bot, clock, platform):
    from bot.members import AccountRef
    from bot.outbox import dispatch_due, enqueue_channel

    with Session(engine) as session:
        for number in range(6):
            enqueue_channel(session, AccountRef("console", "", "busy"), Message((f"busy {number}",)), clock.now())
        enqueue_channel(session, AccountRef("console", "", "quiet"), Message(("quiet",)), clock.now())
        session.commit()
    platform.pace = Pace(per_target_per_second=1, target_burst=4)
    time = Ticking()
    pacer = Pacer(time.monotonic, time.sleep)

    assert dispatch_due(engine, {"console": platform}, clock, pacer=pacer) == 5
    assert [d.message.plain() for d in platform.sent] == ["busy 0", "busy 1", "busy 2", "busy 3", "quiet"]
    time.now += 2  # two seconds on: two more turns for the busy channel, in order
    assert dispatch_due(engine, {"console": platform}, clock, pacer=pacer) == 2
    assert [d.message.plain() for d in platform.sent][-2:] == ["busy 4", "busy 5"]


def test_a_row_that_cannot_be_read_is_counted_as_a_failure_not_lost_in_a_thread(engine, bot, clock, platform):
    from bot.outbox import dispatch_due

    with Session(engine) as session:
        session.add(
            Outbox(platform="console", target_kind="dm", target_id="bob", body={}, created_at=clock.now(), due_at=clock.now())
        )
        session.commit()
    assert dispatch_due(engine, {"console": platform}, clock, workers=2) == 0
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert (row.attempts, row.claimed_until, row.sent_at) == (1, None, None)
    assert row.last_error == "'text'"


def queued_post_and_dms(engine, clock) -> None:
    """A post in the announcements channel, then a second one, and direct messages to two people."""
    with Session(engine) as session:
        enqueue_channel(session, ROOM, Message(("Wellbeing session",)), clock.now())
        enqueue_channel(session, ROOM, Message(("Another session",)), clock.now())
        for name in ("bob", "cal"):
            enqueue(session, "console", "local", "dm", name, Message((f"Hello {name}",)), clock.now())
        session.commit()


def test_a_long_rate_limit_on_one_channel_holds_that_channel_alone(engine, bot, clock, platform):
    queued_post_and_dms(engine, clock)
    platform.failures.append(SendFailed("429 on the channel", retry_after=30, scope="announcements"))

    assert deliver(engine, platform, clock) == 2  # the same dispatch: nobody else waits
    assert [(d.target_id, d.message.plain()) for d in platform.sent] == [
        ("bob", "Hello bob"),
        ("cal", "Hello cal"),
    ]
    with Session(engine) as session:
        waiting = session.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
    # Both posts wait the channel's 30 seconds (the second was in the same batch); no failure.
    assert [(r.target_id, r.attempts, r.due_at) for r in waiting] == [
        ("announcements", 0, clock.now() + timedelta(seconds=30)),
    ] * 2

    with Session(engine) as session:
        enqueue(session, "console", "local", "dm", "dee", Message(("Hello dee",)), clock.now())
        session.commit()
    clock.advance(timedelta(seconds=29))
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("dee") == ["Hello dee"]
    clock.advance(timedelta(seconds=1))
    assert deliver(engine, platform, clock) == 2
    assert platform.texts_for("announcements") == ["Wellbeing session", "Another session"]


def test_a_global_rate_limit_holds_every_send_of_the_platform(engine, bot, clock, platform):
    queued_post_and_dms(engine, clock)
    platform.failures.append(SendFailed("429 for the whole bot", retry_after=30))

    assert deliver(engine, platform, clock) == 0
    assert platform.sent == []
    clock.advance(timedelta(seconds=30))
    assert deliver(engine, platform, clock) == 4


def test_a_held_channel_is_left_unclaimed_while_the_same_pacer_holds_it(engine, bot, clock, platform):
    pacer = Pacer()  # one pacer across beats, as the scheduler keeps it
    with Session(engine) as session:
        enqueue_channel(session, ROOM, Message(("Wellbeing session",)), clock.now())
        session.commit()
    platform.failures.append(SendFailed("429 on the channel", retry_after=30, scope="announcements"))
    assert dispatch_due(engine, {"console": platform}, clock, pacer=pacer) == 0
    with Session(engine) as session:  # a post queued meanwhile, due at once
        enqueue_channel(session, ROOM, Message(("Another session",)), clock.now())
        enqueue(session, "console", "local", "dm", "bob", Message(("Hello bob",)), clock.now())
        session.commit()
    assert dispatch_due(engine, {"console": platform}, clock, pacer=pacer) == 1
    assert [d.target_id for d in platform.sent] == ["bob"]
    with Session(engine) as session:
        assert all(r.claimed_until is None for r in session.exec(select(Outbox)).all())
    clock.advance(timedelta(seconds=30))
    assert dispatch_due(engine, {"console": platform}, clock, pacer=pacer) == 2


def test_a_rate_limit_on_edits_holds_the_edits_alone(engine, bot, clock, platform):
    class EditsLimited(type(platform)):
        """A platform whose edits have a limit of their own (as Slack's chat.update)."""

        def scopes(self, delivery):
            return {"edits"} if delivery.edit_message_id else set()

    sender = EditsLimited()
    first = posted(engine, sender, clock)
    second = posted(engine, sender, clock, "Another session")
    pacer = Pacer()  # one pacer across beats, as the scheduler keeps it
    with Session(engine) as session:
        enqueue_edit(session, first, Message(("2 places left",)), clock.now())
        enqueue_edit(session, second, Message(("Full",)), clock.now())
        enqueue_channel(session, ROOM, Message(("A third session",)), clock.now())
        session.commit()
    sender.failures.append(SendFailed("429 on editing", retry_after=30, scope="edits"))

    # The first edit is refused; the other waits with it; the new post goes.
    assert dispatch_due(engine, {"console": sender}, clock, pacer=pacer) == 1
    assert [d.message.plain() for d in sender.sent][-1] == "A third session"
    with Session(engine) as session:
        waiting = session.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
    assert [(r.attempts, r.due_at) for r in waiting] == [(0, clock.now() + timedelta(seconds=30))] * 2
    clock.advance(timedelta(seconds=30))
    assert dispatch_due(engine, {"console": sender}, clock, pacer=pacer) == 2
    assert edits_sent(sender) == ["2 places left", "Full"]


def test_a_message_queued_while_the_scheduler_runs_goes_without_waiting_for_its_beat(
    engine, bot, clock, person, platform
):
    from bot.scheduling import Scheduler

    arrived = threading.Event()

    class Noting(type(platform)):
        def send(self, delivery):
            sent = super().send(delivery)
            arrived.set()
            return sent

    sender = Noting()
    scheduler = Scheduler(bot, {"console": sender}, interval_seconds=3600)  # no beat in this test
    scheduler.start()
    try:
        person("Bob").says("profile")
        person("Ada").says("roles grant bob staff")
        # The commit that queued Bob's message wakes the dispatcher; its beat is an hour away.
        assert arrived.wait(timeout=60)
    finally:
        scheduler.shutdown(wait=True)
    assert sender.texts_for("bob") == [
        "Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]


# ---- too late: a message of use only before a moment ---------------------------------------------


def test_a_message_held_up_past_its_moment_is_let_go_with_why_and_never_sent(engine, bot, clock, person, platform):
    person("Bob").says("profile")
    bob_id = member_named(engine, "bob").id
    moment = clock.now() + timedelta(minutes=30)
    with Session(engine) as session:
        enqueue_dm(session, bob_id, Message(("soon",)), clock.now(), "k:soon", expires_at=moment)
        enqueue_dm(session, bob_id, Message(("any time",)), clock.now(), "k:any")
        session.commit()
    platform.failures += [SendFailed("503 Service Unavailable")] * 2  # an outage: both fail once
    assert deliver(engine, platform, clock) == 0

    clock.set(moment)
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("bob") == ["any time"]
    with Session(engine) as session:
        late = session.exec(select(Outbox).where(Outbox.dedupe_key == "k:soon")).one()
    assert (late.sent_at, late.dead_at, late.expired_at, late.attempts) == (None, None, moment, 1)
    assert late.last_error == (
        f"Too late: of use only until {moment:%Y-%m-%d %H:%M} UTC. Before that: 503 Service Unavailable"
    )
    clock.advance(RETRY_MAX)
    assert deliver(engine, platform, clock) == 0  # let go for good
    assert platform.texts_for("bob") == ["any time"]


def test_an_edit_of_a_message_let_go_is_let_go_too(engine, bot, clock, platform):
    from bot.members import AccountRef
    from bot.outbox import enqueue_channel, enqueue_edit

    channel = AccountRef("console", "local", "announcements")
    with Session(engine) as session:
        post = enqueue_channel(session, channel, Message(("v1",)), clock.now(), "post", expires_at=clock.now())
        assert post is not None and post.id is not None
        enqueue_edit(session, post.id, Message(("v2",)), clock.now())
        session.commit()
    clock.advance(timedelta(seconds=1))
    assert deliver(engine, platform, clock) == 0
    assert platform.sent == []
    with Session(engine) as session:
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
    assert [(r.sent_at, r.expired_at) for r in rows] == [(None, clock.now())] * 2
    assert rows[1].last_error == "Too late: the message it changes was let go as too late"


def test_the_admin_sees_messages_let_go_as_too_late_apart_from_failures(engine, bot, clock, person, platform):
    ada, bob = person("Ada"), person("Bob")
    ada.says("profile")
    bob.says("profile")
    bob_id = member_named(engine, "bob").id
    with Session(engine) as session:
        for n in range(3):
            enqueue_dm(session, bob_id, Message(("soon",)), clock.now(), f"late:{n}", expires_at=clock.now())
        session.commit()
    clock.advance(timedelta(minutes=1))
    deliver(engine, platform, clock)
    ada.says("outbox")
    too_late = (
        "Let go in the last 7 days because they were too late: 3. Each was of use only before a moment "
        "that had passed, like a reminder for a session that had started. There is nothing to try again."
    )
    assert ada.text == too_late
    ada.says("outbox retry all")
    assert ada.text == "Every message was sent. Nothing is waiting."  # nothing to try again

    ada.says("roles grant bob staff")
    platform.failures.append(SendFailed("Discord said 403 Missing Access", permanent=True))
    deliver(engine, platform, clock)
    ada.says("outbox")
    assert ada.text.startswith("Messages not sent: 1. The latest are below. ")
    assert too_late in ada.text
    assert [f.label for f in ada.last.messages[0].fields] == ["#4 to Bob on console"]  # the failure alone
    home = bot.handle(HomeOpened(ada.who)).messages[0]
    assert ("Messages not sent", ("1. Type outbox to see why.",)) in [(f.label, f.value) for f in home.fields]

    clock.advance(timedelta(days=7))
    ada.says("outbox")
    assert too_late not in ada.text  # a week on, they are old news
    assert platform.texts_for("bob") == []


def test_a_message_to_many_goes_once_to_each_who_can_be_reached_in_the_order_asked(engine, bot, clock, person):
    for name in ("Ana", "Ben", "Cy", "Di"):
        person(name).says("profile")
    person("Ben").says("leave")
    ids = {name: member_named(engine, name.lower()).id for name in ("Ana", "Ben", "Cy", "Di")}
    with Session(engine) as session:
        enqueue_dm(session, ids["Cy"], Message(("earlier",)), clock.now(), dedupe_key="note:cy")
        asked = [(ids[name], Message((f"to {name}",)), f"note:{name.lower()}") for name in ("Di", "Ben", "Cy", "Ana")]
        queued = enqueue_dms(session, [*asked, (ids["Di"], Message(("again",)), "note:di")], clock.now())
        session.commit()
        # Ben has left and Cy had this one already; Di's second is the same key.
        assert [row.target_id for row in queued] == ["di", "ana"]
    with Session(engine) as session:
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
    assert [(r.target_id, message_from_json(r.body).plain()) for r in rows[-3:]] == [
        ("cy", "earlier"),
        ("di", "to Di"),
        ("ana", "to Ana"),
    ]


def test_an_edit_of_a_direct_message_is_in_the_language_it_was_written_in(engine, bot, clock, person):
    person("Zoé").says("profile language fr")
    zoe = member_named(engine, "zoé").id
    with Session(engine) as session:
        original = enqueue_dm(session, zoe, Message(("Bonjour",)), clock.now())
        assert original is not None and original.id is not None
        edit = enqueue_edit(session, original.id, Message(("Bonjour, encore",)), clock.now())
        session.commit()
        assert edit is not None
        assert (original.body["language"], edit.body["language"]) == ("fr", "fr")
