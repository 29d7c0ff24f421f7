"""Files through every adapter: a chart (PNG bytes) arrives unchanged with its description in
words, and a form's file field (a receipt) brings the uploaded bytes to the core, with a kind
refusal for a file over the limit. The console here; Slack and Discord through their real
libraries against the local fakes. The feature used exists only for these tests
(tests/file_features.py)."""

from __future__ import annotations

import io

import pytest

from adapters.console.app import Console
from bot.conversation import MAX_FILE_BYTES
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.settings import Settings
from tests.discord_fakes import DiscordWorld, attached, buttons
from tests.file_features import CHART, CSV, DESCRIPTION, FILE_TESTS
from tests.slack_fakes import BOT_TOKEN, TEAM, FakeSlack, LoopThread, SlackWorld
from tests.test_discord import ADA, PRIYA
from tests.test_discord import met as discord_met
from tests.test_slack import met as slack_met
from tests.test_slack import said

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock


@pytest.fixture
def bot(engine, settings, clock) -> Bot:
    return Bot(engine, settings, clock, (*EVERY_FEATURE, FILE_TESTS))


# ---- the console ------------------------------------------------------------------------------


def console_for(bot: Bot, files_dir) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(bot, out, echo=True, files_dir=files_dir)
    console.line(":as Alex")
    console.line("guide")
    console.line("OK")  # the notice on first contact
    out.seek(0)
    out.truncate()
    return console, out


def test_the_console_saves_a_chart_says_its_numbers_and_prints_text_files_inline(bot, tmp_path):
    console, out = console_for(bot, tmp_path / "files")
    console.line("chart")
    shown = out.getvalue()
    saved = tmp_path / "files" / "answered.png"
    assert f"  Chart: {DESCRIPTION} Saved as {saved}\n" in shown
    assert saved.read_bytes() == CHART
    assert "  File answered.csv:\n    month,answered\n    2026-09,3\n" in shown

    console.line("chart")  # again: a second file, the first one kept
    assert f"Saved as {tmp_path / 'files' / 'answered-2.png'}" in out.getvalue()
    assert saved.read_bytes() == CHART

    console.line("chartlater")  # through the outbox, kept there as base64
    later = tmp_path / "files" / "answered-3.png"
    assert f"Your chart.\n  Chart: {DESCRIPTION} Saved as {later}\n  File answered.csv:" in out.getvalue()
    assert later.read_bytes() == CHART


def test_the_console_asks_for_a_path_reads_the_file_and_asks_again_for_a_missing_one(bot, tmp_path):
    console, out = console_for(bot, tmp_path / "files")
    receipt = tmp_path / "train ticket.png"
    receipt.write_bytes(CHART)
    console.line("receipt")
    console.line("Train to the meeting")
    assert console.prompt() == "Receipt (the path to a file on this computer) (optional): "
    console.line(str(tmp_path / "nowhere.png"))
    assert (
        f"I could not open a file at {tmp_path / 'nowhere.png'}. Please type its full path, or press Enter to skip."
        in out.getvalue()
    )
    console.line(str(receipt))
    assert f"Saved Train to the meeting, with train ticket.png (image/png, {len(CHART)} bytes)." in out.getvalue()

    console.line("receipt")
    console.line("Bus")
    console.line("")  # Enter skips: no receipt
    assert "Saved Bus, with no receipt." in out.getvalue()


def test_a_file_over_the_limit_is_refused_kindly_and_the_field_asked_again(bot, tmp_path):
    console, out = console_for(bot, tmp_path / "files")
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF" + b"0" * MAX_FILE_BYTES)
    small = tmp_path / "scan-small.pdf"
    small.write_bytes(b"%PDF-1.4 small")
    console.line("receipt")
    console.line("Taxi")
    console.line(str(big))
    shown = out.getvalue()
    assert "! Receipt: That file is bigger than 5 MB. Please choose a smaller one, or leave it out." in shown
    assert "Traceback" not in shown
    console.line(str(small))
    assert "Saved Taxi, with scan-small.pdf (application/pdf, 14 bytes)." in out.getvalue()


# ---- Slack ----------------------------------------------------------------------------------------


@pytest.fixture
def slack(engine, clock):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    settings = Settings(
        _env_file=None, admins=f"slack:{TEAM}/UADA", default_timezone="Europe/London", slack_api_url=fake.api_url
    )
    made = SlackWorld(Bot(engine, settings, clock, (*EVERY_FEATURE, FILE_TESTS)), loop, fake)
    yield made
    made.close()
    loop.run(fake.stop())
    loop.close()


