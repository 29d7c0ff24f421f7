"""The Discord adapter end to end: the real discord.py client connects to a fake Discord on
127.0.0.1 (tests/discord_fakes.py), gateway and REST, and gets interactions as Discord sends
them. The core and the database (SQLite and PostgreSQL) are behind it."""

from __future__ import annotations

import json
import re
import signal
from datetime import UTC, datetime, timedelta

import discord
import pytest
from sqlmodel import Session, col, select

from adapters.discord import translate
from adapters.discord.render import (
    MAX_CONTENT,
    MAX_ROWS,
    read_custom_id,
    render_message,
    render_modal,
    shorten,
    split_text,
    time_tokens,
)
from adapters.discord.sender import event_fields
from bot.conversation import (
    Button,
    CalendarEvent,
    Form,
    FormField,
    Mention,
    Message,
    Moment,
    Option,
    Select,
    Who,
)
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.outbox import enqueue
from bot.settings import Settings
from bot.words import translator
from storage.models import (
    Account,
    CheckIn,
    FormDraft,
    Member,
    Opening,
    OpeningInterest,
    Outbox,
    SessionSignup,
)
from tests.conftest import Person
from tests.discord_fakes import ANNOUNCEMENTS, GENERAL, TOKEN, DiscordWorld, FakeDiscord, Shown, buttons
from tests.hostile import AT, HOSTILE, NOTE, discord_reading, everywhere, typed_as_seen
from tests.slack_fakes import FakeSlack, LoopThread, SlackWorld, texts
from tests.test_slack import iter_queue, read_until, roles_of, start_partnerbot

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

PRIYA, ADA, CORA, LOU, JO, ALEX = "1001", "1002", "1003", "1004", "1005", "1006"
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
    settings = Settings(
        _env_file=None,
        admins=f"discord:{ADA}",
        default_timezone="Europe/London",
        announcements_channel=f"discord:{ANNOUNCEMENTS}",
    )
    made = DiscordWorld(Bot(engine, settings, clock, EVERY_FEATURE))
    yield made
    made.close()


def seen(message: dict) -> str:
    """A message's content as a person sees it in Discord (read as tests/hostile.py reads it)."""
    return discord_reading(message.get("content") or "").seen


def member(engine, user_id: str) -> Member:
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.user_id == user_id)).one()
        return session.get_one(Member, account.member_id)


def met(world: DiscordWorld, *users: str) -> None:
    """These people have talked to the bot once, so they exist, and said OK to the notice."""
    for user_id in users:
        shown = world.slash(user_id, "guide")
        notice = [a for a in shown.answers if seen(a).startswith("Hello! Before we start")]
        if notice:
            world.press(user_id, buttons(notice[0])["OK"])
    world.fake.forget()


def grant(world: DiscordWorld, user_id: str, role: str) -> None:
    """Ada, an admin through ADMINS, gives a role with an @mention, as Discord sends it."""
    met(world, ADA, user_id)
    shown = world.slash(ADA, "roles", f"grant <@{user_id}> {role}")
    assert shown.texts[-1].startswith("Done. "), shown.texts
    world.fake.forget()


def inputs(modal: dict) -> list[dict]:
    """A modal's inputs in order: text inputs in rows, selects under labels."""
    return [
        item
        for row in modal["components"]
        for item in (row["components"] if row["type"] == 1 else [row["component"]])
    ]


def fill_form(world: DiscordWorld, user_id: str, shown: Shown, values: dict[str, str], channel=None) -> Shown:
    """Submit each page of the modal just opened, pressing Continue between pages."""
    modal = shown.modal
    for _page in range(5):
        answer = world.submit(user_id, modal, values, channel)
        offered = {k: v for a in answer.answers for k, v in buttons(a).items()}
        if "Continue" not in offered:
            return answer
        modal = world.press(user_id, offered["Continue"], channel).modal
    raise AssertionError("the form did not finish")


# ---- commands, forms and the first contact ---------------------------------------------------------


def test_a_slash_command_is_answered_within_discords_deadline(world, engine):
    shown = world.slash(PRIYA, "guide")

    welcome, guide = shown.answers
    assert welcome["type"] == 4  # the first answer is the interaction's own response
    assert welcome["content"].startswith("Hello! Before we start, here is what I keep and why.")
    assert guide["followup"] and guide["content"].startswith("Here is what you can do.")
    assert "**profile:** Shows your settings." in guide["content"]
    assert buttons(guide) == {
        "My profile": "b:profile.show|",
        "Edit my profile": "b:profile.edit|",
        "Talk to someone": "b:support.ask|",
    }
    # In a direct message the answer stays; nobody else is there.
    assert {a.get("flags", 0) & 64 for a in shown.answers} == {0}
    assert member(engine, PRIYA).display_name == "Priya"

    # In a channel only the person who typed it sees the answer.
    [profile] = world.slash(PRIYA, "profile", channel=GENERAL).answers
    assert profile["flags"] & 64
    assert "**Time zone:** Europe/London" in profile["content"]


def test_slow_work_is_answered_thinking_first_then_followed_up(world, engine, monkeypatch):
    met(world, PRIYA)
    quick = world.bot.handle

    def slow(event):
        # A busy database: the answer is ready only after Discord was told "thinking".
        assert world.fake.deferred.wait(10)
        return quick(event)

    monkeypatch.setattr(world.bot, "handle", slow)
    world.turns_are_slow(True)

    shown = world.slash(PRIYA, "profile", "name Priya S", channel=GENERAL)
    thinking, saved = shown.answers
    assert thinking["type"] == 5 and thinking["flags"] & 64  # only Priya sees it
    assert saved["followup"] and saved["content"].startswith("Saved.")
    assert member(engine, PRIYA).display_name == "Priya S"

    # A form cannot open as a modal once "thinking" was said: a button opens it instead.
    world.fake.deferred.clear()
    thinking, offer = world.slash(PRIYA, "profile", "edit").answers
    assert thinking["type"] == 5
    assert offer["content"] == "Press the button to open the form."
    world.fake.deferred.clear()
    opened = world.press(PRIYA, buttons(offer)["Edit your profile"])
    assert opened.answers[0]["type"] == 5  # still slow: offered again, never lost
    monkeypatch.setattr(world.bot, "handle", quick)
    world.turns_are_slow(False)
    assert world.press(PRIYA, buttons(offer)["Edit your profile"]).modal["custom_id"] == "f:1:profile.edit"


