"""Issue 16 on Discord, through the real discord.py client against the local fake Discord
(tests/discord_fakes.py): `/report` with its charts as attachments with descriptions and its
CSV, the trend chart on the summary at a check-in's close, and paid work from the pay rate to
`/mywork`. Check-in answers come through the core as tests/test_report.py gives them (console
partners); everyone who acts on Discord does so through slash commands, buttons and modals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from adapters.discord.poster import MAX_FILES, parts
from adapters.discord.render import MAX_CONTENT
from bot.conversation import File, Message
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import Role
from bot.settings import Settings
from storage.models import Expense, Involvement
from tests.conftest import RecordingSender, deliver
from tests.discord_fakes import ANNOUNCEMENTS, GENERAL, DiscordWorld, attached, buttons
from tests.test_checkins import create, prompts_to, someone, tap
from tests.test_discord import ADA, ALEX, CORA, JO, OPENING, PRIYA, fill_form, grant, inputs, met, seen
from tests.test_report import weekly_runs

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ANSWERS = [
    ["2 low", "3 okay", "3 okay", ""],
    ["3 okay", "3 okay", "4 good", "4 good"],
    ["4 good", "4 good", "5 very good", "3 okay"],
]
MAX_DESCRIPTION = 1024


@pytest.fixture
def world(engine, clock):
    settings = Settings(
        _env_file=None,
        admins=f"discord:{ADA}",
        default_timezone="Europe/London",
        announcements_channel=f"discord:{ANNOUNCEMENTS}",
        payment_currency="GBP",
    )
    made = DiscordWorld(Bot(engine, settings, clock, EVERY_FEATURE))
    yield made
    made.close()


def png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    image.verify()
    return image.size


def discord_coordinator(world: DiscordWorld) -> None:
    """Cora becomes a coordinator on Discord, and says she wants no check-ins herself."""
    grant(world, CORA, "coordinator")
    world.dispatch(world.bot.clock)
    [told] = world.fake.posts_in(world.fake.dm_of[CORA])
    world.press(CORA, buttons(told)["No check-ins for me"])
    world.fake.forget()


def three_runs(world: DiscordWorld, engine, clock) -> RecordingSender:
    """Three weekly check-ins closed, answered by four partners in the console."""
    kim = someone(world.bot, "Kim", Role.COORDINATOR)
    partners = [someone(world.bot, name) for name in ("Pat", "Quinn", "Rosa", "Sam")]
    console = RecordingSender()
    weekly_runs(world.bot, engine, console, clock, kim, partners, ANSWERS)
    return console


def sent_messages(world: DiscordWorld, user_id: str) -> list[dict]:
    """What the outbox posted in someone's direct message, each with the files it carried."""
    channel = world.fake.dm_of[user_id]
    sends = [c for c in world.fake.calls if c.method == "POST" and c.path == f"/channels/{channel}/messages"]
    made = world.fake.posts_in(channel)
    assert len(sends) == len(made)
    return [{**message, **call.body, "files": call.files} for message, call in zip(made, sends, strict=True)]


# ---- /report ----------------------------------------------------------------------------------------


def test_report_on_discord_carries_each_chart_unchanged_with_its_numbers_and_the_csv(world, engine, clock):
    discord_coordinator(world)
    three_runs(world, engine, clock)

    [period] = world.fake.commands["report"]["options"]  # a period may be typed, or left out
    assert (period["name"], period["type"], period.get("required", False)) == ("period", 3, False)
    shown = world.slash(CORA, "report", "last 3 months")

    answers = shown.answers
    assert all(len(a.get("content") or "") <= MAX_CONTENT for a in answers)
    assert all(len(a.get("attachments") or []) <= MAX_FILES for a in answers)
    text = "\n".join(seen(a) for a in answers)
    assert text.startswith("Your report from ")
    # Ada, an admin, is asked too and does not answer.
    assert "Check-ins: 3 closed. 11 of the 15 people asked answered (73%)." in text
    files = {name: (description, content) for a in answers for name, description, content in attached(a)}
    assert set(files) == {"checkin-response-rate.png", "checkin-1-question-1.png", f"{_csv_name(files)}"}
    trend_line = next(line for line in text.splitlines() if line.startswith("Average answer to 'How is your energy?'"))
    description, chart = files["checkin-1-question-1.png"]
    assert description == trend_line  # the chart's numbers, in words, on the attachment
    assert " 2.7, " in description and " 3.5, " in description and " 4.0 " in description
    assert png_size(chart) == (720, 900)
    rate, rate_chart = files["checkin-response-rate.png"]
    assert rate is not None and rate.startswith("Share of people who answered, per check-in. Weekly wellbeing: ")
    assert rate.endswith(" 60%, " + rate.split(" 60%, ")[1]) and len(rate) <= MAX_DESCRIPTION
    assert png_size(rate_chart) == (720, 900)
    csv_description, table = files[_csv_name(files)]
    assert csv_description is None
    rows = list(csv.DictReader(io.StringIO(table.decode())))
    assert [r["value"] for r in rows if r["measure"] == "response_rate"] == ["60.0", "80.0", "80.0"]


