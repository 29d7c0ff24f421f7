"""The one entry point: routing, kind answers to mistakes, and all-or-nothing turns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.checks import Refusal
from bot.conversation import ButtonPress, Command, Message, Option, Who
from bot.core import Bot
from bot.feature import ButtonSpec, CommandSpec, Feature, Features
from bot.features import EVERY_FEATURE
from bot.members import SEEN_EVERY, AccountRef, Role, accounts_of, grant
from bot.outbox import enqueue_dm
from bot.profile import FEATURE as PROFILE
from storage.db import make_engine
from storage.models import Account, Member, MemberRole, Outbox, SeenEvent
from tests.conftest import START, member_named

SORRY = "Sorry, something went wrong on our side. Nothing was saved. Please try again in a minute."


def outbox_count(engine) -> int:
    with Session(engine) as db:
        return len(db.exec(select(Outbox)).all())


def role_rows(engine) -> list[tuple[int, str]]:
    with Session(engine) as db:
        return [(r.member_id, r.role) for r in db.exec(select(MemberRole).order_by(MemberRole.id))]


def command(name, handler, roles=()):
    """A command that exists only for a test."""
    return CommandSpec(name, "A test command.", name, run=handler, roles=roles)


def give(*people, commands=(), buttons=()) -> Bot:
    """A bot with every feature and one more that exists only for this test, for these people."""
    first = people[0].bot
    extra = Feature("test", commands=tuple(commands), buttons=tuple(buttons))
    made = Bot(first.engine, first.settings, first.clock, (*EVERY_FEATURE, extra))
    for someone in people:
        someone.bot = made
    return made


def change_everything(turn, _asked=None):
    """Changes the member, gives a role and queues a message, all in this turn's transaction."""
    turn.member.display_name = "Changed"
    turn.db.add(turn.member)
    grant(turn.db, turn.member.id, Role.COORDINATOR, None, turn.now)
    enqueue_dm(turn.db, turn.member.id, Message(("half-made",)), turn.now)
    turn.db.flush()


@pytest.fixture
def sam(person):
    """Sam has written before, so replies hold no welcome message."""
    someone = person("Sam")
    someone.says("profile")
    return someone


# ---- commands that do not exist ------------------------------------------------------------------


def test_an_unknown_command_gets_a_kind_pointer_to_guide(engine, sam):
    before = role_rows(engine)

    sam.says("dance with me")

    assert sam.text == "I don't know 'dance'. Type guide to see what you can do."
    assert role_rows(engine) == before
    assert member_named(engine, "sam").display_name == "Sam"


def test_a_near_miss_suggests_the_command(sam):
    sam.says("profiel")
    assert sam.text == "I don't know 'profiel'. Did you mean profile? Type guide to see what you can do."
    sam.says("rolse")
    assert sam.text == "I don't know 'rolse'. Did you mean roles? Type guide to see what you can do."


def test_a_very_long_unknown_command_is_cut_short_in_the_answer(sam):
    sam.says("z" * 300)

    assert sam.text == f"I don't know '{'z' * 40}'. Type guide to see what you can do."


@pytest.mark.parametrize("name", ["/profile", "PROFILE", "/Profile", " /profile "])
def test_a_slash_capitals_or_spaces_still_find_the_command(bot, sam, name):
    reply = bot.handle(Command(sam.who, name))

    assert reply.messages[0].plain() == "Your profile. Only you and the coordinators can see it."
    assert ("Name", ("Sam",)) in [(f.label, f.value) for f in reply.messages[0].fields]


def test_a_leading_slash_works_for_commands_with_words_after_them(engine, sam):
    sam.says("/profile name Samira")

    assert sam.text.splitlines()[0] == "Saved."
    assert "Name: Samira" in sam.text
    assert member_named(engine, "sam").display_name == "Samira"


@pytest.mark.parametrize("alias", ["help", "?", "start", "menu", "/help"])
def test_aliases_reach_their_command(sam, alias):
    sam.says(alias)
    assert sam.text.splitlines()[0] == "Here is what you can do. Type a command, or press a button."


# ---- buttons and events that do not exist -----------------------------------------------------


def test_an_unknown_button_is_explained(engine, bot, sam):
    reply = bot.handle(ButtonPress(sam.who, "opening.interested:999", "x"))

    assert reply.plain() == "That button no longer works. Type guide to see what you can do."
    assert member_named(engine, "sam").display_name == "Sam"
    assert outbox_count(engine) == 0


