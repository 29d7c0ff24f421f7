"""Issue 16 on Slack, through the real slack-bolt app against the local fake Slack
(tests/slack_fakes.py): a coordinator's `/report` with its charts (PNG bytes unchanged, alt text
with the numbers) and CSV in their direct message, the trend chart on the check-in summary at
close, and paid work from an opening with a rate to `/mywork`: hours confirmed in a modal, an
expense claimed with a receipt uploaded in a modal, declined with a reason, payments marked paid.
Check-ins, openings and expenses go through the bot's own Slack flows, as people would use them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from bot.conversation import MAX_FILE_BYTES, Command, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.settings import Settings
from storage.models import Expense, Involvement, Member
from tests.slack_fakes import BOT_TOKEN, SECRET, TEAM, FakeSlack, LoopThread, SlackWorld, button, texts
from tests.test_report import seed_sessions_and_openings
from tests.test_slack import OPENING, fill_form, grant, member, met, said

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ANNOUNCEMENTS = "CANN"
COORDINATORS = "CCOORD"
PARTNERS = ("UALEX", "ULOU", "UJO", "UPRIYA")
QUESTIONS = "How is your energy? | very low, low, okay, good, very good; Did you sleep well? | yes/no"
# Each week's energy answer of each partner, in the order of PARTNERS ("" for no answer).
WEEKS = [
    ["2 low", "3 okay", "3 okay", ""],
    ["3 okay", "3 okay", "4 good", "4 good"],
    ["4 good", "4 good", "5 very good", "3 okay"],
]
RECEIPT = b"\xff\xd8\xff\xe0 a photo of a train ticket"


@pytest.fixture
def world(engine, clock):
    yield from a_world(engine, clock, f"slack:{TEAM}/{COORDINATORS}")


@pytest.fixture
def without_channel(engine, clock):
    """No coordinators' channel: what goes to coordinators goes to each by direct message."""
    yield from a_world(engine, clock, "")


def a_world(engine, clock, coordinator_channel: str):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    settings = Settings(
        _env_file=None,
        admins=f"slack:{TEAM}/UADA",
        default_timezone="Europe/London",
        announcements_channel=f"slack:{TEAM}/{ANNOUNCEMENTS}",
        coordinator_channel=coordinator_channel,
        payment_currency="GBP",
        slack_api_url=fake.api_url,
        # Slack is a platform this service runs, so the coordinators' channel is used.
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
    )
    made = SlackWorld(Bot(engine, settings, clock, EVERY_FEATURE), loop, fake)
    yield made
    made.close()
    loop.run(fake.stop())
    loop.close()


# ---- steps -------------------------------------------------------------------------------------


def png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    image.verify()
    return image.size


def uploaded_to(world: SlackWorld, channel: str) -> dict[str, dict]:
    """Each file the bot uploaded to `channel`, by filename: what Slack recorded, and its bytes."""
    return {
        f["filename"]: {**f, "bytes": world.fake.uploads[file_id]}
        for file_id, f in world.fake.files.items()
        if f.get("channel") == channel
    }


def weekly_checkins(world: SlackWorld, clock) -> None:
    """Cora makes a check-in in the Slack modal and sends it now and then each week; each partner
    answers in their direct message with a tap per question. Each run closes after its 48 hours."""
    grant(world, "UCORA", "coordinator")
    met(world, *PARTNERS)
    world.slash("UCORA", "/checkin", "new")
    values = {"name": "Weekly wellbeing", "questions": QUESTIONS, "schedule": "now", "visibility": "named"}
    assert fill_form(world, "UCORA", values) == "closed"
    for week, energies in enumerate(WEEKS):
        if week:
            _answer, key = world.slash("UCORA", "/checkin", "send 1")
        world.dispatch(clock)
        for user, energy in zip(PARTNERS, energies, strict=True):
            prompts = [p for p in world.fake.posts_in("D" + user) if p["text"].startswith("Check-in: ")]
            assert len(prompts) == week + 1, (user, week)
            if energy:
                world.press(user, button(prompts[-1]["blocks"], energy))
                world.press(user, button(prompts[-1]["blocks"], "Yes"))
        clock.advance(timedelta(days=3))
        world.bot.tick()
        world.dispatch(clock)
        clock.advance(timedelta(days=4))


# ---- report --------------------------------------------------------------------------------------


