"""Exactly once on Slack: each part of an outbox message carries Slack message metadata naming its
row, and a row whose dispatcher died mid-send is looked for in the channel's history before it
is sent again. The dispatcher that dies is a real process (tests/slack_worker.py); Slack is the
local fake (tests/slack_fakes.py), which serves the history with metadata as Slack does.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from adapters.slack import poster
from adapters.slack.poster import SlackPoster, slack_client
from adapters.slack.sender import HISTORY_PAGES, SlackSender
from bot.conversation import Button, Message
from bot.members import AccountRef
from bot.outbox import LEASE, Delivery, SendFailed, dispatch_due, enqueue_channel, enqueue_edit
from storage.models import Outbox
from tests.slack_fakes import BOT_TOKEN, TEAM, Failure, FakeSlack, LoopThread, texts
from tests.slack_worker import KILLED

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ROOT = Path(__file__).resolve().parent.parent
ANNOUNCEMENTS = "CANN"
NEWS = "Chair yoga moves to Room 3 on Thursday."
# Thirty openings, each with its buttons: more blocks than one Slack message takes, so two.
OPENINGS = Message(
    ("Openings this month.",),
    buttons=tuple(
        Button(label, f"opening.interested:{n}", group=f"#{n} Opening number {n}")
        for n in range(1, 31)
        for label in ("I'm interested", "More details")
    ),
)


@pytest.fixture
def slack(clock):
    loop = LoopThread()
    fake = FakeSlack(clock)  # Slack's time is the test's, so a message's ts says when it came
    loop.run(fake.start())
    yield loop, fake
    loop.run(fake.stop())
    loop.close()


def new_sender(loop: LoopThread, fake: FakeSlack) -> SlackSender:
    """The Slack sender of a freshly started process: nothing in memory of earlier sends."""

    async def make() -> SlackSender:
        return SlackSender(SlackPoster(slack_client(BOT_TOKEN, fake.api_url + "/")), loop.loop, "en")

    return loop.run(make())


def shown(fake: FakeSlack, channel: str) -> list[str]:
    """The words of each message the channel shows, oldest first."""
    return [m["text"] for m in fake.history.get(channel, [])]


def test_a_dispatcher_killed_between_slacks_answer_and_the_rows_update_leaves_one_message(
    engine, database_url, clock, slack
):
    loop, fake = slack
    with Session(engine) as db:
        row = enqueue_channel(db, AccountRef("slack", TEAM, ANNOUNCEMENTS), Message((NEWS,)), clock.now())
        assert row is not None
        db.commit()
        row_id = row.id

    # A process claims the row, posts it, and dies as Slack's answer comes back.
    clock.advance(timedelta(seconds=10))
    worker = subprocess.run(
        [sys.executable, "-m", "tests.slack_worker", database_url, fake.api_url + "/", clock.now().isoformat()],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert worker.returncode == KILLED
    assert shown(fake, ANNOUNCEMENTS) == [NEWS]
    [first_ts] = fake.stamps_in(ANNOUNCEMENTS)
    with Session(engine) as db:
        row = db.get_one(Outbox, row_id)
        assert row.sent_at is None and row.claimed_until is not None  # claimed by the dead one

    # Restarted: the row waits for its lease to run out, then goes, and Slack shows it once.
    sender = new_sender(loop, fake)
    assert dispatch_due(engine, {"slack": sender}, clock) == 0
    clock.advance(LEASE + timedelta(seconds=1))
    assert dispatch_due(engine, {"slack": sender}, clock) == 1

    assert shown(fake, ANNOUNCEMENTS) == [NEWS]
    assert len(fake.made("chat.postMessage")) == 1
    with Session(engine) as db:
        row = db.get_one(Outbox, row_id)
        assert (row.sent_at, row.platform_message_id, row.claimed_until) == (clock.now(), first_ts, None)
    # A change to it, queued later, changes that one message.
    with Session(engine) as db:
        enqueue_edit(db, row_id, Message(("Chair yoga is in Room 3.",)), clock.now())
        db.commit()
    assert dispatch_due(engine, {"slack": sender}, clock) == 1
    assert shown(fake, ANNOUNCEMENTS) == ["Chair yoga is in Room 3."]


def test_a_message_whose_first_part_slack_shows_already_gets_only_the_rest(clock, slack):
    loop, fake = slack
    delivery = Delivery(9, "slack", TEAM, "channel", ANNOUNCEMENTS, OPENINGS)
    # A first process posts part 0; part 1 fails, and the process is gone before it tries again.
    fake.fail("chat.postMessage", None, Failure(error="internal_error"))
    with pytest.raises(SendFailed):
        new_sender(loop, fake).send(delivery)
    assert len(shown(fake, ANNOUNCEMENTS)) == 1

    # Another process has the row once the lease has run out: only part 1 is posted.
    clock.advance(LEASE)
    first_ts = new_sender(loop, fake).send(replace(delivery, maybe_sent_since=clock.now() - LEASE))

    parts = fake.history[ANNOUNCEMENTS]
    assert len(parts) == 2 and first_ts == parts[0]["ts"]
    assert texts(parts[0]["blocks"]).endswith("Continued in the next message.")
    openings = re.findall(r"Opening number (\d+)", "\n".join(texts(p["blocks"]) for p in parts))
    assert openings == [str(n) for n in range(1, 31)]  # every one, once, in order
    assert [p["metadata"]["event_payload"] for p in parts] == [
        {"outbox_id": 9, "part": 0},
        {"outbox_id": 9, "part": 1},
    ]


def test_when_the_history_cannot_be_read_the_message_goes_again_and_the_log_says_so(clock, slack, caplog):
    loop, fake = slack
    delivery = Delivery(12, "slack", TEAM, "dm", "UCORA", Message((NEWS,)))
    new_sender(loop, fake).send(delivery)
    fake.fail("conversations.history", Failure(error="missing_scope"))

    clock.advance(LEASE)
    with caplog.at_level(logging.WARNING):
        new_sender(loop, fake).send(replace(delivery, maybe_sent_since=clock.now() - LEASE))

    assert shown(fake, "DUCORA") == [NEWS, NEWS]  # at least once: twice rather than never
    [line] = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.sender"]
    assert line == "could not read Slack's history of DUCORA (missing_scope): outbox 12 is sent again and may show twice"


def test_a_long_rate_limit_while_reading_the_history_reads_on_from_there_at_the_next_try(
    clock, slack, monkeypatch
):
    loop, fake = slack
    monkeypatch.setattr(poster, "HISTORY_PAGE", 2)  # Slack's pages are short for some apps
    first = new_sender(loop, fake)
    delivery = Delivery(14, "slack", TEAM, "channel", ANNOUNCEMENTS, Message((NEWS,)))
    first.send(delivery)
    for number in range(15, 19):  # four more posts after it: its page is the third
        clock.advance(timedelta(seconds=1))
        first.send(Delivery(number, "slack", TEAM, "channel", ANNOUNCEMENTS, Message((f"News {number}.",))))
    fake.fail("conversations.history", None, Failure(status=429, retry_after=60))

    clock.advance(LEASE)
    sender = new_sender(loop, fake)
    with pytest.raises(SendFailed) as waited:
        sender.send(replace(delivery, maybe_sent_since=clock.now() - LEASE))
    assert waited.value.retry_after == 60
    # Tried again after the wait, by the same process: it reads on from the second page, finds
    # the message on the third, and posts nothing.
    assert sender.send(delivery) == fake.stamps_in(ANNOUNCEMENTS)[0]
    assert shown(fake, ANNOUNCEMENTS) == [NEWS, "News 15.", "News 16.", "News 17.", "News 18."]
    pages = [(c.args.get("cursor"), c.status) for c in fake.calls if c.method == "conversations.history"]
    assert pages == [(None, 200), ("2", 429), ("2", 200), ("4", 200)]


def test_a_message_further_back_than_the_bot_reads_goes_again_and_the_log_says_so(
    clock, slack, monkeypatch, caplog
):
    loop, fake = slack
    monkeypatch.setattr(poster, "HISTORY_PAGE", 2)
    first = new_sender(loop, fake)
    delivery = Delivery(20, "slack", TEAM, "channel", ANNOUNCEMENTS, Message((NEWS,)))
    first.send(delivery)
    busy = [f"News {number}." for number in range(21, 21 + 2 * HISTORY_PAGES)]
    for number, words in enumerate(busy, start=21):
        first.send(Delivery(number, "slack", TEAM, "channel", ANNOUNCEMENTS, Message((words,))))

    clock.advance(LEASE)
    with caplog.at_level(logging.WARNING):
        new_sender(loop, fake).send(replace(delivery, maybe_sent_since=clock.now() - LEASE))

    assert shown(fake, ANNOUNCEMENTS) == [NEWS, *busy, NEWS]  # twice rather than never
    assert [r.getMessage() for r in caplog.records if r.name == "adapters.slack.sender"] == [
        "outbox 20: Slack's history of CANN since it was made is longer than the bot reads; "
        "what was not found is sent and may show twice"
    ]