def test_a_known_button_still_works(bot, sam):
    reply = bot.handle(ButtonPress(sam.who, "profile.show"))
    assert reply.plain() == "Your profile. Only you and the coordinators can see it."


@dataclass(frozen=True)
class Wave:
    """An event kind the core has never heard of."""

    who: Who


def test_an_event_the_core_cannot_read_gets_a_kind_answer(engine, bot, sam):
    reply = bot.handle(Wave(sam.who))

    assert reply.plain() == "I can't read that. Type guide to see what you can do."
    assert member_named(engine, "sam").display_name == "Sam"


# ---- commands for some roles only ------------------------------------------------------------


def test_a_command_for_other_roles_names_who_may_use_it(engine, sam):
    calls = []
    give(
        sam,
        commands=(
            command("tally", lambda turn, asked: calls.append(asked), (Role.COORDINATOR, Role.ADMIN)),
            command("setup", lambda turn, asked: calls.append(asked), (Role.ADMIN,)),
            command("plan", lambda turn, asked: calls.append(asked), (Role.STAFF, Role.COORDINATOR, Role.ADMIN)),
        ),
    )

    sam.says("tally")
    assert sam.text == "Only coordinators and admins can use tally. Type guide to see what you can do."
    sam.says("setup")
    assert sam.text == "Only admins can use setup. Type guide to see what you can do."
    sam.says("plan")
    assert sam.text == "Only staff, coordinators and admins can use plan. Type guide to see what you can do."
    assert calls == []


def test_a_command_for_a_role_works_for_someone_with_it(engine, person):
    def tally(turn, asked):
        return turn.say(f"Report for {turn.member.display_name}.")

    ada, bo = person("Ada"), person("Bo")
    give(ada, bo, commands=(command("tally", tally, (Role.COORDINATOR,)),))
    ada.says("profile")
    bo.says("profile")
    ada.says("roles grant Bo coordinator")

    bo.says("tally")

    assert bo.text == "Report for Bo."


# ---- nothing half-saved ----------------------------------------------------------------------


def test_an_unexpected_error_says_sorry_and_saves_nothing(engine, sam, caplog):
    def explode(turn, asked):
        change_everything(turn)
        raise RuntimeError("the disk fell off")

    give(sam, commands=(command("explode", explode),))
    before_roles = role_rows(engine)

    with caplog.at_level(logging.ERROR, logger="bot.core"):
        reply = sam.says("explode")

    assert [m.plain() for m in reply.messages] == [SORRY]
    assert "the disk fell off" not in sam.text
    member = member_named(engine, "sam")
    assert member.display_name == "Sam"
    assert role_rows(engine) == before_roles
    assert outbox_count(engine) == 0
    # The team can find out what happened.
    assert any(r.exc_info and "the disk fell off" in str(r.exc_info[1]) for r in caplog.records)


def test_the_sorry_is_in_the_language_of_whoever_it_answers(engine, sam):
    def explode(turn, asked):
        raise RuntimeError("boom")

    give(sam, commands=(command("explode", explode),))
    sam.says("profile language fr")

    reply = sam.says("explode")

    assert reply.plain() == (
        "Désolé, quelque chose n'a pas fonctionné de notre côté. Rien n'a été enregistré. Veuillez réessayer dans une minute."
    )
    assert reply.language == "fr"


def test_after_an_error_the_next_turn_works_and_saves(engine, clock, sam):
    def explode(turn, asked):
        change_everything(turn)
        raise RuntimeError("boom")

    give(sam, commands=(command("explode", explode),))
    sam.says("explode")
    clock.advance(timedelta(minutes=1))

    sam.says("profile name Samira")

    assert "Name: Samira" in sam.text
    assert member_named(engine, "sam").display_name == "Samira"


def test_an_error_in_a_button_saves_nothing(engine, sam):
    def explode(turn, asked):
        change_everything(turn)
        raise KeyError(asked.text)

    bot = give(sam, buttons=(ButtonSpec("test.explode", explode),))

    reply = bot.handle(ButtonPress(sam.who, "test.explode:7"))

    assert reply.plain() == SORRY
    assert member_named(engine, "sam").display_name == "Sam"
    assert outbox_count(engine) == 0
    assert role_rows(engine) == [(member_named(engine, "sam").id, "partner")]


