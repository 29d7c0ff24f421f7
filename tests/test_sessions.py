"""Wellbeing sessions through the core's entry point: a coordinator scheduling, moving and
cancelling them; partners signing up, waiting, being moved up and giving places back; the live
count in the announcement; reminders; attendance; calendar files; and capacity holding when
separate processes sign up at once.

Every test drives `Bot.handle` (and `Bot.tick` for scheduled work) with a FakeClock, reads what
people see (replies, and what the outbox delivers) and what the database holds, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, FormSubmit, HomeOpened, Message, Reply, Who, plain
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.outbox import Delivery, SendFailed
from bot.settings import Settings
from storage.db import make_engine
from storage.models import FormDraft, Member, Outbox, SessionSignup, WellbeingSession
from tests.clock import FakeClock
from tests.conftest import START, Person, RecordingSender, deliver, member_named

# Thursday 3 December 2026, 14:00 in London (on UTC in winter): the usual session.
THURSDAY_2PM = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
ANNOUNCEMENTS = "console:local/announcements"
NOT_ALLOWED = "Only coordinators can schedule and change sessions. Type sessions to see them."
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        admins="console:ada",
        default_timezone="Europe/London",
        announcements_channel=ANNOUNCEMENTS,
    )


# ---- people, forms and what they see ----------------------------------------------------------


def someone(bot: Bot, name: str, role: Role | None = None, zone: str = "") -> Person:
    """A member who has had the first-contact message already, so replies hold only the answer.

    With a role, they hold only that role (as the console makes them).
    """
    member = Person(bot, Who(AccountRef("console", "local", name.lower()), name))
    if role is not None:
        bot.prepare_local_member(member.who, role)
    member.says(f"profile timezone {zone}" if zone else "profile")
    return member


@pytest.fixture
def cora(bot) -> Person:
    return someone(bot, "Cora", Role.COORDINATOR)


@pytest.fixture
def alex(bot) -> Person:
    return someone(bot, "Alex")


@pytest.fixture
def priya(bot) -> Person:
    return someone(bot, "Priya", zone="America/Toronto")


@pytest.fixture
def quinn(bot) -> Person:
    return someone(bot, "Quinn")


def schedule(
    coordinator: Person,
    *,
    title: str = "Chair yoga",
    description: str = "",
    facilitator: str = "",
    timezone: str | None = None,
    start: str = "3 Dec 2pm",
    duration: str = "60",
    place: str = "Room 2",
    capacity: str = "2",
    weeks: str = "1",
    audience: str = "partners",
    closes: str = "",
    reminders: str | None = None,
) -> Reply:
    """`sessions new` and its three pages, as a coordinator would. Stops at a page refused."""
    coordinator.says("sessions new")
    first = {"title": title, "description": description, "facilitator": facilitator, "start": start}
    if timezone is not None:
        first["timezone"] = timezone
    coordinator.submit(first)
    if coordinator.last.form is None or coordinator.last.form.page != 2:
        return coordinator.last
    coordinator.submit(
        {"duration": duration, "place": place, "capacity": capacity, "weeks": weeks, "audience": audience}
    )
    if coordinator.last.form is None or coordinator.last.form.page != 3:
        return coordinator.last
    last = {"closes": closes}
    if reminders is not None:
        last["reminders"] = reminders
    return coordinator.submit(last)


def scheduled_one(coordinator: Person, **values: str) -> WellbeingSession:
    schedule(coordinator, **values)
    assert coordinator.text.startswith("Scheduled "), coordinator.text
    with Session(coordinator.bot.engine) as session:
        return session.exec(select(WellbeingSession).order_by(col(WellbeingSession.id).desc())).first()


def press(member: Person, action_id: str) -> Reply:
    """Press a button by its id, as a platform would after a restart."""
    member.last = member.bot.handle(ButtonPress(member.who, action_id))
    return member.last


def sign_up(member: Person, number: int = 1) -> Reply:
    return press(member, f"session.signup:{number}")


def give_up(member: Person, number: int = 1) -> Reply:
    return press(member, f"session.cancel:{number}")


def shown(message: Message) -> str:
    lines = [message.plain()]
    lines += [f"{f.label}: {plain(f.value)}" for f in message.fields]
    lines += [f"[{b.label}]" for b in message.buttons]
    return "\n".join(lines)


def channel_posts(platform: RecordingSender) -> list[Delivery]:
    return [d for d in platform.sent if d.target_kind == "channel"]


def received(platform: RecordingSender, user_id: str) -> list[Message]:
    return [d.message for d in platform.sent if d.target_kind == "dm" and d.target_id == user_id]


def places_line(message: Message) -> str:
    return next(plain(f.value) for f in message.fields if f.label == "Places")


def rows(engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))).all())


def signups(engine, session_id: int = 1) -> list[tuple[str, str]]:
    """(name, status) for each sign-up row of a session, oldest first."""
    with Session(engine) as session:
        found = session.exec(
            select(SessionSignup, Member)
            .join(Member, col(Member.id) == col(SessionSignup.member_id))
            .where(SessionSignup.session_id == session_id)
            .order_by(col(SessionSignup.id))
        ).all()
        return [(m.display_name, s.status) for s, m in found]


def session_row(engine, session_id: int = 1) -> WellbeingSession:
    with Session(engine) as session:
        return session.get_one(WellbeingSession, session_id)


def outbox(engine, key_start: str) -> list[Outbox]:
    return [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith(key_start)]


def ics_of(message: Message) -> icalendar.Calendar:
    [file] = message.files
    assert file.name.endswith(".ics") and file.mime == "text/calendar"
    return icalendar.Calendar.from_ical(file.content)


def tick_at(bot: Bot, clock: FakeClock, platform: RecordingSender, when: datetime, times: int = 1) -> None:
    clock.set(when)
    for _ in range(times):
        bot.tick()
    deliver(bot.engine, platform, clock)


def reminders_to(platform: RecordingSender, user_id: str) -> list[str]:
    return [m.plain() for m in received(platform, user_id) if m.plain().startswith("A reminder: ")]


# ---- scheduling ----------------------------------------------------------------------------------


def test_a_coordinator_schedules_a_session_with_a_three_page_form(engine, bot, clock, platform, cora):
    cora.says("sessions new")
    first = cora.last.form
    assert first is not None
    assert (first.form_id, first.title, first.page, first.pages) == ("session.new", "Wellbeing session", 1, 3)
    assert [(f.name, f.initial) for f in first.fields] == [
        ("title", ""),
        ("description", ""),
        ("facilitator", ""),
        ("timezone", "Europe/London"),
        ("start", ""),
    ]
    cora.submit(
        {
            "title": "Chair yoga",
            "description": "Gentle stretches you can do sitting down.",
            "facilitator": "Jo Bloggs",
            "start": "3 Dec 2pm",
        }
    )
    second = cora.last.form
    assert second is not None and second.page == 2
    assert [(f.name, f.initial) for f in second.fields] == [
        ("duration", "60"),
        ("place", ""),
        ("capacity", ""),
        ("weeks", "1"),
        ("audience", "partners"),
    ]
    assert [o.label for o in second.fields[4].choices] == ["partners", "staff", "everyone"]
    cora.submit({"duration": "45", "place": "Room 2, Community Centre", "capacity": "12"})
    third = cora.last.form
    assert third is not None and third.page == 3
    assert [(f.name, f.initial) for f in third.fields] == [("closes", ""), ("reminders", "24h, 1h")]
    assert rows(engine, WellbeingSession) == []  # nothing is saved before the last page

    cora.submit({})

    assert cora.text == (
        "Scheduled Chair yoga for Thursday 3 December 2026 at 14:00 (Europe/London). "
        "It is posted in the announcements channel.\n"
        "When: Thursday 3 December 2026 at 14:00 (Europe/London), for 45 minutes\n"
        "Where: Room 2, Community Centre\n"
        "Facilitator: Jo Bloggs\n"
        "About: Gentle stretches you can do sitting down.\n"
        "Open to: partners\n"
        "Places: 0 of 12 places taken\n"
        "Reminders before: 24h, 1h\n"
        "[People]"
    )
    [made] = rows(engine, WellbeingSession)
    assert (made.title, made.description, made.facilitator_id, made.facilitator_name) == (
        "Chair yoga",
        "Gentle stretches you can do sitting down.",
        None,
        "Jo Bloggs",
    )
    assert (made.starts_at, made.signup_closes_at, made.duration_minutes, made.zone) == (
        THURSDAY_2PM,
        THURSDAY_2PM,
        45,
        "Europe/London",
    )
    assert (made.capacity, made.taken, made.audience, made.reminders, made.status) == (
        12,
        0,
        "partners",
        [1440, 60],
        "scheduled",
    )
    assert (made.series_id, made.sequence, made.created_by) == (None, 0, member_named(engine, "cora").id)
    assert rows(engine, FormDraft) == []

    deliver(engine, platform, clock)
    [post] = channel_posts(platform)
    assert (post.target_id, post.edit_message_id, made.announcement_id) == (
        "announcements",
        None,
        post.outbox_id,
    )
    assert shown(post.message) == (
        "Wellbeing session: Chair yoga. Press Sign up to take a place.\n"
        "When: Thursday 3 December 2026 at 14:00 (Europe/London), for 45 minutes\n"
        "Where: Room 2, Community Centre\n"
        "Facilitator: Jo Bloggs\n"
        "About: Gentle stretches you can do sitting down.\n"
        "Open to: partners\n"
        "Places: 0 of 12 places taken\n"
        "[Sign up]\n"
        "[Cancel my place]"
    )
    assert post.message.private is False


def test_the_start_is_read_in_the_coordinators_zone_unless_a_zone_is_given(engine, bot):
    toronto = someone(bot, "Tess", Role.COORDINATOR, zone="America/Toronto")
    made = scheduled_one(toronto)
    assert (made.starts_at, made.zone) == (datetime(2026, 12, 3, 19, 0, tzinfo=UTC), "America/Toronto")
    assert toronto.text.startswith(
        "Scheduled Chair yoga for Thursday 3 December 2026 at 14:00 (America/Toronto)."
    )

    made = scheduled_one(toronto, timezone="kolkata", start="3 Dec 2pm")
    assert (made.starts_at, made.zone) == (datetime(2026, 12, 3, 8, 30, tzinfo=UTC), "Asia/Kolkata")
    # Shown in the coordinator's own zone all the same.
    assert toronto.text.startswith(
        "Scheduled Chair yoga for Thursday 3 December 2026 at 03:30 (America/Toronto)."
    )


def test_a_facilitator_who_is_a_member_is_linked_and_told_with_the_calendar_file(
    engine, bot, clock, platform, cora
):
    someone(bot, "Pat")
    made = scheduled_one(cora, facilitator="pat", weeks="3")
    assert (made.facilitator_name, made.facilitator_id) == ("Pat", member_named(engine, "pat").id)
    deliver(engine, platform, clock)
    [told] = received(platform, "pat")
    assert told.plain() == (
        "You are the facilitator of Chair yoga, starting Thursday 3 December 2026 at 14:00 (Europe/London). "
        "Thank you. The calendar file is below."
    )
    # One message for the whole repeat, with every week in its calendar file.
    starts = [e.start for e in ics_of(told).events]
    assert [s.astimezone(UTC) for s in starts] == [THURSDAY_2PM + timedelta(weeks=n) for n in range(3)]


def test_a_facilitator_name_two_members_share_is_asked_about_and_linked_once_chosen(
    engine, bot, clock, platform, cora, alex
):
    someone(bot, "Pat")
    Person(bot, Who(AccountRef("console", "local", "pat.b"), "Pat")).says("profile")

    schedule(cora, facilitator="pat", weeks="2")

    [scheduled, question] = cora.last.messages
    assert scheduled.plain().endswith("I will tell the facilitator once you say who they are.")
    assert shown(question).splitlines() == [
        "There are 2 people called pat. Which one do you mean?",
        "Number 1: Pat, @pat (console)",
        "Number 2: Pat, @pat.b (console)",
        "[Number 1]",
        "[Number 2]",
    ]
    weeks = rows(engine, WellbeingSession)
    assert [(w.facilitator_name, w.facilitator_id) for w in weeks] == [("pat", None), ("pat", None)]
    deliver(engine, platform, clock)
    assert received(platform, "pat") == received(platform, "pat.b") == []

    # A partner pressing it (the button's id is no secret) is refused, and nothing changes.
    [_first, second] = question.buttons
    alex.last = bot.handle(ButtonPress(alex.who, second.action_id, second.value))
    assert alex.text == NOT_ALLOWED
    assert [w.facilitator_id for w in rows(engine, WellbeingSession)] == [None, None]

    cora.press("Number 2")

    assert cora.text == "Done. Pat is the facilitator of Chair yoga."
    pat_b = member_named(engine, "pat.b").id
    assert [w.facilitator_id for w in rows(engine, WellbeingSession)] == [pat_b, pat_b]
    deliver(engine, platform, clock)
    assert received(platform, "pat") == []
    [told] = received(platform, "pat.b")
    assert told.plain().startswith("You are the facilitator of Chair yoga, starting Thursday 3 December")
    assert len(ics_of(told).events) == 2

    cora.last = bot.handle(ButtonPress(cora.who, second.action_id.replace(f":{pat_b}", ":1"), second.value))
    assert cora.text == "Chair yoga already has its facilitator. Nothing changed."
    assert [w.facilitator_id for w in rows(engine, WellbeingSession)] == [pat_b, pat_b]


def test_a_facilitator_who_took_the_name_lately_is_asked_about(engine, bot, clock, cora):
    jo = someone(bot, "Jo")
    jo.says("profile name Pat")
    clock.advance(timedelta(days=2))

    schedule(cora, facilitator="Pat")

    assert shown(cora.last.messages[-1]).splitlines() == [
        "Pat changed their name 2 days ago. Is this who you mean?",
        "Pat: @jo (console)",
        "[Yes, this person]",
    ]
    assert [w.facilitator_id for w in rows(engine, WellbeingSession)] == [None]
    cora.press("Yes, this person")
    assert [w.facilitator_id for w in rows(engine, WellbeingSession)] == [member_named(engine, "jo").id]


@pytest.mark.parametrize(
    ("values", "field", "problem"),
    [
        (
            {"start": "26 Nov 2026 8am"},
            "start",
            "That time has passed. Please give a time in the future, like 'next Monday 2pm'.",
        ),
        ({"start": "Friday"}, "start", "What time on that day?"),
        ({"timezone": "Mars/Base"}, "timezone", "I don't know the time zone 'Mars/Base'."),
        ({"capacity": "0"}, "capacity", "Places needs a number from 1 to 500."),
        ({"capacity": "2.5"}, "capacity", "Places needs a whole number, like 3."),
        ({"weeks": "30"}, "weeks", "Weeks needs a number from 1 to 26."),
        ({"duration": "a while"}, "duration", "Minutes long needs a number, like 3."),
        ({"place": "@everyone come"}, "place", "Please leave out @everyone, @here and group mentions."),
        ({"reminders": "soon"}, "reminders", "I couldn't read 'soon' as a time before the session."),
        (
            {"reminders": "1m"},
            "reminders",
            "Each reminder can be from 10 minutes to 14 days before the session.",
        ),
        ({"reminders": "3d, 2d, 1d, 1h"}, "reminders", "Please choose up to 3 reminders."),
        (
            {"closes": "4 Dec 9am"},
            "closes",
            "Sign-up needs to close before the session starts, or at the start.",
        ),
        ({"closes": "20 Nov 2026 9am"}, "closes", "That time has passed."),
    ],
)
def test_a_wrong_answer_is_shown_on_its_field_and_nothing_is_saved(engine, cora, values, field, problem):
    schedule(cora, **values)
    assert cora.last.form is not None, cora.text
    assert field in cora.last.field_errors, cora.last.field_errors
    assert cora.last.field_errors[field].startswith(problem)
    assert rows(engine, WellbeingSession) == []
    assert rows(engine, Outbox) == []


def test_only_coordinators_schedule_and_change_sessions(engine, bot, cora, alex):
    scheduled_one(cora)
    for line in ("sessions new", "sessions people 1", "sessions move 1", "sessions attendance 1"):
        alex.says(line)
        assert alex.text == NOT_ALLOWED
    # Buttons and forms meant for coordinators do nothing for anyone else, even sent by hand.
    for action_id in ("session.people:1", "session.drop:1", "session.drop_one:1", "session.move:1"):
        press(alex, action_id)
        assert alex.text == NOT_ALLOWED, action_id
    alex.last = bot.handle(FormSubmit(alex.who, "session.move:1", {"timezone": "UTC", "start": "4 Dec 2pm"}))
    assert alex.text == NOT_ALLOWED
    assert session_row(engine).starts_at == THURSDAY_2PM
    assert session_row(engine).status == "scheduled"


def test_sign_up_closing_and_reminders_can_be_chosen(engine, cora):
    made = scheduled_one(cora, closes="2 Dec 5pm", reminders="2 days, 30m")
    assert made.signup_closes_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert made.reminders == [2880, 30]
    assert "Sign-up closes: Wednesday 2 December 2026 at 17:00 (Europe/London)" in cora.text
    assert "Reminders before: 2d, 30m" in cora.text
    made = scheduled_one(cora, reminders="none")
    assert made.reminders == []
    assert "Reminders before: none" in cora.text


# ---- the list, and one session's card --------------------------------------------------------------


def test_places_left_agree_with_the_count_in_english_and_in_french(cora, alex, priya, quinn):
    scheduled_one(cora, capacity="2")
    priya.says("profile language fr")
    alex.says("sessions")
    assert "2 places left." in alex.text
    priya.says("sessions")
    assert "2 places restantes." in priya.text
    sign_up(quinn, 1)
    alex.says("sessions")
    assert "1 place left." in alex.text
    priya.says("sessions")
    assert "1 place restante." in priya.text


def test_everyone_lists_sessions_coming_up_with_places_left_and_their_own(
    engine, bot, cora, alex, priya, quinn
):
    scheduled_one(cora, capacity="1")
    scheduled_one(cora, title="Mindful walk", start="5 Dec 10am", capacity="3")
    scheduled_one(cora, title="Staff debrief", start="4 Dec 10am", audience="staff")
    sign_up(alex, 1)
    sign_up(quinn, 1)

    alex.says("sessions")
    assert alex.text == (
        "Wellbeing sessions coming up. Press one to see it, sign up or cancel.\n"
        "#1 Chair yoga: Thursday 3 December 2026 at 14:00 (Europe/London). Full, 1 on the waitlist. "
        "You have a place.\n"
        "#2 Mindful walk: Saturday 5 December 2026 at 10:00 (Europe/London). 3 places left.\n"
        "[Chair yoga, Thu 3 Dec, 14:00]\n"
        "[Mindful walk, Sat 5 Dec, 10:00]"
    )
    quinn.says("sessions")
    assert "Full, 1 on the waitlist. You are number 1 on the waitlist." in quinn.text
    priya.says("sessions")
    assert (
        "#2 Mindful walk: Saturday 5 December 2026 at 05:00 (America/Toronto). 3 places left." in priya.text
    )
    assert "[Mindful walk, Sat 5 Dec, 05:00]" in priya.text  # buttons tell the days apart, in her time
    # Coordinators see every session, whoever it is for.
    cora.says("sessions")
    assert "#3 Staff debrief" in cora.text

    alex.says("sessions mine")
    assert alex.text == (
        "Your sessions coming up. Only you can see this.\n"
        "#1 Chair yoga: Thursday 3 December 2026 at 14:00 (Europe/London). You have a place.\n"
        "[Chair yoga, Thu 3 Dec, 14:00]"
    )
    priya.says("sessions mine")
    assert priya.text == "You have no sessions coming up. Type sessions to see what is on."


def test_nothing_coming_up_is_said_plainly(cora, alex):
    alex.says("sessions")
    assert alex.text == "There are no wellbeing sessions coming up. Have a look again another day."
    cora.says("sessions")
    assert cora.text == "There are no wellbeing sessions coming up. Type sessions new to schedule one."


def test_one_sessions_card_shows_what_this_person_can_do(engine, cora, alex):
    scheduled_one(cora, capacity="3", facilitator="Jo")
    alex.says("sessions 1")
    assert alex.text == (
        "Wellbeing session: Chair yoga.\n"
        "When: Thursday 3 December 2026 at 14:00 (Europe/London), for 60 minutes\n"
        "Where: Room 2\n"
        "Facilitator: Jo\n"
        "Open to: partners\n"
        "Places: 0 of 3 places taken\n"
        "[Sign up]\n"
        "[Calendar file]"
    )
    alex.press("Sign up")
    alex.says("sessions #1")
    assert alex.text.startswith("Wellbeing session: Chair yoga. You have a place.\n")
    assert alex.text.endswith("Places: 1 of 3 places taken\n[Cancel my place]\n[Add a note]\n[Calendar file]")
    cora.says("sessions 1")
    assert cora.text.endswith("[Calendar file]\n[People]\n[Move]\n[Cancel the session]")
    alex.says("sessions 99")
    assert alex.text == "Which session? Type its number, like 1. Type sessions to see them."
    alex.says("sessions dance")
    assert alex.text == (
        "Type sessions and one of: list, mine, show, join, leave, calendar, note. Type guide to see more."
    )


def test_the_guide_shows_sessions_to_everyone_and_the_coordinator_lines_to_coordinators(cora, alex):
    alex.says("guide")
    assert (
        "sessions: Lists wellbeing sessions with places left, and your own places. Try: sessions" in alex.text
    )
    assert "sessions new" not in alex.text
    cora.says("guide")
    for line in (
        "sessions new",
        "sessions people",
        "sessions attendance",
        "sessions move",
        "sessions cancel",
    ):
        assert f"\n{line}: " in cora.text


# ---- the announcement and its live count ---------------------------------------------------------


def test_the_announcement_count_is_kept_current_by_editing_the_same_post(engine, bot, clock, platform, cora):
    scheduled_one(cora, capacity="12")
    deliver(engine, platform, clock)
    people = [someone(bot, f"P{n}") for n in range(11)]
    for member in people[:10]:
        sign_up(member)
    give_up(people[0])  # the first on the waitlist moves up
    sign_up(people[10])
    deliver(engine, platform, clock)

    # Twelve changes queued; one edit goes, with the count as it is now.
    post, edit = channel_posts(platform)
    assert edit.edit_message_id == "msg-1"  # it changes the post itself
    assert places_line(post.message) == "0 of 12 places taken"
    assert places_line(edit.message) == "10 of 12 places taken"

    for member in people[10:]:
        sign_up(member)
    for extra in ("Xan", "Yui", "Zed", "Ola", "Ben"):
        sign_up(someone(bot, extra))
    deliver(engine, platform, clock)
    last = channel_posts(platform)[-1].message
    assert places_line(last) == "12 of 12 places taken, 3 on the waitlist"
    assert last.plain() == "Wellbeing session: Chair yoga. It is full. Press Sign up to join the waitlist."
    assert [b.label for b in last.buttons] == ["Sign up", "Cancel my place"]
    for member in people[1:8]:
        give_up(member)
    deliver(engine, platform, clock)
    # Seven gave their places back: three moved up from the waitlist, four places are free.
    assert places_line(channel_posts(platform)[-1].message) == "8 of 12 places taken"
    made = session_row(engine)
    assert made.taken == 8 == sum(1 for _n, status in signups(engine) if status == "confirmed")


def test_with_no_announcements_channel_nothing_is_posted_and_sign_up_still_works(engine, clock, platform):
    plain_settings = Settings(_env_file=None, default_timezone="Europe/London")
    quiet_bot = Bot(engine, plain_settings, clock, EVERY_FEATURE)
    coordinator = someone(quiet_bot, "Cora", Role.COORDINATOR)
    made = scheduled_one(coordinator)
    assert "announcements channel" not in coordinator.text
    assert made.announcement_id is None
    sign_up(someone(quiet_bot, "Alex"))
    quiet_bot.tick()
    deliver(engine, platform, clock)
    assert channel_posts(platform) == []
    assert signups(engine) == [("Alex", "confirmed")]


# ---- signing up ----------------------------------------------------------------------------------


def test_signing_up_gives_a_place_with_the_time_in_ones_zone_and_a_calendar_file(engine, cora, priya):
    scheduled_one(cora, place="https://meet.example.org/yoga")
    priya.says("sessions 1")
    priya.press("Sign up")
    [message] = priya.last.messages
    assert message.private is True
    assert shown(message) == (
        "You have a place at Chair yoga, Thursday 3 December 2026 at 09:00 (America/Toronto). "
        "Your calendar file comes with this message. If you have access needs, press Add a note. Only the coordinators see it.\n"
        "Where: https://meet.example.org/yoga\n"
        "[Add a note]\n"
        "[Cancel my place]"
    )
    [event] = ics_of(message).events
    assert event.start == THURSDAY_2PM
    assert str(event["url"]) == "https://meet.example.org/yoga"
    [row] = rows(engine, SessionSignup)
    assert (row.status, row.confirmed_at, row.created_at, row.note) == ("confirmed", START, START, "")
    assert session_row(engine).taken == 1


def test_a_second_press_changes_nothing(engine, bot, clock, platform, cora, alex, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(quinn)
    queued = len(rows(engine, Outbox))
    sign_up(alex)
    assert alex.text == "You already have a place at Chair yoga. Nothing changed."
    sign_up(quinn)
    assert quinn.text == "You are already number 1 on the waitlist for Chair yoga. Nothing changed."
    alex.says("sessions join 1")
    assert alex.text == "You already have a place at Chair yoga. Nothing changed."
    assert signups(engine) == [("Alex", "confirmed"), ("Quinn", "waitlisted")]
    assert session_row(engine).taken == 1
    assert len(rows(engine, Outbox)) == queued  # not even the count is edited again


def test_when_full_people_join_the_waitlist_in_order_and_are_told_their_place(
    engine, bot, cora, alex, priya, quinn
):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(priya)
    assert priya.text == (
        "Chair yoga is full, so you are number 1 on the waitlist. "
        "If a place comes up, it is yours and I will send you a message.\n"
        "[Add a note]\n"
        "[Leave the waitlist]"
    )
    assert priya.last.messages[0].files == ()
    sign_up(quinn)
    assert "you are number 2 on the waitlist" in quinn.text
    assert signups(engine) == [("Alex", "confirmed"), ("Priya", "waitlisted"), ("Quinn", "waitlisted")]
    assert session_row(engine).taken == 1


def test_a_note_for_access_needs_is_kept_and_only_coordinators_see_it(engine, bot, cora, alex, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    alex.press("Add a note")
    form = alex.last.form
    assert form is not None and [(f.name, f.label, f.required) for f in form.fields] == [
        ("note", "Your note", False)
    ]
    alex.submit({"note": "I use a wheelchair. Step-free access, please."})
    assert alex.text == "Thank you. Your note is saved. Only the coordinators see it."
    sign_up(quinn)
    quinn.says("sessions note 1 Captions help me.")
    assert quinn.text == "Thank you. Your note is saved. Only the coordinators see it."

    cora.says("sessions people 1")
    assert cora.text == (
        "Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London). 1 of 1 place taken, 1 on the waitlist.\n"
        "Alex: has a place; note: I use a wheelchair. Step-free access, please.\n"
        "Quinn: waitlist, number 1; note: Captions help me."
    )
    quinn.says("sessions 1")
    assert "wheelchair" not in quinn.text
    quinn.says("sessions note 1")
    assert quinn.text == "Your note is removed."
    assert [r.note for r in rows(engine, SessionSignup)] == [
        "I use a wheelchair. Step-free access, please.",
        "",
    ]
    sam = someone(bot, "Sam")
    sam.says("sessions note 1 hello")
    assert sam.text == "You can add a note once you have signed up. Type sessions to see them."


def test_the_calendar_file_by_command_and_by_button(engine, cora, priya):
    scheduled_one(cora)
    priya.says("sessions calendar 1")
    [message] = priya.last.messages
    assert message.plain() == (
        "Here is the calendar file for Chair yoga, Thursday 3 December 2026 at 09:00 (America/Toronto)."
    )
    assert [e.start for e in ics_of(message).events] == [THURSDAY_2PM]
    press(priya, "session.calendar:1")
    assert ics_of(priya.last.messages[0]).events[0]["summary"] == "Chair yoga"


def test_signing_up_when_closed_cancelled_or_not_for_you_is_refused_kindly(engine, bot, clock, cora, alex):
    scheduled_one(cora, closes="2 Dec 5pm")
    scheduled_one(cora, title="Staff debrief", audience="staff")
    jo = someone(bot, "Jo", Role.STAFF)
    sign_up(alex, 2)
    assert alex.text == "Staff debrief is for staff. Type sessions to see the ones you can join."
    sign_up(jo, 2)
    assert jo.text.startswith("You have a place at Staff debrief")
    sign_up(jo, 1)
    assert jo.text == "Chair yoga is for partners. Type sessions to see the ones you can join."

    clock.set(datetime(2026, 12, 2, 17, 0, tzinfo=UTC))
    sign_up(alex, 1)
    assert alex.text == "Sign-up for Chair yoga has closed. Type sessions to see others you can join."
    press(alex, "session.signup:99")
    assert alex.text == "That button no longer works. Type guide to see what you can do."
    assert signups(engine, 1) == []


# ---- giving a place back -------------------------------------------------------------------------


def test_giving_a_place_back_moves_the_first_on_the_waitlist_up_and_tells_them(
    engine, bot, clock, platform, cora, alex, priya, quinn
):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    clock.advance(HOUR)
    give_up(alex)
    assert alex.text == "Your place at Chair yoga is cancelled. Thank you for letting us know."
    assert signups(engine) == [("Alex", "cancelled"), ("Priya", "confirmed"), ("Quinn", "waitlisted")]
    alex_row, priya_row, _quinn_row = rows(engine, SessionSignup)
    assert (alex_row.cancelled_at, priya_row.confirmed_at) == (START + HOUR, START + HOUR)
    assert session_row(engine).taken == 1

    deliver(engine, platform, clock)
    [moved_up] = received(platform, "priya")
    assert shown(moved_up) == (
        "Good news: a place came up at Chair yoga, Thursday 3 December 2026 at 09:00 (America/Toronto). "
        "It is yours now. Your calendar file is below. If you can't come after all, press Cancel my place.\n"
        "Where: Room 2\n"
        "[Add a note]\n"
        "[Cancel my place]"
    )
    assert ics_of(moved_up).events[0].start == THURSDAY_2PM
    assert received(platform, "alex") == [] and received(platform, "quinn") == []
    quinn.says("sessions 1")
    assert quinn.text.startswith("Wellbeing session: Chair yoga. You are number 1 on the waitlist.")


def test_giving_a_place_back_with_nobody_waiting_frees_it(engine, cora, alex, quinn):
    scheduled_one(cora, capacity="2")
    sign_up(alex)
    sign_up(quinn)
    give_up(alex)
    assert session_row(engine).taken == 1
    give_up(alex)
    assert alex.text == "You don't have a place at Chair yoga, so there is nothing to cancel."
    assert session_row(engine).taken == 1


def test_leaving_the_waitlist_keeps_the_places_as_they_are(engine, cora, alex, priya, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    priya.says("sessions leave 1")
    assert priya.text == "You have left the waitlist for Chair yoga."
    assert signups(engine) == [("Alex", "confirmed"), ("Priya", "cancelled"), ("Quinn", "waitlisted")]
    assert session_row(engine).taken == 1
    quinn.says("sessions 1")
    assert "You are number 1 on the waitlist." in quinn.text


def test_coming_back_after_giving_a_place_up_joins_at_the_end(engine, cora, alex, priya, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(priya)
    alex.says("sessions cancel 1")  # a coordinator's word: a partner is shown theirs
    assert alex.text == "Only coordinators can use sessions cancel. Did you mean: sessions leave 1?"
    alex.says("sessions leave 1")
    sign_up(quinn)
    sign_up(alex)
    assert "you are number 2 on the waitlist" in alex.text
    assert signups(engine) == [("Priya", "confirmed"), ("Quinn", "waitlisted"), ("Alex", "waitlisted")]


def test_a_weekly_series_is_signed_up_for_in_one_press_and_given_up_the_same_way(
    engine, bot, clock, platform, cora, alex, quinn
):
    scheduled_one(cora, capacity="1", weeks="3")  # Thursdays 3, 10 and 17 December
    sign_up(quinn, 2)  # the second week is full before Alex comes
    alex.says("sessions 1")
    assert "[Sign up for every week]" in alex.text

    alex.press("Sign up for every week")

    assert alex.text == (
        "You have a place at Chair yoga for 2 weeks, from Thursday 3 December 2026 at 14:00 (Europe/London) "
        "to Thursday 17 December 2026 at 14:00 (Europe/London). Your calendar file comes with this message. "
        "These weeks are full, so you are on their waitlist: Thu 10 Dec, 14:00.\n[Cancel every week]"
    )
    [calendar] = [f for m in alex.last.messages for f in m.files]
    events = icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")
    assert [e.decoded("dtstart").day for e in events] == [3, 17]
    assert [signups(engine, n) for n in (1, 2, 3)] == [
        [("Alex", "confirmed")],
        [("Quinn", "confirmed"), ("Alex", "waitlisted")],
        [("Alex", "confirmed")],
    ]
    press(alex, "session.signup_all:1")  # again: nothing doubles
    assert alex.text == "You already have every week you can sign up for. Nothing changed."

    clock.set(THURSDAY_2PM + HOUR)  # the first week has started: it stays as it was
    press(alex, "session.cancel_all:1")
    assert alex.text == "Your places at Chair yoga are cancelled, 2 weeks in all. Thank you for letting us know."
    assert [signups(engine, n) for n in (1, 2, 3)] == [
        [("Alex", "confirmed")],
        [("Quinn", "confirmed"), ("Alex", "cancelled")],
        [("Alex", "cancelled")],
    ]


def test_giving_a_place_back_after_the_start_is_refused_kindly(engine, clock, cora, alex, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(quinn)
    clock.set(THURSDAY_2PM)
    give_up(alex)
    assert alex.text == (
        "Chair yoga has already started, so places can't be cancelled now. If you couldn't be there, that's okay."
    )
    assert signups(engine) == [("Alex", "confirmed"), ("Quinn", "waitlisted")]


# ---- reminders ---------------------------------------------------------------------------------


def test_reminders_go_24_hours_and_1_hour_before_each_once(engine, bot, clock, platform, cora, alex, priya):
    scheduled_one(cora)
    sign_up(alex)
    sign_up(priya)
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR - MINUTE)
    assert reminders_to(platform, "alex") == []
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR, times=3)
    tick_at(bot, clock, platform, THURSDAY_2PM - 23 * HOUR, times=2)
    assert reminders_to(platform, "alex") == [
        "A reminder: Chair yoga starts Thursday 3 December 2026 at 14:00 (Europe/London). If you can't come after all, that's okay. Press Cancel my place."
    ]
    [first] = [m for m in received(platform, "priya") if m.plain().startswith("A reminder")]
    assert "at 09:00 (America/Toronto)" in first.plain()
    assert [b.label for b in first.buttons] == ["Cancel my place", "Calendar file"]
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR, times=3)
    assert len(reminders_to(platform, "alex")) == 2
    tick_at(bot, clock, platform, THURSDAY_2PM, times=2)
    tick_at(bot, clock, platform, THURSDAY_2PM + HOUR)
    assert len(reminders_to(platform, "alex")) == 2 == len(reminders_to(platform, "priya"))
    keys = [r.dedupe_key for r in outbox(engine, "session.remind:")]
    alex_id, priya_id = member_named(engine, "alex").id, member_named(engine, "priya").id
    assert sorted(keys) == sorted(
        f"session.remind:1:0:{member}:{minutes}" for member in (alex_id, priya_id) for minutes in (1440, 60)
    )


def test_no_reminder_to_someone_who_gave_their_place_back_or_is_still_waiting(
    engine, bot, clock, platform, cora, alex, priya, quinn
):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR)
    assert [len(reminders_to(platform, p)) for p in ("alex", "priya", "quinn")] == [1, 0, 0]
    give_up(alex)  # Priya moves up; her place came after the 24-hour reminder
    tick_at(bot, clock, platform, THURSDAY_2PM - 2 * HOUR)
    assert [len(reminders_to(platform, p)) for p in ("alex", "priya", "quinn")] == [1, 0, 0]
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)
    assert [len(reminders_to(platform, p)) for p in ("alex", "priya", "quinn")] == [1, 1, 0]


def test_no_reminder_before_an_ok_to_the_notice(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora)
    nia = Person(bot, Who(AccountRef("console", "local", "nia"), "Nia"), agrees=False)
    sign_up(alex)
    sign_up(nia)  # her first press: she saw the notice, and has her place, but has not said OK
    assert [s for s in signups(engine)] == [("Alex", "confirmed"), ("Nia", "confirmed")]

    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR)
    assert [len(reminders_to(platform, p)) for p in ("alex", "nia")] == [1, 0]


def test_reminders_are_kept_across_a_restart(engine, bot, settings, clock, platform, cora, alex):
    scheduled_one(cora)
    sign_up(alex)
    # The process stops; a new one starts with nothing in memory, only the database.
    restarted = Bot(engine, settings, clock, EVERY_FEATURE)
    tick_at(restarted, clock, platform, THURSDAY_2PM - 24 * HOUR)
    assert len(reminders_to(platform, "alex")) == 1
    # Queued but not sent when the process stops: the next one sends it once, not twice.
    clock.set(THURSDAY_2PM - HOUR)
    restarted.tick()
    again = Bot(engine, settings, clock, EVERY_FEATURE)
    tick_at(again, clock, platform, THURSDAY_2PM - HOUR + MINUTE, times=2)
    assert len(reminders_to(platform, "alex")) == 2
    assert len(outbox(engine, "session.remind:")) == 2


def test_a_platform_refusing_a_reminder_delays_it_and_never_doubles_it(
    engine, bot, clock, platform, cora, alex
):
    scheduled_one(cora)
    sign_up(alex)
    deliver(engine, platform, clock)
    platform.failures.append(SendFailed("rate limited", retry_after=30))
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR)
    assert reminders_to(platform, "alex") == []
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR + MINUTE, times=2)
    assert len(reminders_to(platform, "alex")) == 1


def test_a_reminder_whose_time_passed_while_the_bot_was_stopped_is_not_sent_as_well(
    engine, bot, clock, platform, cora, alex
):
    scheduled_one(cora)
    sign_up(alex)
    # Stopped from Thursday until 30 minutes before the start: only the 1-hour reminder goes.
    tick_at(bot, clock, platform, THURSDAY_2PM - 30 * MINUTE, times=2)
    assert len(reminders_to(platform, "alex")) == 1
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in outbox(engine, "session.remind:")] == ["60"]


def test_no_reminder_whose_time_came_before_the_place_did(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora)
    clock.set(THURSDAY_2PM - 3 * HOUR)
    sign_up(alex)  # the 24-hour reminder's time has passed: the confirmation says it all
    tick_at(bot, clock, platform, THURSDAY_2PM - 3 * HOUR + MINUTE)
    assert reminders_to(platform, "alex") == []
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)
    assert len(reminders_to(platform, "alex")) == 1


def test_reminders_at_the_times_the_coordinator_chose(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora, reminders="2d, 30m")
    sign_up(alex)
    tick_at(bot, clock, platform, THURSDAY_2PM - 48 * HOUR - MINUTE)
    assert reminders_to(platform, "alex") == []
    tick_at(bot, clock, platform, THURSDAY_2PM - 48 * HOUR)
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)
    assert len(reminders_to(platform, "alex")) == 1
    tick_at(bot, clock, platform, THURSDAY_2PM - 30 * MINUTE, times=2)
    assert len(reminders_to(platform, "alex")) == 2
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in outbox(engine, "session.remind:")] == ["2880", "30"]
    clock.set(START)
    none = scheduled_one(cora, title="Quiet hour", start="10 Dec 2pm", reminders="none")
    sign_up(alex, none.id)
    tick_at(bot, clock, platform, datetime(2026, 12, 10, 13, 30, tzinfo=UTC))
    assert not any("Quiet hour" in r for r in reminders_to(platform, "alex"))


def test_a_reminder_in_quiet_hours_waits_until_they_end(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora, start="3 Dec 8:30am")
    alex.says("profile quiet 22:00-08:00")
    sign_up(alex)
    eight_thirty = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    tick_at(bot, clock, platform, eight_thirty - 24 * HOUR)
    assert len(reminders_to(platform, "alex")) == 1
    tick_at(bot, clock, platform, eight_thirty - HOUR)  # 07:30, in quiet hours
    tick_at(bot, clock, platform, eight_thirty - 45 * MINUTE)
    assert len(reminders_to(platform, "alex")) == 1
    tick_at(bot, clock, platform, eight_thirty - 30 * MINUTE)  # 08:00, the quiet hours have ended
    assert len(reminders_to(platform, "alex")) == 2


def too_late(engine, key_start: str = "session.remind:") -> list[tuple[datetime | None, str | None]]:
    """When each reminder was let go as too late, and why (None if it was not)."""
    return [(r.expired_at, r.last_error) for r in outbox(engine, key_start) if r.sent_at is None]


def test_a_reminder_held_up_by_an_outage_past_the_start_is_let_go_not_sent_late(
    engine, bot, clock, platform, cora, alex
):
    scheduled_one(cora)
    sign_up(alex)
    deliver(engine, platform, clock)
    platform.failures += [SendFailed("503 Service Unavailable")] * 20  # the platform is down
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)
    tick_at(bot, clock, platform, THURSDAY_2PM - MINUTE)
    platform.failures.clear()  # back, one minute after the start
    tick_at(bot, clock, platform, THURSDAY_2PM + MINUTE)
    assert reminders_to(platform, "alex") == []
    [(expired_at, why)] = too_late(engine)
    assert expired_at == THURSDAY_2PM + MINUTE
    assert why == "Too late: of use only until 2026-12-03 14:00 UTC. Before that: 503 Service Unavailable"


def test_a_reminder_queued_while_the_sender_was_not_running_is_let_go_after_the_start(
    engine, bot, clock, platform, cora, alex
):
    scheduled_one(cora)
    sign_up(alex)
    clock.set(THURSDAY_2PM - HOUR)
    bot.tick()  # queued, but nothing sends until after the start
    tick_at(bot, clock, platform, THURSDAY_2PM + 5 * MINUTE)
    assert reminders_to(platform, "alex") == []
    assert too_late(engine) == [(THURSDAY_2PM + 5 * MINUTE, "Too late: of use only until 2026-12-03 14:00 UTC")]


def test_a_reminder_not_sent_yet_is_let_go_when_the_session_is_cancelled(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora)
    sign_up(alex)
    deliver(engine, platform, clock)
    clock.set(THURSDAY_2PM - 24 * HOUR)
    bot.tick()  # queued, not sent yet
    cora.says("sessions cancel 1")
    cora.press("Yes, cancel it")
    assert cora.text.startswith("Cancelled Chair yoga")
    deliver(engine, platform, clock)
    assert reminders_to(platform, "alex") == []
    assert [m.plain() for m in received(platform, "alex")][-1].startswith("Sorry, Chair yoga")
    assert too_late(engine) == [(clock.now(), f"Too late: of use only until {clock.now():%Y-%m-%d %H:%M} UTC")]


def test_a_reminder_for_the_old_time_is_let_go_when_the_session_moves(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora)
    sign_up(alex)
    deliver(engine, platform, clock)
    clock.set(THURSDAY_2PM - 24 * HOUR)
    bot.tick()  # queued for the old time, not sent yet
    cora.says("sessions move 1")
    cora.submit({"start": "10 Dec 3pm", "duration": "60"})
    deliver(engine, platform, clock)
    assert reminders_to(platform, "alex") == []
    assert received(platform, "alex")[-1].plain().startswith("Chair yoga has moved.")
    assert [expired for expired, _why in too_late(engine)] == [clock.now()]
    tick_at(bot, clock, platform, datetime(2026, 12, 9, 15, 0, tzinfo=UTC))
    assert reminders_to(platform, "alex") == [  # planned afresh for the new time
        "A reminder: Chair yoga starts Thursday 10 December 2026 at 15:00 (Europe/London). If you can't come after all, that's okay. Press Cancel my place."
    ]


def test_reminders_to_more_than_one_batch_go_out_once_and_a_crash_between_batches_loses_nothing(
    engine, bot, clock, platform, cora, monkeypatch
):
    from bot import batches
    from bot.sessions import delivery

    monkeypatch.setattr(batches, "BATCH", 2)
    monkeypatch.setattr(batches, "PAUSE", 0)
    names = ["Ana", "Ben", "Cal", "Dee", "Eve"]
    scheduled_one(cora, capacity="5")
    for name in names:
        sign_up(someone(bot, name))
    words, made = delivery.reminder, []

    def breaks_in_the_second_batch(target, member):  # noqa: ANN001, ANN202
        made.append(member.display_name)
        if len(made) == 3:
            raise RuntimeError("the process dies here")
        return words(target, member)

    monkeypatch.setattr(delivery, "reminder", breaks_in_the_second_batch)
    clock.set(THURSDAY_2PM - 24 * HOUR)
    bot.tick()
    # The first batch was committed before the second began; the second's was not.
    assert len(outbox(engine, "session.remind:")) == 2
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR + MINUTE, times=2)
    assert [len(reminders_to(platform, n.lower())) for n in names] == [1] * 5
    assert len(outbox(engine, "session.remind:")) == 5


# ---- moving --------------------------------------------------------------------------------------


def test_moving_a_session_tells_everyone_signed_up_with_a_new_calendar_file(
    engine, bot, clock, platform, cora, alex, priya, quinn
):
    someone(bot, "Pat")
    scheduled_one(cora, capacity="2", facilitator="Pat", closes="2 Dec 5pm")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    deliver(engine, platform, clock)
    platform.sent.clear()

    cora.says("sessions move 1")
    form = cora.last.form
    assert form is not None and form.title == "Move a session"
    assert [(f.name, f.initial) for f in form.fields] == [
        ("timezone", "Europe/London"),
        ("start", "03 Dec 2026 14:00"),
        ("duration", "60"),
    ]
    cora.submit({"start": "10 Dec 3pm", "duration": "90"})
    assert cora.text == (
        "Moved Chair yoga to Thursday 10 December 2026 at 15:00 (Europe/London). I have told the 3 people signed up."
    )
    made = session_row(engine)
    ten_dec = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    assert (made.starts_at, made.duration_minutes, made.sequence) == (ten_dec, 90, 1)
    # Sign-up still closes as long before the start as it did.
    assert made.signup_closes_at == ten_dec - timedelta(hours=21)

    deliver(engine, platform, clock)
    [to_alex] = received(platform, "alex")
    assert shown(to_alex) == (
        "Chair yoga has moved. It is now Thursday 10 December 2026 at 15:00 (Europe/London). "
        "Your new calendar file is below. If the new time doesn't suit you, press Cancel my place.\n"
        "When: Thursday 10 December 2026 at 15:00 (Europe/London), for 90 minutes\n"
        "Where: Room 2\n"
        "[Cancel my place]"
    )
    [event] = ics_of(to_alex).events
    assert (event.start, event.end, event["sequence"]) == (ten_dec, ten_dec + timedelta(minutes=90), 1)
    [to_priya] = received(platform, "priya")
    assert "It is now Thursday 10 December 2026 at 10:00 (America/Toronto)." in to_priya.plain()
    [to_quinn] = received(platform, "quinn")
    assert to_quinn.plain() == (
        "Chair yoga has moved. It is now Thursday 10 December 2026 at 15:00 (Europe/London). "
        "You are still number 1 on the waitlist."
    )
    assert to_quinn.files == ()
    [to_pat] = received(platform, "pat")
    assert to_pat.plain().startswith("Chair yoga has moved.") and len(to_pat.files) == 1
    [edit] = channel_posts(platform)
    assert edit.edit_message_id is not None
    assert "Thursday 10 December 2026 at 15:00 (Europe/London), for 90 minutes" in shown(edit.message)


def test_a_moved_session_has_its_reminders_planned_again(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora)
    sign_up(alex)
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR)
    assert len(reminders_to(platform, "alex")) == 1
    # Moved to tomorrow at the same time: the new 24-hour mark is now, so the move itself says it.
    cora.says("sessions move 1")
    cora.submit({"start": "4 Dec 2pm"})
    friday = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR + MINUTE)
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)  # the old time's hour-before: nothing
    assert len(reminders_to(platform, "alex")) == 1
    tick_at(bot, clock, platform, friday - HOUR, times=2)
    assert len(reminders_to(platform, "alex")) == 2
    assert "Friday 4 December 2026 at 14:00" in reminders_to(platform, "alex")[-1]
    alex_id = member_named(engine, "alex").id
    assert [r.dedupe_key for r in outbox(engine, "session.remind:")] == [
        f"session.remind:1:0:{alex_id}:1440",
        f"session.remind:1:1:{alex_id}:60",
    ]


def test_moving_is_refused_after_the_start_and_for_a_cancelled_session(engine, clock, cora):
    scheduled_one(cora)
    scheduled_one(cora, title="Mindful walk")
    cora.says("sessions cancel 2")
    cora.press("Yes, cancel it")
    cora.says("sessions move 2")
    assert cora.text == "Mindful walk is cancelled already. Nothing changed."
    clock.set(THURSDAY_2PM)
    cora.says("sessions move 1")
    assert cora.text == "Chair yoga has already started, so it can't be changed now."


# ---- cancelling a session ----------------------------------------------------------------------


def test_cancelling_a_session_tells_everyone_and_drops_its_reminders(
    engine, bot, clock, platform, cora, alex, priya, quinn
):
    scheduled_one(cora, capacity="2")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    deliver(engine, platform, clock)
    platform.sent.clear()

    cora.says("sessions cancel 1")
    assert cora.text == (
        "Cancel Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London)? Everyone signed up will be told.\n"
        "[Yes, cancel it]\n"
        "[Keep it]"
    )
    cora.press("Keep it")
    assert cora.text == "Nothing changed. Chair yoga goes ahead."
    assert session_row(engine).status == "scheduled"
    cora.says("sessions cancel 1")
    cora.press("Yes, cancel it")
    assert cora.text == (
        "Cancelled Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London). I have told everyone who signed up."
    )
    assert session_row(engine).status == "cancelled"
    press(cora, "session.drop_one:1")  # pressed again, or by a second coordinator
    assert cora.text == "Chair yoga is cancelled already. Nothing changed."

    deliver(engine, platform, clock)
    [to_alex] = received(platform, "alex")
    assert to_alex.plain() == (
        "Sorry, Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London), is cancelled. "
        "You don't need to do anything. The calendar file below takes it off your calendar."
    )
    [event] = ics_of(to_alex).events
    assert (str(event["status"]), event["sequence"]) == ("CANCELLED", 1)
    [to_quinn] = received(platform, "quinn")
    assert to_quinn.files == ()
    assert "Sorry, Chair yoga" in to_quinn.plain()
    [edit] = channel_posts(platform)
    assert edit.message.plain() == "Cancelled: Chair yoga. Everyone who signed up has been told."
    assert edit.message.buttons == ()

    tick_at(bot, clock, platform, THURSDAY_2PM - 24 * HOUR)
    tick_at(bot, clock, platform, THURSDAY_2PM - HOUR)
    assert reminders_to(platform, "alex") == []
    sign_up(alex)
    assert alex.text == "Chair yoga was cancelled, so there is nothing to sign up for."
    alex.says("sessions")
    assert alex.text.startswith("There are no wellbeing sessions coming up.")


def test_cancelling_one_week_of_a_repeat_or_the_rest_of_it(engine, bot, clock, platform, cora, alex):
    scheduled_one(cora, weeks="4")
    for number in (1, 2, 3, 4):
        sign_up(alex, number)
    deliver(engine, platform, clock)
    platform.sent.clear()

    cora.says("sessions cancel 2")
    assert [b.label for b in cora.last.messages[0].buttons] == [
        "Cancel only this one",
        "Cancel this one and the 2 after it",
        "Keep it",
    ]
    cora.press("Cancel only this one")
    assert [s.status for s in rows(engine, WellbeingSession)] == [
        "scheduled",
        "cancelled",
        "scheduled",
        "scheduled",
    ]
    cora.says("sessions cancel 3")
    cora.press("Cancel this one and the 1 after it")
    assert cora.text == "Cancelled 2 sessions of Chair yoga. I have told everyone who signed up."
    assert [s.status for s in rows(engine, WellbeingSession)] == [
        "scheduled",
        "cancelled",
        "cancelled",
        "cancelled",
    ]

    deliver(engine, platform, clock)
    one, rest = received(platform, "alex")
    assert one.plain().startswith(
        "Sorry, Chair yoga, Thursday 10 December 2026 at 14:00 (Europe/London), is cancelled."
    )
    # Two weeks at once make one message, not two.
    assert shown(rest).startswith(
        "Sorry, these sessions are cancelled. You don't need to do anything. "
        "The calendar file below takes it off your calendar.\n"
        "Chair yoga: Thursday 17 December 2026 at 14:00 (Europe/London)\n"
        "Chair yoga: Thursday 24 December 2026 at 14:00 (Europe/London)"
    )
    assert len(ics_of(rest).events) == 2
    alex.says("sessions mine")
    assert alex.text.count("Chair yoga") == 2  # the list line and its button: only week 1 is left


# ---- repeats and the clocks changing -----------------------------------------------------------


def test_a_weekly_repeat_keeps_its_local_time_when_the_clocks_go_forward(
    engine, bot, clock, platform, cora, priya
):
    # Europe/London moves to summer time on Sunday 28 March 2027.
    scheduled_one(cora, start="23 Mar 2027 10:00", weeks="3", reminders="24h")
    assert cora.text.startswith(
        "Scheduled Chair yoga for Tuesday 23 March 2027 at 10:00 (Europe/London). "
        "It repeats weekly, 3 times in all, until Tuesday 6 April 2027 at 10:00 (Europe/London)."
    )
    made = rows(engine, WellbeingSession)
    assert [s.starts_at for s in made] == [
        datetime(2027, 3, 23, 10, 0, tzinfo=UTC),  # GMT
        datetime(2027, 3, 30, 9, 0, tzinfo=UTC),  # BST: 10:00 on the wall clock
        datetime(2027, 4, 6, 9, 0, tzinfo=UTC),
    ]
    assert [s.series_id for s in made] == [1, 1, 1]
    # Toronto changed its clocks on 14 March, so there the gap is four hours, then five.
    priya.says("sessions")
    assert "Tuesday 23 March 2027 at 06:00 (America/Toronto)" in priya.text
    assert "Tuesday 30 March 2027 at 05:00 (America/Toronto)" in priya.text
    sign_up(priya, 2)
    [event] = ics_of(priya.last.messages[0]).events
    assert event.start.tzinfo is not None and str(event.start.tzinfo) == "Europe/London"
    assert (event.start.hour, event.start.minute) == (10, 0)
    assert event.start == datetime(2027, 3, 30, 9, 0, tzinfo=UTC)
    tick_at(bot, clock, platform, datetime(2027, 3, 29, 9, 0, tzinfo=UTC))
    assert reminders_to(platform, "priya") == [
        "A reminder: Chair yoga starts Tuesday 30 March 2027 at 05:00 (America/Toronto). "
        "If you can't come after all, that's okay. Press Cancel my place."
    ]


def test_a_repeat_posts_each_week_when_the_one_before_starts(engine, bot, clock, platform, cora):
    scheduled_one(cora, weeks="3")
    deliver(engine, platform, clock)
    assert len(channel_posts(platform)) == 1
    tick_at(bot, clock, platform, THURSDAY_2PM - MINUTE, times=2)
    assert [p.message.plain() for p in channel_posts(platform)[1:]] == []
    tick_at(bot, clock, platform, THURSDAY_2PM, times=2)
    closed, second = channel_posts(platform)[1:]
    # The first post shows sign-up has closed; the next week is posted.
    assert (closed.edit_message_id, closed.message.plain()) == (
        "msg-1",
        "Wellbeing session: Chair yoga. Sign-up has closed.",
    )
    assert closed.message.buttons == ()
    assert second.edit_message_id is None
    assert "Thursday 10 December 2026 at 14:00" in shown(second.message)
    assert [s.announcement_id is not None for s in rows(engine, WellbeingSession)] == [True, True, False]
    tick_at(bot, clock, platform, THURSDAY_2PM + HOUR, times=2)
    assert len(channel_posts(platform)) == 3


def test_cancelling_the_next_week_of_a_repeat_posts_the_one_after_and_tells_the_facilitator(
    engine, bot, clock, platform, cora
):
    someone(bot, "Pat")
    scheduled_one(cora, weeks="2", facilitator="Pat")
    deliver(engine, platform, clock)
    platform.sent.clear()
    cora.says("sessions cancel 1")
    cora.press("Cancel only this one")
    tick_at(bot, clock, platform, START + MINUTE)
    edit, second = channel_posts(platform)
    assert edit.message.plain() == "Cancelled: Chair yoga. Everyone who signed up has been told."
    assert second.edit_message_id is None
    assert "Thursday 10 December 2026 at 14:00" in shown(second.message)
    [to_pat] = received(platform, "pat")
    assert to_pat.plain().startswith(
        "Sorry, Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London), is cancelled."
    )
    assert str(ics_of(to_pat).events[0]["status"]) == "CANCELLED"


# ---- attendance ----------------------------------------------------------------------------------


def test_attendance_is_marked_once_the_session_has_started(engine, bot, clock, cora, alex, priya, quinn):
    scheduled_one(cora, capacity="2")
    sign_up(alex)
    sign_up(priya)
    sign_up(quinn)
    cora.says("sessions attendance 1")
    assert cora.text == "You can mark attendance once Chair yoga has started."
    clock.set(THURSDAY_2PM + HOUR)
    cora.says("sessions 1")
    assert cora.text.endswith("[Calendar file]\n[People]\n[Mark attendance]")
    cora.press("Mark attendance")
    form = cora.last.form
    assert form is not None and form.title == "Who came"
    assert [(f.label, f.initial, [o.label for o in f.choices]) for f in form.fields] == [
        ("Alex", "yes", ["came", "did not come"]),
        ("Priya", "yes", ["came", "did not come"]),
    ]
    [alex_field, priya_field] = form.fields
    cora.submit({priya_field.name: "no"})
    assert cora.text == "Attendance saved for Chair yoga: 1 came, 1 did not."
    assert [r.attended for r in rows(engine, SessionSignup)] == [True, False, None]
    cora.says("sessions people 1")
    assert "Alex: has a place; came\nPriya: has a place; did not come\nQuinn: waitlist, number 1" in cora.text
    cora.says("sessions attendance 1")
    assert [f.initial for f in cora.last.form.fields] == ["yes", "no"]
    assert alex_field.name != priya_field.name


# ---- the calendar file ---------------------------------------------------------------------------


def test_the_calendar_file_has_the_start_end_zone_title_and_place(engine, cora, alex):
    scheduled_one(
        cora,
        title="Breathing space",
        description="A calm half hour.",
        facilitator="Jo",
        timezone="America/Toronto",
        start="3 Dec 2pm",
        duration="30",
        place="Room 2, Main Street",
    )
    sign_up(alex)
    [file] = alex.last.messages[0].files
    assert file.name == "breathing-space.ics"
    calendar = icalendar.Calendar.from_ical(file.content)
    [event] = calendar.events
    assert event.start == datetime(2026, 12, 3, 14, 0, tzinfo=event.start.tzinfo)
    assert str(event.start.tzinfo) == "America/Toronto"
    assert event.start == datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    assert event.end == event.start + timedelta(minutes=30)
    assert str(event["summary"]) == "Breathing space"
    assert str(event["location"]) == "Room 2, Main Street"
    assert str(event["description"]) == "A calm half hour.\n\nFacilitator: Jo"
    assert str(event["uid"]) == "wellbeing-session-1@partnerbot"
    assert (event["sequence"], str(event["status"])) == (0, "CONFIRMED")
    # The zone is described in the file itself, so any calendar app reads the time rightly.
    assert [str(tz["tzid"]) for tz in calendar.timezones] == ["America/Toronto"]
    assert "DTSTART;TZID=America/Toronto:20261203T140000" in file.content


# ---- the home page -------------------------------------------------------------------------------


def test_the_home_page_shows_ones_sessions_coming_up(engine, bot, cora, alex, quinn):
    scheduled_one(cora, capacity="1")
    sign_up(alex)
    sign_up(quinn)
    quinn.last = bot.handle(HomeOpened(quinn.who))
    assert (
        "Wellbeing session: Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London). "
        "You are number 1 on the waitlist." in quinn.text
    )
    alex.last = bot.handle(HomeOpened(alex.who))
    assert "Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London). You have a place." in alex.text


# ---- capacity under concurrency ----------------------------------------------------------------

CROWD = 8
CAPACITY = 5
ALREADY = 2  # places taken before the crowd arrives: the crowd is after the last three


def _sign_up_in_its_own_process(url: str, name: str, barrier: Any, results: Any) -> None:
    """One process, with its own engine and connection, pressing Sign up with the others."""
    engine = make_engine(url)
    settings = Settings(_env_file=None, default_timezone="Europe/London", announcements_channel=ANNOUNCEMENTS)
    bot = Bot(engine, settings, FakeClock(START), EVERY_FEATURE)
    with engine.connect():
        pass  # connected before the start, so all press at once
    who = Who(AccountRef("console", "local", name.lower()), name)
    barrier.wait(timeout=60)
    try:
        reply = bot.handle(ButtonPress(who, "session.signup:1"))
        results.put((name, reply.plain()))
    finally:
        engine.dispose()


def test_simultaneous_sign_ups_from_separate_processes_never_exceed_capacity(
    engine, database_url, bot, clock, platform, cora
):
    scheduled_one(cora, capacity=str(CAPACITY))
    for early in ("Early1", "Early2"):
        sign_up(someone(bot, early))
    crowd = [f"Crowd{n}" for n in range(CROWD)]
    for name in crowd:
        someone(bot, name)

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CROWD)
    results = context.Queue()
    processes = [
        context.Process(target=_sign_up_in_its_own_process, args=(database_url, name, barrier, results))
        for name in crowd
    ]
    for process in processes:
        process.start()
    replies = dict(results.get(timeout=120) for _ in crowd)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert not any("Sorry, something went wrong" in r for r in replies.values()), replies
    confirmed = [n for n, r in replies.items() if r.startswith("You have a place at Chair yoga")]
    waiting = {n: r for n, r in replies.items() if n not in confirmed}
    assert len(confirmed) == CAPACITY - ALREADY
    told = {
        n: int(re.search(r"you are number (\d+) on the waitlist", r).group(1)) for n, r in waiting.items()
    }
    assert sorted(told.values()) == list(range(1, CROWD - (CAPACITY - ALREADY) + 1))

    made = session_row(engine)
    statuses = signups(engine)
    assert made.taken == CAPACITY == sum(1 for _n, status in statuses if status == "confirmed")
    # The waitlist in the database is in the order each person was told.
    in_order = [n for n, status in statuses if status == "waitlisted"]
    assert in_order == sorted(told, key=told.get)

    deliver(engine, platform, clock)
    last = channel_posts(platform)[-1].message
    assert places_line(last) == f"{CAPACITY} of {CAPACITY} places taken, {len(waiting)} on the waitlist"