def test_the_client_identifies_syncs_every_command_and_keeps_its_heartbeat(world):
    [identify] = world.fake.identified
    assert identify["token"] == "fake-bot-token"
    assert identify["intents"] == discord.Intents.default().value
    assert world.fake.heartbeats >= 1
    [synced] = world.fake.made("PUT", "/applications/700/guilds/800/commands")
    assert [c["name"] for c in synced.body] == list(world.bot.features.commands)
    commands = {c["name"]: c for c in synced.body}
    for command in synced.body:
        assert 1 <= len(command["description"]) <= 100
    # A command with verbs is a group of subcommands, each with what follows it as an option.
    assert commands["guide"]["options"] == []
    sessions = {o["name"]: o for o in commands["sessions"]["options"]}
    assert list(sessions) == [v.name for v in world.bot.features.commands["sessions"].verbs]
    assert {o["type"] for o in sessions.values()} == {1}
    assert sessions["mine"]["options"] == []
    [session] = sessions["join"]["options"]
    assert (session["name"], session["type"], session["required"]) == ("session", 3, True)
    assert session["autocomplete"] is True and session["description"] == "The session's number, like 1"
    [zone] = {o["name"]: o for o in commands["profile"]["options"]}["timezone"]["options"]
    assert zone["autocomplete"] is True
    [who] = {o["name"]: o for o in commands["roles"]["options"]}["grant"]["options"]
    assert "autocomplete" not in who  # a name or an @mention, typed


def test_slash_commands_carry_their_french_names_and_descriptions_and_still_arrive_in_english(world, engine):
    fr = translator("fr")
    [synced] = world.fake.made("PUT", "/applications/700/guilds/800/commands")
    commands = {c["name"]: c for c in synced.body}
    profile = commands["profile"]
    assert profile["name_localizations"] == {"fr": "profil"}
    assert profile["description_localizations"] == {
        "fr": shorten(fr("Shows your settings. You can change your time zone, quiet hours, interests and more."), 100)
    }
    assert profile["description_localizations"]["fr"].startswith("Affiche vos paramètres.")
    timezone = {o["name"]: o for o in profile["options"]}["timezone"]
    assert timezone["name_localizations"] == {"fr": "fuseau"}
    assert timezone["description_localizations"] == {"fr": "Définit votre fuseau horaire, pour que les heures soient les vôtres."}
    [zone] = timezone["options"]
    assert zone["name"] == "timezone" and zone["description_localizations"]["fr"] != zone["description"]
    # An option's name too, from the catalogue (context "option"), one name per word everywhere.
    assert zone["name_localizations"] == {"fr": "fuseau"}
    [session] = {o["name"]: o for o in commands["sessions"]["options"]}["join"]["options"]
    assert (session["name"], session["name_localizations"]) == ("session", {"fr": "séance"})
    every_option = [
        option
        for command in synced.body
        for sub in command["options"]
        for option in (sub.get("options") or [] if sub["type"] == 1 else [sub])
    ]
    for option in every_option:  # Discord's rule for a name, in every language it is shown in
        for said in [option["name"], *option.get("name_localizations", {}).values()]:
            assert re.fullmatch(r"[-_\w]{1,32}", said) and said == said.lower(), said
    assert commands["sessions"]["name_localizations"] == {"fr": "séances"}
    # guide and help are both "aide" in French: Discord takes a name once, so guide has it.
    assert commands["guide"]["name_localizations"] == {"fr": "aide"}
    assert "fr" not in commands["help"]["name_localizations"]
    french = [c["name_localizations"].get("fr", c["name"]) for c in synced.body]
    assert len(french) == len(set(french))

    # Someone whose Discord is in French picks /profil: Discord sends the English name.
    met(world, PRIYA)
    world.slash(PRIYA, "profile", "language fr")
    assert member(engine, PRIYA).language == "fr"
    # Discord sends the option by its English name too (the fake shapes it as synced).
    [shown] = world.slash(PRIYA, "profile", "timezone America/Toronto").answers
    assert seen(shown).startswith("Enregistré.")
    assert member(engine, PRIYA).timezone == "America/Toronto"


def test_every_command_and_verb_of_the_core_is_a_slash_command(world):
    met(world, PRIYA)
    for name, spec in world.bot.features.commands.items():
        for verb in spec.verbs or [None]:
            typed = "" if verb is None else f"{verb.name} 1" if verb.argument else verb.name
            assert world.slash(PRIYA, name, typed).answers, f"/{name} {typed} was not answered"


def test_commands_work_in_a_direct_message_and_a_line_typed_there_is_a_command(world, engine):
    # The server has its commands; the global copies are for direct messages only, so nobody
    # sees a command twice in the server.
    assert set(world.fake.global_commands) == set(world.fake.commands) == set(world.bot.features.commands)
    assert {tuple(c.get("contexts") or ()) for c in world.fake.global_commands.values()} == {(1,)}

    [notice, unknown] = world.direct_message(LOU, "hi")  # no slash: a line typed to the bot
    assert seen(notice).startswith("Hello! Before we start")
    assert seen(unknown) == "I don't know 'hi'. Type /guide to see what you can do."  # works everywhere
    world.press(LOU, buttons(notice)["OK"])
    [guide, *_rest] = world.direct_message(LOU, "guide")
    assert seen(guide).startswith("Here is what you can do.")
    [edit] = world.direct_message(LOU, "profile edit")  # a form opens from a button there
    opened = world.press(LOU, buttons(edit)["Edit your profile"]).modal
    assert opened["custom_id"] == "f:1:profile.edit"
    assert member(engine, LOU).consent_given_at is not None


def test_what_to_type_is_said_as_discord_takes_it_and_help_is_a_command(world):
    met(world, PRIYA)
    [guide] = world.slash(PRIYA, "help").answers  # /help is the guide
    lines = seen(guide).splitlines()
    assert lines[0] == "Here is what you can do. Type a command, or press a button."
    # A command of several words needs one of them on Discord: the guide says which.
    assert "Lists wellbeing sessions with places left, and your own places. Try: /sessions list" in seen(guide)
    assert "Try: /profile timezone Europe/London" in seen(guide)
    assert "Try: /guide" in seen(guide) and "Try: /help" not in seen(guide)  # listed once
    [paused] = world.slash(PRIYA, "pause").answers
    assert seen(paused).endswith("Take the time you need. Type /resume to start again sooner.")


def test_what_to_type_in_french_is_said_with_the_english_slash_name_discord_runs_for_everyone(world):
    met(world, PRIYA)
    world.slash(PRIYA, "profile", "language fr")
    [guide] = world.slash(PRIYA, "help").answers
    # "Essayez : profil fuseau Europe/London" in French: Discord shows /profil only to people
    # whose Discord is in French, and runs /profile for everyone, so that is the name written.
    assert "Essayez\u00a0: /profile timezone Europe/London" in seen(guide)
    assert "Essayez\u00a0: /sessions list" in seen(guide)
    assert "profil fuseau" not in seen(guide)
    [paused] = world.slash(PRIYA, "pause").answers
    assert seen(paused).endswith("Tapez /resume pour les reprendre plus tôt.")