def test_a_refusal_after_a_change_saves_nothing(engine, sam):
    def half_then_refuse(turn, asked):
        change_everything(turn)
        raise Refusal("Please fill in {label}.", label="your name")

    give(sam, commands=(command("half", half_then_refuse),))
    before_roles = role_rows(engine)

    sam.says("half")

    assert sam.text == "Please fill in your name."
    assert member_named(engine, "sam").display_name == "Sam"
    assert role_rows(engine) == before_roles
    assert outbox_count(engine) == 0


def test_a_database_error_inside_a_turn_saves_nothing(engine, sam):
    """A second partner role breaks a unique rule: the whole turn is undone, not just that row."""

    def duplicate(turn, asked):
        turn.member.display_name = "Changed"
        turn.db.add(turn.member)
        turn.db.add(MemberRole(member_id=turn.member.id, role="partner", granted_at=turn.now))
        turn.db.flush()

    give(sam, commands=(command("duplicate", duplicate),))

    sam.says("duplicate")

    assert sam.text == SORRY
    assert member_named(engine, "sam").display_name == "Sam"
    assert role_rows(engine) == [(member_named(engine, "sam").id, "partner")]


def test_a_successful_turn_saves_everything_together(engine, sam):
    def change(turn, asked):
        change_everything(turn)
        return turn.say("Changed.")

    give(sam, commands=(command("change", change),))

    sam.says("change")

    assert sam.text == "Changed."
    member = member_named(engine, "sam")
    assert member.display_name == "Changed"
    assert role_rows(engine) == [(member.id, "partner"), (member.id, "coordinator")]
    with Session(engine) as db:
        row = db.exec(select(Outbox)).one()
    assert (row.target_id, row.created_at) == ("sam", START)


# ---- guide by role -----------------------------------------------------------------------------


def test_guide_for_a_partner_leaves_out_role_changes(engine, sam):
    sam.says("guide")

    assert sam.text.splitlines()[0] == "Here is what you can do. Type a command, or press a button."
    assert "roles: Shows who the staff, coordinators and admins are. Try: roles" in sam.text
    assert "profile: Shows your settings." in sam.text
    assert "roles grant" not in sam.text
    assert "roles revoke" not in sam.text
    assert "Gives someone a role." not in sam.text
    assert "[My profile]" in sam.text


def test_guide_for_a_coordinator_shows_role_changes(engine, person):
    ada, bo = person("Ada"), person("Bo")
    ada.says("profile")
    bo.says("profile")
    ada.says("roles grant Bo coordinator")

    bo.says("guide")

    assert "roles grant: Gives someone a role. Try: roles grant Sam coordinator" in bo.text
    assert "roles revoke: Takes a role away. Try: roles revoke Sam staff" in bo.text
    assert {r for _id, r in role_rows(engine) if _id == member_named(engine, "bo").id} == {
        "partner",
        "coordinator",
    }


def test_guide_shows_role_changes_to_the_admin_and_hides_them_again_when_the_role_goes(engine, person):
    ada, bo = person("Ada"), person("Bo")
    ada.says("guide")
    assert "roles grant Sam coordinator" in ada.text

    bo.says("profile")
    ada.says("roles grant Bo staff")
    bo.says("guide")
    assert "roles grant" not in bo.text

    ada.says("roles grant Bo coordinator")
    bo.says("guide")
    assert "roles grant" in bo.text
    ada.says("roles revoke Bo coordinator")
    bo.says("guide")
    assert "roles grant" not in bo.text


def test_guide_lists_a_role_only_command_only_for_that_role(engine, person):
    ada, bo = person("Ada"), person("Bo")
    give(ada, bo, commands=(command("tally", lambda turn, asked: turn.say("ok"), (Role.COORDINATOR,)),))
    ada.says("profile")
    bo.says("guide")
    assert "tally:" not in bo.text

    ada.says("roles grant Bo coordinator")
    bo.says("guide")
    assert "tally: A test command. Try: tally" in bo.text


# ---- who is acting -----------------------------------------------------------------------------


def test_each_turn_acts_for_the_account_that_wrote(engine, bot, person):
    sam, jo = person("Sam"), person("Jo")
    sam.says("profile name Samira")
    jo.says("profile name Joanna")

    with Session(engine) as db:
        names = sorted(m.display_name for m in db.exec(select(Member)))
    assert names == ["Joanna", "Samira"]
    other = Who(AccountRef("console", "other-workspace", "sam"), "Sam")
    reply = bot.handle(ButtonPress(other, "profile.show"))
    # Same user id in another workspace is somebody else.
    assert "Before we start" in reply.plain()
    with Session(engine) as db:
        assert len(db.exec(select(Member)).all()) == 3


