"""Asking for someone, at any moment, and alerts a team can work.

A partner asks with `support`, with the words people use, or with the "Talk to someone" form; they
are told at once, honestly, whether a coordinator was reached, with the service's contacts and
what to do in an emergency. Coordinators (and admins) take an alert and finish it; everyone who
saw it sees who has it, the partner hears who will be in touch, and an alert nobody takes goes
again to all of them, once. Every step is in the database, so a restart loses none.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, HomeOpened, Message, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.settings import Settings
from storage.models import Alert, Outbox
from tests.conftest import START, Person, RecordingSender, deliver

SUPPORT = "Call the partner team on 0800 123 456."
EMERGENCY = "If you are in danger, or might harm yourself, call your local emergency number now."
TOLD = "Thank you for asking. I have told the coordinators, and someone will contact you soon."
NOBODY = "I'm sorry. I couldn't reach a coordinator just now, so nobody has been told yet."


def care_bot(engine, clock, **settings: str) -> Bot:
    made = Settings(_env_file=None, admins="console:ada", default_timezone="Europe/London", **settings)
    return Bot(engine, made, clock, EVERY_FEATURE)


def someone(bot: Bot, name: str, role: Role | None = None) -> Person:
    """A member who has had the welcome already; with a role, only that role."""
    member = Person(bot, Who(AccountRef("console", "local", name.lower()), name))
    if role is not None:
        bot.prepare_local_member(member.who, role)
    member.says("profile")
    return member


def press(member: Person, action_id: str, value: str = ""):
    member.last = member.bot.handle(ButtonPress(member.who, action_id, value))
    return member.last


def received(platform: RecordingSender, user_id: str) -> list[Message]:
    return [d.message for d in platform.sent if d.target_id == user_id]


def shown(message: Message) -> str:
    return message.plain() + "".join(f"\n[{b.label}]" for b in message.buttons)


def alerts(engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert).order_by(col(Alert.id))))


def outbox(engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))))


@pytest.fixture
def team(engine, clock):
    """Cora and Cole are coordinators, Ada an admin, Pat a partner; contacts are set."""
    bot = care_bot(engine, clock, support_contacts=SUPPORT)
    people = {name: someone(bot, name, role) for name, role in (("Cora", Role.COORDINATOR), ("Cole", Role.COORDINATOR))}
    people["Ada"] = someone(bot, "Ada")
    people["Pat"] = someone(bot, "Pat")
    return bot, people


# ---- asking ---------------------------------------------------------------------------------------


def test_support_tells_each_coordinator_and_says_so_with_the_contacts(engine, clock, platform, team):
    _bot, people = team
    pat = people["Pat"]

    pat.says("support I can't cope today")

    assert pat.text == f"{TOLD} If you need help sooner: {SUPPORT} {EMERGENCY}"
    [alert] = alerts(engine)
    assert (alert.reason, alert.message, alert.reached, alert.taken_at) == ("support", "I can't cope today", True, None)
    deliver(engine, platform, clock)
    for coordinator in ("cora", "cole"):
        [message] = received(platform, coordinator)
        assert shown(message) == (
            "Pat would like someone to contact them. They wrote: I can't cope today\n[I'll take this]\n[Done]"
        )
    assert received(platform, "ada") == []  # admins hear only if nobody takes it in time


@pytest.mark.parametrize(
    "typed", ["help me", "Help me, please", "I'm not OK", "i’m not ok", "I need someone", "contact me"]
)
def test_the_words_people_use_ask_for_someone_too(engine, clock, platform, team, typed):
    _bot, people = team
    pat = people["Pat"]

    pat.says(typed)

    assert pat.text.startswith(TOLD)
    [alert] = alerts(engine)
    assert alert.message == typed  # their own words reach the coordinators
    deliver(engine, platform, clock)
    assert received(platform, "cora")[0].plain().endswith(f"They wrote: {typed}")


def test_help_alone_is_still_the_guide(engine, team):
    _bot, people = team
    people["Pat"].says("help")
    assert people["Pat"].text.startswith("Here is what you can do.")
    assert alerts(engine) == []


def test_talk_to_someone_is_on_a_partners_home_page_and_in_the_guide(engine, clock, platform, team):
    bot, people = team
    pat = people["Pat"]
    home = bot.handle(HomeOpened(pat.who)).messages[0]
    assert "Talk to someone" in [b.label for b in home.buttons]
    pat.says("guide")
    assert "[Talk to someone]" in pat.text

    pat.press("Talk to someone")
    assert [f.name for f in pat.last.form.fields] == ["message", "tell"]
    pat.submit({"message": "", "tell": "no"})

    assert pat.text.startswith(TOLD)
    [alert] = alerts(engine)
    assert (alert.message, alert.tell_partner) == ("", False)


def test_asking_again_soon_adds_to_the_same_alert(engine, clock, platform, team):
    _bot, people = team
    pat = people["Pat"]
    pat.says("support")
    deliver(engine, platform, clock)
    clock.advance(timedelta(minutes=5))

    pat.says("support the pain is worse")

    assert pat.text.startswith(TOLD)
    [alert] = alerts(engine)
    assert alert.message == "the pain is worse"
    deliver(engine, platform, clock)
    assert received(platform, "cora")[-1].plain() == (
        "Pat would like someone to contact them. They wrote: the pain is worse"
    )
    assert [d.edit_message_id is not None for d in platform.sent if d.target_id == "cora"] == [False, True]


# ---- never promise what did not happen ---------------------------------------------------------------


def test_with_no_coordinator_the_partner_is_told_honestly_and_the_admin_is_warned(engine, clock, platform):
    bot = care_bot(engine, clock, support_contacts=SUPPORT)
    ada, pat = someone(bot, "Ada"), someone(bot, "Pat")

    pat.says("support")

    assert pat.text == f"{NOBODY} Please use these contacts: {SUPPORT} {EMERGENCY}"
    [alert] = alerts(engine)
    assert alert.reached is False
    assert outbox(engine) == []
    home = bot.handle(HomeOpened(ada.who)).messages[0]
    assert [(f.label, f.value) for f in home.fields] == [
        (
            "Before someone needs support",
            ("There is no coordinator, so a call for support reaches nobody. Give someone the coordinator role.",),
        )
    ]
    pat_home = bot.handle(HomeOpened(pat.who)).messages[0]
    assert pat_home.fields == ()  # only admins are warned

    # Once there is a coordinator, asking again is not lost in the first, unheard call.
    someone(bot, "Cora", Role.COORDINATOR)
    pat.says("support")
    assert pat.text.startswith(TOLD)
    assert [a.reached for a in alerts(engine)] == [False, True]


def test_a_low_answer_with_no_coordinator_does_not_claim_anyone_knows(engine, clock, platform):
    bot = care_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    cora.says("checkin new")
    cora.submit({"name": "Weekly", "questions": "How are you? | awful, poor, okay, good, great", "schedule": "now"})
    cora.submit({"visibility": "named", "alert_level": "1"})
    ada = someone(bot, "Ada")
    ada.says("roles revoke Cora coordinator")  # the only coordinator leaves
    deliver(engine, platform, clock)
    [prompt] = [d.message for d in platform.sent if d.target_id == "pat"]
    [awful] = [b for b in prompt.buttons if b.label == "1 awful"]

    press(pat, awful.action_id, awful.value)

    assert pat.last.plain() == (
        "Saved: awful. That's everything. Thank you. "
        f"I wanted to let the coordinators know, but I couldn't reach anyone just now. {EMERGENCY}"
    )


def test_a_coordinators_channel_on_a_platform_not_run_falls_back_to_each_coordinator(engine, clock, platform):
    bot = care_bot(engine, clock, support_contacts=SUPPORT, coordinator_channel="slack:T1/C9")
    ada = someone(bot, "Ada")
    someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")

    pat.says("support")

    assert pat.text.startswith(TOLD)
    deliver(engine, platform, clock)
    assert received(platform, "cora")[0].plain() == "Pat would like someone to contact them."
    home = bot.handle(HomeOpened(ada.who)).messages[0]
    assert (
        "COORDINATOR_CHANNEL is on a platform this service does not run, so alerts go to each coordinator instead."
        in [f.value[0] for f in home.fields]
    )


# ---- alerts a team can work ----------------------------------------------------------------------


def test_taking_an_alert_shows_everyone_who_has_it_and_tells_the_partner(engine, clock, platform, team):
    bot, people = team
    cora, cole, pat = people["Cora"], people["Cole"], people["Pat"]
    pat.says("support")
    deliver(engine, platform, clock)
    [take] = [b for b in received(platform, "cole")[0].buttons if b.label == "I'll take this"]
    clock.advance(timedelta(minutes=10))

    press(cole, take.action_id)
    press(cora, take.action_id)  # a moment later, from the message Cora got

    assert cole.last.plain() == "It's yours. I have told Pat that you will be in touch."
    assert cora.last.plain() == "Cole has taken this already. Nothing changed."
    [alert] = alerts(engine)
    assert (alert.taken_at, alert.done_at) == (START + timedelta(minutes=10), None)
    deliver(engine, platform, clock)
    for coordinator in ("cora", "cole"):
        edited = received(platform, coordinator)[-1]
        assert shown(edited) == "Pat would like someone to contact them. Taken by Cole.\n[Done]"
    assert [m.plain() for m in received(platform, "pat")] == ["Cole has your message and will be in touch."]


def test_an_alert_is_done_with_a_private_note_that_only_coordinators_see(engine, clock, platform, team):
    bot, people = team
    cora, pat = people["Cora"], people["Pat"]
    pat.says("support")
    deliver(engine, platform, clock)
    [done] = [b for b in received(platform, "cora")[0].buttons if b.label == "Done"]

    press(cora, done.action_id)
    assert cora.last.form.title == "Alert done"
    cora.submit({"note": "Rang Pat. Back in touch on Friday."})

    assert cora.text == "Marked done. Thank you."
    deliver(engine, platform, clock)
    assert shown(received(platform, "cora")[-1]) == "Pat would like someone to contact them. Done by Cora."
    cora.says("alerts")
    assert "Done by Cora. Note: Rang Pat. Back in touch on Friday." in cora.text
    assert all("Rang Pat" not in m.plain() for m in received(platform, "pat"))
    press(cora, done.action_id)
    assert cora.last.plain() == "This alert is done already. Nothing changed."


def test_an_alert_nobody_takes_goes_to_every_coordinator_and_admin_once(engine, clock, platform, team):
    bot, people = team
    people["Ada"].says("roles grant Ada admin")  # Ada is an admin through ADMINS anyway
    people["Pat"].says("support")
    deliver(engine, platform, clock)

    clock.advance(timedelta(minutes=59))
    bot.tick()
    deliver(engine, platform, clock)
    assert received(platform, "ada") == []

    clock.advance(timedelta(minutes=1))
    bot.tick()
    bot.tick()  # a second beat, or a second process: once
    deliver(engine, platform, clock)

    again = "Nobody has taken this yet, after 60 minutes. Pat would like someone to contact them."
    for person in ("ada", "cora", "cole"):
        assert [m.plain() for m in received(platform, person)].count(again) == 1
    [alert] = alerts(engine)
    assert alert.escalated_at == START + timedelta(hours=1)

    # Taken from the message sent again: every copy shows it.
    [take] = [b for b in received(platform, "ada")[-1].buttons if b.label == "I'll take this"]
    press(people["Ada"], take.action_id)
    deliver(engine, platform, clock)
    assert received(platform, "ada")[-1].plain().endswith("Taken by Ada.")
    assert received(platform, "cora")[-1].plain().endswith("Taken by Ada.")


def test_an_alert_taken_in_time_does_not_go_again(engine, clock, platform, team):
    bot, people = team
    people["Pat"].says("support")
    deliver(engine, platform, clock)
    [take] = [b for b in received(platform, "cora")[0].buttons if b.label == "I'll take this"]
    press(people["Cora"], take.action_id)

    clock.advance(timedelta(hours=2))
    bot.tick()

    assert [a.escalated_at for a in alerts(engine)] == [None]
    assert not any(o.dedupe_key and ".again:" in o.dedupe_key for o in outbox(engine))


def test_alerts_survive_a_restart(engine, clock, platform, team):
    bot, people = team
    people["Pat"].says("support")
    deliver(engine, platform, clock)
    restarted = Bot(engine, bot.settings, clock, EVERY_FEATURE)
    cora = Person(restarted, people["Cora"].who)

    cora.says("alerts")
    assert "Nobody has taken it yet." in cora.text
    cora.press("Take #1")

    assert cora.last.plain() == "It's yours. I have told Pat that you will be in touch."


def test_a_partner_cannot_take_or_finish_an_alert_nor_list_them(engine, clock, platform, team):
    _bot, people = team
    pat = people["Pat"]
    pat.says("support")
    before = (alerts(engine), len(outbox(engine)))

    press(pat, "alert.take:1")
    assert pat.last.refused and pat.last.plain() == (
        "Only coordinators and admins can do that. Type guide to see what you can do."
    )
    press(pat, "alert.done:1")
    assert pat.last.refused and pat.last.form is None
    pat.says("alerts")
    assert pat.text == "Only coordinators and admins can use alerts. Type guide to see what you can do."
    assert (alerts(engine), len(outbox(engine))) == before