def test_granting_a_role_to_someone_the_bot_has_not_met_works_from_a_mention(world, engine):
    met(world, ADA)
    shown = world.slash(ADA, "roles", f"grant <@{CORA}> coordinator")
    assert shown.texts == ["Done. Cora now has the coordinator role. I have let them know."]
    assert roles_of(engine, CORA) == {"partner", "coordinator"}
    [first, *_guide] = world.slash(CORA, "guide").answers  # Cora's own first message: the notice
    assert seen(first).startswith("Hello! Before we start")


def test_suggestions_as_people_type_sessions_openings_and_time_zones(world, engine, clock):
    grant(world, CORA, "coordinator")
    fill_form(world, CORA, world.slash(CORA, "sessions", "new"), SESSION)
    fill_form(world, CORA, world.slash(CORA, "openings", "new"), OPENING)

    # Someone who has never used the bot is offered what they may join, in their own time,
    # and typing alone does not make them a member.
    offered = world.suggestions(PRIYA, "sessions", "join yoga")
    assert offered == [{"name": "#1 Chair yoga, Thursday 3 December 2026 at 14:00 (Europe/London)", "value": "1"}]
    assert world.suggestions(PRIYA, "sessions", "join pilates") == []
    with Session(engine) as session:
        assert session.exec(select(Account).where(Account.user_id == PRIYA)).first() is None
    assert world.suggestions(PRIYA, "openings", "show ") == [
        {"name": "#1 Online booking working group", "value": "1"}
    ]

    zones = [c["value"] for c in world.suggestions(PRIYA, "profile", "timezone new york")]
    assert zones == ["America/New_York"]
    assert [c["value"] for c in world.suggestions(PRIYA, "profile", "timezone ")][0] == "Europe/London"
    assert len(world.suggestions(PRIYA, "profile", "timezone a")) == 25  # Discord's most
    # Check-ins are a coordinator's to manage: a partner is offered none.
    assert world.suggestions(PRIYA, "checkin", "send ") == []

    # The value chosen is what the subcommand's option carries.
    joined = world.slash(PRIYA, "sessions", "join 1")
    assert any(text.startswith("You have a place at Chair yoga") for text in joined.texts), joined.texts
    with Session(engine) as session:
        [signup] = session.exec(select(SessionSignup)).all()
    assert signup.status == "confirmed" and signup.member_id == member(engine, PRIYA).id
    moved = world.slash(PRIYA, "profile", "timezone America/New_York")
    assert "**Time zone:** America/New\\_York" in moved.texts[-1]  # escaped markdown


def test_profile_edit_is_a_modal_of_two_pages_with_a_mistake_shown(world, engine):
    met(world, PRIYA)
    modal = world.slash(PRIYA, "profile", "edit").modal
    assert (modal["custom_id"], modal["title"]) == ("f:1:profile.edit", "Edit your profile (1 of 2)")
    assert [item["custom_id"] for item in inputs(modal)] == ["name", "timezone", "quiet", "interests", "language"]
    # A choice is picked from a select under its label, not typed.
    [language] = [row for row in modal["components"] if row["type"] == 18]
    assert language["label"] == "Language" and language["component"]["type"] == 3
    assert [(o["label"], o["value"], o.get("default")) for o in language["component"]["options"]] == [
        ("English", "en", True),
        ("Français", "fr", False),
    ]

    wrong = world.submit(PRIYA, modal, {"name": "Priya S", "timezone": "Mars/Base"})
    [problem] = wrong.answers
    assert "I don't know the time zone 'Mars/Base'." in problem["content"]
    assert buttons(problem) == {"Open the form again": "b:profile.edit|1"}
    assert member(engine, PRIYA).display_name == "Priya"  # nothing saved

    # Page one done; the client restarts (a new process) before Priya goes on.
    [go_on] = world.submit(PRIYA, modal, {"name": "Priya S", "timezone": "Pacific/Auckland"}).answers
    assert go_on["content"] == "Page 1 of 2 is kept. Press Continue for the next page."
    world.restart()
    page_two = world.press(PRIYA, buttons(go_on)["Continue"]).modal
    assert page_two["custom_id"] == "f:2:profile.edit"
    assert member(engine, PRIYA).display_name == "Priya"  # not until the last page

    [saved] = world.submit(PRIYA, page_two, {}).answers
    assert saved["content"].startswith("Saved. Here is your profile now.")
    priya = member(engine, PRIYA)
    assert (priya.display_name, priya.timezone) == ("Priya S", "Pacific/Auckland")


def test_a_form_sent_back_keeps_every_value_and_says_what_to_put_right_under_its_label(world, engine):
    grant(world, CORA, "coordinator")
    modal = world.slash(CORA, "sessions", "new").modal
    typed = {
        "title": "Chair yoga",
        "description": ("Gentle stretches you can do sitting down, at your own pace. " * 30)[:1500],
        "facilitator": "Jo Bloggs",
        "timezone": "Mars/Base",
        "start": "3 Dec 2pm",
    }
    [problem] = world.submit(CORA, modal, typed).answers
    assert "I don't know the time zone 'Mars/Base'." in problem["content"]

    world.restart()  # kept in the database, not in memory
    again = world.press(CORA, buttons(problem)["Open the form again"]).modal

    assert again["custom_id"] == "f:1:session.new"
    assert {item["custom_id"]: item.get("value") for item in inputs(again)} == typed  # 5 of 5 kept
    [label] = [row for row in again["components"] if row["type"] == 18]
    assert label["label"] == "Time zone"
    assert label["description"].startswith("I don't know the time zone 'Mars/Base'.")
    [go_on] = world.submit(CORA, again, {"timezone": "Europe/London"}).answers
    assert go_on["content"] == "Page 1 of 3 is kept. Press Continue for the next page."
    second = world.press(CORA, buttons(go_on)["Continue"]).modal
    assert second["custom_id"] == "f:2:session.new"
    assert [row["type"] for row in second["components"]] == [1, 1, 1, 1, 18]  # nothing sent back there


def test_a_whole_number_field_says_which_numbers_it_takes(world):
    # A Discord modal has no number input: the hint under the field says it.
    grant(world, CORA, "coordinator")
    answer = world.submit(CORA, world.slash(CORA, "sessions", "new").modal, SESSION)
    second = world.press(CORA, buttons(answer.answers[-1])["Continue"]).modal
    hints = {item["custom_id"]: item.get("placeholder") for item in inputs(second)}
    assert hints["duration"] == "A whole number from 5 to 720"
    assert hints["capacity"] == "A whole number from 1 to 500"
    assert hints["weeks"] == "1 for one session. 6 repeats it weekly for 6 weeks."  # its own words


def test_two_people_filling_the_same_form_at_once_each_keep_their_answers(world, engine):
    met(world, PRIYA, LOU)
    priyas = world.slash(PRIYA, "profile", "edit").modal
    lous = world.slash(LOU, "profile", "edit").modal
    assert priyas["custom_id"] == lous["custom_id"]  # the same form: told apart by who sends it
    world.submit(LOU, lous, {"name": "Lou B"})
    world.submit(PRIYA, priyas, {"name": "Priya S"})
    assert (member(engine, PRIYA).display_name, member(engine, LOU).display_name) == ("Priya", "Lou")
    with Session(engine) as session:
        names = {d.values["name"] for d in session.exec(select(FormDraft))}
    assert names == {"Priya S", "Lou B"}


