"""What we keep and why: said on first contact with "OK" and "No thanks", recorded with the time
it was shown and the time it was answered. Until an OK, nothing unasked is sent (the gating of
prompts, invitations and reminders is tested with each of them); after "No thanks" only the
refusal is kept, and only `privacy`, `support` and `guide` still work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.conversation import ButtonPress, Command, Who
from bot.core import Bot
from bot.feature import CommandSpec, Feature
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.settings import Settings
from storage.models import Account, Member, MemberInterest
from tests.conftest import START, Person, member_named

UNTIL_OK = "Until you press OK, I send you nothing you did not ask for."
DEFAULT_WORDS = (
    "Hello! Before we start, here is what I keep and why. "
    "I keep your name, your chat account and the settings you choose, like your time zone. "
    "Later I also keep your check-in answers and what you sign up for. "
    "Coordinators use this to support you and to share work fairly. "
    "If you ask for someone to contact you, or a check-in answer is very low, I tell the coordinators your name. "
    "Nothing goes outside this service. "
    "Type profile to see your settings, and mydata to see or erase all I keep. " + UNTIL_OK
)


def test_consent_is_the_first_message_of_the_first_reply(engine, person):
    sam = person("Sam")
    sam.agrees = False
    reply = sam.says("profile")

    assert [m.plain() for m in reply.messages][0] == DEFAULT_WORDS
    assert [b.label for b in reply.messages[0].buttons] == ["OK", "No thanks"]
    assert len(reply.messages) == 2
    assert reply.messages[1].plain() == "Your profile. Only you and the coordinators can see it."
    assert reply.messages[0].private
    assert member_named(engine, "sam").consent_shown_at == START


def test_consent_is_recorded_at_the_clocks_time(engine, clock, person):
    clock.advance(timedelta(days=3, hours=4, minutes=5))
    sam = person("Sam")
    sam.says("guide")

    assert sam.last.messages[0].plain() == DEFAULT_WORDS
    shown = member_named(engine, "sam").consent_shown_at
    assert shown == START + timedelta(days=3, hours=4, minutes=5)
    assert shown.utcoffset() == timedelta(0)


def test_consent_is_not_shown_again(engine, clock, person):
    sam = person("Sam")
    sam.says("profile")
    clock.advance(timedelta(hours=1))

    reply = sam.says("profile")
    assert DEFAULT_WORDS not in sam.text
    assert len(reply.messages) == 1
    clock.advance(timedelta(days=30))
    sam.says("guide")
    assert "Before we start" not in sam.text

    assert member_named(engine, "sam").consent_shown_at == START


def test_each_person_sees_it_once_for_themselves(engine, clock, person):
    sam, jo = person("Sam"), person("Jo")
    sam.says("profile")
    clock.advance(timedelta(minutes=7))

    jo.says("profile")
    assert jo.last.messages[0].plain() == DEFAULT_WORDS
    sam.says("profile")
    assert "Before we start" not in sam.text

    assert member_named(engine, "sam").consent_shown_at == START
    assert member_named(engine, "jo").consent_shown_at == START + timedelta(minutes=7)


def test_a_second_platform_account_does_not_show_it_again(engine, bot, clock, person):
    sam = person("Sam")
    sam.says("profile")
    member = member_named(engine, "sam")
    with Session(engine) as session:
        session.add(Account(member_id=member.id, platform="discord", workspace="", user_id="42"))
        session.commit()
    clock.advance(timedelta(days=1))

    reply = bot.handle(Command(Who(AccountRef("discord", "", "42"), "sam"), "profile"))

    assert "Before we start" not in reply.plain()
    assert reply.plain().startswith("Your profile.")
    assert member_named(engine, "sam").consent_shown_at == START


def test_consent_comes_before_a_refusal_on_first_contact(engine, person):
    sam = person("Sam")
    reply = sam.says("dance")

    assert [m.plain() for m in reply.messages] == [
        DEFAULT_WORDS,
        "I don't know 'dance'. Type guide to see what you can do.",
    ]
    assert member_named(engine, "sam").consent_shown_at == START


def test_consent_comes_before_an_answer_to_a_first_button_press(engine, bot):
    who = Who(AccountRef("console", "local", "sam"), "Sam")
    reply = bot.handle(ButtonPress(who, "guide"))

    assert reply.messages[0].plain() == DEFAULT_WORDS
    assert reply.messages[1].plain() == "Here is what you can do. Type a command, or press a button."
    assert member_named(engine, "sam").consent_shown_at == START


def test_consent_is_shown_and_kept_even_when_the_first_turn_fails(engine, person):
    def broken(turn, asked):
        raise RuntimeError("boom")

    sam = person("Sam")
    broken_command = CommandSpec("broken", "", "broken", run=broken)
    sam.bot = Bot(engine, sam.bot.settings, sam.bot.clock, (*EVERY_FEATURE, Feature("test", (broken_command,))))
    reply = sam.says("broken")

    assert [m.plain() for m in reply.messages] == [
        DEFAULT_WORDS,
        "Sorry, something went wrong on our side. Nothing was saved. Please try again in a minute.",
    ]
    # They were told, so it is recorded; the next reply does not repeat it.
    assert member_named(engine, "sam").consent_shown_at == START
    sam.says("profile")
    assert "Before we start" not in sam.text


def test_consent_text_from_settings_replaces_the_default(engine, clock):
    words = "Hi. We keep your name and answers so coordinators can support you. Ask us anything."
    custom = Bot(engine, Settings(_env_file=None, consent_text=words), clock, EVERY_FEATURE)
    sam = Person(custom, Who(AccountRef("console", "local", "sam"), "Sam"))

    reply = sam.says("profile")

    assert reply.messages[0].plain() == f"{words} {UNTIL_OK}"
    assert DEFAULT_WORDS not in sam.text
    assert "Name: Sam" in sam.text
    assert member_named(engine, "sam").consent_shown_at == START
    sam.says("profile")
    assert words not in sam.text


@pytest.mark.parametrize("consent_text", [None, ""])
def test_an_unset_or_empty_consent_text_keeps_the_default(engine, clock, consent_text):
    plain_settings = Bot(engine, Settings(_env_file=None, consent_text=consent_text), clock, EVERY_FEATURE)
    reply = plain_settings.handle(Command(Who(AccountRef("console", "local", "sam"), "Sam"), "profile"))

    assert reply.messages[0].plain() == DEFAULT_WORDS


def test_an_empty_consent_text_in_the_environment_keeps_the_default(engine, clock, monkeypatch):
    monkeypatch.setenv("CONSENT_TEXT", "")
    from_env = Bot(engine, Settings(_env_file=None), clock, EVERY_FEATURE)
    reply = from_env.handle(Command(Who(AccountRef("console", "local", "sam"), "Sam"), "profile"))

    assert reply.messages[0].plain() == DEFAULT_WORDS


def test_consent_text_from_the_environment_is_used(engine, clock, monkeypatch):
    monkeypatch.setenv("CONSENT_TEXT", "We keep only what you tell us.")
    from_env = Bot(engine, Settings(_env_file=None), clock, EVERY_FEATURE)
    reply = from_env.handle(Command(Who(AccountRef("console", "local", "sam"), "Sam"), "profile"))

    assert reply.messages[0].plain() == f"We keep only what you tell us. {UNTIL_OK}"
    with Session(engine) as session:
        member = session.exec(select(Member)).one()
    assert member.consent_shown_at == START


def test_the_console_trial_member_still_sees_consent_on_their_first_message(engine, bot):
    who = Who(AccountRef("console", "local", "sam"), "Sam")
    bot.prepare_local_member(who, None)
    assert member_named(engine, "sam").consent_shown_at is None

    reply = bot.handle(Command(who, "profile"))

    assert reply.messages[0].plain() == DEFAULT_WORDS
    assert member_named(engine, "sam").consent_shown_at == START


# ---- OK and No thanks ------------------------------------------------------------------------


def answering(bot: Bot, name: str) -> Person:
    """Someone new who answers the notice themselves."""
    return Person(bot, Who(AccountRef("console", "local", name.lower()), name), agrees=False)


def test_ok_is_recorded_with_its_time_and_thanked(engine, bot, clock):
    sam = answering(bot, "Sam")
    sam.says("profile")
    clock.advance(timedelta(minutes=2))

    sam.press("OK")

    assert sam.text == "Thank you. You can read this again, or change your mind, by typing privacy."
    member = member_named(engine, "sam")
    assert (member.consent_given_at, member.consent_refused_at) == (START + timedelta(minutes=2), None)


def test_no_thanks_keeps_only_the_refusal_and_stops_everything_else(engine, bot, clock):
    sam = answering(bot, "Sam")
    sam.says("profile interests mental health")  # what they ask for works before they answer
    with Session(engine) as session:
        assert [i.tag for i in session.exec(select(MemberInterest))] == ["mental health"]
    sam.last = bot.handle(Command(sam.who, "privacy"))
    sam.press("No thanks")

    assert sam.text == (
        "Okay. I keep only that you said no thanks, so I don't ask again, and I send you nothing. "
        "To erase what you did before, type mydata erase. If you change your mind, type privacy."
    )
    member = member_named(engine, "sam")
    assert (member.consent_given_at, member.consent_refused_at) == (None, START)
    with Session(engine) as session:
        assert session.exec(select(MemberInterest)).all() == []
    refused = "You said no thanks to what I keep, so I can't do that. If you change your mind, type privacy."
    for line in ("profile", "sessions", "openings", "checkin"):
        sam.says(line)
        assert sam.text == refused, line
    sam.says("guide")
    assert sam.text.startswith("Here is what you can do.")
    sam.says("mydata")  # what is kept is still theirs to see, erase, or leave
    assert sam.text.startswith("Here is everything I keep about you.")


def test_someone_who_said_no_thanks_can_still_ask_for_support(engine, bot, clock):
    sam = answering(bot, "Sam")
    sam.says("guide")
    sam.press("No thanks")

    sam.says("support")

    assert "You said no thanks" not in sam.text
    assert "emergency" in sam.text.lower()


def test_privacy_shows_the_notice_again_with_what_was_said(engine, bot, clock):
    sam = answering(bot, "Sam")
    sam.says("privacy")
    assert sam.last.messages[0].plain() == DEFAULT_WORDS  # first contact: the notice, once
    assert sam.last.messages[1].plain() == DEFAULT_WORDS + " You have not answered yet."
    sam.press("OK")
    clock.advance(timedelta(days=40))

    sam.says("privacy")
    assert sam.text == (
        DEFAULT_WORDS + " You said OK on Thursday 26 November 2026 at 09:00 (Europe/London).\n[OK]\n[No thanks]"
    )
    sam.press("No thanks")
    sam.says("privacy")
    assert "You said no thanks on Tuesday 5 January 2027 at 09:00 (Europe/London)." in sam.text

    sam.press("OK")  # a change of mind is taken at once
    member = member_named(engine, "sam")
    assert (member.consent_given_at, member.consent_refused_at) == (START + timedelta(days=40), None)
    sam.says("profile")
    assert sam.text.startswith("Your profile.")
