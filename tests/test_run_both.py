"""`partnerbot run` with Slack and Discord both configured: one process serves both, and a
stop signal stops both."""

from __future__ import annotations

import signal

import pytest

from tests.discord_fakes import TOKEN, FakeDiscord
from tests.slack_fakes import BOT_TOKEN, SECRET, FakeSlack, LoopThread
from tests.test_slack import free_port, http_mode, iter_queue, read_until, start_partnerbot

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
        **http_mode(slack, port),
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


def until_it_stops(tmp_path, loop: LoopThread, fakes: list, **env: str) -> tuple[int, str]:
    """`partnerbot run` with these settings, until it stops by itself: its exit code and all it
    printed. Then the fake platforms stop too."""
    process, lines = start_partnerbot(tmp_path, **env)
    try:
        code = process.wait(60)
    finally:
        for fake in fakes:
            loop.run(fake.stop())
        loop.close()
    return code, "".join(iter_queue(lines))


def test_when_one_platform_cannot_start_the_other_stops_too(tmp_path):
    loop = LoopThread()
    discord = FakeDiscord()
    loop.run(discord.start())
    closed = free_port()  # nothing listens here: Slack cannot be reached
    code, out = until_it_stops(
        tmp_path,
        loop,
        [discord],
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{closed}/api/",
        DISCORD_BOT_TOKEN=TOKEN,
        DISCORD_API_URL=discord.api_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
    )
    assert code == 1, out
    assert f"I could not reach Slack at http://127.0.0.1:{closed}/api/. Please check SLACK_API_URL." in out
    assert "Traceback" not in out


@pytest.mark.parametrize("refused", ["slack", "discord"])
def test_a_platform_that_cannot_start_is_explained_in_one_line_and_none_is_said_to_run(tmp_path, refused):
    loop = LoopThread()
    slack, discord = FakeSlack(), FakeDiscord()
    loop.run(slack.start())
    loop.run(discord.start())
    settings = http_mode(slack, free_port())
    if refused == "slack":
        settings["SLACK_BOT_TOKEN"] = "xoxb-wrong-and-secret"
    code, out = until_it_stops(
        tmp_path,
        loop,
        [slack, discord],
        **settings,
        DISCORD_BOT_TOKEN="wrong-and-secret" if refused == "discord" else TOKEN,
        DISCORD_API_URL=discord.api_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
    )
    assert code == 1, out
    why = {
        "slack": "Slack did not accept the bot token (invalid_auth). Please check SLACK_BOT_TOKEN.",
        "discord": "Discord did not accept the bot token. Please check DISCORD_BOT_TOKEN.",
    }[refused]
    assert why in out
    # The one line that says why: nothing claims the other platform is running.
    assert out.count("Please check") == 1, out
    assert "Press Ctrl+C to stop." not in out, out
    assert "Traceback" not in out and "wrong-and-secret" not in out
