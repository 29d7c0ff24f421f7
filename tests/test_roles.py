"""Members and roles: first contact, several platforms, ADMINS, and granting or taking roles away.

Each test checks what the person reads and what the database holds afterwards.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.conversation import ButtonPress, Command, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from bot.outbox import dispatch_due
from bot.settings import Settings
from storage.models import Account, Member, MemberRole, Outbox
from tests.conftest import START, Person, RecordingSender, deliver, member_named


def roles_in_db(engine, user_id: str) -> set[str]:
    member = member_named(engine, user_id)
    with Session(engine) as session:
        return set(session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id)))


def outbox_rows(engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))


def role_rows(engine) -> list[tuple[int, str, int | None]]:
    with Session(engine) as session:
        rows = session.exec(select(MemberRole).order_by(MemberRole.member_id, MemberRole.role))
        return [(r.member_id, r.role, r.granted_by) for r in rows]


def everyone_has_spoken(*people: Person) -> None:
    for someone in people:
        someone.says("profile")


# ---- first contact and accounts ----------------------------------------------------------------


def test_first_contact_makes_one_member_one_account_and_the_partner_role(engine, clock, person):
    sam = person("Sam")
    sam.says("profile")

    assert "Name: Sam" in sam.text
    assert "Roles: partner" in sam.text
    with Session(engine) as session:
        members = session.exec(select(Member)).all()
        accounts = session.exec(select(Account)).all()
        roles = session.exec(select(MemberRole)).all()
    assert len(members) == 1
    assert members[0].display_name == "Sam"
    assert members[0].timezone == "Europe/London"
    assert members[0].created_at == START
    assert [(a.member_id, a.platform, a.workspace, a.user_id) for a in accounts] == [
        (members[0].id, "console", "local", "sam")
    ]
    assert accounts[0].last_seen_at == START
    assert [(r.member_id, r.role, r.granted_by, r.granted_at) for r in roles] == [
        (members[0].id, "partner", None, START)
    ]

    clock.advance(timedelta(hours=2))
    sam.says("profile")
    with Session(engine) as session:
        assert len(session.exec(select(Member)).all()) == 1
        account = session.exec(select(Account)).one()
        assert len(session.exec(select(MemberRole)).all()) == 1
    assert account.last_seen_at == START + timedelta(hours=2)


def test_a_second_person_gets_a_member_of_their_own(engine, person):
    person("Sam").says("profile")
    person("Jo").says("profile")

    with Session(engine) as session:
        accounts = session.exec(select(Account).order_by(Account.user_id)).all()
    assert [a.user_id for a in accounts] == ["jo", "sam"]
    assert accounts[0].member_id != accounts[1].member_id
    assert roles_in_db(engine, "jo") == {"partner"}
    assert roles_in_db(engine, "sam") == {"partner"}


def test_one_member_can_hold_accounts_on_several_platforms(engine, bot, clock, person):
    sam = person("Sam")
    sam.says("profile name Samira")
    assert "Name: Samira" in sam.text
    member = member_named(engine, "sam")
    with Session(engine) as session:
        session.add(
            Account(member_id=member.id, platform="slack", workspace="T1", user_id="U1", display_name="Sam")
        )
        session.commit()

    clock.advance(timedelta(minutes=5))
    on_slack = Person(bot, Who(AccountRef("slack", "T1", "U1"), "Sam S"))
    reply = on_slack.says("profile")

    # The same member answers: their chosen name, and no second welcome.
    assert "Name: Samira" in on_slack.text
    assert "Roles: partner" in on_slack.text
    assert len(reply.messages) == 1
    assert reply.messages[0].plain().startswith("Your profile.")
    with Session(engine) as session:
        assert len(session.exec(select(Member)).all()) == 1
        slack = session.exec(select(Account).where(Account.platform == "slack")).one()
        assert len(session.exec(select(MemberRole)).all()) == 1
    assert slack.member_id == member.id
    assert slack.last_seen_at == START + timedelta(minutes=5)
    assert slack.display_name == "Sam S"


def test_a_role_message_goes_to_the_platform_the_member_used_last(engine, bot, clock, person):
    ada, sam = person("Ada"), person("Sam")
    everyone_has_spoken(ada, sam)
    member = member_named(engine, "sam")
    with Session(engine) as session:
        session.add(Account(member_id=member.id, platform="slack", workspace="T1", user_id="U1"))
        session.commit()
    clock.advance(timedelta(minutes=1))
    Person(bot, Who(AccountRef("slack", "T1", "U1"), "Sam")).says("profile")

    ada.says("roles grant Sam staff")

    assert ada.text == "Done. Sam now has the staff role. I have let them know."
    [row] = outbox_rows(engine)
    assert (row.platform, row.workspace, row.target_kind, row.target_id) == ("slack", "T1", "dm", "U1")
    console, slack = RecordingSender(), RecordingSender()
    assert dispatch_due(engine, {"console": console, "slack": slack}, clock) == 1
    assert console.sent == []
    assert slack.texts_for("U1") == ["Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."]


# ---- ADMINS and the roles list ---------------------------------------------------------------


def test_the_configured_admin_is_an_admin_from_first_contact(engine, person):
    ada, bo = person("Ada"), person("Bo")
    ada.says("profile")
    bo.says("profile")

    assert "Roles: partner, admin" in ada.text
    assert "Roles: partner" in bo.text and "admin" not in bo.text
    assert roles_in_db(engine, "ada") == {"partner", "admin"}
    assert roles_in_db(engine, "bo") == {"partner"}
    with Session(engine) as session:
        admin = session.exec(select(MemberRole).where(MemberRole.role == "admin")).one()
    assert admin.granted_by is None
    assert admin.granted_at == START


def test_the_configured_admin_is_granted_once_however_often_they_write(engine, clock, person):
    ada = person("Ada")
    for _ in range(3):
        ada.says("profile")
        clock.advance(timedelta(hours=1))

    ada_id = member_named(engine, "ada").id
    assert role_rows(engine) == [(ada_id, "admin", None), (ada_id, "partner", None)]


def test_roles_lists_admins_coordinators_and_staff(engine, person):
    ada, bo, cy, dee = person("Ada"), person("Bo"), person("Cy"), person("Dee")
    everyone_has_spoken(ada, bo, cy, dee)
    ada.says("roles grant Bo coordinator")
    ada.says("roles grant Cy staff")

    dee.says("roles")

    assert dee.text.splitlines() == [
        "These people have a role here.",
        "Admins: Ada",
        "Coordinators: Bo",
        "Staff: Cy",
    ]
    assert roles_in_db(engine, "dee") == {"partner"}


def test_roles_says_nobody_yet_and_shows_coordinators_how_to_change_them(person):
    ada = person("Ada")
    ada.says("profile")
    ada.says("roles")

    assert ada.text.splitlines() == [
        "These people have a role here. To change a role, type: roles grant NAME ROLE, or roles revoke NAME ROLE.",
        "Admins: Ada",
        "Coordinators: nobody yet",
        "Staff: nobody yet",
    ]


def test_roles_lists_several_holders_by_name(person):
    ada, zoe, bo = person("Ada"), person("Zoe"), person("Bo")
    everyone_has_spoken(ada, zoe, bo)
    ada.says("roles grant Zoe staff")
    ada.says("roles grant Bo staff")
    ada.says("roles")
    assert "Staff: Bo, Zoe" in ada.text


def test_roles_with_an_unknown_word_explains_how_to_use_it(engine, person):
    ada = person("Ada")
    ada.says("profile")
    ada.says("roles promote Bo")
    assert ada.text == "Type roles and one of: list, grant, revoke. Type guide to see more."
    assert outbox_rows(engine) == []


# ---- granting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "coordinator"])
def test_a_coordinator_can_grant_staff_and_coordinator(engine, clock, person, platform, role):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)
    ada.says("roles grant Bo coordinator")
    clock.advance(timedelta(minutes=10))

    bo.says(f"roles grant Cy {role}")

    assert bo.text == f"Done. Cy now has the {role} role. I have let them know."
    assert roles_in_db(engine, "cy") == {"partner", role}
    with Session(engine) as session:
        row = session.exec(
            select(MemberRole).where(
                MemberRole.member_id == member_named(engine, "cy").id, MemberRole.role == role
            )
        ).one()
    assert row.granted_by == member_named(engine, "bo").id
    assert row.granted_at == START + timedelta(minutes=10)
    assert [r.target_id for r in outbox_rows(engine)] == ["bo", "cy"]

    assert deliver(engine, platform, clock) == 2
    assert platform.texts_for("cy") == [
        f"Bo gave you the {role} role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]
    assert deliver(engine, platform, clock) == 0
    assert len(platform.texts_for("cy")) == 1


def test_a_coordinator_can_give_the_partner_role_back(engine, clock, person):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)
    ada.says("roles grant Bo coordinator")
    ada.says("roles grant Cy staff")
    bo.says("roles revoke Cy partner")
    assert roles_in_db(engine, "cy") == {"staff"}
    clock.advance(timedelta(days=1))

    bo.says("roles grant Cy partner")

    assert bo.text == "Done. Cy now has the partner role. I have let them know."
    assert roles_in_db(engine, "cy") == {"partner", "staff"}


def test_an_admin_can_grant_admin(engine, clock, person, platform):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)

    ada.says("roles grant Bo admin")

    assert ada.text == "Done. Bo now has the admin role. I have let them know."
    assert roles_in_db(engine, "bo") == {"partner", "admin"}
    deliver(engine, platform, clock)
    assert platform.texts_for("bo") == ["Ada gave you the admin role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."]
    bo.says("profile")
    assert "Roles: partner, admin" in bo.text


def test_the_role_word_may_come_first_and_may_be_plural(engine, person):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)

    ada.says("roles grant coordinator Bo")
    assert ada.text == "Done. Bo now has the coordinator role. I have let them know."
    ada.says("roles give Cy Staff")
    assert ada.text == "Done. Cy now has the staff role. I have let them know."
    ada.says("roles add Cy admins")
    assert ada.text == "Done. Cy now has the admin role. I have let them know."

    assert roles_in_db(engine, "bo") == {"partner", "coordinator"}
    assert roles_in_db(engine, "cy") == {"partner", "staff", "admin"}


def test_a_name_of_several_words_is_found(engine, bot, person):
    ada = person("Ada")
    ada.says("profile")
    Person(bot, Who(AccountRef("console", "local", "mj"), "Mary Jane")).says("profile")

    ada.says("roles grant Mary Jane staff")

    assert ada.text == "Done. Mary Jane now has the staff role. I have let them know."
    assert roles_in_db(engine, "mj") == {"partner", "staff"}


@pytest.mark.parametrize(
    "line", ["roles grant Bo", "roles grant staff", "roles grant Bo boss", "roles grant"]
)
def test_a_grant_without_a_person_and_a_role_asks_for_both(engine, person, line):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    before = role_rows(engine)

    ada.says(line)

    assert ada.text == (
        "Please name a person and a role: partner, staff, coordinator or admin. "
        "For example: roles grant Sam coordinator."
    )
    assert role_rows(engine) == before
    assert outbox_rows(engine) == []


def test_a_coordinator_cannot_grant_or_revoke_admin(engine, person):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)
    ada.says("roles grant Bo coordinator")
    ada.says("roles grant Cy admin")
    before_roles, before_outbox = role_rows(engine), len(outbox_rows(engine))

    bo.says("roles grant Bo admin")
    assert bo.text == "Only admins can change who is an admin."
    bo.says("roles revoke Cy admin")
    assert bo.text == "Only admins can change who is an admin."

    assert role_rows(engine) == before_roles
    assert len(outbox_rows(engine)) == before_outbox
    assert roles_in_db(engine, "cy") == {"partner", "admin"}


@pytest.mark.parametrize("actor_role", ["partner", "staff"])
@pytest.mark.parametrize("verb", ["grant", "revoke"])
def test_partners_and_staff_are_refused_kindly(engine, person, actor_role, verb):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)
    if actor_role == "staff":
        ada.says("roles grant Bo staff")
    before_roles, before_outbox = role_rows(engine), len(outbox_rows(engine))

    bo.says(f"roles {verb} Cy coordinator")

    assert bo.text == "Only coordinators and admins can change roles. Type roles to see who they are."
    assert role_rows(engine) == before_roles
    assert len(outbox_rows(engine)) == before_outbox
    assert roles_in_db(engine, "cy") == {"partner"}


def test_a_partner_cannot_make_themselves_admin(engine, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)

    bo.says("roles grant Bo admin")

    assert bo.text == "Only coordinators and admins can change roles. Type roles to see who they are."
    assert roles_in_db(engine, "bo") == {"partner"}
    assert outbox_rows(engine) == []


def test_granting_a_role_someone_already_has_changes_nothing(engine, clock, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    ada.says("roles grant Bo staff")
    before_roles, before_outbox = role_rows(engine), outbox_rows(engine)
    clock.advance(timedelta(hours=1))

    ada.says("roles grant Bo staff")
    assert ada.text == "Bo already has the staff role. Nothing changed."
    ada.says("roles grant Bo partner")
    assert ada.text == "Bo already has the partner role. Nothing changed."

    assert role_rows(engine) == before_roles
    assert [r.id for r in outbox_rows(engine)] == [r.id for r in before_outbox]
    with Session(engine) as session:
        staff = session.exec(select(MemberRole).where(MemberRole.role == "staff")).one()
    assert staff.granted_at == START


# ---- revoking ---------------------------------------------------------------------------------


def test_revoking_takes_the_role_away_and_tells_them(engine, clock, person, platform):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    ada.says("roles grant Bo coordinator")
    deliver(engine, platform, clock)
    clock.advance(timedelta(days=2))

    ada.says("roles revoke Bo coordinator")

    assert ada.text == "Done. Bo no longer has the coordinator role. I have let them know."
    assert roles_in_db(engine, "bo") == {"partner"}
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("bo") == [
        "Ada gave you the coordinator role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me.",
        "Ada removed your coordinator role. Type guide to see what you can do now.",
    ]
    bo.says("roles grant Ada staff")
    assert bo.text == "Only coordinators and admins can change roles. Type roles to see who they are."


def test_revoking_a_role_they_do_not_have_changes_nothing(engine, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    before = role_rows(engine)

    ada.says("roles revoke Bo staff")

    assert ada.text == "Bo does not have the staff role. Nothing changed."
    assert role_rows(engine) == before
    assert outbox_rows(engine) == []


def test_revoking_admin_from_someone_who_is_not_one_says_so(engine, person):
    """With one admin, asking to remove admin from a partner is not about the last admin."""
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)

    ada.says("roles revoke Bo admin")

    assert ada.text == "Bo does not have the admin role. Nothing changed."
    assert roles_in_db(engine, "bo") == {"partner"}
    assert roles_in_db(engine, "ada") == {"partner", "admin"}
    assert outbox_rows(engine) == []


def test_an_admin_can_remove_another_admin(engine, clock, person, platform):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    ada.says("roles grant Bo admin")
    clock.advance(timedelta(minutes=1))

    ada.says("roles revoke Bo admin")

    assert ada.text == "Done. Bo no longer has the admin role. I have let them know."
    assert roles_in_db(engine, "bo") == {"partner"}
    deliver(engine, platform, clock)
    assert (
        platform.texts_for("bo")[-1] == "Ada removed your admin role. Type guide to see what you can do now."
    )


def test_the_configured_admin_cannot_be_removed(engine, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    ada.says("roles grant Bo admin")
    before_roles, before_outbox = role_rows(engine), len(outbox_rows(engine))

    bo.says("roles revoke Ada admin")
    assert bo.text == "Ada is an admin through the ADMINS setting. Change that setting to remove them."
    ada.says("roles revoke Ada admin")
    assert ada.text == "Ada is an admin through the ADMINS setting. Change that setting to remove them."

    assert roles_in_db(engine, "ada") == {"partner", "admin"}
    assert role_rows(engine) == before_roles
    assert len(outbox_rows(engine)) == before_outbox


def test_the_last_admin_cannot_be_removed(engine, clock, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    # Later ADMINS no longer names Ada: she stays admin, and is the only one.
    later = Bot(engine, Settings(_env_file=None, admins=""), clock, EVERY_FEATURE)
    ada_later = Person(later, ada.who)

    ada_later.says("roles revoke Ada admin")

    assert ada_later.text == "Ada is the only admin. Make someone else an admin first."
    assert roles_in_db(engine, "ada") == {"partner", "admin"}
    assert outbox_rows(engine) == []

    ada_later.says("roles grant Bo admin")
    ada_later.says("roles revoke Ada admin")
    assert ada_later.text == "Done. You no longer have the admin role."  # no message to herself
    assert roles_in_db(engine, "ada") == {"partner"}
    assert roles_in_db(engine, "bo") == {"partner", "admin"}
    assert [row.target_id for row in outbox_rows(engine)] == ["bo"]


ALSO = "You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."


def test_granting_yourself_a_role_tells_you_only_and_says_check_ins_still_come(engine, clock, person):
    ada = person("Ada")  # an admin through ADMINS, and a partner, as everyone new is
    ada.says("profile")

    ada.says("roles grant Ada coordinator")

    assert ada.text == f"Done. You now have the coordinator role. {ALSO}\n[No check-ins for me]"
    assert outbox_rows(engine) == []
    ada.press("No check-ins for me")
    assert ada.text == "Check-ins are off. Type checkin on whenever you want them back."
    assert member_named(engine, "ada").checkins_off
    ada.says("roles grant Ada staff")
    assert ada.text == "Done. You now have the staff role."  # check-ins are off: nothing to say


def test_an_admin_through_admins_is_told_at_their_ok_that_check_ins_come_to_them(engine, bot):
    ada = Person(bot, Who(AccountRef("console", "local", "ada"), "Ada"), agrees=False)
    ada.says("guide")

    ada.press("OK")

    assert ada.text == (
        f"Thank you. You can read this again, or change your mind, by typing privacy. {ALSO}\n[No check-ins for me]"
    )
    bo = Person(bot, Who(AccountRef("console", "local", "bo"), "Bo"), agrees=False)
    bo.says("guide")
    bo.press("OK")
    assert bo.text == "Thank you. You can read this again, or change your mind, by typing privacy."


# ---- finding the person -------------------------------------------------------------------------


def test_an_unknown_person_is_not_made_up(engine, person):
    ada = person("Ada")
    ada.says("profile")

    ada.says("roles grant Zed staff")

    assert ada.text == "I can't find anyone called Zed. Try @ and their name, so the platform picks them."
    with Session(engine) as session:
        assert [m.display_name for m in session.exec(select(Member))] == ["Ada"]
    assert outbox_rows(engine) == []


def test_two_people_with_one_name_are_asked_about_and_a_mention_picks_one(
    engine, bot, person, platform, clock
):
    ada = person("Ada")
    ada.says("profile")
    first = Person(bot, Who(AccountRef("console", "local", "sam.a"), "Sam Jones"))
    second = Person(bot, Who(AccountRef("console", "local", "sam.b"), "Sam Jones"))
    everyone_has_spoken(first, second)

    ada.says("roles grant Sam Jones staff")

    assert ada.text.splitlines()[0] == "There are 2 people called Sam Jones. Which one do you mean?"
    assert roles_in_db(engine, "sam.a") == {"partner"}
    assert roles_in_db(engine, "sam.b") == {"partner"}
    assert outbox_rows(engine) == []

    ada.says("roles grant Sam Jones staff", mentions=(second.who.account,))

    assert ada.text == "Done. Sam Jones now has the staff role. I have let them know."
    assert roles_in_db(engine, "sam.a") == {"partner"}
    assert roles_in_db(engine, "sam.b") == {"partner", "staff"}
    deliver(engine, platform, clock)
    assert platform.texts_for("sam.a") == []
    assert platform.texts_for("sam.b") == [
        "Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]


def test_a_mention_wins_over_the_name_typed(engine, bot, person):
    ada, bo, cy = person("Ada"), person("Bo"), person("Cy")
    everyone_has_spoken(ada, bo, cy)

    ada.says("roles grant <@cy> coordinator", mentions=(cy.who.account,))

    assert ada.text == "Done. Cy now has the coordinator role. I have let them know."
    assert roles_in_db(engine, "cy") == {"partner", "coordinator"}
    assert roles_in_db(engine, "bo") == {"partner"}


def test_a_role_given_by_mention_to_someone_who_never_wrote_makes_them_a_member(engine, person, platform, clock):
    ada = person("Ada")
    ada.says("profile")

    ada.says("roles grant @newbie staff", mentions=(AccountRef("console", "local", "newbie"),))

    assert ada.text == "Done. newbie now has the staff role. I have let them know."
    assert roles_in_db(engine, "newbie") == {"partner", "staff"}
    assert member_named(engine, "newbie").consent_shown_at is None  # their first message: the notice
    deliver(engine, platform, clock)
    assert platform.texts_for("newbie")[0].startswith("Ada gave you the staff role.")
    ada.says("roles revoke @nobody staff", mentions=(AccountRef("console", "local", "nobody"),))
    assert ada.text == "@nobody hasn't talked to me yet. Ask them to send me a message first."
    with Session(engine) as session:
        assert len(session.exec(select(Account)).all()) == 2  # a revoke makes nobody up


def test_a_user_id_finds_the_person_even_after_they_change_their_name(engine, person):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    bo.says("profile name Robert")

    ada.says("roles grant bo staff")

    assert ada.text == "Done. Robert now has the staff role. I have let them know."
    assert roles_in_db(engine, "bo") == {"partner", "staff"}


def test_grant_revoke_grant_at_one_moment_tells_them_each_time(engine, clock, person, platform):
    """Grant, revoke and grant again without the clock moving: the person hears all three."""
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)

    ada.says("roles grant Bo staff")
    ada.says("roles revoke Bo staff")
    ada.says("roles grant Bo staff")

    assert ada.text == "Done. Bo now has the staff role. I have let them know."
    assert roles_in_db(engine, "bo") == {"partner", "staff"}
    deliver(engine, platform, clock)
    assert platform.texts_for("bo") == [
        "Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me.",
        "Ada removed your staff role. Type guide to see what you can do now.",
        "Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me.",
    ]


def test_a_command_from_an_unseen_platform_account_makes_a_new_member(engine, bot, person):
    person("Sam").says("profile")
    reply = bot.handle(Command(Who(AccountRef("discord", "", "123"), "Sam"), "profile"))

    assert "Your profile." in reply.plain()
    with Session(engine) as session:
        accounts = session.exec(select(Account).order_by(Account.platform)).all()
    assert [(a.platform, a.workspace, a.user_id) for a in accounts] == [
        ("console", "local", "sam"),
        ("discord", "", "123"),
    ]
    assert accounts[0].member_id != accounts[1].member_id


def test_two_admins_removing_each_other_at_once_always_leave_one(engine, clock):
    """Both press at the same moment, 50 times over: one is told "Done.", the other is refused,
    and an admin is always left (PostgreSQL runs the two turns truly at once)."""
    bot = Bot(engine, Settings(_env_file=None, admins=""), clock, EVERY_FEATURE)
    bea, cal = (Person(bot, Who(AccountRef("console", "local", n.lower()), n)) for n in ("Bea", "Cal"))
    everyone_has_spoken(bea, cal)
    with Session(engine) as session:
        for who in ("bea", "cal"):
            session.add(MemberRole(member_id=member_named(engine, who).id, role="admin", granted_at=START))
        session.commit()

    def revoke(actor: Person, other: str, barrier: threading.Barrier, said: dict[str, str]) -> None:
        barrier.wait()
        said[actor.who.display_name] = bot.handle(Command(actor.who, "roles", f"revoke {other} admin")).plain()

    for trial in range(50):
        barrier = threading.Barrier(2)
        said: dict[str, str] = {}
        threads = [
            threading.Thread(target=revoke, args=(bea, "Cal", barrier, said)),
            threading.Thread(target=revoke, args=(cal, "Bea", barrier, said)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        admins = {who for who in ("bea", "cal") if "admin" in roles_in_db(engine, who)}
        assert len(admins) == 1, f"trial {trial}: {said}"
        assert sorted(s.startswith("Done.") for s in said.values()) == [False, True], said
        # Put things back for the next trial: the one removed is an admin again.
        [removed] = {"bea", "cal"} - admins
        with Session(engine) as session:
            session.add(MemberRole(member_id=member_named(engine, removed).id, role="admin", granted_at=START))
            session.commit()


# ---- same names, different people ----------------------------------------------------------------
# Display names are not unique and anyone can change theirs. So a name that fits several people,
# or someone who took the name in the last 7 days, is asked about, never acted on; a mention, or
# an @handle (the account's user id on this platform), is exact.


def called(bot: Bot, user_id: str, name: str) -> Person:
    """Someone whose platform gave this name at first contact (two real people can share one)."""
    someone = Person(bot, Who(AccountRef("console", "local", user_id), name))
    someone.says("profile")
    return someone


def pat_renamed(person, clock, name: str, ago: timedelta) -> tuple[Person, Person]:
    """Ada, an admin, and Pat, who took the name `name` as long ago as `ago`."""
    ada, pat = person("Ada"), person("Pat")
    everyone_has_spoken(ada, pat)
    pat.says(f"profile name {name}")
    clock.advance(ago)
    return ada, pat


def test_two_people_with_one_name_are_asked_about_and_the_button_grants_the_one_chosen(
    engine, bot, clock, person, platform
):
    ada = person("Ada")
    ada.says("profile")
    called(bot, "pp1", "Priya Patel"), called(bot, "pp2", "Priya Patel")
    before = role_rows(engine)

    ada.says("roles grant Priya Patel staff")

    assert ada.text.splitlines() == [
        "There are 2 people called Priya Patel. Which one do you mean?",
        "Number 1: Priya Patel, @pp1 (console)",
        "Number 2: Priya Patel, @pp2 (console)",
        "[Number 1]",
        "[Number 2]",
    ]
    assert role_rows(engine) == before
    assert outbox_rows(engine) == []

    clock.advance(timedelta(minutes=2))
    ada.press("Number 2")

    assert ada.text == "Done. Priya Patel now has the staff role. I have let them know."
    assert roles_in_db(engine, "pp1") == {"partner"}
    assert roles_in_db(engine, "pp2") == {"partner", "staff"}
    with Session(engine) as session:
        row = session.exec(select(MemberRole).where(MemberRole.role == "staff")).one()
    assert (row.granted_by, row.granted_at) == (member_named(engine, "ada").id, START + timedelta(minutes=2))
    deliver(engine, platform, clock)
    assert platform.texts_for("pp1") == []
    assert platform.texts_for("pp2") == [
        "Ada gave you the staff role. Type guide to see what you can do now. You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."
    ]


def test_a_revoke_naming_two_people_is_asked_about_and_the_button_revokes(engine, bot, person):
    ada = person("Ada")
    ada.says("profile")
    called(bot, "pp1", "Priya Patel"), called(bot, "pp2", "Priya Patel")
    ada.says("roles grant @pp1 staff")
    ada.says("roles grant @pp2 staff")

    ada.says("roles revoke priya patel staff")
    assert ada.text.splitlines()[0] == "There are 2 people called priya patel. Which one do you mean?"
    assert roles_in_db(engine, "pp1") == roles_in_db(engine, "pp2") == {"partner", "staff"}

    ada.press("Number 1")
    assert ada.text == "Done. Priya Patel no longer has the staff role. I have let them know."
    assert roles_in_db(engine, "pp1") == {"partner"}
    assert roles_in_db(engine, "pp2") == {"partner", "staff"}


def test_someone_who_took_the_name_3_days_ago_is_asked_about(engine, clock, person):
    ada, _pat = pat_renamed(person, clock, "Priya Patel", timedelta(days=3))
    assert member_named(engine, "pat").name_changed_at == START
    before = role_rows(engine)

    ada.says("roles grant Priya Patel staff")

    assert ada.text.splitlines() == [
        "Priya Patel changed their name 3 days ago. Is this who you mean?",
        "Priya Patel: @pat (console)",
        "[Yes, this person]",
    ]
    assert role_rows(engine) == before
    assert outbox_rows(engine) == []

    ada.press("Yes, this person")
    assert ada.text == "Done. Priya Patel now has the staff role. I have let them know."
    assert roles_in_db(engine, "pat") == {"partner", "staff"}


@pytest.mark.parametrize(("days", "ago"), [(0, "today"), (1, "yesterday"), (6, "6 days ago")])
def test_a_name_changed_within_the_week_says_when(clock, person, days, ago):
    ada, _pat = pat_renamed(person, clock, "Priya Patel", timedelta(days=days, hours=2))

    ada.says("roles grant Priya Patel staff")

    assert ada.text.splitlines()[0] == f"Priya Patel changed their name {ago}. Is this who you mean?"


@pytest.mark.parametrize(("days", "ago"), [(0, "aujourd'hui"), (6, "il y a 6 jours")])
def test_a_name_changed_within_the_week_says_when_in_french(clock, person, days, ago):
    ada, _pat = pat_renamed(person, clock, "Priya Patel", timedelta(days=days, hours=2))
    ada.says("profile language fr")

    ada.says("roles grant Priya Patel staff")

    assert ago in ada.text.splitlines()[0]


def test_someone_who_took_the_name_8_days_ago_is_given_the_role_at_once(engine, clock, person):
    ada, _pat = pat_renamed(person, clock, "Priya Patel", timedelta(days=8))

    ada.says("roles grant Priya Patel staff")

    assert ada.text == "Done. Priya Patel now has the staff role. I have let them know."
    assert roles_in_db(engine, "pat") == {"partner", "staff"}


def test_among_two_people_the_one_who_took_the_name_lately_is_marked(engine, bot, clock, person):
    ada, _pat = pat_renamed(person, clock, "Priya", timedelta(days=2))
    called(bot, "priya2", "PRIYA")  # the platform's name for someone new may match anyway

    ada.says("roles grant priya coordinator")

    assert ada.text.splitlines()[:3] == [
        "There are 2 people called priya. Which one do you mean?",
        "Number 1: Priya, @pat (console), changed their name 2 days ago",
        "Number 2: PRIYA, @priya2 (console)",
    ]
    assert roles_in_db(engine, "pat") == roles_in_db(engine, "priya2") == {"partner"}


def test_a_mention_picks_the_exact_person_even_after_a_recent_change(engine, bot, clock, person):
    ada, pat = person("Ada"), person("Pat")
    everyone_has_spoken(ada, pat)
    called(bot, "pp2", "Priya Patel")
    clock.advance(timedelta(days=30))
    pat.says("profile name Priya P")
    clock.advance(timedelta(days=1))

    ada.says("roles grant @Priya P staff", mentions=(pat.who.account,))

    assert ada.text == "Done. Priya P now has the staff role. I have let them know."
    assert roles_in_db(engine, "pat") == {"partner", "staff"}
    assert roles_in_db(engine, "pp2") == {"partner"}


def test_an_at_handle_is_exact_and_a_bare_word_that_is_also_a_name_is_asked_about(engine, bot, person):
    ada = person("Ada")
    ada.says("profile")
    called(bot, "pp1", "Priya Patel")
    called(bot, "pp2", "Priya Patel")
    called(bot, "kit", "pp1")  # a display name that is someone else's user id

    ada.says("roles grant @pp2 staff")
    assert ada.text == "Done. Priya Patel now has the staff role. I have let them know."
    ada.says("roles grant pp1 staff")
    assert ada.text.splitlines()[:3] == [
        "There are 2 people called pp1. Which one do you mean?",
        "Number 1: Priya Patel, @pp1 (console)",
        "Number 2: pp1, @kit (console)",
    ]
    ada.says("roles grant @pp1 staff")
    assert ada.text == "Done. Priya Patel now has the staff role. I have let them know."

    assert roles_in_db(engine, "pp1") == roles_in_db(engine, "pp2") == {"partner", "staff"}
    assert roles_in_db(engine, "kit") == {"partner"}


def test_an_at_word_that_is_nobodys_handle_is_read_as_a_name(engine, bot, person):
    ada = person("Ada")
    ada.says("profile")
    called(bot, "mj", "Mary Jane")

    ada.says("roles grant @Mary Jane staff")

    assert ada.text == "Done. Mary Jane now has the staff role. I have let them know."
    assert roles_in_db(engine, "mj") == {"partner", "staff"}


def test_the_pick_button_is_refused_to_someone_no_longer_a_coordinator(engine, bot, clock, person, platform):
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    called(bot, "pp1", "Priya Patel"), called(bot, "pp2", "Priya Patel")
    ada.says("roles grant Bo coordinator")
    bo.says("roles grant Priya Patel staff")
    assert bo.text.startswith("There are 2 people called Priya Patel.")
    ada.says("roles revoke Bo coordinator")
    before_roles, before_outbox = role_rows(engine), [r.id for r in outbox_rows(engine)]

    bo.press("Number 1")

    assert bo.text == "Only coordinators and admins can change roles. Type roles to see who they are."
    assert role_rows(engine) == before_roles
    assert [r.id for r in outbox_rows(engine)] == before_outbox
    assert roles_in_db(engine, "pp1") == roles_in_db(engine, "pp2") == {"partner"}


def test_a_pick_button_for_the_admin_role_is_refused_to_a_coordinator(engine, bot, person):
    """A coordinator is refused before being asked; a button made for admins is refused to them too."""
    ada, bo = person("Ada"), person("Bo")
    everyone_has_spoken(ada, bo)
    called(bot, "pp1", "Priya Patel"), called(bot, "pp2", "Priya Patel")
    ada.says("roles grant Bo coordinator")
    before = role_rows(engine)

    bo.says("roles grant Priya Patel admin")
    assert bo.text == "Only admins can change who is an admin."

    ada.says("roles grant Priya Patel admin")
    pick = ada.last.messages[0].buttons[0]
    bo.last = bot.handle(ButtonPress(bo.who, pick.action_id, pick.value))
    assert bo.text == "Only admins can change who is an admin."
    assert role_rows(engine) == before


def test_a_pick_button_for_someone_no_longer_here_changes_nothing(engine, bot, person):
    ada = person("Ada")
    ada.says("profile")
    before = role_rows(engine)

    ada.last = bot.handle(ButtonPress(ada.who, "roles.pick:999", "grant:staff"))

    assert ada.text == "I can't find that person any more. Nothing changed."
    assert role_rows(engine) == before
