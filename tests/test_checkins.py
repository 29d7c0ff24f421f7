"""Check-ins through the core's entry point: a coordinator creating, changing and sending them,
partners answering in one tap, the route to a human, and the summary when a run closes.

Every test drives `Bot.handle` (and `Bot.tick` for scheduled work) with a FakeClock, reads what
people see (replies, and what the outbox delivers) and what the database holds, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, FormSubmit, Message, Reply, Who, plain
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.settings import Settings
from storage.models import (
    Alert,
    AnonymousAnswer,
    CheckIn,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    FormDraft,
    Outbox,
)
from tests.conftest import START, Person, RecordingSender, deliver, member_named

QUESTIONS = (
    "How is your energy? | very low, low, okay, good, very good; "
    "Did you sleep well? | yes/no; "
    "Anything else? | text"
)
ENERGY = "1. How is your energy?"
SLEEP = "2. Did you sleep well?"
ELSE = "3. Anything else?"
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Europe/London is on UTC in winter
NOT_ALLOWED = "Only coordinators can manage check-ins. Type checkin history to see your own answers."
CLOSED = "This check-in has closed. Thank you all the same. The next one will come as usual."
EMERGENCY = "If you are in danger, or might harm yourself, call your local emergency number now."
SUPPORT = "Call the partner team on 0800 123 456, or text SHOUT to 85258."


# ---- people, forms and messages ----------------------------------------------------------------


def someone(bot: Bot, name: str, role: Role | None = None) -> Person:
    """A member who has already had the first-contact message, so replies hold only the answer.

    With a role, they hold only that role (as the console makes them), so a coordinator or a
    staff member is not also a partner who gets prompts.
    """
    member = Person(bot, Who(AccountRef("console", "local", name.lower()), name))
    if role is not None:
        bot.prepare_local_member(member.who, role)
    member.says("profile")
    return member


def create(
    coordinator: Person,
    *,
    name: str = "Weekly wellbeing",
    questions: str = QUESTIONS,
    schedule: str = "weekly mon 10:00",
    audience: str = "",
    window: str = "48",
    visibility: str = "named",
    alert_level: str = "",
) -> Reply:
    """`checkin new` and both pages of its form. Stops at the first page that is refused."""
    coordinator.says("checkin new")
    form = coordinator.last.form
    assert form is not None and form.page == 1 and form.pages == 2, coordinator.text
    coordinator.submit(
        {"name": name, "questions": questions, "schedule": schedule, "audience": audience, "window": window}
    )
    if coordinator.last.form is None or coordinator.last.form.page != 2:
        return coordinator.last
    return coordinator.submit({"visibility": visibility, "alert_level": alert_level})


def shown(message: Message) -> str:
    """Everything a message shows, fields and buttons included, as one string."""
    lines = [message.plain()]
    lines += [f"{f.label}: {plain(f.value)}" for f in message.fields]
    lines += [f"[{b.label}]" for b in message.buttons]
    return "\n".join(lines)


def received(platform: RecordingSender, user_id: str) -> list[Message]:
    return [d.message for d in platform.sent if d.target_id == user_id]


def prompts_to(platform: RecordingSender, user_id: str) -> list[Message]:
    return [m for m in received(platform, user_id) if m.plain().startswith("Check-in: ")]


def tap(member: Person, message: Message, label: str, group: str = "") -> Reply:
    """Press a button on a message that reached `member` through the outbox."""
    for button in message.buttons:
        if button.label == label and (not group or button.group == group):
            member.last = member.bot.handle(ButtonPress(member.who, button.action_id, button.value))
            return member.last
    raise AssertionError(f"no button {label!r} {group!r} in: {shown(message)}")


def answer_all(member: Person, prompt: Message, energy: str, sleep: str, words: str = "") -> None:
    tap(member, prompt, energy, ENERGY)
    tap(member, prompt, sleep, SLEEP)
    if words:
        tap(member, prompt, "Write an answer", ELSE)
        member.submit({"answer": words})


def rows(engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))).all())


def answers_of(engine, user_id: str) -> dict[int, str]:
    """Question position -> value, over every prompt this member has."""
    member = member_named(engine, user_id)
    with Session(engine) as session:
        found = session.exec(
            select(CheckInAnswer)
            .join(CheckInPrompt, col(CheckInPrompt.id) == col(CheckInAnswer.prompt_id))
            .where(CheckInPrompt.member_id == member.id)
        ).all()
    return {a.position: a.value for a in found}


def prompt_row(engine, user_id: str) -> CheckInPrompt:
    """This member's latest prompt."""
    member = member_named(engine, user_id)
    with Session(engine) as session:
        return session.exec(
            select(CheckInPrompt)
            .where(CheckInPrompt.member_id == member.id)
            .order_by(col(CheckInPrompt.id).desc())
        ).first()


def alert_rows(engine) -> list[Outbox]:
    """The alerts as they first went to coordinators (not sent again, nor edited)."""
    return [r for r in rows(engine, Outbox) if re.match(r"alert\.\d+:", r.dedupe_key or "")]


@pytest.fixture
def cora(bot) -> Person:
    return someone(bot, "Cora", Role.COORDINATOR)


@pytest.fixture
def pat(bot) -> Person:
    return someone(bot, "Pat")


@pytest.fixture
def quinn(bot) -> Person:
    return someone(bot, "Quinn")


def sent_now(cora: Person, engine, platform, clock, **details: str) -> None:
    """A check-in created with the schedule "now": prompts go out at once."""
    create(cora, schedule="now", **details)
    assert cora.last.plain().startswith("Sent Weekly wellbeing now."), cora.text
    deliver(engine, platform, clock)


# ---- creating ----------------------------------------------------------------------------------


def test_a_coordinator_creates_a_checkin_with_the_two_page_form(engine, cora, pat):
    cora.says("checkin new")
    first = cora.last.form
    assert first is not None
    assert (first.form_id, first.title, first.page, first.pages) == ("checkin.edit", "Check-in", 1, 2)
    assert [f.name for f in first.fields] == ["name", "questions", "schedule", "audience", "window"]
    assert [f.initial for f in first.fields] == ["", "", "", "", "48"]

    cora.submit(
        {
            "name": "Weekly wellbeing",
            "questions": QUESTIONS,
            "schedule": "weekly mon 10:00",
            "audience": "",
            "window": "48",
        }
    )
    second = cora.last.form
    assert second is not None and second.page == 2
    assert [(f.name, f.initial) for f in second.fields] == [("visibility", "named"), ("alert_level", "")]
    assert rows(engine, CheckIn) == []  # nothing is saved before the last page

    cora.submit({"visibility": "named", "alert_level": "1"})

    assert cora.text == (
        "Created check-in 1: Weekly wellbeing.\n"
        "Details: weekly mon 10:00 (each partner's own time); all partners; window 48 h; "
        "answers by name; alert at 1 or below; next Monday 30 November 2026 at 10:00 (Europe/London)"
    )
    [made] = rows(engine, CheckIn)
    assert made.name == "Weekly wellbeing"
    assert made.questions == [
        {
            "kind": "scale",
            "text": "How is your energy?",
            "labels": ["very low", "low", "okay", "good", "very good"],
        },
        {"kind": "yesno", "text": "Did you sleep well?"},
        {"kind": "text", "text": "Anything else?"},
    ]
    assert (made.schedule, made.weekdays, made.local_time, made.fixed_zone) == ("weekly", "0", 600, "")
    assert (made.window_minutes, made.visibility, made.alert_level, made.audience_tags) == (2880, "named", 1, [])
    assert made.created_by == member_named(engine, "cora").id
    assert made.active_since == START
    assert not made.paused and made.deleted_at is None
    assert rows(engine, CheckInRun) == []  # Monday has not come yet
    assert rows(engine, FormDraft) == []


