"""The Slack adapter end to end: the real slack-bolt app gets signed requests, as Slack sends
them, and talks to a fake Slack Web API on 127.0.0.1 (tests/slack_fakes.py) that records what it
was asked to show. Every flow of the three jobs goes through it once, with the core and the
database (SQLite and PostgreSQL) behind it.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.http_retry import builtin_async_handlers
from sqlmodel import Session, col, select

from adapters.slack import translate
from adapters.slack.app import SlackAdapter, start_socket_mode
from adapters.slack.poster import slack_client
from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_SECTION,
    Origin,
    date_token,
    escape,
    render_home,
    render_message,
    render_modal,
    render_whole,
    split_text,
)
from bot.conversation import (
    Button,
    File,
    Form,
    FormField,
    Mention,
    Message,
    Moment,
    Option,
    Reply,
    Select,
    Who,
)
from bot.core import Bot
from bot.feature import Features
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.outbox import Delivery, SendFailed, enqueue, enqueue_dm, retry
from bot.settings import Settings
from bot.words import translator
from storage.db import make_engine
from storage.models import Account, CheckIn, Member, MemberRole, OpeningInterest, Outbox, SessionSignup
from tests.conftest import Person
from tests.hostile import AT, HOSTILE, NOTE, everywhere, slack_reading, typed_as_seen
from tests.slack_fakes import (
    APP_TOKEN,
    BOT_TOKEN,
    SECRET,
    TEAM,
    Failure,
    FakeSlack,
    LoopThread,
    SignedRequests,
    SlackWorld,
    button,
    elements,
    pings,
    sign,
    texts,
    view_problem,
)

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ROOT = Path(__file__).resolve().parent.parent
ANNOUNCEMENTS = "CANN"
LONDON_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday 30 November, 10:00 in London
OPENING = {
    "title": "Online booking working group",
    "team": "Digital services",
    "involves": "Test the new booking pages and say what would make them easier.",
    "commitment": "2 hours a month",
    "dates": "December to March",
    "seats": "2",
    "rate": "25 an hour",
    "payment": "plus travel",
    "place_kind": "remote",
    "closes_at": "Friday 5pm",
}
SESSION = {
    "title": "Chair yoga",
    "start": "3 Dec 2pm",
    "duration": "60",
    "place": "Room 2",
    "capacity": "2",
    "audience": "partners",
}


@pytest.fixture
def world(engine, clock):
    loop = LoopThread()
    fake = FakeSlack(clock)
    loop.run(fake.start())
    settings = Settings(
        _env_file=None,
        admins=f"slack:{TEAM}/UADA",
        default_timezone="Europe/London",
        announcements_channel=f"slack:{TEAM}/{ANNOUNCEMENTS}",
        slack_api_url=fake.api_url,  # without its trailing "/": the settings add it
    )
    made = SlackWorld(Bot(engine, settings, clock, EVERY_FEATURE), loop, fake)
    yield made
    made.close()
    loop.run(fake.stop())
    loop.close()


def member(engine, user_id: str) -> Member:
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.user_id == user_id)).one()
        return session.get_one(Member, account.member_id)


def roles_of(engine, user_id: str) -> set[str]:
    with Session(engine) as session:
        held = session.exec(select(MemberRole.role).where(MemberRole.member_id == member(engine, user_id).id))
        return set(held)


def said(replies: list[dict]) -> list[str]:
    return [r["text"] for r in replies]


def met(world: SlackWorld, *users: str) -> None:
    """These people have talked to the bot once, so they exist, and said OK to the notice."""
    for user in users:
        _answer, key = world.slash(user, "/guide")
        notice = [r for r in world.fake.replies(key) if r["text"].startswith("Hello! Before we start")]
        if notice:
            world.press(user, button(notice[0]["blocks"], "OK"))
    world.fake.forget()


def grant(world: SlackWorld, user: str, role: str) -> None:
    """Ada, an admin through ADMINS, gives a role with an @mention, as in Slack."""
    met(world, "UADA", user)
    _answer, key = world.slash("UADA", "/roles", f"grant <@{user}> {role}")
    assert said(world.fake.replies(key))[-1].startswith("Done. "), said(world.fake.replies(key))
    world.fake.forget()


def fill_form(world: SlackWorld, user: str, values: dict[str, str]) -> str:
    """Send each page of the modal just opened, until Slack is told to close it."""
    view = world.fake.made("views.open")[-1]["view"]
    for _page in range(5):
        answer = world.submit(user, view, values)
        assert answer.status == 200
        if not answer.body:
            return "closed"
        found = answer.json()
        if found["response_action"] == "errors":
            return json.dumps(found["errors"])
        view = found["view"]
    raise AssertionError("the form did not finish")


# ---- commands, forms and the first contact ---------------------------------------------------------


def test_a_slash_command_is_answered_within_slacks_deadline_where_it_was_typed(world, engine):
    answer, key = world.slash("UPRIYA", "/guide")

    # Acknowledged with nothing: the answers follow through the response URL.
    assert (answer.status, answer.body) == (200, "")
    welcome, guide = world.fake.replies(key)
    assert welcome["text"].startswith("Hello! Before we start, here is what I keep and why.")
    assert guide["text"].startswith("Here is what you can do. Type a command, or press a button.")
    assert "*profile:* Shows your settings." in texts(guide["blocks"])
    assert [e["action_id"] for e in elements(guide["blocks"])] == ["profile.show", "profile.edit", "support.ask"]
    # In a direct message the answer stays; nobody else is there.
    assert {r["response_type"] for r in (welcome, guide)} == {"in_channel"}
    assert {r["replace_original"] for r in (welcome, guide)} == {False}

    # A new member gets Slack's name for them and Slack's time zone.
    priya = member(engine, "UPRIYA")
    assert (priya.display_name, priya.timezone) == ("Priya", "America/Toronto")
    assert world.fake.made("users.info") == [{"user": "UPRIYA"}]

    # In a channel, only the person who typed it sees the answer; the name is remembered.
    world.fake.forget()
    _answer, key = world.slash("UPRIYA", "/profile", channel="CGENERAL")
    [profile] = world.fake.replies(key)
    assert profile["response_type"] == "ephemeral"
    assert "*Time zone:* America/Toronto" in texts(profile["blocks"])
    assert world.fake.made("users.info") == []


def test_an_answer_of_one_message_comes_in_the_ack_itself_with_no_second_request(world):
    met(world, "UPRIYA")

    answer, key = world.slash("UPRIYA", "/profile", channel="CGENERAL")

    # Slack shows the ack's body where the command was typed: the answer is in it.
    shown = answer.json()
    assert shown["text"].startswith("Your profile. Only you and the coordinators can see it.")
    assert "*Time zone:* America/Toronto" in texts(shown["blocks"])
    assert [e["action_id"] for e in elements(shown["blocks"])] == ["profile.edit", "profile.pause_week"]
    # As before, only the person who typed it sees it in a channel ...
    assert shown["response_type"] == "ephemeral"
    # ... and nothing went to the response URL: one request, not two.
    assert world.fake.made("response_url") == []
    assert world.fake.replies(key) == [{**shown, "key": key}]

    # In their direct message the answer stays, as before.
    answer, _key = world.slash("UPRIYA", "/profile")
    assert answer.json()["response_type"] == "in_channel"
    assert world.fake.made("response_url") == []

    # A form is not an answer the ack can carry: acked with nothing, the modal opens.
    answer, key = world.slash("UPRIYA", "/profile", "edit")
    assert (answer.status, answer.body) == (200, "")
    [opened] = world.fake.made("views.open")
    assert opened["trigger_id"] == f"trigger-{key}"


def test_every_command_of_the_core_is_a_slash_command(world):
    met(world, "UPRIYA")
    for name in world.bot.features.commands:
        answer, key = world.slash("UPRIYA", f"/{name}")
        assert answer.status == 200, name
        assert world.fake.replies(key), f"/{name} was not answered"


def test_profile_edit_is_a_modal_of_two_pages_with_a_mistake_shown_on_its_field(world, engine):
    met(world, "UPRIYA")
    _answer, key = world.slash("UPRIYA", "/profile", "edit")
    [opened] = world.fake.made("views.open")
    view = opened["view"]
    assert opened["trigger_id"] == f"trigger-{key}"
    assert (view["callback_id"], view["title"]["text"], view["submit"]["text"]) == (
        "profile.edit",
        "Edit your profile",
        "Next",
    )
    assert texts(view["blocks"]) == "Page 1 of 2"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["name", "timezone", "quiet", "interests", "language"]

    wrong = world.submit("UPRIYA", view, {"name": "Priya S", "timezone": "Mars/Base"})
    assert wrong.json() == {
        "response_action": "errors",
        "errors": {
            "timezone": "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto."
        },
    }
    assert member(engine, "UPRIYA").display_name == "Priya"  # nothing saved

    page_two = world.submit("UPRIYA", view, {"name": "Priya S", "timezone": "Pacific/Auckland"}).json()
    assert page_two["response_action"] == "update"
    assert texts(page_two["view"]["blocks"]) == "Page 2 of 2"
    assert page_two["view"]["submit"]["text"] == "Save"
    assert member(engine, "UPRIYA").display_name == "Priya"  # not until the last page

    done = world.submit("UPRIYA", page_two["view"])
    assert (done.status, done.body) == (200, "")
    [saved] = world.fake.replies(key)  # back where the command was typed
    assert saved["text"].startswith("Saved. Here is your profile now.")
    priya = member(engine, "UPRIYA")
    assert (priya.display_name, priya.timezone) == ("Priya S", "Pacific/Auckland")


def test_a_form_finished_after_its_response_url_expired_is_answered_by_direct_message(world, engine):
    met(world, "UPRIYA")
    _answer, key = world.slash("UPRIYA", "/profile", "edit", channel="CGENERAL")
    world.fake.expired.add(key)  # Priya took a rest before finishing: that is fine

    assert fill_form(world, "UPRIYA", {"quiet": "22:00-08:00"}) == "closed"

    assert world.fake.made("conversations.open") == [{"users": "UPRIYA"}]
    [saved] = world.fake.posts_in("DUPRIYA")
    assert saved["text"].startswith("Saved. Here is your profile now.")
    assert member(engine, "UPRIYA").quiet_start is not None


def test_what_to_type_is_said_as_a_slash_command_and_help_is_one(world):
    met(world, "UPRIYA")
    _answer, key = world.slash("UPRIYA", "/help", channel="CGENERAL")
    [guide] = world.fake.replies(key)
    assert guide["text"].startswith("Here is what you can do.")
    shown = texts(guide["blocks"])
    assert "Try: /sessions" in shown and "Try: /profile timezone Europe/London" in shown
    _answer, key = world.slash("UPRIYA", "/pause", "2 weeks")
    [paused] = world.fake.replies(key)
    assert texts(paused["blocks"]).endswith("Take the time you need. Type /resume to start again sooner.")


def test_what_to_type_in_french_is_said_as_slacks_english_slash_command(world, engine):
    met(world, "UPRIYA")
    world.slash("UPRIYA", "/profile", "language fr")
    _answer, key = world.slash("UPRIYA", "/help", channel="CGENERAL")
    [guide] = world.fake.replies(key)
    # Slack has the English commands alone; what follows is read in any language, so the
    # French verb stays, and works typed so.
    assert "Essayez\u00a0: /profile fuseau Europe/London" in guide["text"]
    assert "Essayez\u00a0: /profile fuseau Europe/London" in texts(guide["blocks"])
    world.slash("UPRIYA", "/profile", "fuseau America/Toronto")
    assert member(engine, "UPRIYA").timezone == "America/Toronto"
    _answer, key = world.slash("UPRIYA", "/pause", "2 weeks")
    [paused] = world.fake.replies(key)
    assert texts(paused["blocks"]).endswith("Tapez /resume pour les reprendre plus tôt.")


def test_a_line_typed_to_the_bot_is_a_command_and_a_form_opens_from_a_button(world):
    met(world, "UPRIYA")
    world.dm("UPRIYA", "profile", "Ev1")
    [shown] = world.fake.posts_in("DUPRIYA")
    assert shown["text"].startswith("Your profile. Only you and the coordinators can see it.")

    world.dm("UPRIYA", "profile edit", "Ev2")
    offer = world.fake.posts_in("DUPRIYA")[-1]
    assert offer["text"] == "Press the button to open the form."
    opens = button(offer["blocks"], "Edit your profile")
    assert opens["action_id"] == "profile.edit"

    world.press("UPRIYA", opens)
    [opened] = world.fake.made("views.open")
    assert opened["view"]["callback_id"] == "profile.edit"

    # The bot's own messages and edits are not commands.
    world.fake.forget()
    world.event(
        {"type": "message", "channel_type": "im", "channel": "DUPRIYA", "bot_id": "BBOT", "text": "guide"},
        "Ev3",
    )
    world.event(
        {"type": "message", "channel_type": "im", "channel": "DUPRIYA", "subtype": "message_changed"}, "Ev4"
    )
    assert world.fake.calls == []


def test_a_name_two_people_share_is_asked_about_as_slack_shows_them_and_a_mention_is_exact(world, engine):
    met(world, "UADA", "UPP1", "UPP2")

    _answer, key = world.slash("UADA", "/roles", "grant Priya Patel staff", channel="CGENERAL")

    [asked] = world.fake.replies(key)
    assert asked["response_type"] == "ephemeral"
    assert asked["text"].startswith("There are 2 people called Priya Patel. Which one do you mean?")
    # Slack draws each mention as the real person, so the admin can tell them apart.
    shown = texts(asked["blocks"])
    assert "*Number 1:* Priya Patel, <@UPP1> (Slack)\n*Number 2:* Priya Patel, <@UPP2> (Slack)" in shown
    assert [e["text"]["text"] for e in elements(asked["blocks"])] == ["Number 1", "Number 2"]
    assert roles_of(engine, "UPP1") == roles_of(engine, "UPP2") == {"partner"}

    _answer, key = world.slash("UADA", "/roles", "grant <@UPP2> staff", channel="CGENERAL")

    assert said(world.fake.replies(key)) == [
        "Done. Priya Patel now has the staff role. I have let them know."
    ]
    assert roles_of(engine, "UPP1") == {"partner"}
    assert roles_of(engine, "UPP2") == {"partner", "staff"}

    # The question's button still works, for the one it names.
    _answer, key = world.press("UADA", button(asked["blocks"], "Number 1"), channel="CGENERAL")
    assert said(world.fake.replies(key)) == [
        "Done. Priya Patel now has the staff role. I have let them know."
    ]
    assert roles_of(engine, "UPP1") == {"partner", "staff"}


# ---- the three jobs ------------------------------------------------------------------------------


def test_a_checkin_prompt_in_a_direct_message_is_answered_with_one_tap(world, engine, clock):
    grant(world, "UCORA", "coordinator")
    world.slash("UCORA", "/checkin", "new")
    questions = "How are you? | awful, poor, okay, good, great; Slept well? | yes/no"
    values = {"name": "Weekly wellbeing", "questions": questions, "schedule": "weekly mon 10:00"}
    assert fill_form(world, "UCORA", {**values, "visibility": "named"}) == "closed"
    met(world, "ULOU")

    clock.set(LONDON_10)
    world.bot.tick()
    world.dispatch(clock)

    assert {"users": "ULOU"} in world.fake.made("conversations.open")
    [prompt] = world.fake.posts_in("DULOU")
    assert prompt["text"].startswith("Check-in: Weekly wellbeing. Tap one answer for each question.")
    # The closing time: Slack shows it in each reader's zone; the fallback is in Lou's.
    closes = int(datetime(2026, 12, 2, 10, 0, tzinfo=UTC).timestamp())
    assert (
        f"<!date^{closes}^{{date_short_pretty}}, {{time}}|Wednesday 2 December 2026 at 10:00 (Europe/London)>"
        in texts(prompt["blocks"])
    )
    # Each question's words, then its own row of answers.
    kinds = [b["type"] for b in prompt["blocks"]]
    first = kinds.index("actions")
    assert prompt["blocks"][first - 1]["text"]["text"] == "1. How are you?"
    assert [e["text"]["text"] for e in prompt["blocks"][first]["elements"]] == [
        "1 awful",
        "2 poor",
        "3 okay",
        "4 good",
        "5 great",
    ]

    answer, key = world.press("ULOU", button(prompt["blocks"], "3 okay"))
    assert answer.status == 200
    [saved] = world.fake.replies(key)
    assert saved["text"] == "Saved: okay."
    assert saved["response_type"] == "in_channel"  # it is their direct message


def test_check_in_questions_are_built_one_at_a_time_in_slack_modals(world, engine):
    grant(world, "UCORA", "coordinator")
    _answer, key = world.slash("UCORA", "/checkin", "questions")
    [ways] = world.fake.replies(key)
    assert ways["text"] == "How would you like to write the questions?"
    assert [e["text"]["text"] for e in elements(ways["blocks"])] == [
        "Use a ready set",
        "Add questions one at a time",
        "Type them myself",
    ]

    _answer, key = world.press("UCORA", button(ways["blocks"], "Add questions one at a time"))
    [opened] = world.fake.made("views.open")
    view = opened["view"]
    assert (view["callback_id"], view["title"]["text"], view["submit"]["text"]) == (
        "checkin.question",
        "Add a question",
        "Add",
    )
    [kind] = [b["element"] for b in view["blocks"] if b.get("block_id") == "kind"]
    assert kind["type"] == "static_select"
    assert [o["text"]["text"] for o in kind["options"]] == ["Scale of 5", "Yes or no", "Short text"]
    assert view_problem(view) == ""

    done = world.submit("UCORA", view, {"text": "Did you sleep well?", "kind": "yesno"})
    assert (done.status, done.body) == (200, "")
    [added] = world.fake.replies(key)  # where the button was pressed
    assert added["text"] == "Added. Questions so far: 1 of 5.\nQuestion 1: Did you sleep well? Answer: yes or no."

    world.fake.forget()
    world.press("UCORA", button(added["blocks"], "Done"))
    [form] = world.fake.made("views.open")
    questions = [b["element"] for b in form["view"]["blocks"] if b.get("block_id") == "questions"]
    assert questions[0]["initial_value"] == "Did you sleep well? | yes/no"
    assert fill_form(world, "UCORA", {"name": "Sleep", "schedule": "weekly mon 10:00"}) == "closed"
    with Session(engine) as session:
        [made] = session.exec(select(CheckIn)).all()
    assert made.questions == [{"kind": "yesno", "text": "Did you sleep well?"}]


def test_an_opening_is_announced_and_a_partner_says_they_are_interested(world, engine, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", OPENING) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)

    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert announced["text"].startswith("New opening: Online booking working group.")
    interested = button(announced["blocks"], "I'm interested")
    assert interested["action_id"] == "opening.interested:1"

    # The button opens the note form with the press's trigger, then the note is sent.
    _answer, key = world.press("UALEX", interested, channel=ANNOUNCEMENTS)
    [opened] = world.fake.made("views.open")
    assert (opened["trigger_id"], opened["view"]["callback_id"]) == (f"trigger-{key}", "opening.note:1")
    assert fill_form(world, "UALEX", {"availability": "Weekday mornings"}) == "closed"

    [thanks] = world.fake.replies(key)
    assert thanks["text"].startswith("Thank you. You said you're interested in Online booking working group.")
    assert thanks["response_type"] == "ephemeral"  # in the channel, only Alex sees it
    with Session(engine) as session:
        [interest] = session.exec(select(OpeningInterest)).all()
    assert interest.availability == "Weekday mornings"


def test_a_partner_who_adds_a_matching_interest_gets_the_opening_in_a_direct_message(world, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", {**OPENING, "tags": "online booking"}) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    assert world.fake.posts_in("DUALEX") == []

    world.slash("UALEX", "/profile", "interests online booking", channel="CGENERAL")
    world.dispatch(clock)

    [invited] = world.fake.posts_in("DUALEX")
    assert invited["text"].startswith(
        "An opening still open matches your interests (online booking): Online booking working group."
    )
    assert button(invited["blocks"], "I'm interested")["action_id"] == "opening.interested:1"


def test_unselecting_in_slack_asks_once_and_tells_the_partner_kindly(world, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", OPENING) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    world.press("UALEX", button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
    assert fill_form(world, "UALEX", {}) == "closed"
    _answer, key = world.slash("UJO", "/openings", "review 1")
    world.press("UJO", button(world.fake.replies(key)[0]["blocks"], "Select Alex"))
    assert fill_form(world, "UJO", {"next_steps": "Meet on Teams", "hours": "6"}) == "closed"
    world.dispatch(clock)
    world.fake.forget()

    _answer, key = world.slash("UJO", "/openings", "review 1")
    _answer, key = world.press("UJO", button(world.fake.replies(key)[0]["blocks"], "Un-select Alex"))
    [asked] = world.fake.replies(key)
    assert asked["text"].startswith("Un-select Alex from Online booking working group?")
    _answer, key = world.press("UJO", button(asked["blocks"], "Yes, un-select Alex"))
    assert said(world.fake.replies(key))[0].startswith("Alex is no longer selected for Online booking working group.")
    world.dispatch(clock)

    [told] = world.fake.posts_in("DUALEX")
    assert told["text"] == (
        "Sorry, there is a change of plan for Online booking working group. Jo can no longer offer you a place. "
        "You don't need to do anything. You are still on the list of people interested."
    )


def test_the_weekly_digest_of_openings_reaches_slack_with_its_buttons(world, clock):
    met(world, "UALEX")
    world.slash("UALEX", "/profile", "interests online booking")
    _answer, key = world.slash("UALEX", "/profile", "openings weekly")
    assert "*Openings:* a weekly digest, on Mondays at 09:00" in texts(world.fake.replies(key)[0]["blocks"])
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", {**OPENING, "tags": "online booking", "closes_at": "10 Dec 2026 5pm"}) == "closed"
    world.dispatch(clock)
    assert world.fake.posts_in("DUALEX") == []  # not at once: in the digest

    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday 09:00 in London
    world.bot.tick()
    world.dispatch(clock)

    [weekly] = world.fake.posts_in("DUALEX")
    assert weekly["text"].startswith("This week's new openings that match your interests: 1.")
    assert button(weekly["blocks"], "I'm interested")["action_id"] == "opening.interested:1"


def test_staff_get_the_involvement_record_of_their_own_openings_as_a_file(world, engine, clock):
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", OPENING) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    world.press("UALEX", button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
    assert fill_form(world, "UALEX", {}) == "closed"
    _answer, key = world.slash("UJO", "/openings", "review 1")
    [review] = world.fake.replies(key)
    world.press("UJO", button(review["blocks"], "Select Alex"))
    assert fill_form(world, "UJO", {"next_steps": "Meet on Teams", "hours": "6"}) == "closed"
    world.fake.forget()

    answer, key = world.slash("UJO", "/openings", "export 2026-11-01 2026-11-30", channel="CGENERAL")

    # With a file the answer is more than the ack can carry: acked with nothing, shown after.
    assert (answer.status, answer.body) == (200, "")
    assert world.fake.made("ack") == []
    [shown, where] = world.fake.replies(key)
    assert where["text"] == "Your file is in your direct message with me."
    assert shown["text"].startswith("The involvement record of your openings from 2026-11-01 to 2026-11-30.")
    assert shown["response_type"] == "ephemeral"
    [asked] = world.fake.made("files.getUploadURLExternal")
    assert asked["filename"] == "involvement-2026-11-01-to-2026-11-30.csv"
    assert {c["channel_id"] for c in world.fake.made("files.completeUploadExternal")} == {"DUJO"}
    [csv_file] = world.fake.uploads.values()
    assert ",Alex,Online booking working group,Digital services,6," in csv_file.decode()


def test_a_session_sign_up_gives_a_calendar_file_and_the_count_is_edited(world, engine, clock):
    grant(world, "UCORA", "coordinator")
    world.slash("UCORA", "/sessions", "new")
    assert fill_form(world, "UCORA", SESSION) == "closed"
    met(world, "UALEX")
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert "*Places:* 0 of 2 places taken" in texts(announced["blocks"])

    _answer, key = world.press("UALEX", button(announced["blocks"], "Sign up"), channel=ANNOUNCEMENTS)
    [placed, where] = world.fake.replies(key)
    assert "Chair yoga" in placed["text"]
    with Session(engine) as session:
        assert [s.status for s in session.exec(select(SessionSignup)).all()] == ["confirmed"]
    # The calendar file goes to Alex's direct message, and Alex is told so where Alex pressed.
    assert (where["text"], where["response_type"]) == ("Your file is in your direct message with me.", "ephemeral")
    [completed] = world.fake.made("files.completeUploadExternal")
    assert completed["channel_id"] == "DUALEX"
    [uploaded] = world.fake.uploads.values()
    assert uploaded.startswith(b"BEGIN:VCALENDAR")

    # The announcement's count is kept current by editing the same post.
    world.dispatch(clock)
    [edited] = world.fake.made("chat.update")
    assert (edited["channel"], edited["ts"]) == (ANNOUNCEMENTS, world.fake.stamps_in(ANNOUNCEMENTS)[0])
    assert "*Places:* 1 of 2 places taken" in texts(edited["blocks"])

    # Alex's App Home shows the place.
    world.event({"type": "app_home_opened", "user": "UALEX", "channel": "DUALEX", "tab": "home"}, "EvHome")
    [published] = world.fake.made("views.publish")
    assert published["user_id"] == "UALEX"
    assert "Chair yoga" in texts(published["view"]["blocks"])


def a_session(world: SlackWorld) -> None:
    """Cora, a coordinator, schedules Chair yoga: session 1."""
    grant(world, "UCORA", "coordinator")
    world.slash("UCORA", "/sessions", "new")
    assert fill_form(world, "UCORA", SESSION) == "closed"


def test_files_in_replies_go_to_one_direct_message_opened_once(world):
    a_session(world)
    met(world, "UALEX")

    for _time in range(3):
        _answer, key = world.slash("UALEX", "/sessions", "calendar 1", channel="CGENERAL")
        assert said(world.fake.replies(key))[0].startswith("Here is the calendar file for Chair yoga")

    assert [c["channel_id"] for c in world.fake.made("files.completeUploadExternal")] == ["DUALEX"] * 3
    assert world.fake.made("conversations.open") == [{"users": "UALEX"}]


def test_a_direct_message_the_outbox_opened_is_the_one_replies_use(world, clock):
    a_session(world)  # Cora's "you have the coordinator role" waits in the outbox
    world.dispatch(clock)
    assert said(world.fake.posts_in("DUCORA")) == [
        "Ada gave you the coordinator role. Type /guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]

    world.slash("UCORA", "/sessions", "calendar 1", channel="CGENERAL")

    [completed] = world.fake.made("files.completeUploadExternal")
    assert completed["channel_id"] == "DUCORA"
    assert world.fake.made("conversations.open") == [{"users": "UCORA"}]


def test_the_app_home_is_published_and_its_buttons_answer_in_a_direct_message(world):
    met(world, "UPRIYA")
    world.event({"type": "app_home_opened", "user": "UPRIYA", "channel": "DUPRIYA", "tab": "messages"}, "Ev1")
    assert world.fake.made("views.publish") == []

    world.event({"type": "app_home_opened", "user": "UPRIYA", "channel": "DUPRIYA", "tab": "home"}, "Ev2")
    [published] = world.fake.made("views.publish")
    home = published["view"]
    assert (published["user_id"], home["type"]) == ("UPRIYA", "home")
    assert texts(home["blocks"]).startswith("Hello, Priya.")

    world.fake.forget()
    world.press("UPRIYA", button(home["blocks"], "My profile"), home=True)
    [shown] = world.fake.posts_in("DUPRIYA")
    assert shown["text"].startswith("Your profile. Only you and the coordinators can see it.")
    assert len(world.fake.made("views.publish")) == 1  # drawn again after the press


# ---- what Slack is kept safe from, and what keeps Slack safe -------------------------------------


def test_a_request_with_a_bad_signature_or_an_old_timestamp_is_refused(world, engine):
    fields = "command=%2Fguide&text=&user_id=UPRIYA&team_id=T1&channel_id=DUPRIYA&response_url=x"
    body = fields.encode()
    forged = world.post(body, "application/x-www-form-urlencoded", sign(body, "not-the-secret"))
    stale = world.post(body, "application/x-www-form-urlencoded", sign(body, SECRET, time.time() - 600))
    assert (forged.status, stale.status) == (401, 401)
    assert world.fake.calls == []
    with Session(engine) as session:
        assert session.exec(select(Member)).all() == []


def test_an_event_sent_again_is_handled_once(world):
    met(world, "UPRIYA")
    first = world.dm("UPRIYA", "roles", "EvOnce")
    again = world.dm("UPRIYA", "roles", "EvOnce", retry=1)
    assert (first.status, again.status) == (200, 200)
    [once] = world.fake.posts_in("DUPRIYA")
    assert once["text"].startswith("These people have a role here.")

    # A retry of an event this process never saw (it restarted) is handled.
    world.dm("UPRIYA", "roles", "EvAfterRestart", retry=2)
    assert len(world.fake.posts_in("DUPRIYA")) == 2


class Sleeps:
    """Stands in for `asyncio` in slack_sdk's retry handler: records each wait instead of waiting."""

    def __init__(self):
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def queued_dm(world: SlackWorld) -> None:
    """Ada gives Cora a role: Cora's direct message waits in the outbox."""
    grant(world, "UCORA", "coordinator")