def test_slack_gets_the_chart_unchanged_with_its_alt_text_and_the_words_in_the_message(slack):
    slack_met(slack, "UALEX")
    _answer, key = slack.slash("UALEX", "/chart", channel="CGENERAL")

    [shown, where] = slack.fake.replies(key)
    assert shown["text"] == "Your chart."
    assert where["text"] == "Your file is in your direct message with me."
    chart_id, csv_id = slack.fake.files
    assert slack.fake.uploads[chart_id] == CHART  # the PNG's bytes, unchanged
    assert slack.fake.files[chart_id] == {
        "filename": "answered.png",
        "alt_txt": DESCRIPTION,  # the image's alt text
        "title": "answered.png",
        "channel": "DUALEX",
        "initial_comment": DESCRIPTION,  # and the words posted with it, for a screen reader
    }
    assert slack.fake.uploads[csv_id].decode() == CSV
    assert slack.fake.files[csv_id]["alt_txt"] is None and slack.fake.files[csv_id]["initial_comment"] is None


def test_a_chart_sent_through_the_outbox_reaches_slack_unchanged_with_its_alt_text(slack, clock):
    slack_met(slack, "UALEX")
    slack.slash("UALEX", "/chartlater")
    assert slack.fake.files == {}

    assert slack.dispatch(clock) == 1

    [posted] = slack.fake.posts_in("DUALEX")
    assert posted["text"] == "Your chart."
    chart_id, csv_id = slack.fake.files
    assert slack.fake.uploads[chart_id] == CHART
    assert slack.fake.files[chart_id]["alt_txt"] == slack.fake.files[chart_id]["initial_comment"] == DESCRIPTION
    assert slack.fake.uploads[csv_id].decode() == CSV


def receipt_modal(slack: SlackWorld, user: str) -> tuple[dict, str]:
    """The receipt form's modal, and the key of the response URL its answer goes to."""
    _answer, key = slack.slash(user, "/receipt")
    view = slack.fake.made("views.open")[-1]["view"]
    [_what, receipt] = view["blocks"]
    assert receipt == {
        "type": "input",
        "block_id": "receipt",
        "optional": True,
        "label": {"type": "plain_text", "text": "Receipt", "emoji": True},
        "element": {"type": "file_input", "action_id": "value", "max_files": 1},
    }
    return view, key


def test_a_receipt_uploaded_in_a_slack_modal_reaches_the_core_with_its_bytes(slack):
    slack_met(slack, "UALEX")
    view, key = receipt_modal(slack, "UALEX")
    uploaded = slack.fake.offer("ticket.png", "image/png", CHART)

    answer = slack.submit("UALEX", view, {"what": "Train", "receipt": uploaded})

    assert answer.status == 200 and not answer.body  # the modal closes
    [info] = slack.fake.made("files.info")
    assert info["file"] == uploaded["id"]
    assert slack.fake.downloads == [f"Bearer {BOT_TOKEN}"]  # fetched with the bot token
    assert said(slack.fake.replies(key)) == [f"Saved Train, with ticket.png (image/png, {len(CHART)} bytes)."]

    view, key = receipt_modal(slack, "UALEX")
    assert not slack.submit("UALEX", view, {"what": "Bus"}).body
    assert said(slack.fake.replies(key)) == ["Saved Bus, with no receipt."]


def test_a_receipt_over_the_limit_is_refused_on_its_field_in_slack(slack):
    slack_met(slack, "UALEX")
    view, key = receipt_modal(slack, "UALEX")
    big = slack.fake.offer("scan.pdf", "application/pdf", b"%PDF" + b"0" * MAX_FILE_BYTES)

    answer = slack.submit("UALEX", view, {"what": "Taxi", "receipt": big})

    assert answer.json() == {
        "response_action": "errors",
        "errors": {"receipt": "That file is bigger than 5 MB. Please choose a smaller one, or leave it out."},
    }
    assert slack.fake.replies(key) == [] and slack.fake.posts_in("DUALEX") == []


def test_a_receipt_slack_cannot_give_leaves_the_modal_open_with_a_kind_word(slack):
    slack_met(slack, "UALEX")
    view, _key = receipt_modal(slack, "UALEX")
    gone = {**slack.fake.offer("ticket.png", "image/png", CHART), "id": "FGONE"}

    answer = slack.submit("UALEX", view, {"what": "Train", "receipt": gone})

    assert answer.json() == {
        "response_action": "errors",
        "errors": {"receipt": "I could not fetch that file from Slack. Please try again in a minute."},
    }


def test_the_bot_token_goes_only_to_slack_for_a_download(slack):
    slack_met(slack, "UALEX")
    view, _key = receipt_modal(slack, "UALEX")
    forged = slack.fake.offer("ticket.png", "image/png", CHART, elsewhere=True)

    answer = slack.submit("UALEX", view, {"what": "Train", "receipt": forged})

    assert answer.json()["errors"] == {"receipt": "I could not fetch that file from Slack. Please try again in a minute."}
    assert slack.fake.downloads == []  # nothing was fetched, so no token went elsewhere