def test_a_checkin_with_tags_a_fixed_zone_and_totals_only_is_described_that_way(engine, cora):
    create(
        cora,
        name="Pain group",
        questions="How is the pain today? | awful, poor, okay, good, great",
        schedule="every 3 days 9am Europe/Paris",
        audience="Pain, Mental health",
        window="12",
        visibility="totals",
    )

    assert cora.text == (
        "Created check-in 1: Pain group.\n"
        "Details: every 3 days 09:00 Europe/Paris; mental health, pain; window 12 h; totals only; "
        "next Sunday 29 November 2026 at 08:00 (Europe/London)"
    )
    [made] = rows(engine, CheckIn)
    assert (made.schedule, made.every_days, made.local_time, made.fixed_zone) == (
        "every",
        3,
        540,
        "Europe/Paris",
    )
    assert (made.audience_tags, made.window_minutes, made.visibility, made.alert_level) == (
        ["mental health", "pain"],
        720,
        "totals",
        None,
    )


PAGE_ONE_MISTAKES = [
    pytest.param({"questions": ""}, "questions", "Please fill in Questions.", id="empty questions"),
    pytest.param(
        {"questions": " ; ;\n "}, "questions", "Please write at least one question.", id="no questions"
    ),
    pytest.param(
        {"questions": "; ".join(f"Question {n}? | yes/no" for n in range(1, 7))},
        "questions",
        "A check-in can have up to 5 questions. This one has 6.",
        id="six questions",
    ),
    pytest.param(
        {"questions": "Did you rest? | yes/no; How is your mood? | scale"},
        "questions",
        "Question 2 needs a word for each point from 1 to 5, like: awful, poor, okay, good, great.",
        id="scale without labels",
    ),
    pytest.param(
        {"questions": "How is your mood? | low, okay, good, great"},
        "questions",
        "Question 1 needs a word for each point from 1 to 5, like: awful, poor, okay, good, great.",
        id="scale with four labels",
    ),
    pytest.param(
        {"questions": "How is your mood? | awful, poor, okay, good, great, wonderful"},
        "questions",
        "Question 1 needs a word for each point from 1 to 5, like: awful, poor, okay, good, great.",
        id="scale with six labels",
    ),
    pytest.param(
        {"questions": "How are you?"},
        "questions",
        "Question 1 needs its kind of answer after a |. For example: How are you? | yes/no",
        id="no kind",
    ),
    pytest.param(
        {"questions": "How are you? |"},
        "questions",
        "Question 1 needs its kind of answer after a |. For example: How are you? | yes/no",
        id="empty kind",
    ),
    pytest.param(
        {"schedule": "weekly mon 10:00 Mars/Base"},
        "schedule",
        "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto.",
        id="unknown zone",
    ),
    pytest.param(
        {"schedule": "weekly funday 10:00"},
        "schedule",
        "'funday' is not a day of the week. Try mon, tue, wed, thu, fri, sat or sun.",
        id="not a weekday",
    ),
    pytest.param(
        {"schedule": "weekly mon"},
        "schedule",
        "What time should it go out? For example: weekly mon 10:00.",
        id="no time",
    ),
    pytest.param(
        {"schedule": "weekly 10:00"},
        "schedule",
        "Which days? For example: weekly mon, thu 10:00, or every 3 days 10:00.",
        id="no days",
    ),
    pytest.param(
        {"window": "0.5"}, "window", "The time to answer needs to be at least 1 hour.", id="half an hour"
    ),
    pytest.param(
        {"window": "400"}, "window", "The time to answer can be up to 14 days (336 hours).", id="too long"
    ),
    pytest.param(
        {"window": "soon"}, "window", "Hours to answer needs a number, like 3.", id="window in words"
    ),
    pytest.param(
        {"name": "Check-in for @everyone"},
        "name",
        "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        id="mass ping in the name",
    ),
    pytest.param(
        {"name": "Hello <!channel>"},
        "name",
        "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        id="slack channel ping in the name",
    ),
    pytest.param(
        {"questions": "Are you okay @here? | yes/no"},
        "questions",
        "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        id="mass ping in a question",
    ),
]


@pytest.mark.parametrize(("change", "field", "words"), PAGE_ONE_MISTAKES)
def test_a_mistake_on_the_first_page_is_named_on_its_field_and_nothing_is_saved(
    engine, cora, change, field, words
):
    values = {
        "name": "Weekly wellbeing",
        "questions": QUESTIONS,
        "schedule": "weekly mon 10:00",
        "window": "48",
    } | change

    reply = create(cora, **values)

    assert reply.field_errors == {field: words}
    assert reply.form is not None and reply.form.page == 1  # the same page, to put it right
    offered = {f.name: f.initial for f in reply.form.fields}
    assert offered[field] == change[field]  # what they typed is kept, not wiped
    assert rows(engine, CheckIn) == []
    assert rows(engine, CheckInRun) == []
    assert [d for d in rows(engine, FormDraft) if any(not k.startswith("~") for k in d.values)] == []


@pytest.mark.parametrize(
    ("level", "problem"),
    [
        ("0", "Alert level needs a number from 1 to 5."),
        ("6", "Alert level needs a number from 1 to 5."),
        ("-1", "Alert level needs a number from 1 to 5."),
        ("2.5", "Alert level needs a whole number, like 3."),
    ],
)
def test_an_alert_level_outside_the_scale_is_refused_and_nothing_is_saved(engine, cora, level, problem):
    reply = create(cora, alert_level=level)

    assert reply.field_errors == {"alert_level": problem}
    assert reply.form is not None and reply.form.page == 2
    assert rows(engine, CheckIn) == []


def test_an_alert_level_without_a_scale_question_is_refused_and_nothing_is_saved(engine, cora):
    reply = create(cora, questions="Did you sleep well? | yes/no; Anything else? | text", alert_level="2")

    assert reply.field_errors == {
        "alert_level": "An alert level needs a 1 to 5 scale question. Leave it empty, or add a scale question."
    }
    assert reply.form is not None and reply.form.page == 2
    assert rows(engine, CheckIn) == []
    assert rows(engine, CheckInRun) == []

    # The first page was kept: emptying the alert level is enough to save it.
    cora.submit({"alert_level": ""})
    assert cora.text.startswith("Created check-in 1: Weekly wellbeing.")
    assert [c.alert_level for c in rows(engine, CheckIn)] == [None]


def test_the_first_page_can_be_put_right_and_then_saved(engine, cora):
    create(cora, schedule="weekly funday 10:00")
    assert "schedule" in cora.last.field_errors

    cora.submit({"schedule": "weekly fri 10:00"})
    cora.submit({"visibility": "totals", "alert_level": ""})

    assert cora.last.plain() == "Created check-in 1: Weekly wellbeing."
    [made] = rows(engine, CheckIn)
    assert (made.weekdays, made.visibility) == ("4", "totals")


# ---- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STAFF])
@pytest.mark.parametrize(
    "line",
    [
        "checkin new",
        "checkin questions",
        "checkin list",
        "checkin send 1",
        "checkin pause 1",
        "checkin resume 1",
        "checkin edit 1",
        "checkin delete 1",
        "checkin summary 1",
    ],
)
def test_partners_and_staff_cannot_manage_checkins(engine, bot, platform, clock, cora, role, line):
    create(cora)
    other = someone(bot, "Sam", role)

    reply = other.says(line)

    assert other.text == NOT_ALLOWED
    assert reply.form is None
    [kept] = rows(engine, CheckIn)
    assert (kept.paused, kept.deleted_at, kept.name) == (False, None, "Weekly wellbeing")
    assert rows(engine, CheckInRun) == []
    deliver(engine, platform, clock)
    assert prompts_to(platform, "sam") == []


def test_a_partner_is_told_what_they_can_type(pat):
    pat.says("checkin whatever")
    assert pat.text == "Type checkin and one of: history, on. Type guide to see more."
    pat.says("checkin histroy")
    assert pat.text == "I don't know 'checkin histroy'. Did you mean checkin history?"