def test_a_short_rate_limit_is_waited_out_and_the_message_goes_once(world, engine, clock, monkeypatch):
    sleeps = Sleeps()
    monkeypatch.setattr(builtin_async_handlers, "asyncio", sleeps)
    queued_dm(world)
    world.fake.fail("chat.postMessage", Failure(status=429, retry_after=2))

    assert world.dispatch(clock) == 1
    assert len(sleeps.waits) == 1 and 2 <= sleeps.waits[0] < 3  # Retry-After, honoured
    assert [c.status for c in world.fake.calls if c.method == "chat.postMessage"] == [429, 200]
    assert said(world.fake.posts_in("DUCORA")) == [
        "Ada gave you the coordinator role. Type /guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]
    with Session(engine) as session:
        [row] = session.exec(select(Outbox)).all()
    assert row.sent_at is not None and row.attempts == 0


def test_a_long_rate_limit_or_a_refusal_keeps_the_message_in_the_outbox(world, engine, clock, monkeypatch):
    monkeypatch.setattr(builtin_async_handlers, "asyncio", Sleeps())
    queued_dm(world)
    world.fake.fail("chat.postMessage", Failure(status=429, retry_after=120))

    assert world.dispatch(clock) == 0
    with Session(engine) as session:
        [row] = session.exec(select(Outbox)).all()
    # Waited out, and not counted as a failure.
    assert (row.sent_at, row.attempts, row.last_error) == (None, 0, "Slack said ratelimited")
    assert row.due_at.replace(tzinfo=UTC) == clock.now() + timedelta(seconds=120)

    clock.advance(timedelta(seconds=119))
    assert world.dispatch(clock) == 0
    world.fake.fail("chat.postMessage", Failure(error="channel_not_found"))
    clock.advance(timedelta(seconds=1))
    assert world.dispatch(clock) == 0
    # A refusal that trying again will not change: set aside for an admin, not retried.
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert (row.last_error, row.dead_at) == ("Slack said channel_not_found", clock.now())
    clock.advance(timedelta(minutes=15))
    assert world.dispatch(clock) == 0

    with Session(engine) as session:  # an admin put it right and typed: outbox retry all
        assert retry(session, clock.now()) == 1
        session.commit()
    assert world.dispatch(clock) == 1
    assert len(world.fake.posts_in("DUCORA")) == 1  # delivered once


def queue_post_and_dms(engine, clock, dms_first: bool = False) -> None:
    """A post in the announcements channel and direct messages to Bob and Cal, due now."""
    with Session(engine) as session:
        post = lambda: enqueue(  # noqa: E731
            session, "slack", TEAM, "channel", ANNOUNCEMENTS, Message(("Wellbeing session",)), clock.now()
        )
        if not dms_first:
            post()
        for user, name in (("UBOB", "Bob"), ("UCAL", "Cal")):
            enqueue(session, "slack", TEAM, "dm", user, Message((f"Hello {name}",)), clock.now())
        if dms_first:
            post()
        session.commit()


def test_a_long_rate_limit_on_one_channel_does_not_delay_direct_messages_to_others(world, engine, clock):
    queue_post_and_dms(engine, clock)
    world.fake.fail("chat.postMessage", Failure(status=429, retry_after=45))  # the post's call

    assert world.dispatch(clock) == 2  # in the same dispatch
    assert (said(world.fake.posts_in("DUBOB")), said(world.fake.posts_in("DUCAL"))) == (["Hello Bob"], ["Hello Cal"])
    assert world.fake.posts_in(ANNOUNCEMENTS) == []
    with Session(engine) as session:
        [waiting] = session.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
    assert (waiting.target_id, waiting.attempts) == (ANNOUNCEMENTS, 0)
    assert waiting.due_at.replace(tzinfo=UTC) == clock.now() + timedelta(seconds=45)


def test_a_rate_limit_on_opening_a_conversation_holds_every_slack_send(world, engine, clock):
    queue_post_and_dms(engine, clock, dms_first=True)
    world.fake.fail("conversations.open", Failure(status=429, retry_after=45))  # Bob's

    assert world.dispatch(clock) == 0
    assert world.fake.made("chat.postMessage") == []
    clock.advance(timedelta(seconds=45))
    assert world.dispatch(clock) == 3


def test_twenty_sign_ups_at_once_end_in_the_final_count_with_one_edit(world, engine, clock):
    people = [f"UP{number:02d}" for number in range(20)]
    grant(world, "UCORA", "coordinator")
    world.slash("UCORA", "/sessions", "new")
    assert fill_form(world, "UCORA", {**SESSION, "capacity": "3"}) == "closed"
    met(world, *people)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    sign_up = button(announced["blocks"], "Sign up")

    for person in people:  # all before the outbox's next beat
        world.press(person, sign_up, channel=ANNOUNCEMENTS)
    world.dispatch(clock)

    [edited] = world.fake.made("chat.update")  # one edit, not twenty
    assert (edited["channel"], edited["ts"]) == (ANNOUNCEMENTS, world.fake.stamps_in(ANNOUNCEMENTS)[0])
    assert "*Places:* 3 of 3 places taken, 17 on the waitlist" in texts(edited["blocks"])
    with Session(engine) as session:
        edits = session.exec(select(Outbox).where(col(Outbox.edit_of).is_not(None))).all()
    assert len(edits) == 20 and all(e.sent_at is not None for e in edits)


def test_a_file_that_failed_to_upload_is_sent_again_without_the_message_twice(world):
    calendar = File("chair-yoga.ics", "text/calendar", "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    delivery = Delivery(
        7, "slack", TEAM, "dm", "UALEX", Message(("Your place is booked.",), files=(calendar,))
    )
    world.fake.fail("files.completeUploadExternal", Failure(error="internal_error"))

    with pytest.raises(SendFailed):
        world.sender.send(delivery)
    sent = world.sender.send(delivery)

    assert said(world.fake.posts_in("DUALEX")) == ["Your place is booked."]  # once
    assert sent == world.fake.stamps_in("DUALEX")[0]
    assert [c["channel_id"] for c in world.fake.made("files.completeUploadExternal")] == ["DUALEX"]


def test_what_people_type_never_becomes_a_ping_or_a_disguised_link(world, engine, clock):
    met(world, "UPRIYA")
    # Typed "@here" (Slack sends <!here>) and a typed "<!channel>" (Slack escapes it) are refused.
    _a, here = world.slash("UPRIYA", "/profile", "interests <!here>")
    _a, channel = world.slash("UPRIYA", "/profile", "interests &lt;!channel&gt;")
    for key in (here, channel):
        assert [slack_reading(text).seen for text in said(world.fake.replies(key))] == [
            "Please leave out @everyone, @here and group mentions. They would alert everyone."
        ]

    # Mention and link markup typed as a name stays text when it is shown.
    world.slash("UPRIYA", "/profile", "edit")
    sneaky = "<@UADA> <https://evil.example|your bank> & co"
    assert fill_form(world, "UPRIYA", {"name": sneaky}) == "closed"
    assert member(engine, "UPRIYA").display_name == sneaky
    shown = world.fake.replies()[-1]
    reading = slack_reading(texts(shown["blocks"]))
    assert reading.live == [] and "*Name:* <@UADA> <https://evil.example|your bank> & co" in reading.seen

    # Words staff type go to a whole channel: they stay text there too.
    grant(world, "UJO", "staff")
    world.slash("UJO", "/openings", "new")
    title = "Pay <https://evil.example|here> now, <@UADA>"
    assert fill_form(world, "UJO", {**OPENING, "title": title}) == "closed"
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    for text in (announced["text"], texts(announced["blocks"])):
        assert slack_reading(text).live == []
        assert title in slack_reading(text).seen
    shown = [c.args for c in world.fake.calls if c.method in ("chat.postMessage", "response_url")]
    assert pings(shown) == []


def pages_shown(world: SlackWorld, user: str, values: dict[str, str]) -> list[dict]:
    """Every page of the modal just opened, as Slack was asked to show it, each sent with these
    values; Slack would refuse none of them."""
    view = world.fake.made("views.open")[-1]["view"]
    shown = [view]
    for _page in range(5):
        answer = world.submit(user, view, values)
        if not answer.body:
            assert all(view_problem(v) == "" for v in shown)
            return shown
        found = answer.json()
        assert found["response_action"] == "update", found
        view = found["view"]
        shown.append(view)
    raise AssertionError("the form did not finish")


def test_whole_numbers_are_asked_for_as_whole_numbers_within_their_bounds(world):
    grant(world, "UCORA", "coordinator")
    grant(world, "UJO", "staff")
    questions = "How are you? | awful, poor, okay, good, great"
    checkin = {"name": "Weekly", "questions": questions, "schedule": "weekly mon 10:00"}
    numbers = {}
    for user, command, values in (
        ("UCORA", "/sessions", SESSION),
        ("UJO", "/openings", OPENING),
        ("UCORA", "/checkin", {**checkin, "visibility": "named"}),
    ):
        world.slash(user, command, "new")
        for view in pages_shown(world, user, values):
            for block in view["blocks"]:
                if block["type"] == "input" and block["element"]["type"] == "number_input":
                    numbers[(view["callback_id"], block["block_id"])] = (block["element"], block.get("hint"))

    def whole(low: str, high: str, first: str = "", hint: str = "") -> tuple:
        """A whole-number input from `low` to `high`, and the hint under it."""
        element = {"type": "number_input", "action_id": "value", "is_decimal_allowed": False}
        element |= {"min_value": low, "max_value": high} | ({"initial_value": first} if first else {})
        hint = hint or f"A whole number from {low} to {high}"
        return element, {"type": "plain_text", "text": hint, "emoji": True}

    weeks = "1 for one session. 6 repeats it weekly for 6 weeks."
    alert = "A scale answer at or below this alerts the coordinators. Empty: only when asked."

    assert numbers == {
        ("session.new", "duration"): whole("5", "720", "60"),
        ("session.new", "capacity"): whole("1", "500"),
        ("session.new", "weeks"): whole("1", "26", "1", weeks),
        ("opening.new", "seats"): whole("1", "100", "1"),
        ("checkin.edit", "window"): (
            {"type": "number_input", "action_id": "value", "is_decimal_allowed": True, "initial_value": "48"},
            None,
        ),
        ("checkin.edit", "alert_level"): whole("1", "5", hint=alert),
    }


def test_links_in_an_opening_and_in_a_note_reach_staff_and_partners_as_plain_words(world, engine, clock):
    grant(world, "UJO", "staff")
    met(world, "UALEX")
    world.slash("UALEX", "/profile", "interests online booking")
    world.slash("UJO", "/openings", "new")
    assert fill_form(world, "UJO", {**OPENING, "involves": NOTE, "tags": "online booking"}) == "closed"
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    [invited] = world.fake.posts_in("DUALEX")
    world.press("UALEX", button(announced["blocks"], "I'm interested"), channel=ANNOUNCEMENTS)
    assert fill_form(world, "UALEX", {"note": NOTE}) == "closed"
    _answer, key = world.slash("UJO", "/openings", "review 1")
    [review] = world.fake.replies(key)

    with Session(engine) as session:
        assert session.exec(select(OpeningInterest)).one().note == NOTE  # kept as typed
    # Never selected is said once, not again as "not in the last 6 months".
    assert "Never selected before." in texts(review["blocks"])
    assert "never selected" not in texts(review["blocks"]) and "last 6 months" not in texts(review["blocks"])
    for message in (announced, invited, review):
        for text in (texts(message["blocks"]), message["text"]):  # what is shown, what notifies
            reading = slack_reading(text)
            assert reading.live == [], reading.live
            assert NOTE in reading.seen, reading.seen


def drawn_short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@pytest.mark.parametrize("typed", HOSTILE.values(), ids=HOSTILE.keys())
def test_what_people_type_reaches_slack_as_plain_words(typed):
    shown, when = typed_as_seen(typed), f"[time {AT.fallback}]"
    [drawn] = render_message(everywhere(typed), translator("en"))
    reading = slack_reading(texts(drawn.blocks))
    assert reading.live == []
    assert f"Note: {shown}. Closes {when}." in reading.seen  # the bot's own time still works
    # The fields, then the group's words over its buttons.
    assert f"*{shown}:* {shown}\n*When:* {when} {shown}\n{shown}" in reading.seen
    notified = slack_reading(drawn.text)
    assert notified.live == [] and f"Note: {shown}. Closes {AT.fallback}." in notified.seen
    # Buttons, options and placeholders are plain text: they show as typed.
    controls = elements(drawn.blocks)
    assert [c["text"]["text"] for c in controls if c["type"] == "button"] == [drawn_short(typed, 75), "Yes"]
    [select] = [c for c in controls if c["type"] == "static_select"]
    assert select["placeholder"]["text"] == drawn_short(typed, 150)
    assert select["options"][0]["text"]["text"] == drawn_short(typed, 75)

    # A long text is split into sections, each read on its own.
    for room in range(1, 160, 3):
        filler = ("word " * 700)[: MAX_SECTION - room]
        [long] = render_message(Message((filler, typed, " after")), translator("en"))
        for block in long.blocks:
            assert slack_reading(block["text"]["text"]).live == [], (room, block["text"]["text"][-200:])

    home = render_home(Reply(messages=(everywhere(typed),)), translator("en"))
    assert slack_reading(texts(home["blocks"])).live == []

    # A modal is never markdown: what was typed shows as typed.
    fields = (
        FormField("note", typed, "long", hint=typed, initial=typed),
        FormField("kind", typed, "choice", choices=(Option(typed, "a"), Option("Other", "b")), initial="a"),
    )
    form = Form("opening.note:1", typed, fields, "Send")
    view = render_modal(form, Origin(), translator("en"), notes=(Message((typed,)),))
    assert slack_reading(texts(view["blocks"])).live == []
    assert typed_as_seen(typed) in slack_reading(texts(view["blocks"])).seen  # the note above
    note, kind = (b for b in view["blocks"] if b["type"] == "input")
    shown_in_note = (note["label"]["text"], note["hint"]["text"], note["element"]["initial_value"])
    assert shown_in_note == (typed, typed, typed)
    assert kind["element"]["initial_option"]["text"]["text"] == drawn_short(typed, 75)


def test_an_over_long_message_is_split_and_shortened_within_slacks_limits(world):
    at = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    words = "Plenty to say. " * 300  # 4,500 characters
    buttons = tuple(
        Button(label, f"opening.interested:{n}", group=f"#{n} Opening number {n}")
        for n in range(1, 31)
        for label in ("I'm interested", "More details")
    )
    long_label = Button("A button whose label goes on and on " * 4, "guide")
    menu = Select("Choose one", "profile.show", tuple(Option(f"Option {n}", str(n)) for n in range(150)))
    message = Message(
        (words, Moment(at, "Thursday 3 December 2026 at 14:00 (Europe/London)"), ". " + words),
        buttons=(*buttons, long_label),
        selects=(menu,),
    )
    delivery = Delivery(9, "slack", TEAM, "channel", ANNOUNCEMENTS, message)

    first_ts = world.sender.send(delivery)

    parts = world.fake.posts_in(ANNOUNCEMENTS)  # every one accepted by the fake's limit checks
    assert len(parts) >= 2
    assert all(len(p["blocks"]) <= MAX_BLOCKS for p in parts)
    assert first_ts == world.fake.stamps_in(ANNOUNCEMENTS)[0]  # an edit changes the first
    for part in parts[:-1]:
        assert texts(part["blocks"]).endswith("Continued in the next message.")
    shown = "\n".join(texts(p["blocks"]) for p in parts)
    assert shown.count("<!date^") == 1  # a time is never cut in two
    # Nothing of the text is lost (a piece may end between two words of it).
    assert " ".join(shown.split()).count("Plenty to say.") == 600
    assert "Some of this was too long for Slack, so it is shortened here." in shown
    assert len([e for p in parts for e in elements(p["blocks"]) if e["type"] == "static_select"]) == 2

    # An edit changes one message: shortened, with the note.
    world.sender.send(Delivery(10, "slack", TEAM, "channel", ANNOUNCEMENTS, message, edit_message_id="1.2"))
    [edited] = world.fake.made("chat.update")
    assert len(edited["blocks"]) <= MAX_BLOCKS
    assert texts(edited["blocks"]).endswith("Some of this was too long for Slack, so it is shortened here.")


def test_a_long_form_title_is_shortened_and_given_in_full_above_the_fields():
    form = Form("opening.note:1", "I'm interested in the online booking working group", (), "Send")
    view = render_modal(form, Origin("C1", "https://hooks.example/r"), lambda words, **v: words.format(**v))
    assert len(view["title"]["text"]) <= 24 and view["title"]["text"].endswith("…")
    assert view["blocks"][0]["text"]["text"] == "*I'm interested in the online booking working group*"
    assert json.loads(view["private_metadata"]) == {
        "page": 1,
        "channel": "C1",
        "response_url": "https://hooks.example/r",
    }


def test_choices_and_numbers_are_drawn_as_slack_inputs():
    fields = (
        FormField(
            "visibility",
            "Answers shown",
            "choice",
            choices=(Option("By name", "named"), Option("As totals", "totals")),
            initial="totals",
        ),
        FormField("places", "Places", "number", minimum=1, maximum=100, whole=True, initial="2"),
        FormField("hours", "Hours agreed", "number", minimum=0, maximum=1000),
        FormField("start", "Starts", "datetime", hint="For example: Friday 2pm"),
    )
    view = render_modal(Form("x.y", "Title", fields, "Save"), Origin(), lambda words, **v: words)
    choice, places, hours, start = (b["element"] for b in view["blocks"])
    assert choice["initial_option"]["value"] == "totals" and len(choice["options"]) == 2
    # Slack lets only a whole number from 1 to 100 be typed in Places; Hours may be 1.5.
    assert places == {
        "type": "number_input",
        "action_id": "value",
        "is_decimal_allowed": False,
        "min_value": "1",
        "max_value": "100",
        "initial_value": "2",
    }
    assert (hours["is_decimal_allowed"], hours["min_value"], hours["max_value"]) == (True, "0", "1000")
    assert start["type"] == "plain_text_input"  # typed words, read by the core in the form's zone


# ---- translating and drawing, piece by piece -----------------------------------------------------


@pytest.mark.parametrize(
    ("formatted", "typed", "mentions"),
    [
        ("grant <@UCORA|cora> coordinator", "grant @cora coordinator", ("UCORA",)),
        ("grant <@UCORA> coordinator", "grant @Cora coordinator", ("UCORA",)),
        ("see <https://nhs.example/a|nhs.example/a>", "see nhs.example/a", ()),
        ("see <https://evil.example|your bank>", "see https://evil.example", ()),
        ("<mailto:sam@nhs.example|sam@nhs.example>", "sam@nhs.example", ()),
        ("hi <!here> and <!channel>", "hi @here and @channel", ()),
        ("<!subteam^S1|@nurses> <!subteam^S2>", "@nurses @group", ()),
        ("in <#C1|general>", "in #general", ()),
        ("at <!date^1700000000^{date}|Tuesday>", "at Tuesday", ()),
        ("&lt;!channel&gt; a &amp;lt; b", "<!channel> a &lt; b", ()),
    ],
)
def test_slacks_formatting_comes_back_as_the_person_typed_it(formatted, typed, mentions):
    assert translate.typed_text(formatted, {"UCORA": "Cora"}) == (typed, mentions)


def test_a_slash_command_brings_its_mentions_and_where_it_was_typed():
    someone = translate.who(TEAM, "UADA", translate.Profile("Ada", "Europe/London"))
    body = {"command": "/roles", "text": "grant <@UCORA> staff", "channel_id": "C9", "team_id": TEAM}
    command = translate.slash_command(body, someone, {"UCORA": "Cora"})
    assert (command.name, command.text, command.where.kind, command.where.channel_id) == (
        "roles",
        "grant @Cora staff",
        "channel",
        "C9",
    )
    assert [m.user_id for m in command.mentions] == ["UCORA"] and command.mentions[0].workspace == TEAM
    assert someone.timezone == "Europe/London"


def test_escaping_and_times():
    # A soft hyphen, unseen, before each ">" keeps one starting a line from quoting it.
    assert escape("<@U1> & <!here>") == "&lt;@U1\u00ad&gt; &amp; &lt;!here\u00ad&gt;"
    assert escape("@here or @channel") == "@\u200bhere or @\u200bchannel"  # no ping either
    at = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    token = date_token(Moment(at, "Tuesday 1 December 2026 at 14:00 <Europe/London>"))
    assert token == (
        f"<!date^{int(at.timestamp())}^{{date_short_pretty}}, {{time}}"
        "|Tuesday 1 December 2026 at 14:00 &lt;Europe/London\u00ad&gt;>"
    )


def test_a_mention_is_drawn_as_the_slack_person_only_for_one_reader_and_only_for_slack():
    here = Mention(AccountRef("slack", TEAM, "UPP1"), "@UPP1")
    elsewhere = Mention(AccountRef("discord", "", "1007"), "@1007")
    private = Message(("Which one? ", here, " or ", elsewhere))
    assert texts(render_whole(private, translator("en")).blocks) == "Which one? <@UPP1> or @1007"
    # In a channel Slack would notify them: the handle stays text.
    public = Message(("Which one? ", here), private=False)
    assert texts(render_whole(public, translator("en")).blocks) == "Which one? @UPP1"
    assert render_whole(private, translator("en")).text == "Which one? @UPP1 or @1007"


def test_text_is_split_between_words_and_never_inside_a_time_or_an_entity():
    token = "<!date^1^{date_short_pretty} at {time}|Tuesday>"
    text = ("word " * 590) + token + " &amp; " + ("x" * 7000)
    pieces = split_text(text)
    assert all(len(p) <= 3000 for p in pieces)
    assert sum(p.count(token) for p in pieces) == 1
    assert sum(p.count("&amp;") for p in pieces) == 1
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_one_message_drawn_whole_has_a_fallback_for_screen_readers():
    drawn = render_whole(Message(("Hello <there>",), buttons=(Button("Go", "guide"),)), lambda w, **v: w)
    assert drawn.text == "Hello &lt;there\u00ad&gt;"
    assert drawn.blocks[0]["text"]["text"] == "Hello &lt;there\u00ad&gt;"


def test_the_api_url_gets_its_trailing_slash():
    assert Settings(_env_file=None, slack_api_url="https://gov.example/api").slack_api_url == (
        "https://gov.example/api/"
    )
    assert Settings(_env_file=None).slack_api_url == "https://slack.com/api/"


def test_the_manifest_declares_every_command_and_what_the_adapter_uses():
    manifest = (ROOT / "adapters" / "slack" / "manifest.yml").read_text()
    commands = re.findall(r"^\s*- command: (/\S+)$", manifest, re.MULTILINE)
    every = Features(EVERY_FEATURE).commands
    assert sorted(commands) == sorted(f"/{name}" for name in every)
    assert manifest.count("should_escape: true") == len(every)  # mentions come with their ids
    scopes = re.findall(r"^\s*- ([a-z]+:[a-z]+)", manifest, re.MULTILINE)
    assert set(scopes) == {
        "channels:history",
        "chat:write",
        "files:read",
        "files:write",
        "groups:history",
        "im:history",
        "im:write",
        "users:read",
    }
    assert "- commands" in manifest
    assert re.search(r"bot_events:\n\s*- app_home_opened\n\s*- message.im\n", manifest)
    assert "socket_mode_enabled: true" in manifest and "is_enabled: true" in manifest
    assert "home_tab_enabled: true" in manifest


# ---- Socket Mode -----------------------------------------------------------------------------


def test_socket_mode_connects_handles_an_envelope_and_acknowledges_it(engine, clock):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    settings = Settings(_env_file=None, slack_api_url=fake.api_url)
    bot = Bot(engine, settings, clock, EVERY_FEATURE)

    async def connect():
        adapter = SlackAdapter(bot, slack_client(BOT_TOKEN, settings.slack_api_url))
        return adapter, await start_socket_mode(adapter, APP_TOKEN)

    adapter, handler = loop.run(connect())
    try:
        assert [c.method for c in fake.calls] == ["apps.connections.open"]
        payload = {
            "team_id": TEAM,
            "channel_id": "DUPRIYA",
            "user_id": "UPRIYA",
            "user_name": "priya",
            "command": "/guide",
            "text": "",
            "response_url": fake.response_url("socket"),
            "trigger_id": "trigger-socket",
        }
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
        loop.run(fake.envelopes.put(envelope))
        ack = loop.run(asyncio.wait_for(fake.acks.get(), 10))
        assert ack == {"envelope_id": "env-1"}
        loop.run(adapter.settle())
        assert said(fake.replies("socket"))[-1].startswith("Here is what you can do.")

        # Known now, a one-message answer comes back in the envelope's ack, its payload.
        fake.forget()
        loop.run(fake.envelopes.put({**envelope, "envelope_id": "env-2"}))
        ack = loop.run(asyncio.wait_for(fake.acks.get(), 10))
        assert ack["envelope_id"] == "env-2"
        assert ack["payload"]["text"].startswith("Here is what you can do.")
        assert ack["payload"]["response_type"] == "in_channel"
        loop.run(adapter.settle())
        assert fake.replies("socket") == []
    finally:
        loop.run(handler.close_async())
        loop.run(adapter.close())
        loop.run(fake.stop())
        loop.close()


# ---- `partnerbot run` ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_partnerbot(tmp_path: Path, **env: str) -> tuple[subprocess.Popen, queue.Queue]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DATABASE_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"],
        cwd=tmp_path,
        env={**keep, "PYTHONPATH": str(ROOT), **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return process, lines


def http_mode(fake: FakeSlack, port: int) -> dict[str, str]:
    """The settings of `partnerbot run` for Slack's HTTP mode, on 127.0.0.1:`port`, with `fake`."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "SLACK_HOST": "127.0.0.1",
        "SLACK_PORT": str(port),
    }


def read_until(lines: queue.Queue, words: str, seconds: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + seconds
    while words not in seen:
        seen += lines.get(timeout=max(0.1, deadline - time.monotonic()))
    return seen


def test_partnerbot_run_serves_slack_in_http_mode_and_never_logs_a_secret_or_what_was_typed(tmp_path):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    port = free_port()
    process, lines = start_partnerbot(tmp_path, **http_mode(fake, port), LOG_LEVEL="DEBUG", SUPPORT_CONTACTS="")
    try:
        shown = read_until(lines, "Press Ctrl+C to stop.")
        assert f"Waiting for Slack at http://127.0.0.1:{port}/slack/events." in shown
        requests = SignedRequests(port, fake)
        answer, key = requests.slash("UPRIYA", "/guide")
        assert answer.status == 200
        deadline = time.monotonic() + 10
        while len(fake.replies(key)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the reply comes from another process: wait for it, with a deadline
        assert said(fake.replies(key))[-1].startswith("Here is what you can do.")
        # A name typed in a command, and the answer that shows it, stay out of the DEBUG log.
        _answer, key = requests.slash("UPRIYA", "/profile", "name Priya Quillfeather")
        deadline = time.monotonic() + 10
        while not fake.replies(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Priya Quillfeather" in said(fake.replies(key))[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(20)
        loop.run(fake.stop())
        loop.close()
    rest = "".join(iter_queue(lines))
    assert code == 0, shown + rest
    assert "DEBUG" in rest and "/response/" in rest  # it logged its requests, by address
    # Before anyone needs it: a call for support would reach nobody, and no number is set.
    assert "WARNING adapters.platforms: There is no coordinator, so a call for support reaches nobody." in shown + rest
    assert "SUPPORT_CONTACTS is not set, so people who ask for support get no number to call." in shown + rest
    assert "Quillfeather" not in shown + rest
    for secret in (BOT_TOKEN, SECRET):
        assert secret not in shown + rest


def test_partnerbot_run_explains_a_token_slack_refuses(tmp_path):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    try:
        process, lines = start_partnerbot(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-wrong-and-secret",
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=fake.api_url,
        )
        code = process.wait(60)
    finally:
        loop.run(fake.stop())
        loop.close()
    out = "".join(iter_queue(lines))
    assert code == 1, out
    assert "Slack did not accept the bot token (invalid_auth). Please check SLACK_BOT_TOKEN." in out
    assert "wrong-and-secret" not in out and "Traceback" not in out


def test_a_stop_lets_a_message_being_sent_finish_so_a_restart_does_not_send_it_again(tmp_path):
    loop = LoopThread()
    fake = FakeSlack()
    loop.run(fake.start())
    port = free_port()
    process, lines = start_partnerbot(
        tmp_path, **http_mode(fake, port), ADMINS=f"slack:{TEAM}/UADA", DISPATCH_INTERVAL_SECONDS="1"
    )
    try:
        shown = read_until(lines, "Press Ctrl+C to stop.")
        held = fake.hold("chat.postMessage")
        requests = SignedRequests(port, fake)
        requests.slash("UCORA", "/guide")
        requests.slash("UADA", "/roles", "grant <@UCORA> coordinator")  # Cora is told by the outbox
        assert held.arrived.wait(15), "the outbox did not send Cora's message"

        process.send_signal(signal.SIGTERM)
        # Stopping, it waits for the send under way, or it has ended without it.
        deadline = time.monotonic() + 15
        while "finishing what is being sent" not in shown and process.poll() is None:
            assert time.monotonic() < deadline, shown
            try:
                shown += lines.get(timeout=0.1)
            except queue.Empty:
                pass
        held.answer()
        code = process.wait(20)
    finally:
        if process.poll() is None:
            process.kill()
        loop.run(fake.stop())
        loop.close()
    rest = shown + "".join(iter_queue(lines))
    assert code == 0, rest
    assert said(fake.posts_in("DUCORA")) == [
        "Ada gave you the coordinator role. Type /guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]
    # Marked sent: after a restart it is not sent again.
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'partnerbot.db'}")
    try:
        with Session(engine) as session:
            [row] = session.exec(select(Outbox)).all()
        assert (row.sent_at is not None, row.attempts) == (True, 0), row.last_error
    finally:
        engine.dispose()


def iter_queue(lines: queue.Queue):
    while True:
        try:
            yield lines.get(timeout=1)
        except queue.Empty:
            return


# ---- asking for someone ------------------------------------------------------------------------


def test_words_typed_to_the_bot_ask_for_someone_and_a_coordinator_takes_it_in_slack(world, engine, clock):
    grant(world, "UCORA", "coordinator")
    met(world, "ULOU")

    world.dm("ULOU", "I'm not OK", "EvHelp")
    [told] = world.fake.posts_in("DULOU")
    assert told["text"].startswith(
        "Thank you for asking. I have told the coordinators, and someone will contact you soon."
    )

    world.dispatch(clock)
    alert = world.fake.posts_in("DUCORA")[-1]  # after the news of the role
    assert alert["text"] == "Lou would like someone to contact them. They wrote: I'm not OK"
    answer, key = world.press("UCORA", button(alert["blocks"], "I'll take this"), channel="DUCORA")
    assert answer.status == 200
    assert said(world.fake.replies(key)) == ["It's yours. I have told Lou that you will be in touch."]

    world.dispatch(clock)
    [edited] = world.fake.made("chat.update")
    assert (edited["channel"], edited["ts"]) == ("DUCORA", world.fake.stamps_in("DUCORA")[-1])
    assert edited["text"] == "Lou would like someone to contact them. They wrote: I'm not OK Taken by Cora."
    assert [e["text"]["text"] for e in elements(edited["blocks"])] == ["Done"]
    assert world.fake.posts_in("DULOU")[-1]["text"] == "Cora has your message and will be in touch."


# ---- one person, every platform ------------------------------------------------------------------


def test_link_gives_a_code_only_the_person_sees_and_the_code_joins_another_account(world, engine):
    met(world, "UALEX")
    _answer, key = world.slash("UALEX", "/link", channel="CGENERAL")
    [given] = world.fake.replies(key)
    assert given["response_type"] == "ephemeral"  # nobody else in the channel sees the code
    code = re.search(r"link ([A-Z0-9]{3}-[A-Z0-9]{3})$", given["text"]).group(1)

    elsewhere = Person(world.bot, Who(AccountRef("discord", "", "42"), "Alex D"))
    elsewhere.says(f"link {code}")
    assert "Done. Your accounts are linked." in elsewhere.last.plain()  # after the welcome
    assert member(engine, "UALEX").id == member(engine, "42").id

    world.fake.forget()
    _answer, key = world.slash("UALEX", "/link", "K7P-4QD")  # a wrong code, typed after /link
    assert said(world.fake.replies(key)) == [
        "That code doesn't work. Check it, or type /link on your other account for a new one."
    ]
    _answer, key = world.slash("UALEX", "/unlink")
    assert said(world.fake.replies(key))[0].startswith("Done. This account is on its own now")
    assert member(engine, "UALEX").id != member(engine, "42").id


def test_mydata_arrives_as_files_in_slack_and_leave_stops_messages_and_offers_the_erase(world, engine, clock):
    grant(world, "UCORA", "coordinator")
    met(world, "UALEX")

    _answer, key = world.slash("UALEX", "/mydata", channel="CGENERAL")
    [shown, where] = world.fake.replies(key)
    assert where["text"] == "Your file is in your direct message with me."
    assert shown["text"].startswith("Here is everything I keep about you. Only you can see this.")
    assert shown["response_type"] == "ephemeral"
    assert "*Roles:* partner" in texts(shown["blocks"])
    names = sorted(c["filename"] for c in world.fake.made("files.getUploadURLExternal"))
    assert [n.rsplit("-", 3)[0] for n in names] == ["my-checkin-answers", "my-data"]
    # The files go to Alex's direct message, nowhere else.
    assert {c["channel_id"] for c in world.fake.made("files.completeUploadExternal")} == {"DUALEX"}
    [data] = [json.loads(body) for body in world.fake.uploads.values() if body.startswith(b"{")]
    assert data["profile"]["name"] == "Alex"
    assert data["profile"]["accounts"][0]["user_id"] == "UALEX"

    world.fake.forget()
    _answer, key = world.slash("UALEX", "/leave")
    [left] = world.fake.replies(key)
    assert left["text"].startswith("You have left. I won't send you any more messages.")
    world.dispatch(clock)
    assert said(world.fake.posts_in("DUCORA"))[-1] == "Alex has left."
    assert member(engine, "UALEX").left_at is not None

    _answer, key = world.press("UALEX", button(left["blocks"], "Erase my data"), channel="DUALEX")
    assert said(world.fake.replies(key)) == [
        "Done. I have erased your data. If you write to me again, I will greet you as someone new."
    ]
    with Session(engine) as session:
        assert session.exec(select(Account).where(Account.user_id == "UALEX")).all() == []


def test_a_french_members_long_direct_message_is_split_with_our_notes_in_french(world, engine, clock):
    met(world, "UPRIYA")
    world.slash("UPRIYA", "/profile", "language fr")
    fr = translator("fr")
    buttons = tuple(
        Button(fr("More details"), f"opening.interested:{n}", group=f"#{n} {fr('Openings')}") for n in range(1, 61)
    )
    long = Message(("Beaucoup à dire. " * 300,), buttons=buttons)
    with Session(engine) as session:
        reader = member(engine, "UPRIYA")
        enqueue_dm(session, reader.id, long, clock.now())
        # A row queued before rows said their language reads in the service's (English here).
        enqueue(session, "slack", TEAM, "dm", "UPRIYA", long, clock.now())
        session.commit()
    world.fake.forget()

    assert world.dispatch(clock) == 2

    notes = [texts(p["blocks"]).rsplit("\n", 1)[-1] for p in world.fake.posts_in("DUPRIYA")]
    french, english = notes[: len(notes) // 2], notes[len(notes) // 2 :]
    assert len(french) >= 2
    assert french[:-1] == ["Suite dans le prochain message."] * (len(french) - 1)
    assert english[:-1] == ["Continued in the next message."] * (len(english) - 1)