def test_an_empty_command_shows_the_guide(bot, sam):
    reply = bot.handle(Command(sam.who, "/", ""))
    assert reply.plain() == "Here is what you can do. Type a command, or press a button."


def test_a_configured_admin_already_made_admin_is_not_made_twice(engine, settings, clock, person):
    ada = person("Ada")
    ada.says("profile")
    # A second process with the same settings meets Ada for the first time in its own memory.
    Bot(engine, settings, clock, EVERY_FEATURE).handle(Command(ada.who, "roles", ""))
    ada_id = member_named(engine, "ada").id
    assert [r for r in role_rows(engine) if r[0] == ada_id] == [(ada_id, "partner"), (ada_id, "admin")]


def test_someone_new_gets_the_zone_their_platform_knows(engine, bot):
    ref = AccountRef("slack", "T1", "U9")
    bot.handle(Command(Who(ref, "Kiri", timezone="Pacific/Auckland"), "profile", ""))
    assert member_named(engine, "U9").timezone == "Pacific/Auckland"
    # A zone the platform gets wrong falls back to the service's default.
    bot.handle(Command(Who(AccountRef("slack", "T1", "U10"), "Lee", timezone="Mars/Base"), "profile", ""))
    assert member_named(engine, "U10").timezone == "Europe/London"


def test_suggestions_never_fail_and_never_make_a_member(engine, settings, clock):
    def broken(_turn, _typed):
        raise RuntimeError("a bug")

    bot = Bot(engine, settings, clock, (PROFILE, Feature("broken", suggestions={"session": broken})))
    who = Who(AccountRef("console", "local", "new"), "New")
    assert bot.suggest(who, "no-such-argument", "x") == []
    assert bot.suggest(who, "session", "yoga") == []
    assert bot.suggest(who, "timezone", "paris") == [Option("Europe/Paris", "Europe/Paris")]
    with Session(engine) as db:
        assert db.exec(select(Member)).all() == []


def test_a_platform_event_sent_again_is_handled_once_by_any_process_and_forgotten_after_a_day(
    bot, engine, settings, clock
):
    from storage.models import SeenEvent

    assert bot.first_time("slack", "Ev1")
    assert not bot.first_time("slack", "Ev1")
    another_process = Bot(engine, settings, clock, EVERY_FEATURE)
    assert not another_process.first_time("slack", "Ev1")
    assert another_process.first_time("discord", "Ev1")  # each platform's ids are its own

    clock.advance(timedelta(days=1, minutes=1))
    bot.tick()
    with Session(engine) as db:
        assert db.exec(select(SeenEvent)).all() == []


# ---- control characters in what people type ---------------------------------------------------------


def every_typed_line() -> list[tuple[str, str]]:
    """Each command and verb of the core, with a NUL byte in what follows it (PostgreSQL refuses
    NUL in text, so without cleaning this ends in "Sorry")."""
    lines = []
    for name, spec in Features(EVERY_FEATURE).commands.items():
        lines.append((name, "x\x00y"))
        for verb in spec.verbs:
            lines += [(name, f"{verb.name} x\x00y"), (name, f"{verb.name} 1 x\x00y"), (name, f"{verb.name}\x00")]
    return lines


def test_a_control_character_in_any_command_gets_an_answer_not_an_error(bot, engine, person, caplog):
    ada = person("Ada")  # an admin through ADMINS
    ada.says("profile")
    for role in ("partner", "staff", "coordinator"):
        ada.says(f"roles grant Ada {role}")
    caplog.set_level(logging.ERROR)

    for name, text in [*every_typed_line(), ("roles", "grant x\x00y staff"), ("prof\x00ile", "")]:
        reply = ada.says(f"{name} {text}")
        assert SORRY not in reply.plain(), f"{name} {text!r}"
    assert caplog.records == []


def test_a_control_character_in_a_button_or_a_suggestion_gets_an_answer(bot, engine, person, caplog):
    ada = person("Ada")
    ada.says("profile")
    for role in ("partner", "staff", "coordinator"):
        ada.says(f"roles grant Ada {role}")
    caplog.set_level(logging.ERROR)

    for action in bot.features.buttons:
        for value in ("1\x00", "x\x00y", ""):
            reply = bot.handle(ButtonPress(ada.who, f"{action}:1\x00", value))
            assert SORRY not in reply.plain(), f"{action} {value!r}"
    for argument in bot.features.suggestions:
        bot.suggest(ada.who, argument, "x\x00y")
    assert caplog.records == []