# ---- the three jobs ------------------------------------------------------------------------------


def test_a_checkin_prompt_in_a_direct_message_is_answered_with_one_tap_after_a_restart(world, engine, clock):
    grant(world, CORA, "coordinator")
    opened = world.slash(CORA, "checkin", "new")
    questions = "How are you? | awful, poor, okay, good, great; Slept well? | yes/no"
    values = {"name": "Weekly wellbeing", "questions": questions, "schedule": "weekly mon 10:00"}
    fill_form(world, CORA, opened, {**values, "visibility": "named"})
    met(world, LOU)

    clock.set(LONDON_10)
    world.bot.tick()
    assert world.dispatch(clock) >= 1

    assert LOU in [str(c.body["recipient_id"]) for c in world.fake.made("POST", "/users/@me/channels")]
    dm = world.fake.dm_of[LOU]
    prompt, first, second = world.fake.posts_in(dm)
    assert seen(prompt).startswith("Check-in: Weekly wellbeing. Tap one answer for each question.")
    # Each reader sees the closing time in their own zone.
    closes = int(datetime(2026, 12, 2, 10, 0, tzinfo=UTC).timestamp())
    assert f"<t:{closes}:F> (<t:{closes}:R>)" in prompt["content"]
    # Each question's words, then its own row of answers.
    assert seen(first) == "1. How are you?"
    assert list(buttons(first)) == ["1 awful", "2 poor", "3 okay", "4 good", "5 great"]
    assert seen(second) == "2. Slept well?"

    world.restart()  # the buttons still work: they carry what they answer
    [saved] = world.press(LOU, buttons(first)["3 okay"]).answers
    assert saved["content"] == "Saved: okay."


def test_a_ready_set_and_one_more_question_make_a_checkin_in_discord_across_a_restart(world, engine):
    grant(world, CORA, "coordinator")
    [ways] = world.slash(CORA, "checkin", "questions").answers
    assert seen(ways) == "How would you like to write the questions?"
    [sets] = world.press(CORA, buttons(ways)["Use a ready set"]).answers
    assert list(buttons(sets)) == ["Weekly wellbeing", "After a meeting", "Before an event"]
    [chosen] = world.press(CORA, buttons(sets)["After a meeting"]).answers
    assert seen(chosen).startswith("You chose After a meeting. Questions so far: 3 of 5.")
    assert list(buttons(chosen)) == ["Add another", "Done", "Remove the last one"]

    modal = world.press(CORA, buttons(chosen)["Add another"]).modal
    assert modal["custom_id"] == "f:1:checkin.question"
    [kind] = [row["component"] for row in modal["components"] if row["type"] == 18]
    assert [(o["label"], o["value"]) for o in kind["options"]] == [
        ("Scale of 5", "scale"),
        ("Yes or no", "yesno"),
        ("Short text", "text"),
    ]
    [added] = world.submit(CORA, modal, {"text": "Was the room easy to reach?", "kind": "yesno"}).answers
    assert seen(added).startswith("Added. Questions so far: 4 of 5.")

    world.restart()  # the list is in the database, and the buttons carry what they do
    form = world.press(CORA, buttons(added)["Done"]).modal
    assert form["custom_id"] == "f:1:checkin.edit"
    values = {item["custom_id"]: item.get("value") for item in inputs(form)}
    assert values["name"] == "After a meeting"
    assert values["questions"].endswith("; Was the room easy to reach? | yes/no")
    fill_form(world, CORA, Shown(0, [form]), {"schedule": "weekly mon 10:00", "visibility": "named"})
    with Session(engine) as session:
        [made] = session.exec(select(CheckIn)).all()
    assert [q["kind"] for q in made.questions] == ["scale", "yesno", "text", "yesno"]
    assert made.name == "After a meeting"


def test_an_opening_is_announced_and_a_partner_says_they_are_interested(world, engine, clock):
    grant(world, JO, "staff")
    fill_form(world, JO, world.slash(JO, "openings", "new"), OPENING)
    met(world, ALEX)
    world.dispatch(clock)

    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert announced["content"].startswith("New opening: Online booking working group.")
    interested = buttons(announced)["I'm interested"]
    assert interested == "b:opening.interested:1|"
    assert announced["allowed_mentions"] == {"parse": []}

    note = world.press(ALEX, interested, channel=ANNOUNCEMENTS).modal
    assert note["custom_id"] == "f:1:opening.note:1"
    [thanks] = fill_form(
        world, ALEX, Shown(0, [note]), {"availability": "Weekday mornings"}, ANNOUNCEMENTS
    ).answers
    assert thanks["content"].startswith(
        "Thank you. You said you're interested in Online booking working group."
    )
    assert thanks["flags"] & 64  # in the channel, only Alex sees it
    with Session(engine) as session:
        [interest] = session.exec(select(OpeningInterest)).all()
    assert interest.availability == "Weekday mornings"


def test_a_session_sign_up_gives_a_calendar_file_and_the_count_is_edited(world, engine, clock):
    grant(world, CORA, "coordinator")
    fill_form(world, CORA, world.slash(CORA, "sessions", "new"), SESSION)
    met(world, ALEX)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert "**Places:** 0 of 2 places taken" in announced["content"]

    placed = world.press(ALEX, buttons(announced)["Sign up"], channel=ANNOUNCEMENTS)
    assert any("Chair yoga" in text for text in placed.texts)
    with Session(engine) as session:
        assert [s.status for s in session.exec(select(SessionSignup)).all()] == ["confirmed"]

    # The calendar file goes as an attachment; the announcement's count is edited in place.
    world.dispatch(clock)
    files = [f for a in placed.answers for f in a["files"].items()]
    files += [f for c in world.fake.calls if c.files for f in c.files.items()]
    assert any(name.endswith(".ics") and data.startswith(b"BEGIN:VCALENDAR") for name, data in files)
    [edited] = world.fake.made("PATCH", f"/channels/{ANNOUNCEMENTS}/messages/{announced['id']}")
    assert "**Places:** 1 of 2 places taken" in edited.body["content"]
    assert edited.body["allowed_mentions"] == {"parse": []}


def scheduled_event_calls(world: DiscordWorld) -> list:
    return [c for c in world.fake.calls if "/scheduled-events" in c.path and c.method != "GET"]