def test_a_partner_sees_only_their_own_answers(engine, platform, clock, cora, pat, quinn):
    sent_now(cora, engine, platform, clock)
    answer_all(pat, prompts_to(platform, "pat")[0], "4 good", "Yes", "Pat's own words")
    answer_all(quinn, prompts_to(platform, "quinn")[0], "1 very low", "No", "Quinn's private words")
    tap(quinn, prompts_to(platform, "quinn")[0], "Add a note")
    quinn.submit({"note": "Quinn's note"})

    pat.says("checkin history")

    assert pat.text == (
        "Your recent check-ins. Only you can see this.\n"
        "Weekly wellbeing, Thursday 26 November 2026 at 09:00 (Europe/London): "
        "How is your energy? 4 good; Did you sleep well? Yes; Anything else? Pat's own words"
    )
    assert "Quinn" not in pat.text
    pat.says("checkin")  # the same, for short
    assert "Pat's own words" in pat.text and "Quinn" not in pat.text

    quinn.says("checkin history")
    assert (
        "How is your energy? 1 very low; Did you sleep well? No; Anything else? Quinn's private words"
        in quinn.text
    )
    assert "Note: Quinn's note" in quinn.text
    assert "Pat" not in quinn.text


def test_history_before_any_checkin_and_after_a_skip(engine, platform, clock, cora, pat):
    pat.says("checkin history")
    assert pat.text == "You have no check-in answers yet."

    sent_now(cora, engine, platform, clock)
    tap(pat, prompts_to(platform, "pat")[0], "Skip this time")
    pat.says("checkin history")

    assert pat.text.endswith("Weekly wellbeing, Thursday 26 November 2026 at 09:00 (Europe/London): skipped")


# ---- list, pause, resume, edit, delete, send -----------------------------------------------------


def test_list_shows_each_checkin_with_its_details(engine, cora):
    cora.says("checkin list")
    assert cora.text == (
        "There are no check-ins yet. Type checkin new to create one.\n[New check-in]\n[Help me write questions]"
    )
    cora.press("Help me write questions")
    assert cora.last.plain() == "How would you like to write the questions?"
    cora.says("checkin list")
    cora.press("New check-in")
    assert cora.last.form is not None and cora.last.form.form_id == "checkin.edit"

    create(cora)
    create(cora, name="Sleep", questions="Did you sleep well? | yes/no", schedule="daily 20:00", window="2")
    cora.says("checkin list")

    assert cora.text == (
        "Check-ins. Type checkin send, pause, resume, edit, delete or summary with a number, like: checkin send 1.\n"
        "#1 Weekly wellbeing: weekly mon 10:00 (each partner's own time); all partners; window 48 h; "
        "answers by name; next Monday 30 November 2026 at 10:00 (Europe/London)\n"
        "#2 Sleep: daily 20:00 (each partner's own time); all partners; window 2 h; answers by name; "
        "next Thursday 26 November 2026 at 20:00 (Europe/London)"
    )
    cora.says("checkin")  # a coordinator's short form is the list
    assert cora.text.startswith("Check-ins.")


def test_pause_stops_prompts_and_resume_starts_again_from_now(engine, bot, platform, clock, cora, pat):
    create(cora)

    cora.says("checkin pause 1")
    assert cora.text == "Paused Weekly wellbeing. Nothing more will be sent until you type checkin resume 1."
    assert rows(engine, CheckIn)[0].paused
    cora.says("checkin pause 1")
    assert cora.text == "Check-in Weekly wellbeing is already paused."
    cora.says("checkin list")
    assert cora.text.endswith("answers by name; paused")

    clock.set(MONDAY_10)
    bot.tick()
    deliver(engine, platform, clock)
    assert prompts_to(platform, "pat") == []
    assert rows(engine, CheckInPrompt) == []

    clock.set(MONDAY_10 + timedelta(hours=1))
    cora.says("checkin resume 1")
    assert cora.text == "Weekly wellbeing is running again from now."
    [checkin] = rows(engine, CheckIn)
    assert (checkin.paused, checkin.active_since) == (False, MONDAY_10 + timedelta(hours=1))
    cora.says("checkin resume 1")
    assert cora.text == "Check-in Weekly wellbeing is already running."

    bot.tick()  # this Monday's 10:00 passed while paused: no catching up
    deliver(engine, platform, clock)
    assert prompts_to(platform, "pat") == []

    clock.set(MONDAY_10 + timedelta(days=7))
    bot.tick()
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 1
    assert [p.send_at for p in rows(engine, CheckInPrompt)] == [MONDAY_10 + timedelta(days=7)]


def test_edit_offers_the_checkin_as_it_is_and_saves_the_changes(engine, cora):
    create(cora, alert_level="2", audience="pain")

    cora.says("checkin edit 1")
    first = cora.last.form
    assert first is not None and first.form_id == "checkin.edit:1"
    assert {f.name: f.initial for f in first.fields} == {
        "name": "Weekly wellbeing",
        "questions": (
            "How is your energy? | very low, low, okay, good, very good; "
            "Did you sleep well? | yes/no; Anything else? | text"
        ),
        "schedule": "weekly mon 10:00",
        "audience": "pain",
        "window": "48",
    }
    cora.submit(
        {
            "name": "Morning check",
            "questions": "How is your mood? | awful, poor, okay, good, great",
            "window": "24",
        }
    )
    assert {f.name: f.initial for f in cora.last.form.fields} == {"visibility": "named", "alert_level": "2"}
    cora.submit({"visibility": "totals"})

    assert cora.text == (
        "Saved Morning check.\n"
        "Details: weekly mon 10:00 (each partner's own time); pain; window 24 h; totals only; alert at 2 or below; "
        "next Monday 30 November 2026 at 10:00 (Europe/London)"
    )
    [changed] = rows(engine, CheckIn)
    assert changed.id == 1
    assert changed.name == "Morning check"
    assert changed.questions == [
        {"kind": "scale", "text": "How is your mood?", "labels": ["awful", "poor", "okay", "good", "great"]}
    ]
    assert (changed.window_minutes, changed.visibility, changed.alert_level) == (1440, "totals", 2)


def test_an_edit_changes_the_questions_from_the_next_run(engine, bot, platform, clock, cora, pat):
    create(cora)
    clock.set(MONDAY_10)
    bot.tick()
    deliver(engine, platform, clock)
    [first] = prompts_to(platform, "pat")

    clock.advance(timedelta(hours=1))
    cora.says("checkin edit 1")
    cora.submit({"questions": "How is your mood? | awful, poor, okay, good, great"})
    cora.submit({})
    assert cora.last.plain() == "Saved Weekly wellbeing."

    # The open run keeps the questions it was sent with.
    tap(pat, first, "Yes", SLEEP)
    assert pat.text == "Saved: Yes."
    assert answers_of(engine, "pat") == {1: "yes"}

    clock.set(MONDAY_10 + timedelta(days=7))
    bot.tick()
    deliver(engine, platform, clock)
    second = prompts_to(platform, "pat")[-1]
    groups = [b.group for b in second.buttons if b.group]
    assert set(groups) == {"1. How is your mood?"}
    assert [b.label for b in second.buttons] == [
        "1 awful",
        "2 poor",
        "3 okay",
        "4 good",
        "5 great",
        "Add a note",
        "Skip this time",
        "Pause check-ins",
        "I'd like someone to contact me",
    ]
    runs = rows(engine, CheckInRun)
    assert [r.questions[0]["text"] for r in runs] == ["How is your energy?", "How is your mood?"]