# ---- Discord --------------------------------------------------------------------------------------


@pytest.fixture
def on_discord(engine, clock):
    settings = Settings(_env_file=None, admins=f"discord:{ADA}", default_timezone="Europe/London")
    made = DiscordWorld(Bot(engine, settings, clock, (*EVERY_FEATURE, FILE_TESTS)))
    yield made
    made.close()


def test_discord_gets_the_chart_unchanged_with_its_description_on_the_attachment(on_discord):
    discord_met(on_discord, PRIYA)
    [answer] = on_discord.slash(PRIYA, "chart").answers

    assert answer["content"] == "Your chart."
    assert attached(answer) == [
        ("answered.png", DESCRIPTION, CHART),  # the PNG's bytes, unchanged, with its words
        ("answered.csv", None, CSV.encode()),
    ]


def test_a_chart_sent_through_the_outbox_reaches_discord_unchanged_with_its_description(on_discord, clock):
    discord_met(on_discord, PRIYA)
    on_discord.slash(PRIYA, "chartlater")

    assert on_discord.dispatch(clock) == 1

    [sent] = [c for c in on_discord.fake.made("POST", "/channels/") if c.path.endswith("/messages")]
    assert sent.body["content"] == "Your chart."
    assert attached({**sent.body, "files": sent.files}) == [
        ("answered.png", DESCRIPTION, CHART),
        ("answered.csv", None, CSV.encode()),
    ]


def receipt_form(on_discord: DiscordWorld, user_id: str) -> dict:
    modal = on_discord.slash(user_id, "receipt").modal
    [_what, receipt] = modal["components"]
    assert receipt["type"] == 18 and receipt["label"] == "Receipt"  # a label over a file upload
    assert {k: receipt["component"][k] for k in ("type", "custom_id", "required", "min_values", "max_values")} == {
        "type": 19,
        "custom_id": "receipt",
        "required": False,
        "min_values": 0,
        "max_values": 1,
    }
    return modal


def test_a_receipt_uploaded_in_a_discord_modal_reaches_the_core_with_its_bytes(on_discord):
    discord_met(on_discord, PRIYA)
    uploaded = on_discord.fake.offer("ticket.png", "image/png", CHART)

    shown = on_discord.submit(PRIYA, receipt_form(on_discord, PRIYA), {"what": "Train", "receipt": uploaded})

    assert shown.texts == [f"Saved Train, with ticket.png (image/png, {len(CHART)} bytes)."]
    shown = on_discord.submit(PRIYA, receipt_form(on_discord, PRIYA), {"what": "Bus"})
    assert shown.texts == ["Saved Bus, with no receipt."]


def test_a_receipt_over_the_limit_is_refused_kindly_on_discord_and_what_was_typed_kept(on_discord):
    discord_met(on_discord, PRIYA)
    big = on_discord.fake.offer("scan.pdf", "application/pdf", b"%PDF" + b"0" * MAX_FILE_BYTES)

    shown = on_discord.submit(PRIYA, receipt_form(on_discord, PRIYA), {"what": "Taxi", "receipt": big})

    [problem] = shown.answers
    assert problem["content"] == (
        "Please put this right, then open the form again:\n"
        "Receipt: That file is bigger than 5 MB. Please choose a smaller one, or leave it out."
    )
    again = on_discord.press(PRIYA, buttons(problem)["Open the form again"]).modal
    [what, receipt] = again["components"]
    assert what["components"][0]["value"] == "Taxi"  # what was typed is kept
    assert receipt["description"].startswith("That file is bigger than 5 MB.")
    small = on_discord.fake.offer("scan.pdf", "application/pdf", b"%PDF-1.4 small")
    shown = on_discord.submit(PRIYA, again, {"receipt": small})
    assert shown.texts == ["Saved Taxi, with scan.pdf (application/pdf, 14 bytes)."]


def test_a_receipt_discord_cannot_give_is_answered_kindly_and_nothing_saved(on_discord):
    discord_met(on_discord, PRIYA)
    gone = {**on_discord.fake.offer("ticket.png", "image/png", CHART), "id": "1", "filename": "gone.png"}
    gone["url"] = gone["url"].rsplit("/", 2)[0] + "/1/gone.png"

    shown = on_discord.submit(PRIYA, receipt_form(on_discord, PRIYA), {"what": "Train", "receipt": gone})

    assert shown.texts == ["I could not fetch that file from Discord. Please try again in a minute."]