def test_a_session_is_a_scheduled_event_kept_in_step_when_moved_and_cancelled(world, engine, clock):
    grant(world, CORA, "coordinator")
    fill_form(world, CORA, world.slash(CORA, "sessions", "new"), {**SESSION, "place": "Room 2, Kings Road"})
    world.dispatch(clock)

    [made] = scheduled_event_calls(world)
    assert (made.method, made.path) == ("POST", "/guilds/800/scheduled-events")
    assert made.body["name"] == "Chair yoga"
    assert (made.body["entity_type"], made.body["privacy_level"]) == (3, 2)  # external, server only
    assert made.body["entity_metadata"] == {"location": "Room 2, Kings Road"}
    # 3 December, 2pm in London (UTC in winter), for 60 minutes.
    assert made.body["scheduled_start_time"].startswith("2026-12-03T14:00:00")
    assert made.body["scheduled_end_time"].startswith("2026-12-03T15:00:00")
    [event] = world.fake.events.values()

    world.fake.forget()
    fill_form(world, CORA, world.slash(CORA, "sessions", "move 1"), {"start": "4 Dec 3pm"})
    world.dispatch(clock)
    [moved] = scheduled_event_calls(world)
    assert (moved.method, moved.path) == ("PATCH", f"/guilds/800/scheduled-events/{event['id']}")
    assert event["scheduled_start_time"].startswith("2026-12-04T15:00:00")
    assert event["scheduled_end_time"].startswith("2026-12-04T16:00:00")

    world.fake.forget()
    asked = world.slash(CORA, "sessions", "cancel 1")
    world.press(CORA, buttons(asked.answers[-1])["Yes, cancel it"])
    world.dispatch(clock)
    [cancelled] = scheduled_event_calls(world)
    assert cancelled.body == {"status": 4} and event["status"] == 4  # cancelled
    assert len(world.fake.events) == 1
    with Session(engine) as session:
        assert all(row.sent_at is not None for row in session.exec(select(Outbox)).all())


def test_without_the_create_events_permission_a_session_is_only_posted(world, engine, clock):
    world.fake.bot_permissions = "0"
    world.restart()
    grant(world, CORA, "coordinator")
    fill_form(world, CORA, world.slash(CORA, "sessions", "new"), SESSION)
    world.dispatch(clock)
    fill_form(world, CORA, world.slash(CORA, "sessions", "move 1"), {"start": "4 Dec 3pm"})
    world.dispatch(clock)

    assert scheduled_event_calls(world) == [] and world.fake.events == {}
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert announced["content"].startswith("Wellbeing session: Chair yoga.")
    with Session(engine) as session:
        rows = session.exec(select(Outbox)).all()
    # The calendar entry and its change are done with, not tried again and again.
    assert [r.target_kind for r in rows].count("calendar") == 2
    assert all(row.sent_at is not None and row.attempts == 0 for row in rows)


# ---- what keeps Discord and people safe -----------------------------------------------------------


def queued_dm(world: DiscordWorld) -> None:
    """Ada gives Cora a role: Cora's direct message waits in the outbox."""
    grant(world, CORA, "coordinator")


