"""`report PERIOD`: what a coordinator sees (sentences with numbers, charts with their text
alternatives, one CSV file), who may ask for it, and the charts themselves (valid PNGs of the
size stated). Check-ins go through the bot's own flows; sessions, openings and selections are
written as rows, as their own flows would leave them, to keep the tests quick."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from bot import charts
from bot.charts import Series
from bot.conversation import File, Reply
from bot.members import Role
from bot.mydata.retention import forget_old
from storage.models import (
    CheckInAnswer,
    CheckInRun,
    Involvement,
    Member,
    Opening,
    OpeningInterest,
    Outbox,
    SessionSignup,
    WellbeingSession,
)
from tests.conftest import deliver, member_named
from tests.test_checkins import ENERGY, SLEEP, answer_all, create, prompts_to, someone, tap

EMPTY = (
    "There is nothing to report from {first} to {last}: no check-ins closed, and no sessions or openings. "
    "You could try a longer period, like report last 12 months."
)


@pytest.fixture
def cora(bot):
    return someone(bot, "Cora", Role.COORDINATOR)


@pytest.fixture
def partners(bot):
    return [someone(bot, name) for name in ("Pat", "Quinn", "Rosa", "Sam")]


def weekly_runs(bot, engine, platform, clock, cora, partners, answers, visibility="named") -> None:
    """One check-in sent now and then each week; `answers[week]` is each partner's energy answer
    ("" for no answer). Each run closes after its 48 hours."""
    create(cora, schedule="now", visibility=visibility)
    for week, energies in enumerate(answers):
        if week:
            cora.says("checkin send 1")
        deliver(engine, platform, clock)
        for partner, energy in zip(partners, energies, strict=True):
            if energy:
                answer_all(partner, prompts_to(platform, partner.who.account.user_id)[week], energy, "Yes")
        clock.advance(timedelta(days=3))
        bot.tick()
        deliver(engine, platform, clock)
        clock.advance(timedelta(days=4))


def files_of(reply: Reply) -> dict[str, File]:
    return {f.name: f for m in reply.messages for f in m.files}


def csv_rows(reply: Reply) -> list[dict[str, str]]:
    (data,) = [f for f in files_of(reply).values() if f.mime == "text/csv"]
    return list(csv.DictReader(io.StringIO(str(data.content))))


def png_size(file: File) -> tuple[int, int]:
    assert isinstance(file.content, bytes)
    image = Image.open(io.BytesIO(file.content))
    assert image.format == "PNG"
    image.verify()
    return image.size


# ---- charts ------------------------------------------------------------------------------------


def test_a_chart_is_a_png_of_the_size_stated_with_its_words():
    made = charts.line_chart(
        "trend.png",
        "Average answer to 'How are you feeling?' went from 3.1 to 3.6",
        ["12 Oct", "19 Oct", "26 Oct"],
        [Series("How are you feeling?", [3.1, 3.3, 3.6], [0.8, 0.9, 1.1])],
        "Check-in sent on",
        "Average answer",
        "Average answer per check-in: 12 Oct 3.1, 19 Oct 3.3, 26 Oct 3.6.",
    )
    assert (made.name, made.mime) == ("trend.png", "image/png")
    assert made.description == "Average answer per check-in: 12 Oct 3.1, 19 Oct 3.3, 26 Oct 3.6."
    assert png_size(made) == (charts.WIDTH, charts.HEIGHT) == (720, 900)

    bars = charts.bar_chart(
        "bars.png", "Two kinds", ["Oct", "Nov"], [Series("Places", [10, 12]), Series("Came", [7, None])],
        "Month", "People", "Oct: 10 places, 7 came; Nov: 12 places.",
    )
    assert png_size(bars) == (720, 900)


# ---- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.STAFF])
def test_partners_and_staff_are_refused_and_nothing_changes(engine, bot, role):
    asker = someone(bot, "Robin", role)
    with Session(engine) as db:
        before = len(db.exec(select(Outbox)).all())
    reply = asker.says("report last 3 months")
    assert reply.plain() == "Only coordinators can use report. Type guide to see what you can do."
    assert files_of(reply) == {}
    with Session(engine) as db:
        assert len(db.exec(select(Outbox)).all()) == before


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("report soon", "I couldn't read that period. For example: report last 3 months, or report 1 Sep to 30 Nov."),
        ("report from whenever", "I couldn't read that period. For example: report last 3 months, or report 1 Sep to 30 Nov."),
        ("report soon to later", "I couldn't read 'soon' as a date. Try a date like 2026-11-30 or 30 Nov."),
        ("report 30 Nov to 1 Sep", "The first date needs to be on or before the second. For example: 1 Sep to 30 Nov."),
    ],
)
def test_a_period_that_cannot_be_read_gets_a_kind_example(cora, typed, said):
    assert cora.says(typed).plain() == said


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [  # typed on Thursday 26 November 2026 (the test clock), in London
        ("report last 3 months", "27 Aug 2026", "26 Nov 2026"),
        ("report past 2 weeks", "13 Nov 2026", "26 Nov 2026"),
        ("report last month", "1 Oct 2026", "31 Oct 2026"),
        ("report last week", "16 Nov 2026", "22 Nov 2026"),
        ("report this month", "1 Nov 2026", "26 Nov 2026"),
        ("report this year", "1 Jan 2026", "26 Nov 2026"),
        ("report last year", "1 Jan 2025", "31 Dec 2025"),
        ("report yesterday", "25 Nov 2026", "25 Nov 2026"),
        ("report 1 Sep", "1 Sep 2026", "1 Sep 2026"),
        ("report 1 Sep to 30 Sep", "1 Sep 2026", "30 Sep 2026"),
    ],
)
def test_periods_are_read_as_words_from_the_day_they_are_typed(cora, typed, first, last):
    assert cora.says(typed).plain() == EMPTY.format(first=first, last=last)


def test_an_empty_period_says_so_kindly_without_charts(cora):
    reply = cora.says("report 2025-01-01 2025-01-31")
    assert reply.plain() == EMPTY.format(first="1 Jan 2025", last="31 Jan 2025")
    assert files_of(reply) == {}


# ---- check-ins ----------------------------------------------------------------------------------


def test_checkins_show_the_response_rate_and_each_scale_questions_trend(bot, engine, platform, clock, cora, partners):
    start = clock.now()
    weekly_runs(
        bot, engine, platform, clock, cora, partners,
        [
            ["2 low", "3 okay", "3 okay", ""],
            ["3 okay", "3 okay", "4 good", "4 good"],
            ["4 good", "4 good", "5 very good", "3 okay"],
        ],
    )
    days = [(start + timedelta(days=7 * week)).strftime("%-d %b") for week in range(3)]
    iso = [(start + timedelta(days=7 * week)).date().isoformat() for week in range(3)]
    reply = cora.says("report last 3 months")
    text = reply.plain()
    assert "Check-ins: 3 closed. 11 of the 12 people asked answered (92%)." in text
    trend = (
        f"Average answer to 'How is your energy?' per check-in, from 1 to 5: {days[0]} 2.7, {days[1]} 3.5, "
        f"{days[2]} 4.0 (standard deviation 0.5 to 0.7)."
    )
    assert trend in text
    files = files_of(reply)
    chart = files["checkin-1-question-1.png"]
    assert chart.description == trend
    assert png_size(chart) == (720, 900)
    rate = files["checkin-response-rate.png"]
    assert rate.description == (
        f"Share of people who answered, per check-in. Weekly wellbeing: {days[0]} 75%, {days[1]} 100%, {days[2]} 100%."
    )
    # No question that is not a scale gets a chart; nobody's words are in the report.
    assert {n for n in files if n.endswith(".png")} == {"checkin-response-rate.png", "checkin-1-question-1.png"}
    rows = csv_rows(reply)
    assert list(rows[0]) == ["section", "item", "detail", "date", "measure", "value"]
    energy = {
        (r["date"], r["measure"]): r["value"]
        for r in rows
        if r["section"] == "checkins" and r["detail"] == "How is your energy?"
    }
    assert energy[(iso[0], "mean")] == "2.67"
    assert energy[(iso[0], "answers")] == "3"
    assert energy[(iso[2], "mean")] == "4.00"
    rates = [r["value"] for r in rows if r["measure"] == "response_rate"]
    assert rates == ["75.0", "100.0", "100.0"]
    assert not any(r["detail"] in ("Did you sleep well?", "Anything else?") for r in rows)


def test_an_anonymous_checkin_shows_only_totals_and_no_average_below_three_answers(
    bot, engine, platform, clock, cora, partners
):
    weekly_runs(
        bot, engine, platform, clock, cora, partners,
        [["2 low", "", "", ""], ["3 okay", "4 good", "4 good", ""]],
        visibility="anonymous",
    )
    reply = cora.says("report last 3 months")
    text = reply.plain()
    assert "Check-ins: 2 closed. 4 of the 8 people asked answered (50%)." in text
    files = files_of(reply)
    # One answer alone is never shown as an average: only the second run has a point.
    chart = files["checkin-1-question-1.png"]
    assert "2.0" not in chart.description and ": " in chart.description
    assert "3.7" in chart.description
    rows = csv_rows(reply)
    first = [r for r in rows if r["measure"] == "mean"][0]
    assert first["value"] == ""
    names = {m.display_name for m in _members(engine)}
    content = str(files[next(n for n in files if n.endswith(".csv"))].content)
    assert not any(name in content or name in text for name in names if name != "Cora")


def _members(engine) -> list[Member]:
    with Session(engine) as db:
        return list(db.exec(select(Member)))


# ---- sessions, openings and fairness ------------------------------------------------------------


def seed_sessions_and_openings(engine, clock, cora_id: int, partner_ids: list[int]) -> None:
    now = clock.now()
    with Session(engine) as db:
        yoga = WellbeingSession(
            title="Gentle yoga", starts_at=now - timedelta(days=10), duration_minutes=60, zone="Europe/London",
            capacity=2, signup_closes_at=now - timedelta(days=11), created_by=cora_id, created_at=now - timedelta(days=20),
        )
        db.add(yoga)
        db.flush()
        for index, member_id in enumerate(partner_ids):
            status = "confirmed" if index < 2 else "waitlisted"
            db.add(
                SessionSignup(
                    session_id=yoga.id, member_id=member_id, status=status, created_at=now - timedelta(days=15),
                    attended=True if index == 0 else (False if index == 1 else None),
                )
            )
        # Three openings: each filled by the same person, with everyone else interested.
        for number in range(3):
            posted = now - timedelta(days=30 - number)
            opening = Opening(
                title=f"Study {number + 1}", team="Research", involves="Read a leaflet", commitment="2 hours",
                dates="December", place_kind="remote", seats=1, payment="£25 an hour", closes_at=posted + timedelta(days=5),
                status="closed", posted_by=cora_id, created_at=posted, closed_at=posted + timedelta(days=5),
            )
            db.add(opening)
            db.flush()
            for member_id in partner_ids:
                db.add(OpeningInterest(opening_id=opening.id, member_id=member_id, created_at=posted + timedelta(hours=1)))
            db.add(
                Involvement(
                    member_id=partner_ids[0], opening_id=opening.id, selected_at=posted + timedelta(days=2), hours_agreed=2
                )
            )
        db.commit()


def test_sessions_openings_and_fairness_with_the_flag(engine, clock, cora, partners):
    ids = [member_named(engine, p.who.account.user_id).id for p in partners]
    seed_sessions_and_openings(engine, clock, member_named(engine, "cora").id, ids)
    reply = cora.says("report last 3 months")
    text = reply.plain()
    assert "Check-ins: none closed in this period." in text
    assert "Wellbeing sessions: 1, with 2 places, 2 signed up, 2 on a waitlist and 1 came." in text
    assert (
        "Openings: 3 posted, with 3 places. 12 said they were interested and 3 were selected. "
        "Half were filled within 2 days."
    ) in text
    assert (
        "Fairness: 3 selections. 3 of 4 partners were never selected. "
        "The most involved tenth of partners had 100% of the selections."
    ) in text
    assert "Please look at this: the same few people got most of the work." in text
    files = files_of(reply)
    assert {"sessions.png", "openings.png", "fairness.png"} <= set(files)
    assert files["fairness.png"].description == (
        "How many partners were selected how many times. 0 times: 3, 1 time: 0, 2 times: 0, 3 times: 1, 4 times: 0, 5+ times: 0."
    )
    for name in ("sessions.png", "openings.png", "fairness.png"):
        assert png_size(files[name]) == (720, 900)
    rows = csv_rows(reply)
    fairness = {r["measure"]: r["value"] for r in rows if r["section"] == "fairness"}
    assert fairness["never_selected"] == "3"
    assert fairness["top_tenth_share"] == "100.0"
    assert fairness["flag"] == "1"
    study = {r["measure"]: r["value"] for r in rows if r["item"] == "Study 1"}
    assert study == {"places": "1", "interested": "4", "selected": "1", "days_to_fill": "2.0"}
    yoga = {r["measure"]: r["value"] for r in rows if r["item"] == "Gentle yoga"}
    assert yoga == {"places": "2", "signed_up": "2", "waitlisted": "2", "attended": "1"}


def test_no_flag_when_selections_are_spread(engine, clock, cora, partners):
    ids = [member_named(engine, p.who.account.user_id).id for p in partners]
    seed_sessions_and_openings(engine, clock, member_named(engine, "cora").id, ids)
    with Session(engine) as db:  # the second and third studies went to others
        rows = db.exec(select(Involvement).order_by(Involvement.id)).all()
        rows[1].member_id, rows[2].member_id = ids[1], ids[2]
        db.commit()
    text = cora.says("report last 3 months").plain()
    assert "1 of 4 partners was never selected." in text
    assert "Please look at this" not in text
    cora.says("profile language fr")
    text = cora.says("report last 3 months").plain()
    assert "1 des 4 partenaires n'a jamais été sélectionné." in text


def test_without_a_period_the_report_covers_the_last_3_months(engine, clock, cora, partners):
    ids = [member_named(engine, p.who.account.user_id).id for p in partners]
    seed_sessions_and_openings(engine, clock, member_named(engine, "cora").id, ids)
    today = clock.now().date()
    assert cora.says("report").plain().startswith("Your report from ")
    assert f"{today.day} {today.strftime('%b %Y')}." in cora.last.plain().splitlines()[0]


def test_runs_still_open_are_left_out(bot, engine, platform, clock, cora, partners):
    create(cora, schedule="now")
    deliver(engine, platform, clock)
    tap(partners[0], prompts_to(platform, "pat")[0], "3 okay", ENERGY)
    tap(partners[0], prompts_to(platform, "pat")[0], "Yes", SLEEP)
    with Session(engine) as db:
        assert db.exec(select(CheckInRun)).one().closed_at is None
    assert cora.says("report this month").plain().startswith("There is nothing to report")


def test_runs_whose_answers_were_deleted_still_count_from_their_kept_totals(
    bot, engine, platform, clock, cora, partners, settings
):
    weekly_runs(
        bot, engine, platform, clock, cora, partners,
        [["2 low", "3 okay", "3 okay", ""], ["3 okay", "3 okay", "4 good", "4 good"], ["4 good", "4 good", "5 very good", "3 okay"]],
    )
    before = cora.says("report 2026-11-01 2026-12-31").plain()
    forget_old(engine, settings, clock.now() + timedelta(days=settings.retention_days + 30))
    with Session(engine) as db:
        assert all(run.totals is not None for run in db.exec(select(CheckInRun)))
        assert db.exec(select(CheckInAnswer)).all() == []
    after = cora.says("report 2026-11-01 2026-12-31").plain()
    assert "Check-ins: 3 closed. 11 of the 12 people asked answered (92%)." in after
    assert after == before