def test_a_coordinators_report_reaches_their_direct_message_with_charts_alt_text_and_the_csv(world, clock):
    weekly_checkins(world, clock)
    world.fake.forget()
    world.fake.files.clear()
    world.fake.uploads.clear()

    _answer, key = world.slash("UCORA", "/report", "last 3 months", channel="CGENERAL")

    replies = world.fake.replies(key)
    where = [r for r in replies if r["text"] == "Your file is in your direct message with me."]
    assert len(where) == 1  # said once, however many files
    shown = "\n".join(r["text"] + "\n" + texts(r.get("blocks") or []) for r in replies)
    # Ada and Cora are asked too: everyone who is a partner.
    assert "Check-ins: 3 closed. 11 of the 18 people asked answered (61%)." in shown
    files = uploaded_to(world, "DUCORA")
    assert set(world.fake.files) == {f for f, v in world.fake.files.items() if v["channel"] == "DUCORA"}
    pngs = {name: f for name, f in files.items() if name.endswith(".png")}
    assert set(pngs) == {"checkin-response-rate.png", "checkin-1-question-1.png"}
    for name, chart in pngs.items():
        assert png_size(chart["bytes"]) == (720, 900), name
        # The chart's description is its alt text and the words posted with it; it has the numbers.
        assert chart["alt_txt"] and chart["alt_txt"] == chart["initial_comment"], name
    trend = pngs["checkin-1-question-1.png"]["alt_txt"]
    assert trend.startswith("Average answer to 'How is your energy?' per check-in, from 1 to 5: ")
    assert " 2.7, " in trend and " 3.5, " in trend and " 4.0 (standard deviation 0.5 to 0.7)." in trend
    assert trend in shown  # and the report's words say it too
    rate = pngs["checkin-response-rate.png"]["alt_txt"]
    assert rate.startswith("Share of people who answered, per check-in. Weekly wellbeing: ")
    assert rate.endswith(" 50%, 3 Dec 67%, 10 Dec 67%."), rate
    [data] = [f for name, f in files.items() if name.endswith(".csv")]
    table = list(csv.DictReader(io.StringIO(data["bytes"].decode())))
    assert list(table[0]) == ["section", "item", "detail", "date", "measure", "value"]
    assert [r["value"] for r in table if r["measure"] == "response_rate"] == ["50.0", "66.7", "66.7"]

    # Unchanged: the same bytes and words the core made for Cora.
    made = world.bot.handle(Command(Who(AccountRef("slack", TEAM, "UCORA"), "Cora"), "report", "last 3 months"))
    made_files = {f.name: f for m in made.messages for f in m.files}
    assert set(made_files) == set(files)
    for name, file in made_files.items():
        content = file.content if isinstance(file.content, bytes) else file.content.encode()
        assert files[name]["bytes"] == content, name
        assert files[name]["alt_txt"] == (file.description or None), name  # none for the CSV


def test_five_charts_of_a_full_report_each_reach_the_direct_message_with_their_words(world, engine, clock):
    weekly_checkins(world, clock)
    # Sessions and openings as their own flows leave them (as tests/test_report.py writes them).
    seed_sessions_and_openings(engine, clock, member(engine, "UCORA").id, [member(engine, u).id for u in PARTNERS])
    world.fake.forget()
    world.fake.files.clear()

    _answer, key = world.slash("UCORA", "/report", "last 3 months", channel="CGENERAL")

    shown = "\n".join(said(world.fake.replies(key)))
    assert "Wellbeing sessions: 1, with 2 places, 2 signed up, 2 on a waitlist and 1 came." in shown
    assert "Please look at this: the same few people got most of the work." in shown
    assert shown.count("Your file is in your direct message with me.") == 1
    files = uploaded_to(world, "DUCORA")
    pngs = {n: f for n, f in files.items() if n.endswith(".png")}
    assert set(pngs) == {
        "checkin-response-rate.png",
        "checkin-1-question-1.png",
        "sessions.png",
        "openings.png",
        "fairness.png",
    }
    for name, chart in pngs.items():
        assert png_size(chart["bytes"]) == (720, 900), name
        assert chart["alt_txt"] and chart["alt_txt"] == chart["initial_comment"], name
    assert pngs["fairness.png"]["alt_txt"] == (
        "How many partners were selected how many times. "
        "0 times: 5, 1 time: 0, 2 times: 0, 3 times: 1, 4 times: 0, 5+ times: 0."  # Ada and Cora too
    )
    assert len([n for n in files if n.endswith(".csv")]) == 1


