"""One dispatcher process for tests/test_slack_exactly_once.py. It sends what is due in the
outbox through the real Slack sender to the test's fake Slack, and dies (os._exit, no clean-up)
the moment Slack has answered a post, before the row is marked sent: a process killed at the
worst instant.

    python -m tests.slack_worker DATABASE_URL SLACK_API_URL NOW
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from adapters.slack.poster import SlackPoster, slack_client
from adapters.slack.sender import SlackSender
from bot import outbox
from storage.db import make_engine
from tests.clock import FakeClock
from tests.slack_fakes import BOT_TOKEN, LoopThread

KILLED = 3  # the exit status that says it died where it was meant to


def main(url: str, api_url: str, now: str) -> None:
    engine = make_engine(url)
    loop = LoopThread()

    async def sender() -> SlackSender:
        return SlackSender(SlackPoster(slack_client(BOT_TOKEN, api_url)), loop.loop, "en")

    settle = outbox._settle

    def die_before_marking_sent(engine: object, row_id: int, **values: object) -> None:
        if "sent_at" in values:  # Slack took it; the row is not marked yet
            os._exit(KILLED)
        settle(engine, row_id, **values)  # type: ignore[arg-type]

    outbox._settle = die_before_marking_sent  # type: ignore[assignment]
    outbox.dispatch_due(engine, {"slack": loop.run(sender())}, FakeClock(datetime.fromisoformat(now)))
    sys.exit(0)  # nothing was sent: the test fails on the status


if __name__ == "__main__":
    main(*sys.argv[1:4])
