"""The home page (Slack's App Home): what is a person's right now."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation import ButtonPress, HomeOpened
from tests.conftest import deliver


def open_home(bot, someone):
    someone.last = bot.handle(HomeOpened(someone.who))
    return someone.text


def make_checkin(bot, engine, platform, clock, person):
    ada = person("Ada")
    sam = person("Sam")
    sam.says("profile")
    ada.says("roles grant sam coordinator")
    ada.says("roles revoke sam partner")
    alex = person("Alex")
    alex.says("profile")
    sam.says("checkin new")
    sam.submit(
        {
            "name": "Weekly wellbeing",
            "questions": "How are you? | awful, poor, okay, good, great",
            "schedule": "now",
            "window": "48",
        }
    )
    sam.submit({"alert_level": "1"})
    deliver(engine, platform, clock)
    return sam, alex


def test_a_partner_sees_a_check_in_waiting_until_they_answer(engine, bot, platform, clock, person):
    sam, alex = make_checkin(bot, engine, platform, clock, person)
    assert (
        "Check-in waiting: Weekly wellbeing, open until Saturday 28 November 2026 at 09:00 (Europe/London). "
        "It is in your messages." in open_home(bot, alex)
    )
    prompt = next(d for d in platform.sent if d.target_id == "alex").message
    awful = next(b for b in prompt.buttons if b.label == "1 awful")
    bot.handle(ButtonPress(alex.who, awful.action_id))
    assert open_home(bot, alex).startswith("Hello, Alex. Nothing is waiting for you.")


def test_a_coordinator_sees_the_alerts_of_the_last_week(engine, bot, platform, clock, person):
    sam, alex = make_checkin(bot, engine, platform, clock, person)
    assert "Alerts this week" not in open_home(bot, sam)
    prompt = next(d for d in platform.sent if d.target_id == "alex").message
    contact = next(b for b in prompt.buttons if b.label == "I'd like someone to contact me")
    bot.handle(ButtonPress(alex.who, contact.action_id))
    assert (
        "Alerts this week: Alex (Weekly wellbeing), Thursday 26 November 2026 at 09:00 (Europe/London)"
        in open_home(bot, sam)
    )
    assert "Alerts this week" not in open_home(bot, alex)  # partners never see others' alerts
    clock.advance(timedelta(days=8))
    assert "Alerts this week" not in open_home(bot, sam)


def test_a_partner_sees_how_many_openings_are_open_to_them(engine, bot, person):
    from tests.test_openings import post

    ada, jo, alex = person("Ada"), person("Jo"), person("Alex")
    jo.says("profile")
    alex.says("profile")
    ada.says("roles grant jo staff")
    ada.says("roles revoke jo partner")
    assert "Openings" not in open_home(bot, alex)
    post(jo)
    assert jo.text.startswith("Posted"), jo.text
    assert "Openings: Open now: 1. Type openings to see them." in open_home(bot, alex)
    staff_home = open_home(bot, jo)
    assert "Openings: Open now" not in staff_home  # staff who are not partners
    assert "Your opening: Online booking working group: interested 0" in staff_home
    alex.says("openings")
    alex.press("I'm interested")
    alex.submit({})
    assert "Openings: Open now" not in open_home(bot, alex)  # already said they're interested
    assert "Opening: Online booking working group: you said you're interested." in alex.text


def test_a_coordinator_sees_the_coming_week_of_sessions(engine, bot, person, clock):
    from tests.test_sessions import scheduled_one

    ada, cora = person("Ada"), person("Cora")
    cora.says("profile")
    ada.says("roles grant cora coordinator")
    scheduled_one(cora, title="Chair yoga", start="1 Dec 2pm", capacity="2")
    assert (
        "Coming up: Chair yoga, Tuesday 1 December 2026 at 14:00 (Europe/London): 0 of 2 places taken."
        in open_home(bot, cora)
    )
    scheduled_one(cora, title="Art club", start="9 Dec 8am", capacity="2")
    assert "Art club" not in open_home(bot, cora)  # more than a week away
    clock.advance(timedelta(days=6))
    assert "Coming up: Chair yoga" not in open_home(bot, cora)  # it has started
    assert "Coming up: Art club" in cora.text
