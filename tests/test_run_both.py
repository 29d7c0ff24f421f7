"""`partnerbot run` with Slack and Discord both configured: one process serves both, and a
stop signal stops both."""

from __future__ import annotations

import signal

import pytest

from tests.discord_fakes import TOKEN, FakeDiscord
from tests.slack_fakes import BOT_TOKEN, SECRET, FakeSlack, LoopThread
from tests.test_slack import free_port, iter_queue, read_until, start_partnerbot

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock


def test_one_process_serves_slack_and_discord_and_stops_both(tmp_path):
    loop = LoopThread()
    slack, discord = FakeSlack(), FakeDiscord()
    loop.run(slack.start())
    loop.run(discord.start())
    port = free_port()
    process, lines = start_partnerbot(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        SLACK_HOST="127.0.0.1",
        SLACK_PORT=str(port),
        DISCORD_BOT_TOKEN=TOKEN,
        DISCORD_API_URL=discord.api_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
    )
    try:
        shown = read_until(lines, f"Waiting for Slack at http://127.0.0.1:{port}/slack/events.")
        shown += read_until(lines, "Connected to Discord.") if "Connected to Discord." not in shown else ""
        # Discord's commands were synced by this same process.
        assert [c.path for c in discord.made("PUT", "/applications")] == ["/applications/700/commands"]
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        loop.run(slack.stop())
        loop.run(discord.stop())
        loop.close()
    rest = "".join(iter_queue(lines))
    assert code == 0, shown + rest
    assert "Traceback" not in shown + rest
    for secret in (BOT_TOKEN, SECRET, TOKEN):
        assert secret not in shown + rest


def test_when_one_platform_cannot_start_the_other_stops_too(tmp_path):
    loop = LoopThread()
    discord = FakeDiscord()
    loop.run(discord.start())
    closed = free_port()  # nothing listens here: Slack cannot be reached
    process, lines = start_partnerbot(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{closed}/api/",
        DISCORD_BOT_TOKEN=TOKEN,
        DISCORD_API_URL=discord.api_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
    )
    try:
        code = process.wait(60)
    finally:
        loop.run(discord.stop())
        loop.close()
    out = "".join(iter_queue(lines))
    assert code == 1, out
    assert f"I could not reach Slack at http://127.0.0.1:{closed}/api/. Please check SLACK_API_URL." in out
    assert "Traceback" not in out