def test_a_report_typed_in_the_direct_message_gets_its_files_there_without_a_note(world, clock):
    weekly_checkins(world, clock)
    world.fake.forget()
    world.fake.files.clear()

    _answer, key = world.slash("UCORA", "/report", "last 3 months")  # in their direct message

    shown = said(world.fake.replies(key))
    assert shown[0].startswith("Your report from ")
    assert "Your file is in your direct message with me." not in shown
    assert {f["filename"].rsplit(".", 1)[1] for f in uploaded_to(world, "DUCORA").values()} == {"png", "csv"}
    assert len(uploaded_to(world, "DUCORA")) == 3


def test_a_partner_typing_report_is_refused_kindly_and_nothing_is_uploaded(world):
    met(world, "UALEX")
    _answer, key = world.slash("UALEX", "/report", channel="CGENERAL")
    assert said(world.fake.replies(key)) == ["Only coordinators can use report. Type /guide to see what you can do."]
    assert world.fake.files == {} and world.fake.uploads == {}
    assert world.fake.made("files.getUploadURLExternal") == []


def test_the_summary_at_the_third_close_carries_the_trend_chart_to_the_coordinators_channel(world, clock):
    weekly_checkins(world, clock)

    summaries = [p for p in world.fake.posts_in(COORDINATORS) if "Weekly wellbeing" in p["text"]]
    assert len(summaries) == 3
    charts = uploaded_to(world, COORDINATORS)
    # Only the third summary has a trend: three closed runs with answers.
    [(name, chart)] = charts.items()
    assert name.startswith("checkin-trend-") and name.endswith("-1.png")
    assert png_size(chart["bytes"]) == (720, 900)
    assert chart["alt_txt"] and chart["alt_txt"] == chart["initial_comment"]
    assert "2.7" in chart["alt_txt"] and "4.0" in chart["alt_txt"]
    upload_ids = [f for f, v in world.fake.files.items() if v.get("channel") == COORDINATORS]
    completed = [c for c in world.fake.made("files.completeUploadExternal") if c["channel_id"] == COORDINATORS]
    assert [f["id"] for c in completed for f in c["files"]] == upload_ids


def test_without_a_channel_each_coordinator_gets_the_trend_chart_by_direct_message(without_channel, clock):
    world = without_channel
    weekly_checkins(world, clock)

    assert world.fake.posts_in(COORDINATORS) == []
    summaries = [p for p in world.fake.posts_in("DUCORA") if p["text"].startswith("Check-in summary: ")]
    assert len(summaries) == 3
    [(name, chart)] = uploaded_to(world, "DUCORA").items()
    assert name.startswith("checkin-trend-")
    assert png_size(chart["bytes"]) == (720, 900)
    assert chart["alt_txt"] == chart["initial_comment"]
    assert chart["alt_txt"].startswith("Average answer to 'How is your energy?' per check-in, from 1 to 5: ")


# ---- paid work -------------------------------------------------------------------------------------


def paid_opening_with_alex_selected(world: SlackWorld, clock) -> None:
    """Jo posts an opening with a pay rate through the modal's pages; Alex is interested and
    selected for 6 hours."""
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    values = {**OPENING, "title": "Booking group", "rate": "12.35 an hour", "work_ends_on": "4 Dec 2026"}
    assert fill_form(world, "UJO", values) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert "£12.35" in texts(announced["blocks"])
    world.press("UALEX", button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
    assert fill_form(world, "UALEX", {}) == "closed"
    _answer, key = world.slash("UJO", "/openings", "review 1")
    world.press("UJO", button(world.fake.replies(key)[0]["blocks"], "Select Alex"))
    assert fill_form(world, "UJO", {"next_steps": "Meet on Teams", "hours": "6"}) == "closed"
    world.dispatch(clock)
    world.fake.forget()


def confirm_hours(world: SlackWorld, engine, clock) -> dict:
    """After the work, Jo is asked in a DM, opens the modal and confirms 2.5 hours for Alex.
    Returns the answer shown where Jo pressed, with its button to approve."""
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    world.bot.tick()  # closed
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))  # the day after the work's last day
    world.bot.tick()
    world.bot.tick()
    world.dispatch(clock)
    asks = [p for p in world.fake.posts_in("DUJO") if "Please confirm the hours" in p["text"]]
    assert len(asks) == 1
    _answer, key = world.press("UJO", button(asks[0]["blocks"], "Confirm hours"))
    [opened] = world.fake.made("views.open")
    view = opened["view"]
    alex = f"p{member(engine, 'UALEX').id}"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [(b["block_id"], b["label"]["text"], b["element"]["type"]) for b in inputs] == [
        (alex, "Alex: hours given", "number_input")
    ]
    assert inputs[0]["element"]["initial_value"] == "6"
    assert inputs[0]["element"]["is_decimal_allowed"] is True  # 2.5 hours can be typed
    done = world.submit("UJO", view, {alex: "2.5"})
    assert (done.status, done.body) == (200, "")
    [thanks] = world.fake.replies(key)
    assert thanks["text"].startswith("Thank you. The hours for Booking group are confirmed, and each partner is told.")
    assert "Alex: Hours: 2.5. Amount: £30.88." in thanks["text"] + texts(thanks.get("blocks") or [])
    return thanks