def _csv_name(files: dict) -> str:
    [name] = [n for n in files if n.endswith(".csv")]
    assert name.startswith("report-")
    return name


def test_the_same_png_bytes_the_core_made_reach_discord(world, engine, clock):
    discord_coordinator(world)
    three_runs(world, engine, clock)
    core = world.bot  # the same charts, asked for in the console by a coordinator there
    kim = someone(core, "Kim", Role.COORDINATOR)
    made = {f.name: f for m in kim.says("report last 3 months").messages for f in m.files}

    [answer] = world.slash(CORA, "report", "last 3 months").answers

    sent = {name: (description, content) for name, description, content in attached(answer)}
    for name, file in made.items():
        if name.endswith(".png"):
            assert sent[name] == (file.description, file.content)


def test_a_partner_asking_for_the_report_is_refused_kindly_and_nothing_is_attached(world):
    met(world, PRIYA)

    [refused] = world.slash(PRIYA, "report", "last 3 months", channel=ANNOUNCEMENTS).answers

    assert refused["content"].startswith("Only coordinators can use report.")
    assert refused["flags"] & 64  # only Priya sees it
    assert refused["files"] == {} and not refused.get("attachments")


def test_a_report_with_more_than_ten_files_goes_in_messages_of_ten_at_most(world, engine, clock):
    """A report's charts (two check-ins with several scale questions, sessions, openings,
    fairness, the CSV) can number more than Discord takes in one message: the rest follow."""
    charts = tuple(File(f"chart-{n}.png", "image/png", b"\x89PNG" + bytes([n]), f"Chart {n}: {n} people.") for n in range(12))
    message = Message(("Your report.",), files=(*charts, File("report.csv", "text/csv", "a,b\n")))

    drawn = parts(message)

    assert [len(files) for _part, files in drawn] == [10, 3]
    assert [f for _part, files in drawn for f in files] == list(message.files)  # every one, in order
    assert drawn[0][0].content == "Your report." and drawn[1][0].content == ""


def test_a_report_of_many_questions_reaches_discord_in_full(world, engine, clock):
    """Two check-ins of five scale questions each: the response rate, ten trends and the CSV are
    twelve files, more than one Discord message takes."""
    discord_coordinator(world)
    kim = someone(world.bot, "Kim", Role.COORDINATOR)
    partners = [someone(world.bot, name) for name in ("Pat", "Quinn", "Rosa", "Sam")]
    questions = "; ".join(f"Question {n}? | very low, low, okay, good, very good" for n in range(1, 6))
    console = RecordingSender()
    for number, name in enumerate(("Mornings", "Evenings")):
        create(kim, name=name, schedule="now", questions=questions)
        deliver(engine, console, clock)
        for partner in partners:
            prompt = prompts_to(console, partner.who.account.user_id)[number]
            for n in range(1, 6):
                tap(partner, prompt, "4 good", f"{n}. Question {n}?")
    clock.advance(timedelta(days=3))
    world.bot.tick()

    world.turns_are_slow(True)  # twelve charts take a while: Discord shows "thinking" first
    [thinking, *answers] = world.slash(CORA, "report", "last 3 months").answers

    assert thinking["type"] == 5
    sent = [name for a in answers for name, _d, _c in attached(a)]
    assert len(sent) == 12 and len(set(sent)) == 12  # the response rate, ten trends, the CSV
    assert [len(a.get("attachments") or []) for a in answers] == [10, 2]
    assert all(len(a.get("content") or "") <= MAX_CONTENT for a in answers)
    assert answers[0]["content"].startswith("Your report from ")


# ---- the summary at close -----------------------------------------------------------------------------