def test_a_short_rate_limit_is_waited_out_by_discord_py_and_the_message_goes_once(world, engine, clock):
    queued_dm(world)
    world.fake.rate_limit_next_send(0.0)

    assert world.dispatch(clock) == 1
    sends = [c for c in world.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(sends) == 2  # the 429, then the retry
    [sent] = world.fake.posts_in(world.fake.dm_of[CORA])
    assert sent["content"] == "Ada gave you the coordinator role. Type /guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    with Session(engine) as session:
        [row] = session.exec(select(Outbox)).all()
    assert row.sent_at is not None and row.attempts == 0


def test_a_message_whose_answer_was_lost_is_not_sent_twice(world, engine, clock):
    queued_dm(world)
    world.fake.lose_answer_to_next_send()

    assert world.dispatch(clock) == 0  # Discord made it, but we could not know
    clock.advance(timedelta(minutes=1))
    assert world.dispatch(clock) == 1

    sends = [c for c in world.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(sends) == 2 and sends[0].body["nonce"] == sends[1].body["nonce"]
    assert sends[0].body["enforce_nonce"] is True
    [sent] = world.fake.posts_in(world.fake.dm_of[CORA])  # one message, not two
    with Session(engine) as session:
        [row] = session.exec(select(Outbox)).all()
    assert row.sent_at is not None and row.platform_message_id == sent["id"]


def test_a_long_rate_limit_or_a_refusal_keeps_the_message_in_the_outbox(world, engine, clock):
    queued_dm(world)
    world.fake.rate_limit_next_send(120.0)

    assert world.dispatch(clock) == 0
    with Session(engine) as session:
        [row] = session.exec(select(Outbox)).all()
    assert (row.sent_at, row.attempts) == (None, 0)  # waited out, not counted as a failure
    assert row.due_at.replace(tzinfo=UTC) == clock.now() + timedelta(seconds=120)

    world.fake.refuse_next_send()
    clock.advance(timedelta(seconds=120))
    assert world.dispatch(clock) == 0
    # No access will not change by itself: set aside for an admin, who sees why.
    with Session(engine) as session:
        row = session.exec(select(Outbox)).one()
    assert row.last_error.startswith("Discord said 403") and row.dead_at is not None
    clock.advance(timedelta(minutes=15))
    assert world.dispatch(clock) == 0
    [listed] = world.slash(ADA, "outbox", "list").answers
    assert seen(listed).startswith("Messages not sent: 1.")
    assert f"#{row.id} to Cora on discord: Discord said 403" in seen(listed)

    [again] = world.slash(ADA, "outbox", f"retry {row.id}").answers
    assert seen(again) == f"Trying message #{row.id} again now."
    assert world.dispatch(clock) == 1
    assert len(world.fake.posts_in(world.fake.dm_of[CORA])) == 1  # delivered once


def queue_post_and_dms(engine, clock) -> None:
    """A post in the announcements channel, then direct messages to two people, due now."""
    with Session(engine) as session:
        enqueue(session, "discord", "", "channel", ANNOUNCEMENTS, Message(("Wellbeing session",)), clock.now())
        for user_id in ("2001", "2002"):
            enqueue(session, "discord", "", "dm", user_id, Message((f"Hello {user_id}",)), clock.now())
        session.commit()


def test_a_long_rate_limit_on_one_channel_does_not_delay_direct_messages_to_others(world, engine, clock):
    queue_post_and_dms(engine, clock)
    world.fake.rate_limit_next_send(45.0)  # the post's route, not the bot's global limit

    assert world.dispatch(clock) == 2  # in the same dispatch
    assert [seen(m) for m in world.fake.posts_in(world.fake.dm_of["2001"])] == ["Hello 2001"]
    assert [seen(m) for m in world.fake.posts_in(world.fake.dm_of["2002"])] == ["Hello 2002"]
    assert world.fake.posts_in(ANNOUNCEMENTS) == []
    with Session(engine) as session:
        [waiting] = session.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
    assert (waiting.target_id, waiting.attempts) == (ANNOUNCEMENTS, 0)
    assert waiting.due_at.replace(tzinfo=UTC) == clock.now() + timedelta(seconds=45)


def test_a_long_global_rate_limit_holds_every_discord_send(world, engine, clock):
    queue_post_and_dms(engine, clock)
    world.fake.rate_limit_next_send(45.0, scope="global")

    assert world.dispatch(clock) == 0
    assert len(world.fake.made("POST", "/channels/")) == 1  # the post's try; nobody else's
    clock.advance(timedelta(seconds=45))
    assert world.dispatch(clock) == 3


def test_twenty_sign_ups_at_once_end_in_the_final_count_with_one_edit(world, engine, clock):
    people = [str(3000 + number) for number in range(20)]
    grant(world, CORA, "coordinator")
    fill_form(world, CORA, world.slash(CORA, "sessions", "new"), {**SESSION, "capacity": "3"})
    met(world, *people)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    sign_up = buttons(announced)["Sign up"]

    for person in people:  # all before the outbox's next beat
        world.press(person, sign_up, channel=ANNOUNCEMENTS)
    world.dispatch(clock)

    [edited] = world.fake.made("PATCH", f"/channels/{ANNOUNCEMENTS}/messages/{announced['id']}")  # not twenty
    assert "**Places:** 3 of 3 places taken, 17 on the waitlist" in edited.body["content"]
    with Session(engine) as session:
        edits = session.exec(select(Outbox).where(col(Outbox.edit_of).is_not(None))).all()
    assert all(e.sent_at is not None for e in edits)


def test_a_name_two_people_share_is_asked_about_as_discord_shows_them_and_a_mention_is_exact(world, engine):
    met(world, ADA, "1007", "1008")

    [asked] = world.slash(ADA, "roles", "grant Priya Patel staff", channel=GENERAL).answers

    assert asked["flags"] & 64
    # Discord draws each mention as the real person, and pings nobody.
    assert asked["content"].splitlines() == [
        "There are 2 people called Priya Patel. Which one do you mean?",
        "**Number 1:** Priya Patel, <@1007> (Discord)",
        "**Number 2:** Priya Patel, <@1008> (Discord)",
    ]
    assert asked["allowed_mentions"] == {"parse": []}
    assert list(buttons(asked)) == ["Number 1", "Number 2"]
    assert roles_of(engine, "1007") == roles_of(engine, "1008") == {"partner"}

    [done] = world.slash(ADA, "roles", "grant <@1008> staff", channel=GENERAL).answers

    assert done["content"] == "Done. Priya Patel now has the staff role. I have let them know."
    assert roles_of(engine, "1007") == {"partner"}
    assert roles_of(engine, "1008") == {"partner", "staff"}

    # The question's button still works, for the one it names.
    [picked] = world.press(ADA, buttons(asked)["Number 1"], channel=GENERAL).answers
    assert picked["content"] == "Done. Priya Patel now has the staff role. I have let them know."
    assert roles_of(engine, "1007") == {"partner", "staff"}


def test_what_people_type_never_pings_anyone(world, engine, clock):
    met(world, PRIYA)
    [refused] = world.slash(PRIYA, "profile", "interests @everyone").answers
    assert seen(refused) == "Please leave out @everyone, @here and group mentions. They would alert everyone."

    grant(world, JO, "staff")
    title = "Pay now <@1002> **bold**"
    done = fill_form(world, JO, world.slash(JO, "openings", "new"), {**OPENING, "title": title})
    assert not any(t.startswith("Please") for t in done.texts), done.texts
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    assert "Pay now <@1002> **bold**" in seen(announced)
    with Session(engine) as session:
        closes = session.exec(select(Opening)).one().closes_at.replace(tzinfo=UTC)
    assert discord_reading(announced["content"], own_times(closes)).live == []
    # Whatever the words, Discord is told to ping nobody, on every message and answer.
    shown = [c.body for c in world.fake.calls if c.method in ("POST", "PATCH") and "messages" in c.path]
    shown += [a for answers in world.fake.answers.values() for a in answers if a["type"] != 9]
    assert shown and all(s.get("allowed_mentions") == {"parse": []} for s in shown if s.get("content"))


def test_links_in_an_opening_and_in_a_note_reach_staff_and_partners_as_plain_words(world, engine, clock):
    grant(world, JO, "staff")
    met(world, ALEX)
    world.slash(ALEX, "profile", "interests online booking")
    opening = {**OPENING, "involves": NOTE, "tags": "online booking"}
    fill_form(world, JO, world.slash(JO, "openings", "new"), opening)
    world.dispatch(clock)
    [announced] = world.fake.posts_in(ANNOUNCEMENTS)
    [invited] = world.fake.posts_in(world.fake.dm_of[ALEX])
    note = world.press(ALEX, buttons(announced)["I'm interested"], channel=ANNOUNCEMENTS).modal
    fill_form(world, ALEX, Shown(0, [note]), {"note": NOTE}, ANNOUNCEMENTS)
    [review] = world.slash(JO, "openings", "review 1").answers

    with Session(engine) as session:
        [interest] = session.exec(select(OpeningInterest)).all()
        closes = session.get_one(Opening, interest.opening_id).closes_at.replace(tzinfo=UTC)
    assert interest.note == NOTE  # kept as typed
    times = own_times(closes)
    for message in (announced, invited, review):
        reading = discord_reading(message["content"], times)
        assert reading.live == [], reading.live
        assert NOTE in reading.seen, reading.seen


def own_times(*moments: datetime) -> frozenset[str]:
    """The bot's own time tokens for these moments, which a reader sees as times."""
    stamps = [int(at.timestamp()) for at in moments]
    return frozenset(f"<t:{stamp}:{style}>" for stamp in stamps for style in "FR")


# ---- drawing within Discord's limits ---------------------------------------------------------------


@pytest.mark.parametrize("typed", HOSTILE.values(), ids=HOSTILE.keys())
def test_what_people_type_reaches_discord_as_plain_words(typed):
    times, shown = own_times(AT.at), typed_as_seen(typed)
    parts = render_message(everywhere(typed))
    readings = [discord_reading(p.content, times) for p in parts]
    assert [r.live for r in readings] == [[] for _ in parts]
    seen = "\n".join(r.seen for r in readings)
    assert f"Note: {shown}. Closes [time] ([time])." in seen  # the bot's own time still works
    assert f"{shown}: {shown}\nWhen: [time] ([time]) {shown}" in seen
    assert readings[-1].seen == shown  # the group's words, over its buttons
    # Labels, options and placeholders are never markdown: they show as typed.
    controls = [c for p in parts for row in p.rows for c in row]
    assert [c.label for c in controls] == [shorten(typed, 80), shorten(typed, 150), "Yes"]
    assert controls[1].options == ((shorten(typed, 80), "en"),)

    # A long message is split into parts, each read on its own.
    for room in range(1, 160, 3):
        filler = ("word " * 400)[: MAX_CONTENT - room]
        for part in render_message(Message((filler, typed, " after"))):
            assert discord_reading(part.content).live == [], (room, part.content[-200:])

    # A session's description in the server's Events is markdown too; its name and place are not.
    event = event_fields(CalendarEvent(typed, AT.at, AT.at, typed, typed))
    assert discord_reading(event["description"]).live == []
    assert discord_reading(event["description"]).seen == shown
    assert (event["name"], event["location"]) == (shorten(typed, 100), shorten(typed, 100))

    # A modal is never markdown: what was typed shows as typed.
    fields = (
        FormField("note", typed, "long", hint=typed, initial=typed),
        FormField("kind", typed, "choice", choices=(Option(typed, "a"), Option("Other", "b")), hint=typed),
    )
    drawn = render_modal(Form("opening.note:1", typed, fields, "Send"), translator("en")).to_dict()
    note, kind = inputs(drawn)
    assert drawn["title"] == shorten(typed, 45)
    assert (note["label"], note["value"], note["placeholder"]) == (
        shorten(typed, 45),
        typed,
        shorten(typed, 100),
    )
    assert (drawn["components"][1]["label"], drawn["components"][1]["description"]) == (
        shorten(typed, 45),
        shorten(typed, 100),
    )
    assert [o["label"] for o in kind["options"]] == [shorten(typed, 80), "Other"]


def test_an_over_long_message_is_split_within_discords_limits():
    at = Moment(datetime(2026, 12, 3, 14, 0, tzinfo=UTC), "3 December 14:00")
    many = tuple(Button(f"Choice {n}", f"opening.interested:{n}") for n in range(1, 31))
    select = Select("Pick one", "pick", tuple(Option(f"Option {n}", str(n)) for n in range(60)))
    parts = render_message(Message(("Plenty to say. " * 300, at), buttons=many, selects=(select,)))
    assert all(len(p.content) <= MAX_CONTENT and len(p.rows) <= MAX_ROWS for p in parts)
    assert all(len(row) <= 5 for p in parts for row in p.rows)
    assert time_tokens(at) in "".join(p.content for p in parts)  # never cut
    ids = [c.custom_id for p in parts for row in p.rows for c in row]
    assert len(ids) == len(set(ids)) == 30 + 3 and all(len(i) <= 100 for i in ids)
    assert [len(c.options) for p in parts for row in p.rows for c in row if c.options] == [25, 25, 10]


def test_a_mention_is_drawn_as_the_discord_person_and_never_cut():
    here = Mention(AccountRef("discord", "", "1007"), "@1007")
    elsewhere = Mention(AccountRef("slack", "T1", "UPP1"), "@UPP1")
    [drawn] = render_message(Message(("Which one? ", here, " or ", elsewhere)))
    assert drawn.content == "Which one? <@1007> or @UPP1"
    parts = render_message(Message(("x" * (MAX_CONTENT - 3) + " ", here)))
    assert [p.content for p in parts][-1] == "<@1007>"


def test_custom_ids_say_what_they_act_on():
    assert read_custom_id("b:session.signup:4|x").action_id == "session.signup:4"
    assert read_custom_id("b2:checkin.answer:9|3").value == "3"
    assert (read_custom_id("f:2:profile.edit").page, read_custom_id("f:2:profile.edit").action_id) == (
        2,
        "profile.edit",
    )
    assert read_custom_id("something else").kind == "unknown"
    assert split_text("word " * 500, 100) and all(len(p) <= 100 for p in split_text("word " * 500, 100))


def test_a_modal_holds_five_inputs_within_discords_limits():
    fields = (
        FormField("why", "Why " * 30, kind="long", max_length=9000, initial="x" * 5000),
        FormField(
            "kind", "Kind", kind="choice", choices=(Option("Remote", "remote"), Option("In person", "in"))
        ),
    )
    modal = render_modal(
        Form("long.title:1", "A very long form title " * 4, fields, "Send", 2, 3), translator("en")
    )
    drawn = modal.to_dict()
    assert len(drawn["title"]) <= 45 and drawn["custom_id"] == "f:2:long.title:1"
    long, kind = inputs(drawn)
    assert len(long["label"]) <= 45 and long["max_length"] == 4000 and len(long["value"]) == 4000
    assert drawn["components"][1]["label"] == "Kind"
    assert [o["label"] for o in kind["options"]] == ["Remote", "In person"] and kind["required"]
    many = FormField("zone", "Zone", kind="choice", choices=tuple(Option(str(n), str(n)) for n in range(30)))
    [typed] = inputs(render_modal(Form("f", "F", (many,), "Send"), translator("en")).to_dict())
    assert typed["type"] == 4 and typed["placeholder"].startswith("0, 1, 2")  # too many for a select


def test_mentions_typed_in_a_slash_command_come_back_as_names_and_people():
    words, people = translate.typed_text("grant <@1003> <@!1004> staff", {"1003": "Cora"})
    assert words == "grant @Cora @1004 staff"
    assert [p.user_id for p in people] == ["1003", "1004"]


# ---- `partnerbot run` ------------------------------------------------------------------------


def test_partnerbot_run_connects_to_discord_answers_and_never_prints_the_token(tmp_path):
    loop = LoopThread()
    fake = FakeDiscord()
    loop.run(fake.start())
    process, lines = start_partnerbot(
        tmp_path,
        DISCORD_BOT_TOKEN=TOKEN,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_SHARD_ID="0",
        DISCORD_SHARD_COUNT="1",
        LOG_LEVEL="DEBUG",
    )
    try:
        shown = read_until(lines, "Press Ctrl+C to stop.")
        assert "Connected to Discord." in shown
        # One shard of one: with several processes, each says which shard it serves.
        assert fake.identified[0]["shard"] == [0, 1]
        # Synced globally without DISCORD_GUILD_ID.
        assert [c.path for c in fake.made("PUT", "/applications")] == ["/applications/700/commands"]
        payload = fake.payload(1, PRIYA, 2, {"id": "9000", "name": "guide", "type": 1, "options": []}, None)
        assert loop.run(fake.interact(payload, deadline=10)) < 3
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(20)
        loop.run(fake.stop())
        loop.close()
    rest = "".join(iter_queue(lines))
    assert code == 0, shown + rest
    assert fake.answers["token-1"][0]["content"].startswith("Hello! Before we start")
    assert TOKEN not in shown + rest


def test_partnerbot_run_explains_a_token_discord_refuses(tmp_path):
    loop = LoopThread()
    fake = FakeDiscord()
    loop.run(fake.start())
    try:
        process, lines = start_partnerbot(
            tmp_path, DISCORD_BOT_TOKEN="wrong-and-secret", DISCORD_API_URL=fake.api_url
        )
        code = process.wait(60)
    finally:
        loop.run(fake.stop())
        loop.close()
    out = "".join(iter_queue(lines))
    assert code == 1, out
    assert "Discord did not accept the bot token. Please check DISCORD_BOT_TOKEN." in out
    assert "wrong-and-secret" not in out and "Traceback" not in out


# ---- asking for someone ------------------------------------------------------------------------


def test_support_asks_for_someone_and_a_coordinator_takes_it_in_discord(world, engine, clock):
    grant(world, CORA, "coordinator")
    met(world, LOU)

    [told] = world.slash(LOU, "support", channel=GENERAL).answers
    assert seen(told).startswith("Thank you for asking. I have told the coordinators, and someone will contact you soon.")
    assert told["flags"] & 64  # in a channel, only Lou sees it

    world.dispatch(clock)
    alert = world.fake.posts_in(world.fake.dm_of[CORA])[-1]  # after the news of the role
    assert seen(alert) == "Lou would like someone to contact them."
    [taken] = world.press(CORA, buttons(alert)["I'll take this"]).answers
    assert taken["content"] == "It's yours. I have told Lou that you will be in touch."

    world.dispatch(clock)
    [edit] = [c for c in world.fake.made("PATCH", "/channels/") if c.path.endswith(f"/messages/{alert['id']}")]
    assert seen(edit.body) == "Lou would like someone to contact them. Taken by Cora."
    assert list(buttons(edit.body)) == ["Done"]
    assert seen(world.fake.posts_in(world.fake.dm_of[LOU])[-1]) == "Cora has your message and will be in touch."


# ---- one person, every platform ------------------------------------------------------------------

CODE = re.compile(r"link ([A-Z0-9]{3}-[A-Z0-9]{3})$")


def test_link_on_discord_gives_a_code_only_the_person_sees_and_link_join_takes_one(world, engine):
    met(world, ALEX)
    [given] = world.slash(ALEX, "link", channel=GENERAL).answers  # `/link new`, the first subcommand
    assert given["flags"] & 64  # only Alex sees the code
    code = CODE.search(given["content"]).group(1)
    commands = world.fake.commands
    assert [o["name"] for o in commands["link"]["options"]] == ["new", "join"]

    console = Person(world.bot, Who(AccountRef("console", "local", "alex"), "Alex"))
    console.says(f"link {code}")
    assert "Done. Your accounts are linked." in console.last.plain()

    shown = world.slash(ALEX, "link", "join K7P-4QD")
    assert shown.texts == ["That code doesn't work. Check it, or type /link new on your other account for a new one."]
    [alone] = world.slash(ALEX, "unlink").answers
    assert alone["content"].startswith("Done. This account is on its own now")


@pytest.fixture
def both(engine, clock):
    """Slack and Discord at once, one bot behind both, as `partnerbot run` serves them."""
    loop = LoopThread()
    slack = FakeSlack()
    loop.run(slack.start())
    settings = Settings(
        _env_file=None,
        admins=f"discord:{ADA}",
        default_timezone="Europe/London",
        slack_api_url=slack.api_url,
    )
    bot = Bot(engine, settings, clock, EVERY_FEATURE)
    on_slack, on_discord = SlackWorld(bot, loop, slack), DiscordWorld(bot)
    yield on_slack, on_discord
    on_discord.close()
    on_slack.close()
    loop.run(slack.stop())
    loop.close()


def test_a_slack_account_and_a_discord_account_become_one_member_and_messages_go_where_chosen(
    both, engine, clock
):
    on_slack, on_discord = both
    _answer, key = on_slack.slash("UALEX", "/profile", "timezone Toronto")
    on_discord.slash(ALEX, "guide")
    _answer, key = on_slack.slash("UALEX", "/link")
    code = CODE.search(on_slack.fake.replies(key)[-1]["text"]).group(1)

    [linked] = on_discord.slash(ALEX, "link", f"join {code}").answers
    assert linked["content"].startswith(
        "Done. Your accounts are linked. You are one member now, with one profile. "
        "I kept the settings you had on Slack, as they are older."
    )
    assert "**Time zone:** America/Toronto" in linked["content"]
    assert member(engine, "UALEX").id == member(engine, ALEX).id
    on_slack.fake.forget()
    on_slack.dispatch(clock)  # Slack, where the code was asked for, hears of it
    [told] = on_slack.fake.made("chat.postMessage")
    assert told["text"] == "Your account on Discord is now linked to this one. If that wasn't you, please tell a coordinator."

    # Messages go to Discord once chosen, said on Slack; a reply comes back where it was typed.
    _answer, key = on_slack.slash("UALEX", "/profile", "messages discord")
    assert "*Messages go to:* Discord" in texts(on_slack.fake.replies(key)[-1]["blocks"])
    on_discord.slash(ADA, "roles", f"grant <@{ALEX}> staff")
    on_slack.fake.forget()
    on_discord.dispatch(clock)
    on_slack.dispatch(clock)
    dm = on_discord.fake.dm_of[ALEX]
    [told] = on_discord.fake.posts_in(dm)
    assert told["content"].startswith("Ada gave you the staff role.")
    assert on_slack.fake.made("chat.postMessage") == []

    _answer, key = on_slack.slash("UALEX", "/profile", "messages slack")
    on_discord.slash(ADA, "roles", f"revoke <@{ALEX}> staff")
    on_slack.dispatch(clock)
    [dm_on_slack] = on_slack.fake.made("chat.postMessage")
    assert dm_on_slack["text"].startswith("Ada removed your staff role.")


def test_mydata_arrives_as_files_in_discord_and_leave_stops_messages_and_offers_the_erase(world, engine, clock):
    grant(world, CORA, "coordinator")
    met(world, ALEX)

    shown = world.slash(ALEX, "mydata", channel=GENERAL)
    [answer] = shown.answers
    assert seen(answer).startswith("Here is everything I keep about you. Only you can see this.")
    assert answer["flags"] & 64  # in a channel, only Alex sees it
    files = {name: data for a in shown.answers for name, data in a["files"].items()}
    files |= {name: data for c in world.fake.calls if c.files for name, data in c.files.items()}
    [data] = [json.loads(body) for name, body in files.items() if name.startswith("my-data-")]
    assert data["profile"]["name"] == "Alex"
    assert data["profile"]["accounts"][0]["user_id"] == ALEX
    assert any(name.startswith("my-checkin-answers-") and name.endswith(".csv") for name in files)

    [left] = world.slash(ALEX, "leave").answers
    assert seen(left).startswith("You have left. I won't send you any more messages.")
    world.dispatch(clock)
    assert seen(world.fake.posts_in(world.fake.dm_of[CORA])[-1]) == "Alex has left."
    assert member(engine, ALEX).left_at is not None

    [erased] = world.press(ALEX, buttons(left)["Erase my data"]).answers
    assert erased["content"] == (
        "Done. I have erased your data. If you write to me again, I will greet you as someone new."
    )
    with Session(engine) as session:
        assert session.exec(select(Account).where(Account.user_id == ALEX)).all() == []