def claim_expense(world: SlackWorld, clock) -> dict:
    """Alex sees the hours and amount in a DM, and claims an expense with a receipt uploaded in
    the modal. Returns what the message to Alex showed."""
    world.dispatch(clock)
    [told] = [p for p in world.fake.posts_in("DUALEX") if p["text"].startswith("Jo confirmed your time")]
    shown = told["text"] + "\n" + texts(told["blocks"])
    assert "Booking group: 2.5 hours" in shown and "£30.88" in shown
    button(told["blocks"], "I'd rather not be paid")
    world.fake.forget()
    _answer, key = world.press("UALEX", button(told["blocks"], "Claim an expense"))
    [opened] = world.fake.made("views.open")
    view = opened["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["receipt"]["type"] == "file_input"
    assert [(b["block_id"], b["label"]["text"], b.get("optional")) for b in view["blocks"] if b["type"] == "input"] == [
        ("amount", "Amount", False),
        ("what_for", "What it was for", False),
        ("receipt", "Receipt", True),
    ]
    assert inputs["receipt"]["max_files"] == 1
    ticket = world.fake.offer("ticket.jpg", "image/jpeg", RECEIPT)
    done = world.submit("UALEX", view, {"amount": "12.50", "what_for": "Train fare", "receipt": ticket})
    assert (done.status, done.body) == (200, "")
    assert world.fake.downloads == [f"Bearer {BOT_TOKEN}"]  # fetched with the bot token
    assert said(world.fake.replies(key)) == [
        "Thank you. Your expense of £12.50 for Booking group is sent to Jo, who posted it. "
        "I will tell you when it is approved."
    ]
    return told


def decline_expense(world: SlackWorld, engine, clock) -> None:
    """Jo gets the claim with the receipt file, presses Decline and gives a reason in the modal."""
    world.fake.forget()
    world.dispatch(clock)
    [claim] = [p for p in world.fake.posts_in("DUJO") if p["text"].startswith("Alex claimed an expense")]
    assert "Train fare" in claim["text"] + texts(claim["blocks"])
    receipt = uploaded_to(world, "DUJO")["expense-1-ticket.jpg"]
    assert receipt["bytes"] == RECEIPT  # the receipt's bytes, unchanged
    assert receipt["alt_txt"] == "Alex's receipt for £12.50: Train fare."
    button(claim["blocks"], "Approve")
    world.fake.forget()
    _answer, key = world.press("UJO", button(claim["blocks"], "Decline"))
    [opened] = world.fake.made("views.open")
    assert [b["block_id"] for b in opened["view"]["blocks"] if b["type"] == "input"] == ["reason"]
    done = world.submit("UJO", opened["view"], {"reason": "The hospital pays trains directly."})
    assert (done.status, done.body) == (200, "")
    assert said(world.fake.replies(key)) == ["Declined Alex's expense. I have told them kindly, with your reason."]
    with Session(engine) as db:
        assert [e.status for e in db.exec(select(Expense))] == ["declined"]
    world.dispatch(clock)
    assert world.fake.posts_in("DUALEX")[-1]["text"] == (
        "Sorry, your expense of £12.50 for Booking group could not be approved. "
        "Jo said: The hospital pays trains directly. If you have a question, please ask them."
    )


def approve_and_mark_paid(world: SlackWorld, engine, clock, thanks: dict) -> None:
    """Jo approves the pay; Cora, a coordinator, marks it paid after confirming; Alex is told."""
    world.press("UJO", button(thanks["blocks"], "Approve for payment"))
    grant(world, "UCORA", "coordinator")
    _answer, key = world.slash("UCORA", "/openings", "payments")
    [waiting] = world.fake.replies(key)
    assert waiting["text"].startswith("Waiting to be paid: 1. Total: £30.88.")
    _answer, key = world.press("UCORA", button(waiting["blocks"], "Mark all these paid"))
    [asked] = world.fake.replies(key)
    assert asked["text"].startswith("Mark these as paid?")
    with Session(engine) as db:
        assert [i.pay_status for i in db.exec(select(Involvement))] == ["approved"]  # asked first
    _answer, key = world.press("UCORA", button(asked["blocks"], "Yes, mark them paid"))
    assert said(world.fake.replies(key)) == ["Marked paid: 1, £30.88 in all. Partners told: 1."]
    world.dispatch(clock)
    assert world.fake.posts_in("DUALEX")[-1]["text"] == (
        "You have been paid £30.88. Thank you for your work. Type /mywork to see your record."
    )


def test_paid_work_on_slack_from_the_rate_to_mywork(world, engine, clock):
    paid_opening_with_alex_selected(world, clock)
    thanks = confirm_hours(world, engine, clock)
    claim_expense(world, clock)
    decline_expense(world, engine, clock)
    approve_and_mark_paid(world, engine, clock, thanks)

    world.fake.forget()
    world.fake.files.clear()
    _answer, key = world.slash("UALEX", "/mywork", "1 Nov 2026 to 31 Dec 2026", channel="CGENERAL")
    shown = world.fake.replies(key)
    assert shown[0]["text"].startswith("Your work from 2026-11-01 to 2026-12-31. Only you see this.")
    assert shown[0]["response_type"] == "ephemeral"
    assert said(shown).count("Your file is in your direct message with me.") == 1
    [(name, mine)] = uploaded_to(world, "DUALEX").items()
    assert name.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(mine["bytes"].decode())))
    assert [(r["opening"], r["hours"], r["amount"], r["status"], r["expenses_status"]) for r in table] == [
        ("Booking group", "2.5", "30.88", "paid", "declined")
    ]