def test_the_summary_at_the_third_close_carries_the_trend_chart_on_discord(world, engine, clock):
    discord_coordinator(world)
    three_runs(world, engine, clock)

    world.dispatch(clock)

    summaries = [m for m in sent_messages(world, CORA) if "Weekly wellbeing" in seen(m)]
    assert len(summaries) == 3
    first, second, third = summaries
    assert first["attachments"] == [] and second["attachments"] == []
    [(name, description, chart)] = attached(third)
    assert name.startswith("checkin-trend-") and name.endswith(".png")
    assert description is not None and description.startswith("Average answer to 'How is your energy?'")
    assert " 2.7, " in description and " 4.0 " in description and len(description) <= MAX_DESCRIPTION
    assert png_size(chart) == (720, 900)


def test_report_with_the_period_left_out_covers_the_last_3_months(world, engine, clock):
    discord_coordinator(world)
    three_runs(world, engine, clock)

    answers = world.slash(CORA, "report").answers

    assert seen(answers[0]).startswith("Your report from ")
    assert {name for a in answers for name, _d, _c in attached(a)} >= {"checkin-1-question-1.png"}


# ---- paid work ------------------------------------------------------------------------------------------

RECEIPT = b"\xff\xd8\xff\xe0 a photo of a train ticket"
OTHERS = ("Bea", "Cal", "Dee", "Eli", "Fay")  # partners in the console, selected with Alex


def one_button(world: DiscordWorld, user_id: str, message: dict, label: str, channel=None):  # noqa: ANN201
    return world.press(user_id, buttons(message)[label], channel)


def all_buttons(answers: list[dict]) -> dict[str, str]:
    return {label: custom_id for a in answers for label, custom_id in buttons(a).items()}


def posted_opening_with_six_selected(world: DiscordWorld, engine, clock) -> None:
    """Jo (staff) posts a paid opening through the modal's pages; Alex (on Discord) and five
    partners in the console say they are interested; Jo selects all six on Discord."""
    grant(world, JO, "staff")
    opening = OPENING | {"seats": "6", "rate": "12.35 an hour", "work_ends_on": "4 Dec 2026"}
    done = fill_form(world, JO, world.slash(JO, "openings", "new"), opening)
    assert seen(done.answers[-1]).startswith("Posted"), done.texts
    met(world, ALEX)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert "£12.35 an hour" in seen(announced)
    note = one_button(world, ALEX, announced, "I'm interested", ANNOUNCEMENTS).modal
    world.submit(ALEX, note, {"availability": "Mornings"}, ANNOUNCEMENTS)
    for name in OTHERS:
        partner = someone(world.bot, name)
        partner.says("openings")
        partner.press("I'm interested")
        partner.submit({})
    for name in ("Alex", *OTHERS):
        review = world.slash(JO, "openings", "review 1").answers
        form = world.press(JO, all_buttons(review)[f"Select {name}"]).modal
        selected = world.submit(JO, form, {"next_steps": "Meet on Teams.", "hours": "1"})
        assert any(name in t for t in selected.texts), selected.texts
    world.fake.forget()


