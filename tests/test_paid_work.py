"""Paid work from offer to payment, through the core's entry point with the FakeClock, on SQLite
and PostgreSQL: an opening posted with a rate, partners selected, the poster asked once to
confirm hours after the work, amounts worked out (rounded half up), the partner told and free to
decline, expenses with a receipt approved or declined, coordinators marking them paid, `mywork`
and the export. And who may do what, by typing, pressing and sending a form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.checks import Refusal
from bot.conversation import File, FormSubmit, Message
from bot.members import Role
from bot.openings.fairness import records
from bot.openings.pay import amount_for, read_minor, read_rate
from bot.settings import Settings
from storage.models import Expense, Involvement, Opening, Outbox
from tests.conftest import START, deliver
from tests.test_openings import (
    CHANNEL,
    choose,
    interested,
    member_id,
    post,
    press,
    received,
    rows,
    shown,
    someone,
    tap,
)

RECEIPT = b"\xff\xd8\xff\xe0 a photo of a train ticket"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        admins="console:ada",
        default_timezone="Europe/London",
        announcements_channel=f"console:local/{CHANNEL}",
        payment_currency="GBP",
    )


@pytest.fixture
def jo(bot):  # noqa: ANN201
    return someone(bot, "Jo", Role.STAFF)


@pytest.fixture
def kim(bot):  # noqa: ANN201
    return someone(bot, "Kim", Role.STAFF)


@pytest.fixture
def cora(bot):  # noqa: ANN201
    return someone(bot, "Cora", Role.COORDINATOR)


@pytest.fixture
def alex(bot):  # noqa: ANN201
    return someone(bot, "Alex", interests="online booking")


@pytest.fixture
def priya(bot):  # noqa: ANN201
    return someone(bot, "Priya", interests="online booking")


@pytest.fixture
def quinn(bot):  # noqa: ANN201
    return someone(bot, "Quinn", interests="gardening")


def last_dm(platform, user: str) -> Message:
    found = received(platform, user)
    assert found, f"nothing reached {user}"
    return found[-1]


def test_the_pay_rate_is_read_kindly_and_amounts_round_half_up():
    assert (read_rate("25 an hour").minor, read_rate("25 an hour").unit) == (2500, "hour")
    assert (read_rate("£12.35/hr").minor, read_rate("£12.35/hr").unit) == (1235, "hour")
    assert (read_rate("40 a session").minor, read_rate("40 per session").unit) == (4000, "session")
    assert read_rate("none").minor is None and read_rate("Voluntary").minor is None
    with pytest.raises(Refusal):
        read_rate("25")  # per what?
    with pytest.raises(Refusal):
        read_rate("lots")
    assert amount_for(1235, "2.5") == 3088  # 30.875 -> 30.88
    assert amount_for(1235, "0.1") == 124  # 1.235 -> 1.24
    assert amount_for(2500, "6") == 15000
    assert (read_minor("12.50"), read_minor("1,250.50"), read_minor("12,5")) == (1250, 125050, 1250)
    for wrong in ("-3", "abc", "1.234", "nan"):
        with pytest.raises(Refusal):
            read_minor(wrong)


def test_paid_work_from_offer_to_payment(engine, bot, platform, clock, jo, kim, cora, alex, priya, quinn):
    post(jo, title="Booking group", rate="12.35 an hour", payment="plus travel", work_ends_on="4 Dec 2026")
    [opening] = rows(engine, Opening)
    assert (opening.rate_minor, opening.rate_unit, opening.currency, opening.payment) == (
        1235,
        "hour",
        "GBP",
        "plus travel",
    )
    assert opening.work_ends_on is not None and opening.work_ends_on.isoformat() == "2026-12-04"
    interested(alex)
    interested(priya)
    choose(jo, "Alex", hours="6")
    choose(jo, "Priya", hours="2")

    # Closed, but the work goes on: nobody is asked yet.
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    bot.tick()
    assert rows(engine, Opening)[0].status == "closed"
    bot.tick()
    assert [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith("opening.hours.ask")] == []

    # The day after the last day of the work, at 10:00: asked once, however often the clock ticks.
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    bot.tick()
    bot.tick()
    asks = [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith("opening.hours.ask")]
    assert len(asks) == 1
    deliver(engine, platform, clock)
    bot.tick()
    deliver(engine, platform, clock)
    asked = [m for m in received(platform, "jo") if "Please confirm the hours" in m.plain()]
    assert len(asked) == 1
    assert shown(asked[0]) == (
        "The work for Booking group has ended. Please confirm the hours each partner gave, so they can be paid.\n"
        "Selected: Alex, Priya\n"
        "[Confirm hours]"
    )

    # Someone else's button, and someone else's form: refused, nothing changes.
    refused = press(alex, "opening.hours:1")
    assert refused.refused and refused.form is None
    assert "Only the person who posted an opening, and coordinators" in refused.plain()
    forged = bot.handle(FormSubmit(kim.who, "opening.hours:1", {f"p{member_id(engine, 'alex')}": "99"}))
    assert forged.refused
    assert all(i.hours_confirmed is None for i in rows(engine, Involvement))

    # One form for everyone, filled in with the hours agreed.
    tap(jo, asked[0], "Confirm hours")
    form = jo.last.form
    assert form is not None and form.pages == 1
    assert [(f.label, f.initial) for f in form.fields] == [("Alex: hours given", "6"), ("Priya: hours given", "2")]
    alex_id, priya_id = member_id(engine, "alex"), member_id(engine, "priya")
    jo.submit({f"p{alex_id}": "2.5"})
    assert jo.text == (
        "Thank you. The hours for Booking group are confirmed, and each partner is told. "
        "Together: £55.58. Please check, then approve them for payment.\n"
        "Alex: Hours: 2.5. Amount: £30.88.\n"
        "Priya: Hours: 2. Amount: £24.70.\n"
        "[Approve for payment]"
    )
    work = {i.member_id: i for i in rows(engine, Involvement)}
    assert (work[alex_id].hours_confirmed, work[alex_id].amount_minor, work[alex_id].pay_status) == (
        2.5,
        3088,
        "confirmed",
    )
    assert (work[priya_id].amount_minor, work[priya_id].currency) == (2470, "GBP")
    confirm_reply = jo.last

    # The fairness count now uses the hours confirmed.
    from sqlmodel import Session

    with Session(engine) as db:
        counted = records(db, START - timedelta(days=183), clock.now())
    assert counted[alex_id].hours == 2.5

    # The partner sees what it comes to, and may still decline, and change their mind.
    deliver(engine, platform, clock)
    told = last_dm(platform, "alex")
    assert shown(told) == (
        "Jo confirmed your time on Booking group: 2.5 hours. Thank you for your work. "
        "Being paid is still your choice. You can change your mind until it is paid.\n"
        "Amount: £30.88\n"
        "[I'd rather not be paid]\n[Claim an expense]"
    )
    tap(alex, told, "I'd rather not be paid")
    assert alex.text.startswith("Noted. You chose not to be paid for Booking group.")
    assert rows(engine, Involvement)[0].payment_declined
    alex.press("I'd like to be paid after all")
    assert not rows(engine, Involvement)[0].payment_declined

    # Approved by the poster.
    jo.last = confirm_reply
    clock.advance(timedelta(milliseconds=500))  # approved, and listed, within one second
    jo.press("Approve for payment")
    assert jo.text.startswith("Approved for payment: 2 for Booking group.")
    assert {i.pay_status for i in rows(engine, Involvement)} == {"approved"}

    # An expense with a receipt: not for someone who was not selected.
    refused = press(quinn, "expense.claim:1")
    assert refused.refused and refused.form is None
    tap(alex, told, "Claim an expense")
    form = alex.last.form
    assert form is not None and [f.kind for f in form.fields] == ["short", "short", "file"]
    too_big = File("big.jpg", "image/jpeg", b"x" * (5 * 1024 * 1024 + 1))
    reply = bot.handle(
        FormSubmit(alex.who, form.form_id, {"amount": "12.50", "what_for": "Train fare"}, files={"receipt": too_big})
    )
    assert reply.field_errors["receipt"] == "That file is bigger than 5 MB. Please choose a smaller one, or leave it out."
    assert rows(engine, Expense) == []
    receipt = File("ticket.jpg", "image/jpeg", RECEIPT)
    reply = bot.handle(
        FormSubmit(alex.who, form.form_id, {"amount": "12.50", "what_for": "Train fare"}, files={"receipt": receipt})
    )
    assert reply.plain() == (
        "Thank you. Your expense of £12.50 for Booking group is sent to Jo, who posted it. "
        "I will tell you when it is approved."
    )
    [expense] = rows(engine, Expense)
    assert (expense.amount_minor, expense.receipt, expense.receipt_name, expense.status) == (
        1250,
        RECEIPT,
        "ticket.jpg",
        "claimed",
    )

    deliver(engine, platform, clock)
    claim = last_dm(platform, "jo")
    assert shown(claim) == (
        "Alex claimed an expense for Booking group.\n"
        "Amount: £12.50\n"
        "What it was for: Train fare\n"
        "[Approve]\n[Decline]"
    )
    [attached] = claim.files
    assert (attached.name, attached.mime, attached.content) == (f"expense-{expense.id}-ticket.jpg", "image/jpeg", RECEIPT)
    assert attached.description == "Alex's receipt for £12.50: Train fare."
    refused = tap(kim, claim, "Approve")  # another member of staff's press: refused
    assert refused.refused and rows(engine, Expense)[0].status == "claimed"
    tap(jo, claim, "Approve")
    assert jo.text.startswith("Approved Alex's expense of £12.50.")
    deliver(engine, platform, clock)
    assert last_dm(platform, "alex").plain() == (
        "Your expense for Booking group is approved: £12.50. It will be paid with the next payments."
    )

    # A second one, declined with a reason: the partner is told kindly, with it.
    alex.last = reply
    tap(alex, told, "Claim an expense")
    alex.submit({"amount": "8", "what_for": "Taxi"})
    deliver(engine, platform, clock)
    tap(jo, last_dm(platform, "jo"), "Decline")
    jo.submit({"reason": "The hospital pays taxis directly."})
    assert jo.text == "Declined Alex's expense. I have told them kindly, with your reason."
    deliver(engine, platform, clock)
    assert last_dm(platform, "alex").plain() == (
        "Sorry, your expense of £8.00 for Booking group could not be approved. "
        "Jo said: The hospital pays taxis directly. If you have a question, please ask them."
    )

    # Typed, the poster sees every claim with its receipt; a partner can't.
    jo.says("openings expenses 1")
    listed = jo.last.messages
    assert [m.plain() for m in listed] == [
        "Expenses claimed for Booking group: 2.",
        "Alex: £12.50 for Train fare. Approved for payment.",
        "Alex: £8.00 for Taxi. Declined.",
    ]
    assert listed[1].files[0].content == RECEIPT
    assert alex.says("openings expenses 1").refused
    refused = alex.says("openings hours 1")
    assert refused.refused and refused.form is None

    # Coordinators mark the batch paid; partners can't.
    assert alex.says("openings payments").refused
    cora.says("openings payments")
    assert cora.text == (
        "Waiting to be paid: 3. Total: £68.08. When you have paid them, mark them paid and each partner is told.\n"
        "Alex: Booking group: pay £30.88.\n"
        "Priya: Booking group: pay £24.70.\n"
        "Alex: Booking group: expense £12.50, Train fare.\n"
        "[Mark all these paid]"
    )
    cora.press("Mark all these paid")
    assert cora.text.startswith("Mark these as paid? Payments: 3, £68.08 in all. Each partner is told.")
    assert {i.pay_status for i in rows(engine, Involvement)} == {"approved"}  # asked first
    cora.press("Yes, mark them paid")
    assert cora.text == "Marked paid: 3, £68.08 in all. Partners told: 2."
    assert {i.pay_status for i in rows(engine, Involvement)} == {"paid"}
    assert [e.status for e in rows(engine, Expense)] == ["paid", "declined"]
    deliver(engine, platform, clock)
    assert last_dm(platform, "alex").plain() == (
        "You have been paid £43.38. Thank you for your work. Type mywork to see your record."
    )
    assert last_dm(platform, "priya").plain().startswith("You have been paid £24.70.")
    cora.says("openings payments")
    assert cora.text == "Nothing is waiting to be paid. Approved pay and expenses show here."

    # Once paid, the choice is made.
    alex.last = reply
    refused = tap(alex, told, "I'd rather not be paid")
    assert refused.refused and not rows(engine, Involvement)[0].payment_declined

    # The partner's own record, with its file.
    alex.says("mywork 1 Nov 2026 to 31 Dec 2026")
    [message] = alex.last.messages
    assert message.private
    assert message.plain() == (
        "Your work from 2026-11-01 to 2026-12-31. Only you see this. Openings: 1. Hours: 2.5. "
        "Pay and expenses: £43.38, of which paid: £43.38."
    )
    assert [f.label + ": " + "".join(map(str, f.value)) for f in message.fields] == [
        "Booking group: Hours: 2.5. Amount: £30.88. Status: paid. Expense £12.50, Train fare: paid. "
        "Expense £8.00, Taxi: declined."
    ]
    [mine] = message.files
    table = list(csv.DictReader(io.StringIO(mine.content)))
    assert table == [
        {
            "date": "2026-11-26",
            "opening": "Booking group",
            "hours": "2.5",
            "sessions": "",
            "amount": "30.88",
            "currency": "GBP",
            "status": "paid",
            "expenses": "12.50",
            "expenses_status": "paid;declined",
        }
    ]
    assert alex.says("mywork").plain().startswith("Your work from 2026-01-01 to 2026-12-")  # this year

    # The export for finance.
    cora.says("openings export 1 Nov 2026 to 31 Dec 2026")
    exported = list(csv.DictReader(io.StringIO(cora.last.messages[0].files[0].content)))
    assert [
        (r["partner"], r["hours_confirmed"], r["rate"], r["rate_per"], r["amount"], r["status"], r["expenses_paid"])
        for r in exported
    ] == [("Alex", "2.5", "12.35", "hour", "30.88", "paid", "12.50"), ("Priya", "2", "12.35", "hour", "24.70", "paid", "0.00")]
    assert exported[0]["expenses_declined"] == "8.00" and exported[0]["paid_on"] == "2026-12-05"


def test_without_a_last_day_the_poster_is_asked_two_weeks_after_closing(engine, bot, platform, clock, jo, alex):
    post(jo, title="Panel", rate="40 a session", payment="")
    interested(alex)
    choose(jo, "Alex", hours="")
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    bot.tick()
    clock.advance(timedelta(days=13))
    bot.tick()
    assert not [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith("opening.hours.ask")]
    clock.advance(timedelta(days=1))
    bot.tick()
    deliver(engine, platform, clock)
    tap(jo, last_dm(platform, "jo"), "Confirm sessions")
    form = jo.last.form
    assert form is not None and [(f.label, f.initial) for f in form.fields] == [("Alex: sessions attended", "1")]
    jo.submit({f"p{member_id(engine, 'alex')}": "3"})
    [work] = rows(engine, Involvement)
    assert (work.sessions_confirmed, work.amount_minor, work.hours_confirmed) == (3, 12000, None)


def test_unpaid_work_is_confirmed_for_the_record_with_nothing_to_approve(engine, bot, platform, clock, jo, alex):
    post(jo, title="Coffee chat", rate="none", payment="")
    interested(alex)
    choose(jo, "Alex", hours="2")
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    bot.tick()
    clock.advance(timedelta(days=14))
    bot.tick()
    deliver(engine, platform, clock)
    asked = last_dm(platform, "jo")
    assert asked.plain() == (
        "The work for Coffee chat has ended. Please confirm the hours each partner gave, so their record is right."
    )
    tap(jo, asked, "Confirm hours")
    jo.submit({f"p{member_id(engine, 'alex')}": "1.5"})
    assert jo.text == "Thank you. The hours for Coffee chat are confirmed, and each partner is told.\nAlex: Hours: 1.5."
    assert [b.label for b in jo.last.messages[0].buttons] == []
    [work] = rows(engine, Involvement)
    assert (work.hours_confirmed, work.amount_minor) == (1.5, None)
    deliver(engine, platform, clock)
    told = last_dm(platform, "alex")
    assert told.plain() == "Jo confirmed your time on Coffee chat: 1.5 hours. Thank you for your work."
    assert [b.label for b in told.buttons] == ["Claim an expense"]


def test_more_than_five_people_confirm_hours_on_pages(engine, bot, platform, clock, jo):
    post(jo, title="Big panel", seats="7", rate="none", work_ends_on="30 Nov 2026")
    people = [someone(bot, f"P{n}", interests="online booking") for n in range(7)]
    for member in people:
        interested(member)
    for member in people:
        choose(jo, member.who.display_name, hours="1")
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    bot.tick()
    bot.tick()
    deliver(engine, platform, clock)
    tap(jo, last_dm(platform, "jo"), "Confirm hours")
    assert jo.last.form is not None and (jo.last.form.page, jo.last.form.pages) == (1, 2)
    jo.submit({})
    assert jo.last.form is not None and jo.last.form.page == 2 and len(jo.last.form.fields) == 2
    jo.submit({})
    assert jo.text.startswith("Thank you. The hours for Big panel are confirmed")
    assert "Approve" not in jo.text  # unpaid: nothing to approve
    assert {(i.hours_confirmed, i.amount_minor, i.pay_status) for i in rows(engine, Involvement)} == {
        (1.0, None, "confirmed")
    }


def test_an_opening_from_before_rates_keeps_its_words_and_asks_for_a_rate_when_edited(engine, bot, jo, alex):
    post(jo, title="Old style", rate="25 an hour", payment="plus travel")
    from sqlmodel import Session

    with Session(engine) as db:  # as migration 0014 leaves an opening posted before it
        opening = db.get_one(Opening, 1)
        opening.rate_minor, opening.rate_unit, opening.currency = None, "", ""
        opening.payment = "£25 an hour plus travel"
        db.add(opening)
        db.commit()
    alex.says("openings show 1")
    assert "Payment and expenses: £25 an hour plus travel" in alex.text
    jo.says("openings edit 1")
    jo.submit({})
    form = jo.last.form
    assert form is not None and {f.name: f.initial for f in form.fields}["rate"] == ""
    assert jo.says("mywork").refused  # staff have no paid record of their own here


def test_unpaid_with_a_note_reads_as_two_sentences(engine, bot, jo, alex):
    post(jo, title="Coffee chat", rate="none", payment="Travel costs are paid.")
    alex.says("openings show 1")
    assert "Payment and expenses: Unpaid. Travel costs are paid." in alex.text
    assert rows(engine, Opening)[0].rate_minor is None


def test_a_file_field_belongs_on_a_forms_last_page():
    from bot.conversation import FormField
    from bot.forms import pages_of

    texts = [FormField(f"t{n}", f"T{n}") for n in range(5)]
    receipt = FormField("receipt", "Receipt", "file", required=False)
    assert [len(p) for p in pages_of([*texts, receipt])] == [5, 1]
    with pytest.raises(ValueError):
        pages_of([receipt, *texts])


@pytest.mark.parametrize("action_id", ["payments.paid:abc", "payments.paid:99999999999999999999", "payments.paid:1:x:y"])
def test_a_broken_payments_button_changes_nothing(cora, action_id):
    reply = press(cora, action_id)
    assert reply.refused
    assert reply.plain() == "That button no longer works. Type openings payments to see what is waiting."