def test_seven_people_confirm_hours_on_two_pages_of_one_slack_modal(world, engine, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    values = {**OPENING, "title": "Big panel", "seats": "7", "rate": "10 an hour", "work_ends_on": "30 Nov 2026"}
    assert fill_form(world, "UJO", values) == "closed"
    people = [f"UP{n}" for n in range(7)]
    met(world, *people)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    for user in people:
        world.press(user, button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
        assert fill_form(world, user, {}) == "closed"
    for user in people:
        _answer, key = world.slash("UJO", "/openings", "review 1")
        world.press("UJO", button(world.fake.replies(key)[0]["blocks"], f"Select {user.title()}"))
        assert fill_form(world, "UJO", {"next_steps": "Meet on Teams", "hours": "1"}) == "closed"
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    world.bot.tick()
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    world.bot.tick()
    world.bot.tick()
    world.fake.forget()
    world.dispatch(clock)
    [asked] = [p for p in world.fake.posts_in("DUJO") if "Please confirm the hours" in p["text"]]

    _answer, key = world.press("UJO", button(asked["blocks"], "Confirm hours"))
    [opened] = world.fake.made("views.open")
    first = opened["view"]
    numbers = [b for b in first["blocks"] if b["type"] == "input"]
    assert len(numbers) == 5 and {b["element"]["type"] for b in numbers} == {"number_input"}
    ids = {member(engine, u).id: u for u in people}
    hours = {f"p{i}": str(n + 1) for n, i in enumerate(sorted(ids))}
    answer = world.submit("UJO", first, hours)
    assert answer.status == 200
    second = answer.json()
    assert second["response_action"] == "update"
    rest = [b for b in second["view"]["blocks"] if b["type"] == "input"]
    assert len(rest) == 2 and {b["element"]["type"] for b in rest} == {"number_input"}
    seen = {b["block_id"] for b in numbers + rest}
    assert seen == set(hours)  # each person once, over the two pages
    done = world.submit("UJO", second["view"], hours)
    assert (done.status, done.body) == (200, "")
    assert said(world.fake.replies(key))[0].startswith("Thank you. The hours for Big panel are confirmed")
    with Session(engine) as db:
        confirmed = {i.member_id: (i.hours_confirmed, i.amount_minor) for i in db.exec(select(Involvement))}
    assert confirmed == {int(k[1:]): (float(v), int(v) * 1000) for k, v in hours.items()}


def test_the_poster_lists_claims_with_each_receipt_reaching_their_direct_message(world, engine, clock):
    paid_opening_with_alex_selected(world, clock)
    confirm_hours(world, engine, clock)
    told = claim_expense(world, clock)
    # A second claim, with a PDF receipt.
    world.fake.forget()
    world.press("UALEX", button(told["blocks"], "Claim an expense"))
    [opened] = world.fake.made("views.open")
    bus = world.fake.offer("bus.pdf", "application/pdf", b"%PDF-1.4 a bus ticket")
    done = world.submit("UALEX", opened["view"], {"amount": "3", "what_for": "Bus", "receipt": bus})
    assert (done.status, done.body) == (200, "")
    world.dispatch(clock)
    world.fake.forget()
    world.fake.files.clear()
    world.fake.uploads.clear()

    _answer, key = world.slash("UJO", "/openings", "expenses 1", channel="CGENERAL")

    shown = said(world.fake.replies(key))
    assert shown[0] == "Expenses claimed for Booking group: 2."
    assert shown[1].startswith("Alex claimed an expense for Booking group.\nAmount: £12.50\nWhat it was for: Train fare")
    assert shown[2].startswith("Alex claimed an expense for Booking group.\nAmount: £3.00\nWhat it was for: Bus")
    # Said once, after the messages, however many of them had a file.
    assert shown[3:] == ["Your file is in your direct message with me."]
    receipts = uploaded_to(world, "DUJO")
    assert {name: f["bytes"] for name, f in receipts.items()} == {
        "expense-1-ticket.jpg": RECEIPT,
        "expense-2-bus.pdf": b"%PDF-1.4 a bus ticket",
    }
    assert set(world.fake.files) == {f for f, v in world.fake.files.items() if v["channel"] == "DUJO"}

    # A partner can't list them, and gets no file.
    world.fake.files.clear()
    _answer, key = world.slash("UALEX", "/openings", "expenses 1", channel="CGENERAL")
    [refused] = said(world.fake.replies(key))
    assert refused.startswith("Only the person who posted an opening, and coordinators")
    assert world.fake.files == {}


def test_a_partner_may_rather_not_be_paid_and_change_their_mind_on_slack(world, engine, clock):
    paid_opening_with_alex_selected(world, clock)
    confirm_hours(world, engine, clock)
    world.dispatch(clock)
    [told] = [p for p in world.fake.posts_in("DUALEX") if p["text"].startswith("Jo confirmed your time")]

    _answer, key = world.press("UALEX", button(told["blocks"], "I'd rather not be paid"))
    [noted] = world.fake.replies(key)
    assert noted["text"].startswith("Noted. You chose not to be paid for Booking group.")
    with Session(engine) as db:
        assert db.exec(select(Involvement)).one().payment_declined
    _answer, key = world.press("UALEX", button(noted["blocks"], "I'd like to be paid after all"))
    with Session(engine) as db:
        assert not db.exec(select(Involvement)).one().payment_declined


def test_a_receipt_over_the_limit_is_refused_on_its_field_and_nothing_is_claimed(world, engine, clock):
    paid_opening_with_alex_selected(world, clock)
    confirm_hours(world, engine, clock)
    world.dispatch(clock)
    [told] = [p for p in world.fake.posts_in("DUALEX") if p["text"].startswith("Jo confirmed your time")]
    world.fake.forget()
    world.press("UALEX", button(told["blocks"], "Claim an expense"))
    [opened] = world.fake.made("views.open")
    big = world.fake.offer("scan.pdf", "application/pdf", b"%PDF" + b"0" * MAX_FILE_BYTES)

    answer = world.submit("UALEX", opened["view"], {"amount": "12.50", "what_for": "Train fare", "receipt": big})

    assert answer.json() == {
        "response_action": "errors",
        "errors": {"receipt": "That file is bigger than 5 MB. Please choose a smaller one, or leave it out."},
    }
    with Session(engine) as db:
        assert db.exec(select(Expense)).all() == []


def test_a_long_list_of_payments_reaches_slack_within_its_limits_and_is_marked_paid(world, engine, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    values = {**OPENING, "title": "Booking group", "rate": "12.35 an hour", "work_ends_on": "4 Dec 2026"}
    assert fill_form(world, "UJO", values) == "closed"
    now = clock.now()
    with Session(engine) as db:  # 150 partners' pay approved, as hours confirmed and approved leave it
        for n in range(150):
            partner = Member(
                display_name=f"Partner number {n:03d} with a longer name", timezone="Europe/London", created_at=now
            )
            db.add(partner)
            db.flush()
            db.add(
                Involvement(
                    member_id=partner.id, opening_id=1, selected_at=now, hours_confirmed=2, amount_minor=2470,
                    currency="GBP", pay_status="approved", confirmed_at=now, approved_at=now,
                )
            )
        db.commit()
    clock.advance(timedelta(minutes=1))
    grant(world, "UCORA", "coordinator")

    _answer, key = world.slash("UCORA", "/openings", "payments", channel="CGENERAL")

    refused = [c for c in world.fake.calls if not c.ok]
    assert refused == []
    shown = world.fake.replies(key)
    assert shown[0]["text"].startswith("Waiting to be paid: 150. Total: £3,705.00.")
    every = "\n".join(texts(r["blocks"]) for r in shown)
    assert all(f"*Partner number {n:03d} with a longer name:* Booking group: pay £24.70." in every for n in range(150))
    # Split into sections between lines: no line, and no bold name, is cut in two.
    listed = [b["text"]["text"] for r in shown for b in r["blocks"] if "Partner number" in b.get("text", {}).get("text", "")]
    assert len(listed) > 1
    for piece in listed:
        assert all(line.startswith("*Partner number ") and line.endswith(".") for line in piece.split("\n")), piece
    [mark] = [button(r["blocks"], "Mark all these paid") for r in shown if "Mark all these paid" in str(r["blocks"])]
    _answer, key = world.press("UCORA", mark, channel="CGENERAL")
    [asked] = world.fake.replies(key)
    _answer, key = world.press("UCORA", button(asked["blocks"], "Yes, mark them paid"), channel="CGENERAL")
    assert said(world.fake.replies(key))[0].startswith("Marked paid: 150, £3,705.00 in all.")
    with Session(engine) as db:
        assert {i.pay_status for i in db.exec(select(Involvement))} == {"paid"}


def test_sessions_attended_are_asked_as_whole_numbers_and_approved_from_slack(world, engine, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    values = {**OPENING, "title": "Panel", "rate": "40 a session", "payment": "", "work_ends_on": "4 Dec 2026"}
    assert fill_form(world, "UJO", values) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    world.press("UALEX", button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
    assert fill_form(world, "UALEX", {}) == "closed"
    _answer, key = world.slash("UJO", "/openings", "review 1")
    world.press("UJO", button(world.fake.replies(key)[0]["blocks"], "Select Alex"))
    assert fill_form(world, "UJO", {"next_steps": "Meet on Teams", "hours": ""}) == "closed"
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    world.bot.tick()
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    world.bot.tick()
    world.bot.tick()
    world.fake.forget()
    world.dispatch(clock)
    [asked] = [p for p in world.fake.posts_in("DUJO") if "Please confirm the sessions each partner attended" in p["text"]]

    _answer, key = world.press("UJO", button(asked["blocks"], "Confirm sessions"))
    [opened] = world.fake.made("views.open")
    [field] = [b for b in opened["view"]["blocks"] if b["type"] == "input"]
    assert field["label"]["text"] == "Alex: sessions attended"
    assert (field["element"]["type"], field["element"]["is_decimal_allowed"]) == ("number_input", False)
    assert field["element"]["initial_value"] == "1"
    assert not world.submit("UJO", opened["view"], {field["block_id"]: "3"}).body
    [thanks] = world.fake.replies(key)
    assert "£120.00" in thanks["text"]
    _answer, key = world.press("UJO", button(thanks["blocks"], "Approve for payment"))
    assert said(world.fake.replies(key))[0].startswith("Approved for payment: 1 for Panel.")
    with Session(engine) as db:
        work = db.exec(select(Involvement)).one()
    assert (work.sessions_confirmed, work.amount_minor, work.pay_status) == (3, 12000, "approved")