def test_control_characters_are_taken_out_before_the_command_reads_its_words(engine, person):
    ada, bo = person("Ada"), person("Bo")
    ada.says("profile")
    bo.says("profile")

    ada.says("roles grant Bo\x00\x07 staff")

    assert ada.text == "Done. Bo now has the staff role. I have let them know."
    assert {role for _member, role in role_rows(engine)} == {"partner", "admin", "staff"}


# ---- what a turn writes, and the write lock ----------------------------------------------------


def last_seen(engine, user_id: str):
    with Session(engine) as db:
        account = db.exec(select(Account).where(Account.user_id == user_id)).one()
        return account.last_seen_at, account.display_name


def test_last_seen_is_written_again_only_once_it_is_minutes_old(engine, clock, sam):
    assert last_seen(engine, "sam") == (START, "Sam")

    clock.advance(SEEN_EVERY - timedelta(seconds=1))
    sam.says("profile")
    assert last_seen(engine, "sam") == (START, "Sam")  # recent enough: the turn did not write it

    clock.advance(timedelta(seconds=1))
    sam.says("profile")
    assert last_seen(engine, "sam") == (START + SEEN_EVERY, "Sam")

    # A new name from the platform is written at once, whatever the time.
    clock.advance(timedelta(seconds=1))
    sam.who = replace(sam.who, display_name="Samira")
    sam.says("profile")
    assert last_seen(engine, "sam") == (START + SEEN_EVERY, "Samira")


def test_the_account_used_last_comes_first_to_within_the_minutes_of_last_seen(engine, bot, clock, person):
    sam = person("Sam")
    sam.says("profile")
    slack = Who(AccountRef("slack", "T1", "USAM"), "Sam")
    with Session(engine) as db:  # Sam's Slack account, linked, last seen long ago
        sam_id = member_named(engine, "sam").id
        db.add(Account(member_id=sam_id, platform="slack", workspace="T1", user_id="USAM",
                       last_seen_at=START - timedelta(days=2)))
        db.commit()
    clock.advance(timedelta(minutes=1))
    bot.handle(Command(slack, "profile", ""))
    with Session(engine) as db:
        assert [a.platform for a in accounts_of(db, sam_id)] == ["slack", "console"]


def other_engine(engine):
    """A second engine on the same database: another process, which waits half a second at most
    for a lock."""
    return make_engine(engine.url.render_as_string(hide_password=False), wait_seconds=0.5)


def test_a_turn_that_only_reads_does_not_keep_a_writer_waiting(engine, sam):
    other = other_engine(engine)

    def look_while_another_writes(turn, _asked):
        name = turn.db.exec(select(Member.display_name).where(Member.id == turn.member.id)).one()
        # The turn's transaction is open and has read: another process writes and commits now.
        with Session(other) as db:
            db.add(SeenEvent(platform="test", event_id="written meanwhile", seen_at=turn.now))
            db.commit()
        return turn.say(f"{name} read, another wrote.")

    give(sam, commands=[command("look", look_while_another_writes)])
    sam.says("look")

    assert sam.text == "Sam read, another wrote."
    with Session(engine) as db:
        assert db.exec(select(SeenEvent.event_id).where(SeenEvent.platform == "test")).all() == [
            "written meanwhile"
        ]
    other.dispose()


def test_a_turn_whose_first_write_comes_after_another_writer_is_run_again_and_saved_once(engine, sam):
    other = other_engine(engine)
    interrupted = []

    def rename_after_another_writes(turn, _asked):
        turn.db.exec(select(Member.display_name).where(Member.id == turn.member.id)).one()
        if not interrupted:  # the first time only: another process writes between read and write
            interrupted.append(True)
            with Session(other) as db:
                db.add(SeenEvent(platform="test", event_id="written meanwhile", seen_at=turn.now))
                db.commit()
        turn.member.display_name = "Samuel"
        turn.db.add(turn.member)
        enqueue_dm(turn.db, turn.member.id, Message(("renamed",)), turn.now)
        turn.db.flush()
        return turn.say("Renamed.")

    before = outbox_count(engine)
    give(sam, commands=[command("rename", rename_after_another_writes)])
    sam.says("rename")

    # On SQLite the turn could not take the write lock on its stale snapshot: it ran again, with
    # the lock from the start. Either way: answered, saved, and the message queued once.
    assert sam.text == "Renamed."
    assert member_named(engine, "sam").display_name == "Samuel"
    assert outbox_count(engine) == before + 1
    other.dispose()