def test_delete_closes_open_runs_and_nothing_more_is_sent(engine, bot, platform, clock, cora, pat):
    create(cora)
    clock.set(MONDAY_10)
    bot.tick()
    deliver(engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    tap(pat, prompt, "3 okay", ENERGY)

    clock.advance(timedelta(hours=1))
    cora.says("checkin delete 1")

    assert cora.text == "Deleted Weekly wellbeing. Answers already given stay in each partner's history."
    [checkin] = rows(engine, CheckIn)
    assert checkin.deleted_at == MONDAY_10 + timedelta(hours=1)
    assert [r.closed_at for r in rows(engine, CheckInRun)] == [MONDAY_10 + timedelta(hours=1)]

    tap(pat, prompt, "Yes", SLEEP)
    assert pat.text == CLOSED
    assert answers_of(engine, "pat") == {0: "3"}
    pat.says("checkin history")
    assert "How is your energy? 3 okay" in pat.text

    cora.says("checkin list")
    assert cora.last.plain() == "There are no check-ins yet. Type checkin new to create one."
    cora.says("checkin send 1")
    assert cora.text == "Which check-in? Type its number, like 1. Type checkin list to see them."

    clock.set(MONDAY_10 + timedelta(days=7))
    bot.tick()
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 1
    assert len(rows(engine, CheckInRun)) == 1


def test_send_now_reaches_every_partner_at_once(engine, platform, clock, cora, pat, quinn):
    create(cora)

    cora.says("checkin send 1")

    assert cora.text == (
        "Sent Weekly wellbeing now. Partners reached: 2. Anyone in quiet hours gets it when those end."
    )
    [run] = rows(engine, CheckInRun)
    assert run.period == "now:2026-11-26T09:00:00+00:00"
    assert [(p.member_id, p.status, p.send_at, p.closes_at) for p in rows(engine, CheckInPrompt)] == [
        (member_named(engine, "pat").id, "sent", START, START + timedelta(hours=48)),
        (member_named(engine, "quinn").id, "sent", START, START + timedelta(hours=48)),
    ]
    deliver(engine, platform, clock)
    for user in ("pat", "quinn"):
        [prompt] = prompts_to(platform, user)
        assert shown(prompt) == (
            "Check-in: Weekly wellbeing. Tap one answer for each question. "
            "You can change an answer until Saturday 28 November 2026 at 09:00 (Europe/London). Coordinators see your answers with your name.\n"
            "[1 very low]\n[2 low]\n[3 okay]\n[4 good]\n[5 very good]\n[Yes]\n[No]\n[Write an answer]\n"
            "[Add a note]\n[Skip this time]\n[Pause check-ins]\n[I'd like someone to contact me]"
        )
    assert received(platform, "cora") == []  # a coordinator who is not a partner is not asked


@pytest.mark.parametrize("number", ["1", "#1"])
def test_a_checkin_is_found_by_its_number_as_the_list_shows_it(engine, cora, pat, number):
    create(cora)

    cora.says(f"checkin send {number}")

    assert cora.text.startswith("Sent Weekly wellbeing now. Partners reached: 1.")
    assert len(rows(engine, CheckInPrompt)) == 1


@pytest.mark.parametrize(
    "line",
    [
        "checkin send",
        "checkin send 7",
        "checkin pause two",
        "checkin send ²",
        "checkin edit 99999999999999999999",
    ],
)
def test_a_missing_or_unknown_number_is_asked_for_kindly(engine, cora, line):
    create(cora)
    cora.says(line)
    assert cora.text == "Which check-in? Type its number, like 1. Type checkin list to see them."
    assert rows(engine, CheckInRun) == []


# ---- answering -----------------------------------------------------------------------------------


def test_one_tap_per_question_saves_and_a_second_tap_changes_it(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")

    tap(pat, prompt, "2 low", ENERGY)
    assert pat.text == "Saved: low."
    tap(pat, prompt, "4 good", ENERGY)
    assert pat.text == "Saved: good."
    assert answers_of(engine, "pat") == {0: "4"}
    assert len(rows(engine, CheckInAnswer)) == 1

    tap(pat, prompt, "No", SLEEP)
    assert pat.text == "Saved: No."
    tap(pat, prompt, "Write an answer", ELSE)
    form = pat.last.form
    assert form is not None and [(f.name, f.label, f.initial) for f in form.fields] == [
        ("answer", "Anything else?", "")
    ]
    pat.submit({"answer": "A hard week, but I'm managing."})

    assert pat.text == "Saved. Thank you. That's everything. Thank you."
    assert answers_of(engine, "pat") == {0: "4", 1: "no", 2: "A hard week, but I'm managing."}
    answered = rows(engine, CheckInAnswer)
    assert len(answered) == 3
    assert {a.answered_at for a in answered} == {START}

    tap(pat, prompt, "Yes", SLEEP)  # changing the last one again says so
    assert pat.text == "Saved: Yes. That's everything. Thank you."
    assert answers_of(engine, "pat")[1] == "yes"
    assert len(rows(engine, CheckInAnswer)) == 3


def test_a_written_answer_can_be_changed_and_is_offered_back(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    tap(pat, prompt, "Write an answer", ELSE)
    pat.submit({"answer": "First try"})
    assert pat.text == "Saved. Thank you."

    tap(pat, prompt, "Write an answer", ELSE)
    assert pat.last.form.fields[0].initial == "First try"
    pat.submit({"answer": "Second try"})

    assert answers_of(engine, "pat") == {2: "Second try"}
    assert len(rows(engine, CheckInAnswer)) == 1


def test_a_note_is_saved_on_the_prompt(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")

    tap(pat, prompt, "Add a note")
    form = pat.last.form
    assert form is not None
    assert (form.title, [(f.name, f.label) for f in form.fields]) == ("Add a note", [("note", "Your note")])
    pat.submit({"note": "My new medicine makes me sleepy."})

    assert pat.text == "Thank you. Your note is saved."
    assert prompt_row(engine, "pat").note == "My new medicine makes me sleepy."
    assert rows(engine, CheckInAnswer) == []


def test_skip_this_time(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    clock.advance(timedelta(minutes=10))

    tap(pat, prompts_to(platform, "pat")[0], "Skip this time")

    assert pat.text == "Skipped. No need to explain. The next check-in will come as usual."
    assert prompt_row(engine, "pat").skipped_at == START + timedelta(minutes=10)
    assert rows(engine, CheckInAnswer) == []


@pytest.mark.parametrize(
    ("label", "until", "off", "words"),
    [
        (
            "For 1 week",
            START + timedelta(days=7),
            False,
            "Check-ins are paused until Thursday 3 December 2026 at 09:00 (Europe/London). "
            "Type checkin on to start them sooner.",
        ),
        (
            "For 1 month",
            START + timedelta(days=30),
            False,
            "Check-ins are paused until Saturday 26 December 2026 at 09:00 (Europe/London). "
            "Type checkin on to start them sooner.",
        ),
        (
            "Until I turn them back on",
            None,
            True,
            "Check-ins are off. Type checkin on whenever you want them back.",
        ),
    ],
)
def test_pausing_checkins_from_a_prompt_and_turning_them_back_on(
    engine, platform, clock, cora, pat, label, until, off, words
):
    sent_now(cora, engine, platform, clock)

    tap(pat, prompts_to(platform, "pat")[0], "Pause check-ins")
    assert pat.text == (
        "How long would you like a break from check-ins?\n"
        "[For 1 week]\n[For 1 month]\n[Until I turn them back on]"
    )
    pat.press(label)

    assert pat.text == words
    member = member_named(engine, "pat")
    assert (member.checkins_paused_until, member.checkins_off) == (until, off)

    # While paused, the next check-in is not sent to them.
    clock.advance(timedelta(days=1))
    cora.says("checkin send 1")
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 1
    assert [p.status for p in rows(engine, CheckInPrompt)] == ["sent", "paused"]

    pat.says("checkin on")
    assert pat.text == "Check-ins are on again. Welcome back."
    member = member_named(engine, "pat")
    assert (member.checkins_paused_until, member.checkins_off) == (None, False)

    clock.advance(timedelta(hours=1))
    cora.says("checkin send 1")
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 2


@pytest.mark.parametrize("tick", [False, True])
def test_after_the_window_closes_nothing_more_is_saved(engine, bot, platform, clock, cora, pat, tick):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    tap(pat, prompt, "3 okay", ENERGY)

    clock.advance(timedelta(hours=48))
    if tick:
        bot.tick()

    for label, group in [("5 very good", ENERGY), ("Yes", SLEEP), ("Skip this time", ""), ("Add a note", "")]:
        reply = tap(pat, prompt, label, group)
        assert pat.text == CLOSED, label
        assert reply.form is None
    assert answers_of(engine, "pat") == {0: "3"}
    row = prompt_row(engine, "pat")
    assert (row.skipped_at, row.note) == (None, "")


def test_a_written_answer_is_not_taken_after_the_window_closes(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")

    tap(pat, prompt, "Write an answer", ELSE)
    assert pat.last.form is not None
    clock.advance(timedelta(hours=49))  # the form was open while the window closed
    pat.submit({"answer": "Too late"})
    assert pat.text == CLOSED

    # A new press does not open a form that could not be saved.
    reply = tap(pat, prompt, "Write an answer", ELSE)
    assert pat.text == CLOSED
    assert reply.form is None
    assert rows(engine, CheckInAnswer) == []


def test_someone_else_cannot_press_a_partners_prompt(engine, platform, clock, cora, pat, quinn):
    sent_now(cora, engine, platform, clock)
    pats = prompts_to(platform, "pat")[0]

    for label, group in [
        ("1 very low", ENERGY),
        ("Skip this time", ""),
        ("Add a note", ""),
        ("Write an answer", ELSE),
        ("I'd like someone to contact me", ""),
    ]:
        reply = tap(quinn, pats, label, group)
        assert quinn.text == "That check-in isn't one of yours. Type checkin history to see your own.", label
        assert reply.form is None
    assert rows(engine, CheckInAnswer) == []
    row = prompt_row(engine, "pat")
    assert (row.skipped_at, row.alerted_at, row.note) == (None, None, "")
    assert alert_rows(engine) == []


# ---- the route to a human -----------------------------------------------------------------------


def support_bot(engine, clock, **settings: str) -> Bot:
    return Bot(
        engine,
        Settings(_env_file=None, admins="console:ada", default_timezone="Europe/London", **settings),
        clock,
        EVERY_FEATURE,
    )


def test_asking_for_contact_alerts_each_coordinator_once_and_gives_support_contacts(engine, clock, platform):
    bot = support_bot(engine, clock, support_contacts=SUPPORT)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    someone(bot, "Cole", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    clock.advance(timedelta(hours=3))

    tap(pat, prompt, "I'd like someone to contact me")

    assert pat.text == (
        "Thank you for asking. I have told the coordinators, and someone will contact you soon. "
        f"If you need help sooner: {SUPPORT} {EMERGENCY}"
    )
    assert prompt_row(engine, "pat").alerted_at == START + timedelta(hours=3)
    deliver(engine, platform, clock)  # due at once: the next dispatch sends it
    alert = "Pat would like someone to contact them. This came from the check-in 'Weekly wellbeing'."
    for user in ("cora", "cole"):
        assert [m.plain() for m in received(platform, user)][-1] == alert
    assert [(r.target_kind, r.target_id, r.due_at) for r in alert_rows(engine)] == [
        ("dm", "cole", START + timedelta(hours=3)),
        ("dm", "cora", START + timedelta(hours=3)),
    ]

    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        tap(pat, prompt, "I'd like someone to contact me")
        assert pat.text.startswith("Thank you for asking.")
        assert SUPPORT in pat.text
    deliver(engine, platform, clock)
    assert len(alert_rows(engine)) == 2
    for user in ("cora", "cole"):
        assert [m.plain() for m in received(platform, user)].count(alert) == 1
    assert prompt_row(engine, "pat").alerted_at == START + timedelta(hours=3)
    assert received(platform, "quinn") == []


def test_alerts_go_to_the_coordinators_channel_when_one_is_set(engine, clock, platform):
    bot = support_bot(engine, clock, coordinator_channel="console:local/coordinators")
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    sent_now(cora, engine, platform, clock)

    tap(pat, prompts_to(platform, "pat")[0], "I'd like someone to contact me")
    tap(pat, prompts_to(platform, "pat")[0], "I'd like someone to contact me")

    assert pat.text == (
        f"Thank you for asking. I have told the coordinators, and someone will contact you soon. {EMERGENCY}"
    )
    [row] = alert_rows(engine)
    assert (row.platform, row.workspace, row.target_kind, row.target_id) == (
        "console",
        "local",
        "channel",
        "coordinators",
    )
    deliver(engine, platform, clock)
    assert [m.plain() for m in received(platform, "coordinators")] == [
        "Pat would like someone to contact them. This came from the check-in 'Weekly wellbeing'."
    ]
    assert received(platform, "cora") == []


def test_a_low_answer_alerts_once_per_prompt(engine, clock, platform):
    bot = support_bot(engine, clock, support_contacts=SUPPORT)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    sent_now(cora, engine, platform, clock, alert_level="2")
    [prompt] = prompts_to(platform, "pat")

    tap(pat, prompt, "3 okay", ENERGY)
    assert pat.text == "Saved: okay."
    assert alert_rows(engine) == []

    tap(pat, prompt, "2 low", ENERGY)
    assert pat.text == (
        "Saved: low. I have let the coordinators know, so someone can check in with you. "
        f"If you need help sooner: {SUPPORT}"
    )
    deliver(engine, platform, clock)
    alert = (
        "Pat answered 'low' to 'How is your energy?' in the check-in 'Weekly wellbeing'. "
        "Please check in with them."
    )
    assert [m.plain() for m in received(platform, "cora")] == [alert]

    tap(pat, prompt, "1 very low", ENERGY)  # lower still, in the same prompt
    assert pat.text.startswith("Saved: very low. I have let the coordinators know")
    tap(pat, prompt, "I'd like someone to contact me")
    deliver(engine, platform, clock)
    assert [m.plain() for m in received(platform, "cora")] == [alert]
    assert len(alert_rows(engine)) == 1
    assert answers_of(engine, "pat") == {0: "1"}


def test_a_low_answer_in_a_later_run_alerts_again(engine, bot, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock, alert_level="1")
    tap(pat, prompts_to(platform, "pat")[0], "1 very low", ENERGY)
    clock.advance(timedelta(days=3))
    bot.tick()

    cora.says("checkin send 1")
    deliver(engine, platform, clock)
    tap(pat, prompts_to(platform, "pat")[1], "1 very low", ENERGY)
    deliver(engine, platform, clock)

    alerts = [m.plain() for m in received(platform, "cora") if m.plain().startswith("Pat answered")]
    assert len(alerts) == 2
    assert len(alert_rows(engine)) == 2


def test_a_yes_no_answer_never_alerts(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock, alert_level="5")
    tap(pat, prompts_to(platform, "pat")[0], "No", SLEEP)
    assert pat.text == "Saved: No."
    assert alert_rows(engine) == []


def test_asking_for_contact_still_works_after_the_window_closed(engine, bot, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    clock.advance(timedelta(days=5))
    bot.tick()
    assert rows(engine, CheckInRun)[0].closed_at is not None

    tap(pat, prompt, "I'd like someone to contact me")

    assert pat.text == (
        f"Thank you for asking. I have told the coordinators, and someone will contact you soon. {EMERGENCY}"
    )
    deliver(engine, platform, clock)
    assert received(platform, "cora")[-1].plain() == (
        "Pat would like someone to contact them. This came from the check-in 'Weekly wellbeing'."
    )
    assert prompt_row(engine, "pat").alerted_at == START + timedelta(days=5)


# ---- the summary ----------------------------------------------------------------------------------


def summaries_to(platform: RecordingSender, user_id: str) -> list[Message]:
    return [m for m in received(platform, user_id) if m.plain().startswith("Check-in summary: ")]


def fields(message: Message) -> dict[str, str]:
    return {f.label: plain(f.value) for f in message.fields}


def test_the_summary_when_the_window_closes_and_its_change_since_last_time(
    engine, bot, platform, clock, cora
):
    pat, quinn, rue = someone(bot, "Pat"), someone(bot, "Quinn"), someone(bot, "Rue")
    sent_now(cora, engine, platform, clock, alert_level="2")
    # Run 1: energy 4, 2, 3 -> average (4 + 2 + 3) / 3 = 3.0; slept yes, no, yes; Quinn's 2 alerts.
    answer_all(pat, prompts_to(platform, "pat")[0], "4 good", "Yes", "Tired but fine")
    answer_all(quinn, prompts_to(platform, "quinn")[0], "2 low", "No")
    tap(quinn, prompts_to(platform, "quinn")[0], "Add a note")
    quinn.submit({"note": "My knee hurts"})
    answer_all(rue, prompts_to(platform, "rue")[0], "3 okay", "Yes", "Busy week")

    clock.advance(timedelta(hours=47, minutes=59))
    bot.tick()
    deliver(engine, platform, clock)
    assert summaries_to(platform, "cora") == []  # not before the window closes

    clock.advance(timedelta(minutes=1))
    bot.tick()
    bot.tick()  # a second tick sends nothing twice
    deliver(engine, platform, clock)
    [first] = summaries_to(platform, "cora")
    assert first.plain() == (
        "Check-in summary: Weekly wellbeing, sent Thursday 26 November 2026 at 09:00 (Europe/London). "
        "Asked 3, answered 3, skipped 0. Alerts: 1."
    )
    assert fields(first) == {
        "How is your energy?": "1 very low: 0, 2 low: 1, 3 okay: 1, 4 good: 1, 5 very good: 0. Average 3.0.",
        "Did you sleep well?": "Yes: 2. No: 1.",
        "Anything else?": "Pat: Tired but fine; Rue: Busy week",
        "Notes": "Quinn: My knee hurts",
    }
    assert rows(engine, CheckInRun)[0].closed_at == START + timedelta(hours=48)

    # Run 2: energy 5, 3 -> average (5 + 3) / 2 = 4.0, up 4.0 - 3.0 = 1.0; Rue skips.
    clock.advance(timedelta(days=5))
    cora.says("checkin send 1")
    deliver(engine, platform, clock)
    second_sent = clock.now()
    tap(pat, prompts_to(platform, "pat")[1], "5 very good", ENERGY)
    tap(pat, prompts_to(platform, "pat")[1], "Yes", SLEEP)
    tap(quinn, prompts_to(platform, "quinn")[1], "3 okay", ENERGY)
    tap(quinn, prompts_to(platform, "quinn")[1], "Skip this time")  # answered, so not counted as skipped
    tap(rue, prompts_to(platform, "rue")[1], "Skip this time")

    clock.advance(timedelta(hours=48))
    bot.tick()
    deliver(engine, platform, clock)
    second = summaries_to(platform, "cora")[-1]
    assert len(summaries_to(platform, "cora")) == 2
    assert second.plain() == (
        "Check-in summary: Weekly wellbeing, sent Thursday 3 December 2026 at 09:00 (Europe/London). "
        "Asked 3, answered 2, skipped 1. Alerts: 0."
    )
    assert fields(second) == {
        "How is your energy?": (
            "1 very low: 0, 2 low: 0, 3 okay: 1, 4 good: 0, 5 very good: 1. Average 4.0. Up 1.0 since last time."
        ),
        "Did you sleep well?": "Yes: 1. No: 0.",
        "Anything else?": "Nobody answered this one.",  # closed: never "yet"
    }
    assert second_sent == START + timedelta(days=7)

    # A coordinator can read the latest again, with a button for the one before; a partner cannot.
    cora.says("checkin summary 1")
    assert cora.text == shown(second) + "\n[Summary of 26 Nov 2026]"
    cora.press("Summary of 26 Nov 2026")
    assert cora.text.startswith(
        "Check-in summary: Weekly wellbeing, sent Thursday 26 November 2026 at 09:00 (Europe/London)."
    )
    pat.says("checkin summary 1")
    assert pat.text == NOT_ALLOWED


def test_the_summary_at_close_carries_a_trend_chart_from_the_third_run(engine, bot, platform, clock, cora):
    people = [someone(bot, name) for name in ("Pat", "Quinn", "Rue")]
    energies = [["2 low", "3 okay", "4 good"], ["3 okay", "3 okay", "4 good"], ["4 good", "5 very good", "4 good"]]
    days = []
    for week, answers in enumerate(energies):
        if week:
            clock.advance(timedelta(days=5))
            cora.says("checkin send 1")
        else:
            create(cora, schedule="now")
        days.append(clock.now().strftime("%-d %b"))
        deliver(engine, platform, clock)
        for member, energy in zip(people, answers, strict=True):
            answer_all(member, prompts_to(platform, member.who.account.user_id)[week], energy, "Yes")
        clock.advance(timedelta(hours=48))
        bot.tick()
        deliver(engine, platform, clock)
    summaries = summaries_to(platform, "cora")
    assert len(summaries) == 3
    assert [len(s.files) for s in summaries] == [0, 0, 1]  # the trend needs three runs with answers
    assert not any("No answers yet" in shown(s) for s in summaries)  # closed runs never say "yet"
    [chart] = summaries[2].files
    assert chart.mime == "image/png" and chart.name.endswith(".png")
    assert isinstance(chart.content, bytes)  # kept through the outbox as base64
    image = Image.open(io.BytesIO(chart.content))
    assert (image.format, image.size) == ("PNG", (720, 900))
    # (2 + 3 + 4) / 3 = 3.0; (3 + 3 + 4) / 3 = 3.3; (4 + 5 + 4) / 3 = 4.3
    assert chart.description == (
        f"Average answer to 'How is your energy?' per check-in, from 1 to 5: {days[0]} 3.0, {days[1]} 3.3, "
        f"{days[2]} 4.3 (standard deviation 0.5 to 0.8)."
    )


def test_a_fall_since_last_time_is_shown_as_down(engine, bot, platform, clock, cora, pat, quinn):
    sent_now(cora, engine, platform, clock)
    tap(pat, prompts_to(platform, "pat")[0], "5 very good", ENERGY)
    tap(quinn, prompts_to(platform, "quinn")[0], "4 good", ENERGY)  # (5 + 4) / 2 = 4.5
    clock.advance(timedelta(days=2))
    bot.tick()

    cora.says("checkin send 1")
    deliver(engine, platform, clock)
    tap(pat, prompts_to(platform, "pat")[1], "2 low", ENERGY)
    tap(quinn, prompts_to(platform, "quinn")[1], "3 okay", ENERGY)  # (2 + 3) / 2 = 2.5
    clock.advance(timedelta(days=2))
    bot.tick()
    deliver(engine, platform, clock)

    first, second = summaries_to(platform, "cora")
    assert fields(first)["How is your energy?"].endswith("Average 4.5.")
    assert fields(second)["How is your energy?"] == (
        "1 very low: 0, 2 low: 1, 3 okay: 1, 4 good: 0, 5 very good: 0. Average 2.5. Down 2.0 since last time."
    )


def test_a_totals_only_summary_shows_notes_and_words_without_names(
    engine, bot, platform, clock, cora, pat, quinn
):
    sent_now(cora, engine, platform, clock, visibility="totals")
    answer_all(pat, prompts_to(platform, "pat")[0], "4 good", "Yes", "Tired but fine")
    tap(pat, prompts_to(platform, "pat")[0], "Add a note")
    pat.submit({"note": "New medicine"})
    answer_all(quinn, prompts_to(platform, "quinn")[0], "2 low", "No", "Busy week")

    clock.advance(timedelta(hours=48))
    bot.tick()
    deliver(engine, platform, clock)

    [summary] = summaries_to(platform, "cora")
    assert fields(summary) == {
        "How is your energy?": "1 very low: 0, 2 low: 1, 3 okay: 0, 4 good: 1, 5 very good: 0. Average 3.0.",
        "Did you sleep well?": "Yes: 1. No: 1.",
        "Anything else?": "Tired but fine; Busy week",
        "Notes": "New medicine",
    }
    assert "Pat" not in shown(summary) and "Quinn" not in shown(summary)
    cora.says("checkin summary 1")
    assert "Pat" not in cora.text and "Quinn" not in cora.text
    assert "Anything else?: Tired but fine; Busy week" in cora.text


def test_the_summary_goes_to_the_coordinators_channel_when_one_is_set(engine, clock, platform):
    bot = support_bot(engine, clock, coordinator_channel="console:local/coordinators")
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    sent_now(cora, engine, platform, clock)
    tap(pat, prompts_to(platform, "pat")[0], "3 okay", ENERGY)

    clock.advance(timedelta(hours=48))
    bot.tick()
    deliver(engine, platform, clock)

    [summary] = summaries_to(platform, "coordinators")
    assert summary.plain().endswith("Asked 1, answered 1, skipped 0. Alerts: 0.")
    assert summaries_to(platform, "cora") == []
    [row] = [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith("checkin.summary:")]
    assert (row.target_kind, row.target_id) == ("channel", "coordinators")


def test_no_summary_before_a_checkin_has_closed(engine, platform, clock, cora, pat):
    create(cora)
    cora.says("checkin summary 1")
    assert cora.text == "There is no summary for Weekly wellbeing yet. It comes when a check-in closes."

    cora.says("checkin send 1")
    cora.says("checkin summary 1")  # sent, but still open
    assert cora.text == "There is no summary for Weekly wellbeing yet. It comes when a check-in closes."


def test_the_figures_count_those_asked_not_those_paused(engine, bot, platform, clock, cora, pat, quinn):
    sent_now(cora, engine, platform, clock)
    tap(quinn, prompts_to(platform, "quinn")[0], "Pause check-ins")
    quinn.press("Until I turn them back on")
    clock.advance(timedelta(days=2))
    bot.tick()

    cora.says("checkin send 1")
    assert cora.text.startswith("Sent Weekly wellbeing now. Partners reached: 1.")
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "quinn")) == 1
    tap(pat, prompts_to(platform, "pat")[-1], "4 good", ENERGY)
    clock.advance(timedelta(days=2))
    bot.tick()
    deliver(engine, platform, clock)

    first, second = summaries_to(platform, "cora")
    assert first.plain().endswith("Asked 2, answered 0, skipped 0. Alerts: 0.")
    assert second.plain().endswith("Asked 1, answered 1, skipped 0. Alerts: 0.")


def test_a_paused_checkin_is_not_sent_by_send_now(engine, platform, clock, cora, pat):
    create(cora)
    cora.says("checkin pause 1")

    cora.says("checkin send 1")

    assert cora.text == "Weekly wellbeing is paused. Type checkin resume 1 first, then checkin send 1."
    assert rows(engine, CheckInRun) == []
    deliver(engine, platform, clock)
    assert received(platform, "pat") == []
    assert summaries_to(platform, "cora") == []  # no empty summary of a run nobody was asked in


def test_editing_a_one_off_checkin_does_not_send_it_again(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    clock.advance(timedelta(minutes=5))

    cora.says("checkin edit 1")
    assert {f.name: f.initial for f in cora.last.form.fields}["schedule"] == "now"
    cora.submit({"name": "Wellbeing"})
    cora.submit({})

    assert cora.text == ("Saved Wellbeing.\nDetails: sent once; all partners; window 48 h; answers by name")
    assert rows(engine, CheckIn)[0].name == "Wellbeing"
    assert len(rows(engine, CheckInRun)) == 1
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 1

    cora.says("checkin send 1")  # sending it again is its own choice
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 2
    assert prompts_to(platform, "pat")[1].plain().startswith("Check-in: Wellbeing.")


def test_changing_a_weekly_checkin_to_now_sends_it(engine, platform, clock, cora, pat):
    create(cora)
    cora.says("checkin edit 1")
    cora.submit({"schedule": "now"})
    cora.submit({})

    assert (
        cora.text
        == "Sent Weekly wellbeing now. Partners reached: 1. Anyone in quiet hours gets it when those end."
    )
    deliver(engine, platform, clock)
    assert len(prompts_to(platform, "pat")) == 1


def test_an_edit_form_left_open_cannot_bring_back_a_deleted_checkin(engine, bot, platform, clock, cora, pat):
    create(cora)
    cora.says("checkin edit 1")
    cole = someone(bot, "Cole", Role.COORDINATOR)
    cole.says("checkin delete 1")

    cora.submit({"name": "Back again"})

    assert cora.text == "Which check-in? Type its number, like 1. Type checkin list to see them."
    [checkin] = rows(engine, CheckIn)
    assert (checkin.name, checkin.deleted_at) == ("Weekly wellbeing", START)
    clock.set(MONDAY_10)
    bot.tick()
    assert rows(engine, CheckInRun) == []


def test_a_low_last_answer_still_says_that_is_everything(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock, alert_level="2")
    [prompt] = prompts_to(platform, "pat")
    answer_all(pat, prompt, "4 good", "Yes", "Fine")
    assert pat.text == "Saved. Thank you. That's everything. Thank you."

    tap(pat, prompt, "1 very low", ENERGY)

    assert pat.text == (
        "Saved: very low. That's everything. Thank you. "
        "I have let the coordinators know, so someone can check in with you."
    )
    assert len(alert_rows(engine)) == 1


def test_a_note_can_be_changed_and_taken_away(engine, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock)
    [prompt] = prompts_to(platform, "pat")
    tap(pat, prompt, "Add a note")
    pat.submit({"note": "Something I regret writing"})

    tap(pat, prompt, "Add a note")
    assert pat.last.form.fields[0].initial == "Something I regret writing"
    pat.submit({"note": ""})

    assert pat.text == "Your note is removed."
    assert prompt_row(engine, "pat").note == ""


# ---- who sees the answers ------------------------------------------------------------------------


def test_each_prompt_says_in_one_line_who_sees_the_answers(engine, bot, platform, clock, cora, pat):
    sent_now(cora, engine, platform, clock, visibility="totals", alert_level="1")
    [prompt] = prompts_to(platform, "pat")

    assert prompt.plain().endswith(
        "Coordinators see only totals, not who answered what. "
        "If you answer 1 or lower, they are told your name at once, so someone can check in."
    )


def test_an_anonymous_checkin_keeps_no_link_between_a_person_and_their_answers(
    engine, bot, platform, clock, cora, pat
):
    quinn = someone(bot, "Quinn")
    sent_now(cora, engine, platform, clock, visibility="anonymous")
    prompts = {who: prompts_to(platform, who)[0] for who in ("pat", "quinn")}

    assert prompts["pat"].plain().endswith(
        "Your answers are anonymous: nobody can tell they are yours. To ask for someone, type support."
    )
    assert "I'd like someone to contact me" not in [b.label for b in prompts["pat"].buttons]
    answer_all(pat, prompts["pat"], "2 low", "No", "The new room is too cold")
    answer_all(quinn, prompts["quinn"], "2 low", "Yes")
    tap(pat, prompts["pat"], "Add a note")
    pat.submit({"note": "Thanks for asking"})
    tap(pat, prompts["pat"], "1 very low", ENERGY)  # a change of mind: not possible, said kindly
    assert pat.text == "You answered this one already. Anonymous answers can't be changed. Thank you."

    # Nothing ties a value to a person: no answer rows on prompts, counts without names.
    assert rows(engine, CheckInAnswer) == []
    assert [p.note for p in rows(engine, CheckInPrompt)] == ["", ""]
    kept = sorted((a.position, a.value, a.count) for a in rows(engine, AnonymousAnswer))
    assert kept == [
        (-1, "Thanks for asking", 1),
        (0, "2", 2),
        (1, "no", 1),
        (1, "yes", 1),
        (2, "The new room is too cold", 1),
    ]
    assert {c.name for c in AnonymousAnswer.__table__.columns} == {"id", "run_id", "position", "value", "count"}

    clock.advance(timedelta(days=3))
    bot.tick()
    deliver(engine, platform, clock)
    [summary] = summaries_to(platform, "cora")
    shown_fields = fields(summary)
    assert shown_fields["How is your energy?"].startswith("1 very low: 0, 2 low: 2, 3 okay: 0")
    assert shown_fields["Anything else?"] == "The new room is too cold"
    assert shown_fields["Notes"] == "Thanks for asking"
    assert "Pat" not in summary.plain() + "".join(shown_fields.values())
    pat.says("checkin history")
    assert "answered anonymously" in pat.text and "too cold" not in pat.text
    assert rows(engine, Alert) == []


def test_an_anonymous_checkin_cannot_have_an_alert_level(engine, cora):
    create(cora, schedule="now", visibility="anonymous", alert_level="2")

    assert cora.last.field_errors == {
        "alert_level": "Anonymous answers can't alert anyone. Leave the alert level empty, or choose by name or totals."
    }
    assert rows(engine, CheckIn) == []


# ---- building the questions without the typed syntax ---------------------------------------------


def buttons_of(member: Person) -> list[str]:
    return [b.label for m in member.last.messages for b in m.buttons]


def test_a_ready_set_fills_the_checkin_form_and_is_saved_as_it_was_offered(engine, cora, pat):
    cora.says("checkin questions")
    assert cora.text == (
        "How would you like to write the questions?\n"
        "[Use a ready set]\n[Add questions one at a time]\n[Type them myself]"
    )
    cora.press("Use a ready set")
    assert cora.last.plain() == "Ready sets. Press one to use it. You can change it after."
    assert buttons_of(cora) == ["Weekly wellbeing", "After a meeting", "Before an event"]
    assert "Weekly wellbeing: How are you feeling this week? How is your energy?" in cora.text

    cora.press("Weekly wellbeing")
    assert cora.text == (
        "You chose Weekly wellbeing. Questions so far: 4 of 5.\n"
        "Question 1: How are you feeling this week? Answer: awful, poor, okay, good, great.\n"
        "Question 2: How is your energy? Answer: very low, low, okay, good, very good.\n"
        "Question 3: Did you sleep well? Answer: yes or no.\n"
        "Question 4: Anything you'd like us to know? Answer: short text.\n"
        "[Add another]\n[Done]\n[Remove the last one]"
    )
    cora.press("Done")
    form = cora.last.form
    assert form is not None and (form.form_id, form.page) == ("checkin.edit", 1)
    initial = {f.name: f.initial for f in form.fields}
    assert initial["name"] == "Weekly wellbeing"
    assert initial["questions"] == (
        "How are you feeling this week? | awful, poor, okay, good, great; "
        "How is your energy? | very low, low, okay, good, very good; "
        "Did you sleep well? | yes/no; Anything you'd like us to know? | text"
    )
    cora.submit({"schedule": "weekly mon 10:00"})
    cora.submit({"visibility": "named", "alert_level": "1"})

    assert cora.last.plain() == "Created check-in 1: Weekly wellbeing."
    [made] = rows(engine, CheckIn)
    assert [q["kind"] for q in made.questions] == ["scale", "scale", "yesno", "text"]
    assert rows(engine, FormDraft) == []  # the list is used: nothing left behind
    cora.says("checkin new")  # and the next one starts empty, as before
    assert [f.initial for f in cora.last.form.fields] == ["", "", "", "", "48"]


def test_questions_added_one_at_a_time_with_their_kind_chosen_from_a_list(engine, cora):
    cora.says("checkin questions")
    cora.press("Add questions one at a time")
    form = cora.last.form
    assert form is not None and (form.form_id, form.title, form.submit_label) == (
        "checkin.question",
        "Add a question",
        "Add",
    )
    assert [(f.name, f.kind, f.initial) for f in form.fields] == [
        ("text", "short", ""),
        ("kind", "choice", "scale"),
        ("labels", "short", "awful, poor, okay, good, great"),
    ]
    assert [o.label for o in form.fields[1].choices] == ["Scale of 5", "Yes or no", "Short text"]

    cora.submit({"text": "How is your pain today?", "labels": "very bad, bad, okay, good, very good"})
    assert cora.text == (
        "Added. Questions so far: 1 of 5.\n"
        "Question 1: How is your pain today? Answer: very bad, bad, okay, good, very good.\n"
        "[Add another]\n[Done]\n[Remove the last one]"
    )
    cora.press("Add another")
    cora.submit({"text": "Did you sleep well?", "kind": "yesno"})
    cora.press("Add another")
    cora.submit({"text": "Anything else?", "kind": "text"})
    assert cora.last.plain() == "Added. Questions so far: 3 of 5."

    cora.press("Remove the last one")
    assert cora.last.plain() == "Removed: Anything else? Questions so far: 2 of 5."
    cora.press("Done")
    initial = {f.name: f.initial for f in cora.last.form.fields}
    assert (initial["name"], initial["questions"]) == (
        "",
        "How is your pain today? | very bad, bad, okay, good, very good; Did you sleep well? | yes/no",
    )
    # The typed syntax is still there to change what was built.
    cora.submit({"name": "Pain", "questions": initial["questions"] + "; Any news? | text", "schedule": "daily 9:00"})
    cora.submit({})
    [made] = rows(engine, CheckIn)
    assert [q["text"] for q in made.questions] == ["How is your pain today?", "Did you sleep well?", "Any news?"]


def test_the_list_being_built_survives_a_restart_and_checkin_new_starts_with_it(engine, settings, clock, cora):
    cora.says("checkin questions")
    cora.press("Add questions one at a time")
    cora.submit({"text": "How are you?"})

    again = Person(Bot(engine, settings, clock, EVERY_FEATURE), cora.who, answered=True)  # a restart
    again.says("checkin questions")
    assert again.text.startswith("Questions so far: 1 of 5.\nQuestion 1: How are you? Answer: awful, poor, okay, good, great.")
    again.says("checkin new")
    assert {f.name: f.initial for f in again.last.form.fields}["questions"] == (
        "How are you? | awful, poor, okay, good, great"
    )
    # Removing the last one leaves nothing kept, and the ways to start again.
    again.says("checkin questions")
    again.press("Remove the last one")
    assert again.text.startswith("Removed: How are you? How would you like to write the questions?")
    assert rows(engine, FormDraft) == []


def test_a_wrong_question_is_sent_back_on_its_field_and_nothing_is_added(engine, cora):
    cora.says("checkin questions")
    cora.press("Add questions one at a time")
    cora.submit({"text": "How are you?", "labels": "bad, okay, good"})
    assert cora.last.field_errors == {
        "labels": "Please give five words for the scale, split by commas, like: awful, poor, okay, good, great."
    }
    assert {f.name: f.initial for f in cora.last.form.fields}["labels"] == "bad, okay, good"  # kept as typed
    cora.submit({"text": "Pain? | yes/no; Sleep?", "labels": "awful, poor, okay, good, great"})
    assert cora.last.field_errors == {"text": "Please leave out ; and | in a question."}
    cora.submit({"text": "How are you?", "labels": "awful, poor, okay, good, " + "great " * 10})
    assert cora.last.field_errors == {
        "labels": "A scale word can be up to 30 characters. Yours has 59. Please make it shorter."
    }
    # Words for a scale are not needed for yes or no.
    cora.submit({"text": "Did you\nsleep?", "kind": "yesno", "labels": ""})
    assert cora.last.plain() == "Added. Questions so far: 1 of 5."
    assert rows(engine, FormDraft)[0].values["questions"] == "Did you sleep? | yes/no"


def test_five_questions_are_the_most_and_a_sixth_is_refused(engine, cora):
    cora.says("checkin questions")
    cora.press("Use a ready set")
    cora.press("Weekly wellbeing")
    cora.press("Add another")
    cora.submit({"text": "Did you eat well?", "kind": "yesno"})
    assert cora.text.startswith("Added. That is 5 questions, the most a check-in can have.")
    assert buttons_of(cora) == ["Done", "Remove the last one"]

    # A question form opened earlier, sent now, cannot make a sixth.
    reply = cora.bot.handle(FormSubmit(cora.who, "checkin.question", {"text": "Six?", "kind": "text"}))
    assert reply.refused
    assert reply.plain() == "A check-in can have up to 5 questions. Press Done, or remove one first."
    [kept] = rows(engine, FormDraft)
    assert kept.values["questions"].endswith("Did you eat well? | yes/no")
    assert "Six?" not in kept.values["questions"]


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STAFF])
def test_only_coordinators_build_questions(engine, bot, cora, role):
    other = someone(bot, "Sam", role)
    for event in (
        ButtonPress(other.who, "checkin.sets"),
        ButtonPress(other.who, "checkin.set:weekly"),
        ButtonPress(other.who, "checkin.question"),
        ButtonPress(other.who, "checkin.done"),
        ButtonPress(other.who, "checkin.unadd"),
        FormSubmit(other.who, "checkin.question", {"text": "Bank details?", "kind": "text"}),
    ):
        reply = bot.handle(event)
        assert reply.refused and reply.form is None
        assert reply.plain() == NOT_ALLOWED
    assert rows(engine, FormDraft) == []