def test_paid_work_on_discord_from_the_rate_to_mywork(world, engine, clock):
    posted_opening_with_six_selected(world, engine, clock)
    grant(world, CORA, "coordinator")

    # The day after the last day of the work: Jo is asked in a direct message.
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    world.bot.tick()
    world.bot.tick()
    world.dispatch(clock)
    [asked] = [m for m in sent_messages(world, JO) if "Please confirm the hours" in seen(m)]
    assert "Confirm hours" in buttons(asked)

    # One number field per person: six people are two pages (Discord takes five inputs).
    page_1 = one_button(world, JO, asked, "Confirm hours").modal
    fields = inputs(page_1)
    assert [f["label"] for f in fields] == [f"{name}: hours given" for name in ("Alex", *OTHERS[:4])]
    assert all(f.get("value") == "1" for f in fields)
    alex_field = fields[0]["custom_id"]
    more = world.submit(JO, page_1, {alex_field: "2.5"})
    page_2 = world.press(JO, all_buttons(more.answers)["Continue"]).modal
    assert [f["label"] for f in inputs(page_2)] == ["Fay: hours given"]
    confirmed = world.submit(JO, page_2, {})
    [done] = confirmed.answers
    assert seen(done).startswith("Thank you. The hours for Online booking working group are confirmed")
    assert "Alex: Hours: 2.5. Amount: £30.88." in seen(done)
    with Session(engine) as db:
        hours = sorted(i.hours_confirmed for i in db.exec(select(Involvement)))
    assert hours == [1, 1, 1, 1, 1, 2.5]
    world.press(JO, buttons(done)["Approve for payment"])

    # Alex sees the hours and the amount, free to decline, and claims an expense with a receipt.
    world.dispatch(clock)
    [told] = [m for m in sent_messages(world, ALEX) if "confirmed your time" in seen(m)]
    assert seen(told).startswith("Jo confirmed your time on Online booking working group: 2.5 hours.")
    assert "£30.88" in seen(told)
    assert set(buttons(told)) == {"I'd rather not be paid", "Claim an expense"}
    claim = one_button(world, ALEX, told, "Claim an expense").modal
    receipt = [row for row in claim["components"] if row["type"] == 18 and row["component"]["type"] == 19]
    assert len(receipt) == 1
    uploaded = world.fake.offer("ticket.jpg", "image/jpeg", RECEIPT)
    shown = world.submit(ALEX, claim, {"amount": "12.50", "what_for": "Train fare", "receipt": uploaded})
    assert shown.texts == [
        "Thank you. Your expense of £12.50 for Online booking working group is sent to Jo, who posted it. "
        "I will tell you when it is approved."
    ]
    with Session(engine) as db:
        [expense] = db.exec(select(Expense)).all()
    assert (expense.receipt, expense.receipt_name) == (RECEIPT, "ticket.jpg")

    # Jo gets the receipt as an attachment, with Approve and Decline; declines with a reason.
    world.dispatch(clock)
    [claimed] = [m for m in sent_messages(world, JO) if "claimed an expense" in seen(m)]
    assert seen(claimed).startswith("Alex claimed an expense for Online booking working group.")
    assert attached(claimed) == [("expense-1-ticket.jpg", "Alex's receipt for £12.50: Train fare.", RECEIPT)]
    assert set(buttons(claimed)) == {"Approve", "Decline"}
    reason = one_button(world, JO, claimed, "Decline").modal
    [why] = inputs(reason)
    declined = world.submit(JO, reason, {why["custom_id"]: "The hospital pays trains directly."})
    assert declined.texts == ["Declined Alex's expense. I have told them kindly, with your reason."]
    world.dispatch(clock)
    assert seen(sent_messages(world, ALEX)[-1]) == (
        "Sorry, your expense of £12.50 for Online booking working group could not be approved. "
        "Jo said: The hospital pays trains directly. If you have a question, please ask them."
    )

    # Cora marks the payments paid, after saying yes; Alex is told.
    [period] = [o for o in world.fake.commands["openings"]["options"] if o["name"] == "payments"][0]["options"]
    assert not period.get("required", False)  # "or nothing for all": it may be left out
    listed = world.slash(CORA, "openings", "payments").answers
    assert seen(listed[0]).startswith("Waiting to be paid: 6. Total: £92.63.")
    sure = world.press(CORA, all_buttons(listed)["Mark all these paid"]).answers
    assert seen(sure[0]).startswith("Mark these as paid? Payments: 6, £92.63 in all.")
    paid = world.press(CORA, all_buttons(sure)["Yes, mark them paid"]).answers
    assert seen(paid[0]) == "Marked paid: 6, £92.63 in all. Partners told: 6."
    world.dispatch(clock)
    assert seen(sent_messages(world, ALEX)[-1]).startswith("You have been paid £30.88.")

    # Alex's own record, with its file.
    mine = world.slash(ALEX, "mywork", "1 Nov 2026 to 31 Dec 2026").answers
    assert seen(mine[0]).startswith("Your work from 2026-11-01 to 2026-12-31. Only you see this.")
    [(name, _description, content)] = [f for a in mine for f in attached(a)]
    assert name.endswith(".csv")
    [row] = list(csv.DictReader(io.StringIO(content.decode())))
    assert (row["opening"], row["hours"], row["amount"], row["status"], row["expenses_status"]) == (
        "Online booking working group",
        "2.5",
        "30.88",
        "paid",
        "declined",
    )


def test_report_used_in_a_channel_is_seen_only_by_the_coordinator_with_its_files(world, engine, clock):
    discord_coordinator(world)
    three_runs(world, engine, clock)

    [answer] = world.slash(CORA, "report", "last 3 months", channel=GENERAL).answers

    assert answer["flags"] & 64  # only Cora sees it, charts and all
    assert {name for name, _d, _c in attached(answer)} >= {"checkin-response-rate.png", "checkin-1-question-1.png"}
    assert world.fake.posts_in(GENERAL) == []
