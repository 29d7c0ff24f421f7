"""One person, every platform: `link` gives a one-time code to type on the other account; the two
accounts become one member, with one profile, roles and history; `unlink` makes one separate
again; `profile` chooses where messages go. Two members who both have data are merged without
losing or doubling any row.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, col, select

from adapters.console.app import Console
from bot.conversation import Who
from bot.core import Bot
from bot.linking.merging import MEMBER_COLUMNS
from bot.members import AccountRef, Role
from bot.outbox import SendFailed
from storage.models import (
    Account,
    Alert,
    CheckIn,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    FormDraft,
    Involvement,
    LinkCode,
    LinkTry,
    Member,
    MemberInterest,
    MemberRole,
    Opening,
    OpeningInterest,
    SessionSignup,
    WellbeingSession,
)
from tests.conftest import START, Person, RecordingSender, deliver

CODE = re.compile(r"link ([A-Z0-9]{3}-[A-Z0-9]{3})$")
GIVEN = "This makes your two accounts one member, with one profile. A new code replaces the old one. "
WRONG = "That code doesn't work. Check it, or type link on your other account for a new one."
TOO_MANY = "Too many tries. Try again in an hour."
LINKED = "Done. Your accounts are linked. You are one member now, with one profile."


def on(bot: Bot, platform: str, user_id: str, name: str) -> Person:
    """Someone on a platform, who has had the welcome already."""
    workspace = {"slack": "T1", "console": "local"}.get(platform, "")
    someone = Person(bot, Who(AccountRef(platform, workspace, user_id), name))
    someone.says("profile")
    return someone


def code_for(someone: Person) -> str:
    someone.says("link")
    found = CODE.search(someone.text)
    assert found is not None, someone.text
    return found.group(1)


def linked(asker: Person, typer: Person) -> str:
    code = code_for(asker)
    typer.says(f"link {code}")
    assert typer.text.startswith(LINKED), typer.text
    return code


def member_of(engine: Engine, someone: Person) -> Member:
    ref = someone.who.account
    with Session(engine) as db:
        account = db.exec(
            select(Account).where(Account.platform == ref.platform, Account.user_id == ref.user_id)
        ).one()
        return db.get_one(Member, account.member_id)


def roles(engine: Engine, someone: Person) -> set[str]:
    with Session(engine) as db:
        return set(db.exec(select(MemberRole.role).where(MemberRole.member_id == member_of(engine, someone).id)))


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as db:
        return {
            table.name: db.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def alex(bot):
    """Alex on Slack (since this morning) and on Discord (new today)."""
    slack = on(bot, "slack", "UALEX", "Alex")
    slack.says("profile timezone Toronto")
    slack.says("profile interests pain")
    bot.clock.advance(timedelta(hours=1))
    discord = on(bot, "discord", "42", "alex_d")
    discord.says("profile interests research")
    return slack, discord


# ---- linking ----------------------------------------------------------------------------------


def test_a_code_typed_on_the_other_account_makes_one_member_with_the_older_profile(engine, alex):
    slack, discord = alex
    slack.says("link")
    assert slack.text.startswith(GIVEN + "Type this code on your other account within 10 minutes: link ")
    assert slack.last.messages[0].private
    code = CODE.search(slack.text).group(1)
    assert all(ch not in code for ch in "0O1IL25SZ8B")

    discord.says(f"link {code.lower().replace('-', ' ')}")  # any case, with or without the dash

    assert discord.text.splitlines()[0] == (
        f"{LINKED} I kept the settings you had on Slack, as they are older. Your roles and history from both are kept."
    )
    assert "Name: Alex" in discord.text and "Time zone: America/Toronto" in discord.text
    assert "Interests: pain, research" in discord.text
    assert "Messages go to: " in discord.text
    assert member_of(engine, slack).id == member_of(engine, discord).id
    assert counts(engine)["member"] == 1
    with Session(engine) as db:  # only the code's hash is kept, and it is used
        [row] = db.exec(select(LinkCode)).all()
        assert code not in row.code_hash and code.replace("-", "") not in row.code_hash
        assert row.used_at == START + timedelta(hours=1)
    slack.says("profile")
    assert "Name: Alex" in slack.text and "Interests: pain, research" in slack.text


def test_the_code_can_come_from_either_side_and_the_older_profile_wins(engine, alex):
    slack, discord = alex
    linked(discord, slack)  # asked on the newer account, typed on the older one
    assert "I kept the settings you had on Slack" in slack.text
    assert member_of(engine, slack).timezone == "America/Toronto"


def test_a_code_works_once_for_ten_minutes_and_a_new_one_replaces_it(bot, engine, alex):
    slack, discord = alex
    old = code_for(slack)
    new = code_for(slack)
    discord.says(f"link {old}")
    assert discord.text == WRONG
    bot.clock.advance(timedelta(minutes=10))
    discord.says(f"link {new}")
    assert discord.text == "That code is more than 10 minutes old. Type link on your other account for a new one."
    assert discord.last.refused

    fresh = code_for(slack)
    discord.says(f"link {fresh}")
    assert discord.text.startswith(LINKED)
    sam = on(bot, "console", "sam", "Sam")
    sam.says(f"link {fresh}")
    assert sam.text == "That code was used already. Type link on your other account for a new one."
    assert counts(engine)["member"] == 2


def test_a_code_typed_on_its_own_account_or_an_account_linked_already_says_what_to_do(bot, engine, alex):
    slack, discord = alex
    code = code_for(slack)
    slack.says(f"link {code}")
    assert slack.text == "That code is from this account. Type it on your other account instead."
    discord.says(f"link {code}")
    again = code_for(slack)
    discord.says(f"link {again}")
    assert discord.text == "These accounts are linked already. Type profile to see your settings."
    discord.says("link join")
    assert discord.text == "Please type the code from your other account, like this: link K7P-4QD"
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(LinkTry)).one() == 0  # none of these was a guess


def test_five_wrong_codes_in_an_hour_and_then_no_more_tries_for_a_while(bot, engine, alex):
    slack, discord = alex
    code = code_for(slack)
    for guess in ("AAA-AAA", "K7P-4QD", "hello", "ACD-EFG", "123"):
        discord.says(f"link {guess}")
        assert discord.text == WRONG
    discord.says(f"link {code}")  # even the right code, now
    assert discord.text == TOO_MANY
    assert discord.last.refused
    with Session(engine) as db:  # counted in the database, per account: a restart forgets none
        assert db.exec(select(func.count()).select_from(LinkTry)).one() == 5
    other = on(bot, "discord", "43", "Sam")
    other.says("link AAA-AAA")
    assert other.text == WRONG  # another account has tries of its own

    bot.clock.advance(timedelta(minutes=55))  # the first tries are an hour old now...
    slack.says("profile")
    code = code_for(slack)
    bot.clock.advance(timedelta(minutes=6))
    discord.says(f"link {code}")
    assert discord.text.startswith(LINKED)


def test_the_code_never_reaches_the_log(bot, alex, caplog):
    slack, discord = alex
    caplog.set_level(logging.DEBUG)
    code = linked(slack, discord)
    discord.says("link AAA-AAA")
    assert code not in caplog.text and code.replace("-", "") not in caplog.text
    assert "AAA-AAA" not in caplog.text


def test_roles_are_joined_and_a_coordinator_on_one_account_is_one_on_both(bot, engine, alex):
    slack, discord = alex
    ada = on(bot, "console", "ada", "Ada")
    ada.says("roles grant Alex coordinator")
    assert ada.text.startswith("Done."), ada.text
    linked(slack, discord)
    assert roles(engine, discord) == {"partner", "coordinator"}
    discord.says("checkin list")
    assert not discord.last.refused
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(MemberRole)).one() == 4  # and Ada's two


# ---- unlinking --------------------------------------------------------------------------------


def test_unlink_makes_this_account_its_own_member_again_and_history_stays(bot, engine, alex):
    slack, discord = alex
    ada = on(bot, "console", "ada", "Ada")
    ada.says("roles grant Alex staff")
    linked(slack, discord)
    before = member_of(engine, slack).id

    discord.says("unlink")

    assert discord.text == (
        "Done. This account is on its own now, with a copy of your settings. "
        "Your history, sign-ups and roles other than partner stay with your account on Slack."
    )
    alone = member_of(engine, discord)
    assert alone.id != before and member_of(engine, slack).id == before
    assert (alone.display_name, alone.timezone) == ("Alex", "America/Toronto")
    assert alone.consent_shown_at is not None  # no welcome again
    assert roles(engine, discord) == {"partner"}
    assert roles(engine, slack) == {"partner", "staff"}
    discord.says("profile")
    assert "Interests: pain, research" in discord.text
    assert "Messages go to" not in discord.text
    discord.says("unlink")
    assert discord.text == "You have only this account here, so there is nothing to unlink."
    assert discord.last.refused


def test_linked_again_after_unlinking(bot, engine, alex):
    slack, discord = alex
    linked(slack, discord)
    discord.says("unlink")
    linked(discord, slack)
    assert counts(engine)["member"] == 1
    assert roles(engine, slack) == {"partner"}


# ---- where messages go ------------------------------------------------------------------------


def test_messages_go_to_the_platform_chosen_and_to_the_other_if_that_one_cannot_receive(bot, engine, clock, alex):
    slack, discord = alex
    linked(slack, discord)
    slack.says("profile messages discord")
    assert "Messages go to: Discord" in slack.text
    ada = on(bot, "console", "ada", "Ada")
    senders = {"slack": RecordingSender(), "discord": RecordingSender()}

    def send_all() -> None:
        from bot.outbox import dispatch_due

        dispatch_due(engine, senders, clock)

    send_all()  # the account that asked for the code hears that another was linked to it
    assert senders["slack"].texts_for("UALEX") == [
        "Your account on Discord is now linked to this one. If that wasn't you, please tell a coordinator."
    ]
    senders["slack"].sent.clear()

    ada.says("roles grant Alex staff")
    send_all()
    assert [t.split(".")[0] for t in senders["discord"].texts_for("42")] == ["Ada gave you the staff role"]
    assert senders["slack"].sent == []

    # Discord refuses for good (they left the server): the next message goes to Slack instead.
    senders["discord"].failures.append(SendFailed("cannot message this user", permanent=True))
    ada.says("roles grant Alex coordinator")
    send_all()
    ada.says("roles revoke Alex staff")
    send_all()
    assert [d.message.plain().split(".")[0] for d in senders["slack"].sent] == ["Ada removed your staff role"]

    # A reply to what someone typed still comes back where they typed it.
    slack.says("profile")
    assert "Messages go to: Discord" in slack.text


def test_an_account_that_refused_is_written_to_again_once_a_later_message_to_it_goes(bot, engine, clock, alex):
    """What counts is the last message to an account: set aside, or one that went after it."""
    slack, discord = alex
    linked(slack, discord)
    slack.says("profile messages discord")
    ada = on(bot, "console", "ada", "Ada")
    senders = {"slack": RecordingSender(), "discord": RecordingSender()}

    def send_all() -> None:
        from bot.outbox import dispatch_due

        dispatch_due(engine, senders, clock)

    send_all()  # the linking notice, to Slack
    senders["slack"].sent.clear()

    # Two messages for Discord: it refuses the first for good, and the second for a minute.
    senders["discord"].failures += [
        SendFailed("cannot message this user", permanent=True),
        SendFailed("slow down", retry_after=60),
    ]
    ada.says("roles grant Alex staff")
    ada.says("roles grant Alex coordinator")
    send_all()
    assert senders["discord"].sent == []

    # Until something reaches Discord again, messages go to Slack.
    ada.says("roles revoke Alex staff")
    send_all()
    assert [d.message.plain().split(".")[0] for d in senders["slack"].sent] == ["Ada removed your staff role"]

    # The second one goes on its next try: Discord receives again, and the next message goes there.
    clock.advance(timedelta(minutes=2))
    send_all()
    assert [t.split(".")[0] for t in senders["discord"].texts_for("42")] == ["Ada gave you the coordinator role"]
    ada.says("roles revoke Alex coordinator")
    send_all()
    assert [t.split(".")[0] for t in senders["discord"].texts_for("42")] == [
        "Ada gave you the coordinator role",
        "Ada removed your coordinator role",
    ]
    assert len(senders["slack"].sent) == 1


def test_choosing_where_messages_go_is_in_the_profile_form_and_checked(bot, engine, alex):
    slack, discord = alex
    slack.says("profile messages discord")
    assert slack.text == "Your messages go to your only account. To add another, type link there."
    slack.says("profile edit")
    assert "messages" not in [f.name for f in slack.last.form.fields]
    linked(slack, discord)
    slack.says("profile messages email")
    assert slack.text == "You have accounts on Slack, Discord. Please choose one of those."
    slack.says("profile edit")
    slack.submit({})
    assert slack.last.form.page == 2
    assert [f.name for f in slack.last.form.fields] == ["paused_until", "messages", "openings"]
    slack.submit({"messages": "discord"})
    assert "Messages go to: Discord" in slack.text
    assert member_of(engine, slack).dm_platform == "discord"


# ---- nothing lost, nothing doubled ------------------------------------------------------------


def test_every_column_that_names_a_member_is_handled_by_the_merge():
    named = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == "member"
    }
    assert named == set(MEMBER_COLUMNS)


def test_two_members_with_data_everywhere_are_merged_without_losing_or_doubling_a_row(bot, engine, clock):
    slack = on(bot, "slack", "UALEX", "Alex")
    discord = on(bot, "discord", "42", "Alex D")
    cora = on(bot, "console", "cora", "Cora")
    wes = on(bot, "console", "wes", "Wes")
    a, b, c, w = (member_of(engine, p).id for p in (slack, discord, cora, wes))
    t = START
    with Session(engine) as db:
        db.add(MemberRole(member_id=a, role=Role.STAFF, granted_by=b, granted_at=t))
        db.add(MemberRole(member_id=b, role=Role.COORDINATOR, granted_by=a, granted_at=t))
        for member, tag in ((a, "pain"), (a, "research"), (b, "research"), (b, "booking")):
            db.add(MemberInterest(member_id=member, tag=tag))
        for member, form in ((a, "profile.edit"), (b, "profile.edit"), (b, "support.ask")):
            db.add(FormDraft(member_id=member, form_id=form, values={"name": str(member)}, updated_at=t))
        db.add(LinkCode(member_id=b, code_hash="x" * 64, created_at=t))
        checkins = [
            CheckIn(name=n, questions=[], schedule="once", active_since=t, created_by=m, created_at=t)
            for n, m in (("One", a), ("Two", b))
        ]
        db.add_all(checkins)
        db.flush()
        runs = [
            CheckInRun(checkin_id=ci.id, period=ci.name, name=ci.name, questions=[], created_at=t) for ci in checkins
        ]
        db.add_all(runs)
        db.flush()

        def prompt(member: int, run: CheckInRun, minutes: int, note: str = "") -> CheckInPrompt:
            row = CheckInPrompt(
                run_id=run.id, member_id=member, status="sent", send_at=t + timedelta(minutes=minutes),
                closes_at=t + timedelta(days=1), remind_at=t + timedelta(hours=12), note=note,
            )
            db.add(row)
            db.flush()
            return row

        # Both were asked in run One (once on each account); only B in run Two.
        pa, pb, pb2 = prompt(a, runs[0], 0), prompt(b, runs[0], 1, "from Discord"), prompt(b, runs[1], 0)
        for row, position, value, minutes in (
            (pa, 0, "4", 10), (pa, 1, "yes", 10), (pb, 1, "no", 5), (pb, 2, "tired", 20), (pb2, 0, "3", 0)
        ):
            db.add(CheckInAnswer(prompt_id=row.id, position=position, value=value, answered_at=t + timedelta(minutes=minutes)))
        db.add(Alert(member_id=a, reason="support", created_at=t))
        db.add(Alert(member_id=b, reason="answer", prompt_id=pb.id, created_at=t, taken_by=a, done_by=b))
        db.add(Alert(member_id=c, reason="support", created_at=t, taken_by=b, done_by=b))
        openings = [
            Opening(
                title=f"Opening {m}", team="T", involves="I", commitment="C", dates="D", place_kind="remote",
                seats=2, payment="P", closes_at=t + timedelta(days=9), posted_by=m, created_at=t,
            )
            for m in (a, b, c)
        ]
        db.add_all(openings)
        db.flush()
        shared = openings[2].id
        db.add(OpeningInterest(opening_id=shared, member_id=a, created_at=t, withdrawn_at=t + timedelta(hours=1)))
        db.add(OpeningInterest(opening_id=shared, member_id=b, created_at=t + timedelta(minutes=5), note="Mornings"))
        db.add(OpeningInterest(opening_id=openings[0].id, member_id=b, created_at=t))
        db.add(Involvement(member_id=a, opening_id=shared, selected_at=t + timedelta(hours=2)))
        db.add(Involvement(member_id=b, opening_id=shared, selected_at=t + timedelta(hours=1), hours_agreed=4))
        db.add(Involvement(member_id=b, opening_id=openings[1].id, selected_at=t))
        sessions = [
            WellbeingSession(
                title=f"Session {n}", starts_at=t + timedelta(days=3), duration_minutes=60, zone="Europe/London",
                capacity=2, taken=taken, signup_closes_at=t + timedelta(days=3), created_by=by,
                facilitator_id=facilitator, created_at=t,
            )
            for n, taken, by, facilitator in ((1, 2, c, None), (2, 0, a, b))
        ]
        db.add_all(sessions)
        db.flush()
        for member, status, minutes in ((a, "confirmed", 0), (b, "confirmed", 1), (w, "waitlisted", 2)):
            db.add(SessionSignup(session_id=sessions[0].id, member_id=member, status=status, created_at=t + timedelta(minutes=minutes)))
        db.add(SessionSignup(session_id=sessions[1].id, member_id=b, status="waitlisted", created_at=t))
        db.commit()
        kept_prompt, dropped_prompt, session_one = pa.id, pb.id, sessions[0].id

    before = counts(engine)
    linked(slack, discord)
    after = counts(engine)

    # One row fewer where both had one; every other row is still there, now B's are A's.
    doubled = {
        # link_code: the code typed is new, and B's own unused code is dropped.
        "member": 1, "member_role": 1, "member_interest": 1, "form_draft": 1, "link_code": 0,
        "checkin_prompt": 1, "checkin_answer": 1, "opening_interest": 1, "involvement": 1, "session_signup": 1,
    }
    for table, count in before.items():
        if table != "outbox":
            assert after[table] == count - doubled.get(table, 0), table
    with Session(engine) as db:
        for (table_name, column) in MEMBER_COLUMNS:
            table = SQLModel.metadata.tables[table_name]
            assert db.exec(select(func.count()).select_from(table).where(table.c[column] == b)).one() == 0
        assert db.get(Member, b) is None
        assert set(db.exec(select(MemberRole.role).where(MemberRole.member_id == a))) == {"partner", "staff", "coordinator"}
        assert sorted(db.exec(select(MemberInterest.tag).where(MemberInterest.member_id == a))) == ["booking", "pain", "research"]
        assert db.exec(select(func.count()).select_from(Account).where(Account.member_id == a)).one() == 2
        # One prompt in run One, with every question: the earlier answer where both answered.
        prompt = db.get_one(CheckInPrompt, kept_prompt)
        assert db.get(CheckInPrompt, dropped_prompt) is None
        answers = db.exec(select(CheckInAnswer).where(CheckInAnswer.prompt_id == kept_prompt).order_by(col(CheckInAnswer.position)))
        assert [(x.position, x.value) for x in answers] == [(0, "4"), (1, "no"), (2, "tired")]
        assert prompt.note == "from Discord"
        assert db.exec(select(Alert.prompt_id).where(Alert.reason == "answer")).one() == kept_prompt
        # Interested once in the shared opening, still interested, with the note; selected once.
        [interest] = db.exec(select(OpeningInterest).where(OpeningInterest.opening_id == shared))
        assert (interest.member_id, interest.withdrawn_at, interest.note) == (a, None, "Mornings")
        [involved] = db.exec(select(Involvement).where(Involvement.opening_id == shared))
        assert (involved.member_id, involved.hours_agreed) == (a, 4)
        # Two places at one session were one person's: the second goes to Wes, who was waiting.
        places = {s.member_id: s.status for s in db.exec(select(SessionSignup).where(SessionSignup.session_id == session_one))}
        assert places == {a: "confirmed", w: "confirmed"}
        assert db.get_one(WellbeingSession, session_one).taken == 2
    platform = RecordingSender()
    deliver(engine, platform, clock)
    [moved_up] = platform.texts_for("wes")
    assert moved_up.startswith("Good news: a place came up at Session 1,")


# ---- the console ------------------------------------------------------------------------------


def test_linking_two_accounts_in_the_console(bot, engine):
    out = io.StringIO()
    console = Console(bot, out, echo=True)
    for line in (":as Alex", "profile quiet 22:00-07:00", ":as Alex at work", "link"):
        console.line(line)
    code = CODE.search(out.getvalue().rstrip()).group(1)
    console.line(":as Alex")
    console.line(f"link {code}")
    shown = out.getvalue()
    assert f"Alex> link {code}\n{LINKED} I kept the settings you had on the console, as they are older." in shown
    assert "Quiet hours:     22:00-07:00" in shown
    console.line(":as Alex at work")
    console.line("unlink")
    assert "Done. This account is on its own now" in out.getvalue()
    assert counts(engine)["member"] == 2


def test_codes_and_wrong_tries_are_forgotten_after_a_day(bot, engine, alex):
    slack, discord = alex
    code_for(slack)
    discord.says("link AAA-AAA")
    bot.clock.advance(timedelta(hours=23))
    bot.tick()
    assert (counts(engine)["link_code"], counts(engine)["link_try"]) == (1, 1)
    bot.clock.advance(timedelta(hours=1, minutes=1))
    bot.tick()
    assert (counts(engine)["link_code"], counts(engine)["link_try"]) == (0, 0)
