"""Check-in delivery: each partner's prompt at the check-in's time in their own zone (through
daylight-saving changes), out of their quiet hours, never while they are paused, at most one
reminder, a summary once the last window has closed, and every prompt exactly once however
often, late or after a restart the scheduler wakes the code.

Everything goes through the core's entry point (`Bot.handle`, `Bot.tick`) with a FakeClock; each
test checks what people receive from the outbox and what the database holds, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import ButtonPress, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.outbox import SendFailed
from bot.settings import Settings
from storage.models import CheckIn, CheckInPrompt, CheckInRun, Member, Outbox
from tests.clock import FakeClock
from tests.conftest import Person, RecordingSender, deliver, member_named

QUESTIONS = "How are you? | awful, poor, okay, good, great; Slept well? | yes/no"
PROMPT = "Check-in: Weekly wellbeing. Tap one answer for each question. You can change an answer until "
NAMED = "Coordinators see your answers with your name."  # who sees them, said under every prompt
REMINDER = "A gentle reminder: your check-in 'Weekly wellbeing' is open until "
SUMMARY = "Check-in summary: Weekly wellbeing, sent "
PROMPT_BUTTONS = [
    "1 awful",
    "2 poor",
    "3 okay",
    "4 good",
    "5 great",
    "Yes",
    "No",
    "Add a note",
    "Skip this time",
    "Pause check-ins",
    "I'd like someone to contact me",
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


MINUTE = timedelta(minutes=1)
# Monday 30 November 2026, 10:00 in each zone (the clock starts on Thursday 26 November).
AUCKLAND_10 = utc(2026, 11, 29, 21)  # NZDT, UTC+13: still Sunday in UTC
LONDON_10 = utc(2026, 11, 30, 10)  # GMT
TORONTO_10 = utc(2026, 11, 30, 15)  # EST, UTC-5
NEXT_WEEK = timedelta(days=7)


# ---- helpers -------------------------------------------------------------------------------------


@dataclass
class Scene:
    """The bot, its clock, the fake platform and the database, with the moves tests make."""

    bot: Bot
    engine: Engine
    settings: Settings
    clock: FakeClock
    platform: RecordingSender
    person: Callable[[str], Person]

    def tick_at(self, when: datetime, times: int = 1) -> None:
        """Move the clock, let the scheduler wake the bot (`times` times), and send what is due."""
        self.clock.set(when)
        for _ in range(times):
            self.bot.tick()
        deliver(self.engine, self.platform, self.clock)

    def restarted(self) -> Bot:
        """A new process: nothing kept in memory, only the database."""
        self.bot = Bot(self.engine, self.settings, self.clock, EVERY_FEATURE)
        return self.bot

    def texts(self, user_id: str, start: str) -> list[str]:
        return [t for t in self.platform.texts_for(user_id) if t.startswith(start)]

    def prompts(self, user_id: str) -> list[str]:
        return self.texts(user_id, "Check-in: ")

    def reminders(self, user_id: str) -> list[str]:
        return self.texts(user_id, "A gentle reminder")

    def summaries(self, user_id: str) -> list[str]:
        return self.texts(user_id, "Check-in summary")

    def counts(self, *user_ids: str) -> list[int]:
        """How many prompts each of these people has received."""
        return [len(self.prompts(u)) for u in user_ids]

    def press_in_dm(self, someone: Person, label: str) -> None:
        """Press a button on the latest message the bot sent this person through the outbox."""
        for delivery in reversed(self.platform.sent):
            if delivery.target_id != someone.who.account.user_id:
                continue
            for button in delivery.message.buttons:
                if button.label == label:
                    someone.last = self.bot.handle(ButtonPress(someone.who, button.action_id, button.value))
                    return
        raise AssertionError(f"no button {label!r} sent to {someone.who.display_name}")


@pytest.fixture
def scene(bot, engine, settings, clock, platform, person) -> Scene:
    return Scene(bot, engine, settings, clock, platform, person)


def coordinator(scene: Scene, name: str = "Cora") -> Person:
    """A coordinator who is not a partner (so gets no prompts), welcome already shown."""
    scene.bot.prepare_local_member(Who(AccountRef("console", "local", name.lower()), name), Role.COORDINATOR)
    someone = scene.person(name)
    someone.says("profile")
    return someone


def partner(
    scene: Scene, name: str, zone: str = "Europe/London", quiet: str = "", interests: str = ""
) -> Person:
    someone = scene.person(name)
    someone.says(f"profile timezone {zone}")
    if quiet:
        someone.says(f"profile quiet {quiet}")
    if interests:
        someone.says(f"profile interests {interests}")
    return someone


def the_three(scene: Scene) -> tuple[Person, Person, Person]:
    """Ana in Auckland, Lou in London and Tom in Toronto."""
    return (
        partner(scene, "Ana", "Pacific/Auckland"),
        partner(scene, "Lou", "Europe/London"),
        partner(scene, "Tom", "America/Toronto"),
    )


def create_checkin(
    coord: Person,
    schedule: str = "weekly mon 10:00",
    window: str = "48",
    audience: str = "",
    visibility: str = "named",
) -> None:
    """Through `checkin new` and its two-page form, as a coordinator would."""
    coord.says("checkin new")
    coord.submit(
        {
            "name": "Weekly wellbeing",
            "questions": QUESTIONS,
            "schedule": schedule,
            "audience": audience,
            "window": window,
        }
    )
    coord.submit({"visibility": visibility, "alert_level": ""})
    assert coord.text.startswith("Created check-in 1: Weekly wellbeing."), coord.text


@dataclass(frozen=True)
class PromptRow:
    name: str
    period: str
    status: str
    send_at: datetime
    closes_at: datetime
    reminded: bool


def prompt_rows(engine: Engine) -> list[PromptRow]:
    with Session(engine) as session:
        rows = session.exec(
            select(CheckInPrompt, CheckInRun, Member)
            .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
            .join(Member, col(Member.id) == col(CheckInPrompt.member_id))
            .order_by(col(CheckInPrompt.id))
        ).all()
        return [
            PromptRow(m.display_name, r.period, p.status, p.send_at, p.closes_at, p.reminded_at is not None)
            for p, r, m in rows
        ]


def rows_for(engine: Engine, name: str) -> list[PromptRow]:
    return [r for r in prompt_rows(engine) if r.name == name]


def runs(engine: Engine) -> list[CheckInRun]:
    with Session(engine) as session:
        return list(session.exec(select(CheckInRun).order_by(col(CheckInRun.id))).all())


def outbox(engine: Engine, key_start: str) -> list[Outbox]:
    """Outbox rows whose dedupe key starts so, e.g. "checkin.prompt:"."""
    with Session(engine) as session:
        found = session.exec(select(Outbox).order_by(col(Outbox.id))).all()
        return [o for o in found if (o.dedupe_key or "").startswith(key_start)]


def local(at: datetime, zone: str) -> str:
    """A UTC time as the wall clock in `zone` shows it: "Mon 10:00"."""
    return at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


# ---- local time in each zone ---------------------------------------------------------------------


def test_each_zone_gets_monday_ten_in_its_own_time(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    the_three(scene)

    scene.tick_at(AUCKLAND_10 - MINUTE)
    assert scene.counts("ana", "lou", "tom") == [0, 0, 0]
    assert runs(engine) == []
    scene.tick_at(AUCKLAND_10)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    scene.tick_at(LONDON_10 - MINUTE)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    scene.tick_at(LONDON_10)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 0]
    scene.tick_at(TORONTO_10 - MINUTE)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 0]
    scene.tick_at(TORONTO_10)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]

    # The closing time is written in each reader's own zone: Wednesday 10:00 for all three.
    assert scene.prompts("ana") == [PROMPT + "Wednesday 2 December 2026 at 10:00 (Pacific/Auckland). " + NAMED]
    assert scene.prompts("lou") == [PROMPT + "Wednesday 2 December 2026 at 10:00 (Europe/London). " + NAMED]
    assert scene.prompts("tom") == [PROMPT + "Wednesday 2 December 2026 at 10:00 (America/Toronto). " + NAMED]
    assert prompt_rows(engine) == [
        PromptRow("Ana", "2026-11-30", "sent", AUCKLAND_10, AUCKLAND_10 + timedelta(hours=48), False),
        PromptRow("Lou", "2026-11-30", "sent", LONDON_10, LONDON_10 + timedelta(hours=48), False),
        PromptRow("Tom", "2026-11-30", "sent", TORONTO_10, TORONTO_10 + timedelta(hours=48), False),
    ]
    assert [(r.period, r.closed_at) for r in runs(engine)] == [("2026-11-30", None)]
    assert scene.prompts("cora") == []  # a coordinator who is not a partner is not asked


def test_a_prompt_offers_one_tap_answers_and_the_ways_out(scene):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    scene.tick_at(LONDON_10)
    [delivery] = [d for d in scene.platform.sent if d.target_id == "lou"]
    assert delivery.target_kind == "dm"
    assert [b.label for b in delivery.message.buttons] == PROMPT_BUTTONS
    groups = {b.group for b in delivery.message.buttons[:7]}
    assert groups == {"1. How are you?", "2. Slept well?"}


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # London springs forward on Sunday 28 March 2027: 10:00 GMT, then 10:00 BST.
        ("Europe/London", utc(2027, 3, 22, 10), utc(2027, 3, 29, 9)),
        # Toronto springs forward on Sunday 14 March 2027: 10:00 EST, then 10:00 EDT.
        ("America/Toronto", utc(2027, 3, 8, 15), utc(2027, 3, 15, 14)),
        # London falls back on Sunday 31 October 2027.
        ("Europe/London", utc(2027, 10, 25, 9), utc(2027, 11, 1, 10)),
        # Auckland falls back on Sunday 4 April 2027: Monday 10:00 is Sunday 21:00, then 22:00 UTC.
        ("Pacific/Auckland", utc(2027, 3, 28, 21), utc(2027, 4, 4, 22)),
    ],
)
def test_a_daylight_saving_change_keeps_ten_oclock_local(scene, engine, zone, before, after):
    scene.clock.set(before - timedelta(days=4))
    create_checkin(coordinator(scene))
    partner(scene, "Lou", zone)

    scene.tick_at(before - MINUTE)
    assert scene.counts("lou") == [0]
    scene.tick_at(before)
    assert scene.counts("lou") == [1]
    scene.tick_at(after - MINUTE)  # a week later in UTC would be wrong by an hour, one way or the other
    assert scene.counts("lou") == [1]
    scene.tick_at(after)
    assert scene.counts("lou") == [2]
    scene.tick_at(after + timedelta(hours=1))
    assert scene.counts("lou") == [2]

    sent = [r.send_at for r in rows_for(engine, "Lou")]
    assert sent == [before, after]
    assert [local(at, zone) for at in sent] == ["Mon 10:00", "Mon 10:00"]
    assert before.hour != after.hour


def test_a_time_the_clocks_skip_comes_an_hour_later_and_a_repeated_one_comes_once(scene, engine):
    # Sunday 01:30 in London does not exist on 28 March 2027 and happens twice on 31 October 2027.
    scene.clock.set(utc(2027, 3, 25, 9))
    create_checkin(coordinator(scene), schedule="weekly sun 01:30")
    partner(scene, "Lou")

    scene.tick_at(utc(2027, 3, 28, 1, 29))
    assert scene.counts("lou") == [0]
    scene.tick_at(utc(2027, 3, 28, 1, 30))  # 02:30 BST
    assert scene.prompts("lou") == [PROMPT + "Tuesday 30 March 2027 at 02:30 (Europe/London). " + NAMED]

    scene.tick_at(utc(2027, 10, 31, 0, 30))  # the first 01:30, still BST
    assert scene.counts("lou") == [2]
    scene.tick_at(utc(2027, 10, 31, 1, 30), times=3)  # 01:30 again, now GMT
    assert scene.counts("lou") == [2]
    assert [r.send_at for r in rows_for(engine, "Lou")] == [utc(2027, 3, 28, 1, 30), utc(2027, 10, 31, 0, 30)]


def test_a_fixed_zone_reaches_everyone_at_that_zones_time(scene, engine):
    create_checkin(coordinator(scene), schedule="weekly mon 10:00 America/Toronto")
    the_three(scene)

    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10 - MINUTE):
        scene.tick_at(moment)
        assert scene.counts("ana", "lou", "tom") == [0, 0, 0]
    scene.tick_at(TORONTO_10)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]
    # Closing at Wednesday 10:00 in Toronto, shown in each reader's own zone.
    assert scene.prompts("ana") == [PROMPT + "Thursday 3 December 2026 at 04:00 (Pacific/Auckland). " + NAMED]
    assert scene.prompts("lou") == [PROMPT + "Wednesday 2 December 2026 at 15:00 (Europe/London). " + NAMED]
    assert scene.prompts("tom") == [PROMPT + "Wednesday 2 December 2026 at 10:00 (America/Toronto). " + NAMED]
    assert {r.send_at for r in prompt_rows(engine)} == {TORONTO_10}


def test_every_two_days_counts_from_the_day_it_was_created(scene, engine):
    # Created on Thursday 26 November (London): the 26th, 28th and 30th, not the days between.
    create_checkin(coordinator(scene), schedule="every 2 days 10:00", window="24")
    partner(scene, "Lou")
    seen = []
    for day in range(26, 31):
        scene.tick_at(utc(2026, 11, day, 10))
        seen.append(scene.counts("lou")[0])
    scene.tick_at(utc(2026, 12, 1, 10))
    seen.append(scene.counts("lou")[0])
    assert seen == [1, 1, 2, 2, 3, 3]
    assert [r.period for r in runs(engine)] == ["2026-11-26", "2026-11-28", "2026-11-30"]
    assert [r.send_at for r in rows_for(engine, "Lou")] == [utc(2026, 11, d, 10) for d in (26, 28, 30)]


@pytest.mark.parametrize(
    "typed",
    ["fortnightly mon 10:00", "biweekly monday 10:00", "every other Monday 10am", "every 2 weeks on Monday at 10:00"],
)
def test_every_other_week_as_people_say_it(scene, engine, typed):
    # Created on Thursday 26 November: Monday 30 November, then every second Monday.
    cora = coordinator(scene)
    create_checkin(cora, schedule=typed, window="24")
    partner(scene, "Lou")
    for week in range(5):
        scene.tick_at(LONDON_10 + week * NEXT_WEEK)
    assert [r.period for r in runs(engine)] == ["2026-11-30", "2026-12-14", "2026-12-28"]
    cora.says("checkin list")
    assert "every 2 weeks mon 10:00 (each partner's own time)" in cora.text
    assert "next Monday 11 January 2027 at 10:00 (Europe/London)" in cora.text


def test_the_first_and_the_last_weekday_of_each_month(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora, schedule="first Monday of the month 10:00", window="24")
    partner(scene, "Lou")
    cora.says("checkin list")
    assert "first mon of the month 10:00" in cora.text
    assert "next Monday 7 December 2026 at 10:00 (Europe/London)" in cora.text
    for day in (utc(2026, 11, 30, 10), utc(2026, 12, 7, 10), utc(2026, 12, 14, 10), utc(2027, 1, 4, 10)):
        scene.tick_at(day)
    assert [r.period for r in runs(engine)] == ["2026-12-07", "2027-01-04"]


def test_a_schedule_reads_back_as_it_was_typed_and_the_last_friday_is_the_last():
    from bot.checkins.rules import occurs_on, read_schedule, schedule_as_text

    for typed in ("every 3 weeks tue, thu 09:30", "last fri of the month 17:00", "second wed of the month 12:00"):
        schedule = read_schedule(typed)
        assert read_schedule(schedule_as_text(schedule)) == schedule
        assert schedule_as_text(schedule) == typed
    last = read_schedule("last friday of the month 5pm")
    fridays = [date(2026, 11, d) for d in (6, 13, 20, 27)]
    assert [occurs_on(last, day, date(2026, 11, 1)) for day in fridays] == [False, False, False, True]
    for wrong, said in (
        ("first of the month 10:00", "Which day of the month?"),
        ("every 20 weeks mon 10:00", "Every how many weeks?"),
    ):
        with pytest.raises(Refusal) as refused:
            read_schedule(wrong)
        assert refused.value.msgid.startswith(said)


# ---- who is asked ----------------------------------------------------------------------------


def test_only_partners_are_asked_not_staff_or_coordinators(scene, engine):
    cora = coordinator(scene)
    scene.bot.prepare_local_member(Who(AccountRef("console", "local", "stella"), "Stella"), Role.STAFF)
    scene.person("Stella").says("profile")
    ada = scene.person("Ada")  # an admin through ADMINS, and a partner too
    ada.says("profile")
    partner(scene, "Lou")
    create_checkin(cora)

    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "ada", "stella", "cora") == [1, 1, 0, 0]
    assert sorted(r.name for r in prompt_rows(engine)) == ["Ada", "Lou"]


def test_no_prompt_until_a_partner_says_ok_and_none_after_no_thanks(scene, engine):
    cora = coordinator(scene)
    partner(scene, "Lou")
    new = Person(scene.bot, Who(AccountRef("console", "local", "nia"), "Nia"), agrees=False)
    new.says("profile")  # saw the notice, has not answered
    gone = Person(scene.bot, Who(AccountRef("console", "local", "rob"), "Rob"), agrees=False)
    gone.says("profile")
    gone.press("No thanks")
    create_checkin(cora)

    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "nia", "rob") == [1, 0, 0]
    assert [r.name for r in prompt_rows(engine)] == ["Lou"]
    new.says("privacy")
    new.press("OK")
    scene.tick_at(LONDON_10 + NEXT_WEEK)
    assert scene.counts("lou", "nia", "rob") == [2, 1, 0]


def test_an_audience_by_interest_asks_only_partners_with_a_matching_tag(scene, engine):
    cora = coordinator(scene)
    partner(scene, "Pia", interests="pain, research")
    partner(scene, "Rob", interests="research")
    partner(scene, "Lou")
    create_checkin(cora, audience="Pain, sleep")

    scene.tick_at(LONDON_10)
    assert scene.counts("pia", "rob", "lou") == [1, 0, 0]
    assert [r.name for r in prompt_rows(engine)] == ["Pia"]
    # Rob takes up the interest before next week, and is asked then.
    scene.person("Rob").says("profile interests research, sleep")
    scene.tick_at(LONDON_10 + NEXT_WEEK)
    assert scene.counts("pia", "rob", "lou") == [2, 1, 0]


# ---- quiet hours -----------------------------------------------------------------------------------


def test_quiet_hours_move_the_prompt_to_when_they_end(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    partner(scene, "Quinn", quiet="08:00-11:00")

    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "quinn") == [1, 0]
    scene.tick_at(LONDON_10 + timedelta(minutes=59))
    assert scene.counts("lou", "quinn") == [1, 0]
    scene.tick_at(LONDON_10 + timedelta(hours=1))
    assert scene.counts("lou", "quinn") == [1, 1]
    assert scene.prompts("quinn") == [PROMPT + "Wednesday 2 December 2026 at 11:00 (Europe/London). " + NAMED]
    [quinn] = rows_for(engine, "Quinn")
    assert (quinn.send_at, quinn.closes_at) == (utc(2026, 11, 30, 11), utc(2026, 12, 2, 11))

    # The run waits for Quinn's window, which closes an hour after Lou's.
    scene.tick_at(utc(2026, 12, 2, 10))
    assert runs(engine)[0].closed_at is None
    scene.tick_at(utc(2026, 12, 2, 11))
    assert runs(engine)[0].closed_at == utc(2026, 12, 2, 11)


def test_overnight_quiet_hours_move_a_late_prompt_to_the_next_morning(scene, engine):
    create_checkin(coordinator(scene), schedule="weekly mon 23:00")
    partner(scene, "Tom", "America/Toronto")
    partner(scene, "Nia", "America/Toronto", quiet="22:00-07:00")

    monday_23 = utc(2026, 12, 1, 4)  # Monday 23:00 EST
    tuesday_7 = utc(2026, 12, 1, 12)  # Tuesday 07:00 EST
    scene.tick_at(monday_23)
    assert scene.counts("tom", "nia") == [1, 0]
    scene.tick_at(tuesday_7 - MINUTE)
    assert scene.counts("tom", "nia") == [1, 0]
    scene.tick_at(tuesday_7)
    assert scene.counts("tom", "nia") == [1, 1]
    assert scene.prompts("nia") == [PROMPT + "Thursday 3 December 2026 at 07:00 (America/Toronto). " + NAMED]
    assert [(r.name, r.period, r.send_at) for r in prompt_rows(engine)] == [
        ("Tom", "2026-11-30", monday_23),
        ("Nia", "2026-11-30", tuesday_7),
    ]


# ---- a partner's pause -------------------------------------------------------------------------------


def test_a_partner_paused_by_profile_is_not_asked_and_is_again_after_resuming(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    pat = partner(scene, "Pat")
    pat.says("profile pause 20 December 2026 12:00")
    assert pat.text.startswith("Messages are paused until")

    scene.tick_at(LONDON_10, times=3)
    assert scene.counts("lou", "pat") == [1, 0]
    [row] = rows_for(engine, "Pat")
    assert (row.status, row.send_at) == ("paused", LONDON_10)
    assert [o.target_id for o in outbox(engine, "checkin.prompt:")] == ["lou"]
    scene.tick_at(LONDON_10 + timedelta(days=1))  # the reminder: Lou only, never a paused prompt
    assert [len(scene.reminders(u)) for u in ("lou", "pat")] == [1, 0]

    scene.clock.set(utc(2026, 12, 2, 12))
    pat.says("profile resume")
    scene.tick_at(LONDON_10 + NEXT_WEEK)
    assert scene.counts("lou", "pat") == [2, 1]
    assert [r.status for r in rows_for(engine, "Pat")] == ["paused", "sent"]


def test_pause_check_ins_for_a_week_skips_what_falls_in_that_week(scene, engine):
    create_checkin(coordinator(scene))
    pat = partner(scene, "Pat")
    scene.tick_at(LONDON_10)

    scene.clock.set(LONDON_10 + timedelta(minutes=5))
    scene.press_in_dm(pat, "Pause check-ins")
    assert [b.label for b in pat.last.messages[0].buttons] == [
        "For 1 week",
        "For 1 month",
        "Until I turn them back on",
    ]
    pat.press("For 1 week")
    assert member_named(engine, "pat").checkins_paused_until == LONDON_10 + timedelta(days=7, minutes=5)

    scene.tick_at(LONDON_10 + timedelta(days=1))
    assert scene.reminders("pat") == []  # paused meanwhile: no reminder
    scene.tick_at(LONDON_10 + NEXT_WEEK)  # five minutes before the pause ends
    assert scene.counts("pat") == [1]
    scene.tick_at(LONDON_10 + 2 * NEXT_WEEK)
    assert scene.counts("pat") == [2]
    assert [r.status for r in rows_for(engine, "Pat")] == ["sent", "paused", "sent"]
    assert len(outbox(engine, "checkin.prompt:")) == 2


def test_check_ins_turned_off_stay_off_until_turned_on_without_catching_up(scene, engine):
    create_checkin(coordinator(scene))
    pat = partner(scene, "Pat")
    scene.tick_at(LONDON_10)
    scene.press_in_dm(pat, "Pause check-ins")
    pat.press("Until I turn them back on")
    assert member_named(engine, "pat").checkins_off is True

    scene.tick_at(LONDON_10 + NEXT_WEEK)
    scene.tick_at(LONDON_10 + 2 * NEXT_WEEK)
    assert scene.counts("pat") == [1]
    pat.says("checkin on")  # Monday 14 December 10:00, just after that week's was due
    assert pat.text == "Check-ins are on again. Welcome back."
    scene.tick_at(LONDON_10 + 2 * NEXT_WEEK + timedelta(hours=1))
    assert scene.counts("pat") == [1]  # that week's stays missed
    scene.tick_at(LONDON_10 + 3 * NEXT_WEEK)
    assert scene.counts("pat") == [2]
    assert [r.status for r in rows_for(engine, "Pat")] == ["sent", "paused", "paused", "sent"]


# ---- the reminder ----------------------------------------------------------------------------


def test_one_reminder_halfway_only_to_those_who_neither_answered_nor_skipped(scene, engine):
    create_checkin(coordinator(scene))
    lou, pat, pia = partner(scene, "Lou"), partner(scene, "Pat"), partner(scene, "Pia")
    partner(scene, "Sid")
    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "pat", "pia", "sid") == [1, 1, 1, 1]

    scene.clock.set(LONDON_10 + timedelta(minutes=5))
    scene.press_in_dm(lou, "3 okay")
    assert lou.text == "Saved: okay."
    scene.press_in_dm(pat, "Skip this time")
    scene.press_in_dm(pia, "Pause check-ins")
    pia.press("For 1 week")

    halfway = LONDON_10 + timedelta(hours=24)
    scene.tick_at(halfway - MINUTE)
    assert [len(scene.reminders(u)) for u in ("lou", "pat", "pia", "sid")] == [0, 0, 0, 0]
    scene.tick_at(halfway, times=5)
    scene.tick_at(halfway + timedelta(hours=12), times=5)
    assert [len(scene.reminders(u)) for u in ("lou", "pat", "pia", "sid")] == [0, 0, 0, 1]
    assert scene.reminders("sid") == [
        REMINDER
        + "Wednesday 2 December 2026 at 10:00 (Europe/London). Answer if you'd like to. Skipping is fine too."
    ]
    reminder = [d for d in scene.platform.sent if d.target_id == "sid"][-1]
    assert [b.label for b in reminder.message.buttons] == PROMPT_BUTTONS
    assert [(r.name, r.reminded) for r in prompt_rows(engine)] == [
        ("Lou", False),
        ("Pat", False),
        ("Pia", False),
        ("Sid", True),
    ]
    assert len(outbox(engine, "checkin.remind:")) == 1


def test_a_prompt_and_its_reminder_held_up_past_the_close_are_let_go_not_sent_late(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    scene.platform.failures += [SendFailed("503 Service Unavailable")] * 50  # the platform is down
    scene.tick_at(LONDON_10)
    scene.tick_at(LONDON_10 + timedelta(hours=24))  # the reminder is queued, and fails too
    closes = LONDON_10 + timedelta(hours=48)
    scene.platform.failures.clear()  # back, as the window closes
    scene.tick_at(closes)
    assert scene.prompts("lou") == [] and scene.reminders("lou") == []
    rows = outbox(engine, "checkin.prompt:") + outbox(engine, "checkin.remind:")
    assert [(r.sent_at, r.expired_at, r.expires_at) for r in rows] == [(None, closes, closes)] * 2
    assert {r.last_error for r in rows} == {
        "Too late: of use only until 2026-12-02 10:00 UTC. Before that: 503 Service Unavailable"
    }


def test_reminders_to_more_than_one_batch_go_out_once_and_a_crash_between_batches_loses_nothing(
    scene, engine, monkeypatch
):
    from bot.checkins import delivery

    monkeypatch.setattr(delivery, "FILL_BATCH", 3)
    monkeypatch.setattr(delivery, "BATCH_PAUSE", 0)
    create_checkin(coordinator(scene))
    names = ["Ana", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus"]
    for name in names:
        partner(scene, name)
    scene.tick_at(LONDON_10, times=3)
    assert scene.counts(*(n.lower() for n in names)) == [1] * 7
    buttons, made = delivery.prompt_buttons, []

    def breaks_in_the_second_batch(*args):  # noqa: ANN002, ANN202
        made.append(args)
        if len(made) == 4:
            raise RuntimeError("the process dies here")
        return buttons(*args)

    monkeypatch.setattr(delivery, "prompt_buttons", breaks_in_the_second_batch)
    halfway = LONDON_10 + timedelta(hours=24)
    scene.clock.set(halfway)
    scene.bot.tick()
    # The first batch was committed before the second began; the second's was not.
    assert len(outbox(engine, "checkin.remind:")) == 3
    assert [r.reminded for r in prompt_rows(engine)] == [True] * 3 + [False] * 4
    scene.tick_at(halfway + MINUTE, times=2)
    assert [len(scene.reminders(n.lower())) for n in names] == [1] * 7
    assert len(outbox(engine, "checkin.remind:")) == 7


def test_no_reminder_once_the_window_has_closed(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    scene.tick_at(LONDON_10)
    scene.tick_at(LONDON_10 + timedelta(hours=48), times=3)  # the scheduler slept through halfway
    assert scene.reminders("lou") == []
    assert outbox(engine, "checkin.remind:") == []
    assert rows_for(engine, "Lou")[0].reminded is False
    assert runs(engine)[0].closed_at == LONDON_10 + timedelta(hours=48)


def test_no_reminder_after_ones_own_window_closed_while_the_run_is_still_open(scene, engine):
    create_checkin(coordinator(scene))
    ana, _lou, _tom = the_three(scene)
    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10):
        scene.tick_at(moment)
    # Asleep through every halfway; awake again just after Ana's window closed.
    scene.tick_at(AUCKLAND_10 + timedelta(hours=48))
    assert runs(engine)[0].closed_at is None
    assert [len(scene.reminders(u)) for u in ("ana", "lou", "tom")] == [0, 1, 1]
    assert [(r.name, r.reminded) for r in prompt_rows(engine)] == [
        ("Ana", False),
        ("Lou", True),
        ("Tom", True),
    ]


def test_a_prompt_sent_late_is_not_followed_at_once_by_its_reminder(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    late = LONDON_10 + timedelta(hours=30)  # past halfway, but the window is still open
    scene.tick_at(late, times=2)
    assert scene.counts("lou") == [1]
    assert scene.reminders("lou") == []
    # Halfway through what was left of the window instead: 30 h + (48 h - 30 h) / 2 = 39 h.
    scene.tick_at(LONDON_10 + timedelta(hours=39) - MINUTE)
    assert scene.reminders("lou") == []
    scene.tick_at(LONDON_10 + timedelta(hours=39))
    assert len(scene.reminders("lou")) == 1


def test_the_reminder_waits_for_the_end_of_quiet_hours(scene):
    # A 24-hour window: halfway is Monday 22:00, inside Quinn's quiet hours (22:00-07:00).
    create_checkin(coordinator(scene), window="24")
    partner(scene, "Quinn", quiet="22:00-07:00")
    partner(scene, "Lou")
    scene.tick_at(LONDON_10)
    scene.tick_at(utc(2026, 11, 30, 22))
    assert [len(scene.reminders(u)) for u in ("quinn", "lou")] == [0, 1]
    scene.tick_at(utc(2026, 12, 1, 6, 59))
    assert scene.reminders("quinn") == []
    scene.tick_at(utc(2026, 12, 1, 7))
    assert scene.reminders("quinn") == [
        REMINDER
        + "Tuesday 1 December 2026 at 10:00 (Europe/London). Answer if you'd like to. Skipping is fine too."
    ]


def test_a_reminder_whose_quiet_hours_outlast_the_window_is_not_sent(scene):
    # A 12-hour window: halfway is Monday 16:00, in quiet hours until 23:00, after it closes.
    create_checkin(coordinator(scene), window="12")
    partner(scene, "Quinn", quiet="15:00-23:00")
    scene.tick_at(LONDON_10)
    for hour in (16, 21, 22, 23):
        scene.tick_at(utc(2026, 11, 30, hour))
    assert scene.counts("quinn") == [1]
    assert scene.reminders("quinn") == []


# ---- exactly once --------------------------------------------------------------------------------


def test_many_ticks_at_the_same_moment_send_one_prompt(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    scene.tick_at(LONDON_10, times=10)
    deliver(engine, scene.platform, scene.clock)
    assert scene.counts("lou") == [1]
    assert len(prompt_rows(engine)) == 1
    assert len(runs(engine)) == 1
    assert len(outbox(engine, "checkin.prompt:")) == 1


def test_a_restart_in_the_middle_of_a_run_loses_nothing_and_doubles_nothing(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    ana, _lou, _tom = the_three(scene)
    scene.tick_at(AUCKLAND_10)
    scene.clock.set(AUCKLAND_10 + timedelta(minutes=2))
    scene.press_in_dm(ana, "4 good")

    bot = scene.restarted()
    cora.bot = ana.bot = bot
    scene.tick_at(AUCKLAND_10 + timedelta(minutes=2), times=2)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    scene.tick_at(LONDON_10)
    scene.restarted()
    scene.tick_at(TORONTO_10)
    scene.tick_at(TORONTO_10 + timedelta(hours=1))
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]
    assert [(r.name, r.status) for r in prompt_rows(engine)] == [
        ("Ana", "sent"),
        ("Lou", "sent"),
        ("Tom", "sent"),
    ]

    scene.tick_at(TORONTO_10 + timedelta(hours=48))
    [summary] = scene.summaries("cora")
    assert "Asked 3, answered 1, skipped 0. Alerts: 0." in summary


def test_a_missed_tick_still_sends_each_prompt_once_with_its_own_window(scene, engine):
    create_checkin(coordinator(scene))
    the_three(scene)
    # The scheduler sleeps from Thursday until Tuesday 09:00 UTC: every window is still open.
    scene.tick_at(utc(2026, 12, 1, 9), times=3)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]
    assert [(r.name, r.send_at, r.closes_at) for r in prompt_rows(engine)] == [
        ("Ana", AUCKLAND_10, AUCKLAND_10 + timedelta(hours=48)),
        ("Lou", LONDON_10, LONDON_10 + timedelta(hours=48)),
        ("Tom", TORONTO_10, TORONTO_10 + timedelta(hours=48)),
    ]
    assert scene.prompts("ana") == [PROMPT + "Wednesday 2 December 2026 at 10:00 (Pacific/Auckland). " + NAMED]
    scene.tick_at(utc(2026, 12, 1, 12))
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]


def test_a_very_late_scheduler_never_sends_a_closed_prompt_but_still_closes_the_run(scene, engine):
    create_checkin(coordinator(scene))
    the_three(scene)
    scene.tick_at(AUCKLAND_10)
    # Asleep until Thursday: Lou's and Tom's windows closed on Wednesday.
    thursday = utc(2026, 12, 3, 9)
    scene.tick_at(thursday, times=3)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    assert [r.name for r in prompt_rows(engine)] == ["Ana"]
    assert [r.closed_at for r in runs(engine)] == [thursday]
    [summary] = scene.summaries("cora")
    assert summary.startswith(
        SUMMARY
        + "Sunday 29 November 2026 at 21:00 (Europe/London). Asked 1, answered 0, skipped 0. Alerts: 0."
    )
    scene.tick_at(thursday + timedelta(hours=1))
    assert len(scene.summaries("cora")) == 1


def test_a_scheduler_asleep_for_a_whole_run_sends_nothing_late_and_carries_on(scene, engine):
    create_checkin(coordinator(scene))
    the_three(scene)
    scene.tick_at(utc(2026, 12, 3, 9))
    assert scene.counts("ana", "lou", "tom") == [0, 0, 0]
    assert prompt_rows(engine) == []
    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10):
        scene.tick_at(moment + NEXT_WEEK)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]
    assert {r.period for r in prompt_rows(engine)} == {"2026-12-07"}


def test_a_crash_between_making_the_prompt_and_sending_it(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    partner(scene, "Pat")
    scene.clock.set(LONDON_10)
    scene.bot.tick()  # the prompts are made and queued; then the process dies before sending
    assert [(r.name, r.status) for r in prompt_rows(engine)] == [("Lou", "sent"), ("Pat", "sent")]
    assert [(o.target_id, o.sent_at) for o in outbox(engine, "checkin.prompt:")] == [
        ("lou", None),
        ("pat", None),
    ]
    assert scene.platform.sent == []

    scene.restarted()
    scene.tick_at(LONDON_10 + MINUTE, times=2)
    deliver(engine, scene.platform, scene.clock)
    assert scene.counts("lou", "pat") == [1, 1]
    assert len(prompt_rows(engine)) == 2
    assert [o.sent_at for o in outbox(engine, "checkin.prompt:")] == [LONDON_10 + MINUTE] * 2


def test_a_crash_while_making_the_prompts_saves_none_of_them_and_the_next_tick_sends_each_once(
    scene, engine, monkeypatch
):
    # On SQLite this needs storage.db to begin transactions itself: pysqlite would otherwise let
    # the savepoint guarding the first prompt commit that prompt alone.
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    partner(scene, "Pat")

    import bot.checkins.delivery as delivery

    real = delivery.enqueue_dm
    queued: list[int] = []

    def dies_on_the_second(session, member_id, *args, **kwargs):
        if queued:
            raise RuntimeError("the process died")
        queued.append(member_id)
        return real(session, member_id, *args, **kwargs)

    monkeypatch.setattr(delivery, "enqueue_dm", dies_on_the_second)
    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "pat") == [0, 0]
    assert (prompt_rows(engine), runs(engine), outbox(engine, "checkin.")) == ([], [], [])

    monkeypatch.setattr(delivery, "enqueue_dm", real)
    scene.tick_at(LONDON_10 + MINUTE, times=2)
    assert scene.counts("lou", "pat") == [1, 1]
    assert [r.send_at for r in prompt_rows(engine)] == [LONDON_10, LONDON_10]


def test_a_platform_refusing_the_prompt_delays_it_and_never_doubles_it(scene, engine):
    create_checkin(coordinator(scene))
    partner(scene, "Lou")
    scene.platform.failures.append(SendFailed("the platform is down"))
    scene.tick_at(LONDON_10)
    assert scene.counts("lou") == [0]
    [row] = outbox(engine, "checkin.prompt:")
    assert (row.sent_at, row.attempts) == (None, 1)
    scene.tick_at(LONDON_10 + timedelta(seconds=5), times=2)
    scene.tick_at(LONDON_10 + timedelta(minutes=5))
    assert scene.counts("lou") == [1]


# ---- closing a run ---------------------------------------------------------------------------


def test_the_run_closes_with_one_summary_after_the_last_zones_window(scene, engine):
    create_checkin(coordinator(scene))
    ana, lou, _tom = the_three(scene)
    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10):
        scene.tick_at(moment)
    scene.press_in_dm(ana, "2 poor")
    scene.press_in_dm(lou, "Skip this time")

    for moment in (
        AUCKLAND_10 + timedelta(hours=48),  # Ana's window closes
        LONDON_10 + timedelta(hours=48),  # Lou's
        TORONTO_10 + timedelta(hours=48) - MINUTE,
    ):
        scene.tick_at(moment)
        assert scene.summaries("cora") == []
        assert runs(engine)[0].closed_at is None
    scene.tick_at(TORONTO_10 + timedelta(hours=48), times=3)
    scene.tick_at(TORONTO_10 + timedelta(hours=50))
    [summary] = scene.summaries("cora")
    assert summary == (
        SUMMARY
        + "Sunday 29 November 2026 at 21:00 (Europe/London). Asked 3, answered 1, skipped 1. Alerts: 0."
    )
    assert runs(engine)[0].closed_at == TORONTO_10 + timedelta(hours=48)
    assert len(outbox(engine, "checkin.summary:")) == 1


def test_a_short_window_closed_in_auckland_keeps_the_run_open_for_later_zones(scene, engine):
    create_checkin(coordinator(scene), window="2")
    the_three(scene)
    for moment in (AUCKLAND_10, AUCKLAND_10 + timedelta(hours=2), LONDON_10, LONDON_10 + timedelta(hours=2)):
        scene.tick_at(moment)
        assert runs(engine)[0].closed_at is None
    scene.tick_at(TORONTO_10)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 1]
    assert scene.prompts("lou") == [PROMPT + "Monday 30 November 2026 at 12:00 (Europe/London). " + NAMED]
    scene.tick_at(TORONTO_10 + timedelta(hours=2) - MINUTE)
    assert scene.summaries("cora") == []
    scene.tick_at(TORONTO_10 + timedelta(hours=2))
    [summary] = scene.summaries("cora")
    assert "Asked 3, answered 0, skipped 0." in summary
    assert [r.closed_at for r in runs(engine)] == [TORONTO_10 + timedelta(hours=2)]


def test_a_check_in_made_after_one_zones_time_waits_a_week_there_but_not_in_later_zones(scene, engine):
    the_three(scene)
    cora = coordinator(scene)
    scene.clock.set(utc(2026, 11, 30, 12))  # Monday: past 10:00 in Auckland and London
    create_checkin(cora)

    scene.tick_at(utc(2026, 11, 30, 12), times=2)
    assert scene.counts("ana", "lou", "tom") == [0, 0, 0]
    scene.tick_at(TORONTO_10)
    assert scene.counts("ana", "lou", "tom") == [0, 0, 1]
    assert [(r.name, r.period) for r in prompt_rows(engine)] == [("Tom", "2026-11-30")]

    # The run closes after Tom's window alone, with Tom the only one asked.
    scene.tick_at(TORONTO_10 + timedelta(hours=48) - MINUTE)
    assert scene.summaries("cora") == []
    scene.tick_at(TORONTO_10 + timedelta(hours=48))
    [summary] = scene.summaries("cora")
    assert "Asked 1, answered 0, skipped 0." in summary

    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10):
        scene.tick_at(moment + NEXT_WEEK)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 2]


# ---- the coordinator's pause, resume and send now ------------------------------------------------------


def test_a_paused_check_in_sends_nothing_and_resuming_does_not_catch_up(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    the_three(scene)
    cora.says("checkin pause 1")
    assert cora.text == "Paused Weekly wellbeing. Nothing more will be sent until you type checkin resume 1."

    for moment in (AUCKLAND_10, LONDON_10):
        scene.tick_at(moment)
    assert scene.counts("ana", "lou", "tom") == [0, 0, 0]
    assert runs(engine) == []

    scene.clock.set(LONDON_10 + timedelta(hours=2))
    cora.says("checkin resume 1")
    assert cora.text == "Weekly wellbeing is running again from now."
    scene.tick_at(LONDON_10 + timedelta(hours=2))
    scene.tick_at(TORONTO_10)
    assert scene.counts("ana", "lou", "tom") == [0, 0, 1]  # only Tom's time was still to come
    for moment in (AUCKLAND_10, LONDON_10, TORONTO_10):
        scene.tick_at(moment + NEXT_WEEK)
    assert scene.counts("ana", "lou", "tom") == [1, 1, 2]


def test_pausing_in_the_middle_of_a_run_stops_the_rest_and_the_reminder(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    the_three(scene)
    scene.tick_at(AUCKLAND_10)
    scene.clock.set(utc(2026, 11, 30, 8))
    cora.says("checkin pause 1")

    for moment in (LONDON_10, TORONTO_10, AUCKLAND_10 + timedelta(hours=24)):
        scene.tick_at(moment)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    assert scene.reminders("ana") == []  # "nothing more will be sent"
    # Ana's window was the only one opened, so the run closes when it does.
    scene.tick_at(AUCKLAND_10 + timedelta(hours=48))
    assert [r.closed_at for r in runs(engine)] == [AUCKLAND_10 + timedelta(hours=48)]
    [summary] = scene.summaries("cora")
    assert "Asked 1, answered 0, skipped 0." in summary


def test_send_now_reaches_everyone_at_once_except_in_their_quiet_hours(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    partner(scene, "Lou")
    partner(scene, "Tom", "America/Toronto")
    partner(scene, "Quinn", quiet="08:00-11:00")  # Thursday 09:00 in London: quiet

    cora.says("checkin send 1")
    assert cora.text.startswith("Sent Weekly wellbeing now. Partners reached: 2.")
    deliver(engine, scene.platform, scene.clock)
    assert scene.counts("lou", "tom", "quinn") == [1, 1, 0]
    assert scene.prompts("tom") == [PROMPT + "Saturday 28 November 2026 at 04:00 (America/Toronto). " + NAMED]
    [run] = runs(engine)
    assert run.period.startswith("now:")

    scene.tick_at(utc(2026, 11, 26, 10, 59), times=2)
    assert scene.counts("lou", "tom", "quinn") == [1, 1, 0]
    scene.tick_at(utc(2026, 11, 26, 11))
    assert scene.counts("lou", "tom", "quinn") == [1, 1, 1]
    assert scene.prompts("quinn") == [PROMPT + "Saturday 28 November 2026 at 11:00 (Europe/London). " + NAMED]

    # The weekly schedule carries on as before, as a run of its own, quiet hours and all.
    scene.tick_at(LONDON_10)
    assert scene.counts("lou", "tom", "quinn") == [2, 1, 1]
    scene.tick_at(LONDON_10 + timedelta(hours=1))
    assert scene.counts("lou", "tom", "quinn") == [2, 1, 2]
    assert [r.period for r in runs(engine)][1:] == ["2026-11-30"]


def test_a_deleted_check_in_sends_nothing(scene, engine):
    cora = coordinator(scene)
    create_checkin(cora)
    the_three(scene)
    scene.tick_at(AUCKLAND_10)
    cora.says("checkin delete 1")
    for moment in (LONDON_10, TORONTO_10, AUCKLAND_10 + timedelta(hours=24), LONDON_10 + NEXT_WEEK):
        scene.tick_at(moment)
    assert scene.counts("ana", "lou", "tom") == [1, 0, 0]
    assert scene.reminders("ana") == []
    with Session(engine) as session:
        assert session.get_one(CheckIn, 1).deleted_at is not None


def test_a_big_fan_out_goes_in_batches_and_the_scheduler_sends_the_rest(scene, engine, monkeypatch):
    """Sending to more partners than one batch: the coordinator is told how many it reaches at
    once; the first batch is queued with the turn and the scheduler's next beat queues the rest,
    each in a short transaction, every partner once."""
    from bot.checkins import delivery

    monkeypatch.setattr(delivery, "FILL_BATCH", 3)
    monkeypatch.setattr(delivery, "BATCH_PAUSE", 0)
    cora = coordinator(scene)
    names = ["Ana", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus"]
    for name in names:
        partner(scene, name)
    cora.says("checkin new")
    cora.submit({"name": "Weekly wellbeing", "questions": QUESTIONS, "schedule": "now", "window": "48"})
    cora.submit({"visibility": "named", "alert_level": ""})
    assert cora.text.startswith("Sent Weekly wellbeing now. Partners reached: 7.")
    assert len(prompt_rows(engine)) == 3  # the first batch, with the turn

    scene.tick_at(scene.clock.now())
    assert sorted(r.name for r in prompt_rows(engine)) == sorted(names)
    assert scene.counts(*(n.lower() for n in names)) == [1] * 7
    scene.tick_at(scene.clock.now() + MINUTE)
    assert scene.counts(*(n.lower() for n in names)) == [1] * 7
