"""Who may do what, for every way in: typed verbs, buttons, form pages and form submissions.

First the holes a review found, each as a person would meet it. Then a matrix made from the
declarations themselves: every verb, button and form, by a partner, a member of staff, a
coordinator, an admin, someone whose roles were just taken away and someone on another
platform, with ids forged or taken from another person's message. Each is allowed by its
declaration or refused kindly, and a refusal changes nothing in any table.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy import select as select_rows
from sqlmodel import Session, SQLModel

from bot.checkins.answering import YOUR_PROMPT
from bot.conversation import ButtonPress, Command, FormSubmit, Reply, Who
from bot.core import Bot
from bot.feature import Subject
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role, find_account, roles_of
from bot.openings.queries import find_for, pressed
from bot.sessions.queries import find as find_session
from bot.sessions.queries import subject_session
from bot.turn import split_id
from storage.models import CheckIn, Opening
from tests.conftest import Person, member_named, prompts_and_members
from tests.test_checkin_delivery import QUESTIONS
from tests.test_openings import post
from tests.test_sessions import scheduled_one

SORRY = "Sorry, something went wrong on our side. Nothing was saved. Please try again in a minute."
# What a forged form page carries.
FORGED = {"name": "Fake", "questions": "Your bank details? | text", "note": "x", "schedule": "now"}


def everything(engine: Engine) -> list[tuple[Any, ...]]:
    """Every row of every table, to see that a refusal changed nothing anywhere (on PostgreSQL
    in one query: a round trip a table would make the matrix below take minutes)."""
    tables = SQLModel.metadata.sorted_tables
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            whole = " UNION ALL ".join(f"SELECT '{t.name}', x::text FROM {t.name} x" for t in tables)
            return sorted(tuple(row) for row in session.execute(text(whole)))
        return [
            (table.name, *row)
            for table in tables
            for row in session.execute(select_rows(table).order_by(*table.primary_key))
        ]


def press(someone: Person, action_id: str, value: str = "") -> Reply:
    """Press a button by its id, as a platform sends it (or as someone forges it)."""
    someone.last = someone.bot.handle(ButtonPress(someone.who, action_id, value))
    return someone.last


class World:
    """A small community: Ada (an admin), Cora (a coordinator), Jo (staff), Pat (a partner),
    Rex (a coordinator and staff until a moment ago) and Sly (a partner who writes from Slack).
    Cora sent a check-in; Jo posted an opening Pat is interested in; Cora scheduled a session for
    partners, which Pat joined, and one for staff only."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.ada, self.cora, self.jo, self.pat, self.rex = (
            Person(bot, Who(AccountRef("console", "local", name.lower()), name))
            for name in ("Ada", "Cora", "Jo", "Pat", "Rex")
        )
        self.sly = Person(bot, Who(AccountRef("slack", "T1", "USLY"), "Sly"))
        for someone in self.people:
            someone.says("profile")
        for name, role in (("Cora", "coordinator"), ("Jo", "staff"), ("Rex", "coordinator"), ("Rex", "staff")):
            self.ada.says(f"roles grant {name} {role}")
            assert self.ada.text.startswith("Done."), self.ada.text
        self.cora.says("checkin new")
        self.cora.submit({"name": "Weekly wellbeing", "questions": QUESTIONS, "schedule": "now", "window": "24"})
        self.cora.submit({"visibility": "named", "alert_level": "1"})
        assert self.cora.text.startswith("Sent Weekly wellbeing now."), self.cora.text
        assert post(self.jo).plain().startswith("Posted opening 1"), self.jo.text
        press(self.pat, "opening.interested:1")
        self.pat.submit({"note": "Only Jo and the coordinators may read this."})
        scheduled_one(self.cora)
        scheduled_one(self.cora, title="Staff huddle", audience="staff", place="Room 9")
        press(self.pat, "session.signup:1")
        # A form opened while Rex was a coordinator, to be sent after the role has gone.
        self.rex.says("checkin new")
        assert self.rex.last.form is not None
        for role in ("coordinator", "staff"):
            self.ada.says(f"roles revoke Rex {role}")
        self.prompts, self.member_ids = prompts_and_members(bot.engine)
        assert "Pat" in self.prompts

    @property
    def people(self) -> list[Person]:
        return [self.ada, self.cora, self.jo, self.pat, self.rex, self.sly]


@pytest.fixture
def world(engine, settings, clock) -> World:
    return World(Bot(engine, settings, clock, EVERY_FEATURE))


# ---- the holes found, as people met them -------------------------------------------------------


def test_a_check_in_form_opened_by_a_coordinator_is_refused_once_their_role_is_gone(world, engine):
    sam = Person(world.bot, Who(AccountRef("console", "local", "sam"), "Sam"))
    sam.says("profile")
    world.ada.says("roles grant Sam coordinator")
    sam.says("checkin new")
    sam.submit(
        {
            "name": "Fake check-in",
            "questions": "What are your bank details? | text",
            "schedule": "now",
            "audience": "",
            "window": "24",
        }
    )
    assert sam.last.form is not None and sam.last.form.page == 2
    world.ada.says("roles revoke Sam coordinator")
    before = everything(engine)

    sam.submit({"visibility": "named", "alert_level": ""})

    assert sam.text == "Only coordinators can manage check-ins. Type checkin history to see your own answers."
    assert everything(engine) == before


def test_a_forged_check_in_form_from_a_partner_changes_nothing(world, engine):
    before = everything(engine)
    reply = world.pat.bot.handle(
        FormSubmit(world.pat.who, "checkin.edit:1", {"visibility": "named", "alert_level": ""}, page=2)
    )
    assert reply.refused
    assert reply.plain() == "Only coordinators can manage check-ins. Type checkin history to see your own answers."
    assert everything(engine) == before
    with Session(engine) as session:
        assert session.get_one(CheckIn, 1).alert_level == 1  # as Cora left it


def test_staff_whose_role_was_taken_away_no_longer_manage_their_openings(world, engine):
    jo = world.jo
    world.ada.says("roles revoke Jo staff")
    before = everything(engine)

    jo.says("openings review 1")
    assert jo.text == "Only the person who posted an opening, and coordinators, can see who is interested."
    assert "Only Jo and the coordinators" not in jo.text
    press(jo, f"opening.select:1:{world.member_ids['Pat']}")
    assert jo.last.refused and jo.last.form is None
    jo.says("openings cancel 1")
    assert jo.text == "Only the person who posted an opening, and coordinators, can close or cancel it."
    jo.says("openings edit 1")
    assert jo.text == "Only the person who posted an opening, and coordinators, can change it."
    press(jo, f"opening.unselect:1:{world.member_ids['Pat']}", "yes")
    assert jo.last.refused
    jo.says("openings export 2026-11-01 2026-11-30")
    assert jo.text == "Only staff and coordinators can export the involvement record."
    assert everything(engine) == before
    with Session(engine) as session:
        assert session.get_one(Opening, 1).status == "open"


def test_a_partner_cannot_read_the_time_or_place_of_a_session_for_staff(world):
    pat = world.pat
    for typed in ("sessions 2", "sessions show 2", "sessions calendar 2"):
        pat.says(typed)
        assert pat.text == "Staff huddle is for staff. Type sessions to see the ones you can join."
        assert "Room 9" not in pat.text and not any(m.files for m in pat.last.messages)
    world.cora.says("sessions 2")
    assert "Room 9" in world.cora.text


def test_only_an_admin_erases_someone_elses_data_and_a_forged_press_changes_nothing(world, engine):
    pat_id = world.member_ids["Pat"]
    before = everything(engine)
    for someone in (world.pat, world.jo, world.cora, world.rex, world.sly):
        someone.says("mydata erase Pat")
        assert someone.last.refused
        assert someone.text == "Only admins can erase someone else's data. Type mydata erase to erase your own."
        for action in (f"mydata.erase_member:{pat_id}", f"mydata.ask_for:{pat_id}"):
            assert press(someone, action).refused
    assert everything(engine) == before
    press(world.ada, f"mydata.erase_member:{world.member_ids['Ada']}")
    assert world.ada.text == "To erase your own data, type mydata erase."
    assert everything(engine) == before


# ---- the matrix --------------------------------------------------------------------------------


def subjects_for(world: World, subject: Subject | None, button: bool) -> list[str]:
    """What to try after a verb, or in a button's or form's id: real ids of things that belong
    to other people, ids that do not exist, and nothing at all."""
    pat_prompt = world.prompts["Pat"]
    pat_id = world.member_ids["Pat"]
    if subject is YOUR_PROMPT:
        return [f"{pat_prompt}:0:1", f"{pat_prompt}:1", f"{world.prompts['Ada']}:0:1", "999"]
    if subject is not None and subject.find in (find_session, subject_session):
        return ["1", "2", "999"]
    if subject is not None and subject.find in (find_for, pressed):
        return ["1", f"1:{pat_id}", "1:decline", "999"]
    if subject is not None:
        return ["1", "999", ""]
    return ["", "1", f"{pat_id}", "week"] if button else ["", "1"]


def may(person: Person, roles: tuple[Role, ...], engine: Engine) -> bool:
    """Whether the declaration's roles let this person in, with the roles they hold now."""
    if not roles:
        return True
    with Session(engine) as session:
        held = roles_of(session, member_named(engine, person.who.account.user_id).id)
    return bool(held & set(roles))


class Attempts:
    """Attempts one after another, each against what the tables held after the one before: a
    refusal must leave them as they were."""

    def __init__(self, world: World, engine: Engine) -> None:
        self.world = world
        self.engine = engine
        self.tables = everything(engine)

    def make(self, person: Person, event: Any, roles: tuple[Role, ...], what: str) -> Reply:
        """Allowed, or refused kindly with nothing changed; never "Sorry"."""
        reply = self.world.bot.handle(event)
        name = person.who.display_name
        assert SORRY not in reply.plain(), f"{name}: {what} ended in an error"
        if not may(person, roles, self.engine):
            assert reply.refused, f"{name} was let in to {what}: {reply.plain()}"
        now = everything(self.engine)
        if reply.refused:
            assert now == self.tables, f"{name}'s refused {what} changed something"
            assert reply.form is None
        with Session(self.engine) as session:
            erased = find_account(session, person.who.account) is None
        if erased:  # they erased their own data: they come back as someone new, greeted first
            person.says("profile")
            now = everything(self.engine)
        self.tables = now
        return reply


def forms_offered(reply: Reply) -> list[str]:
    """The forms a reply opens or offers a button for."""
    found = [reply.form.form_id] if reply.form is not None else []
    found += [b.action_id for m in reply.messages for b in m.buttons]
    return found


@pytest.mark.parametrize("who", ["sly", "pat", "rex", "jo", "cora", "ada"])
def test_every_verb_button_and_form_is_allowed_by_its_declaration_or_refused(world, engine, who):
    features = world.bot.features
    attempts = Attempts(world, engine)
    person = getattr(world, who)  # each in a world of their own, so they run side by side
    for spec in features.commands.values():
        if not spec.verbs:
            attempts.make(person, Command(person.who, spec.name, ""), spec.roles, spec.name)
        for verb in spec.verbs:
            roles = verb.roles or spec.roles
            for subject in subjects_for(world, verb.subject, button=False):
                what = f"{spec.name} {verb.name} {subject}".strip()
                typed = Command(person.who, spec.name, f"{verb.name} {subject}")
                reply = attempts.make(person, typed, roles, what)
                # A form a restricted verb opens is restricted to those roles, or fewer.
                for offered in forms_offered(reply):
                    form = features.forms.get(split_id(offered)[0])
                    if form is not None and roles:
                        assert form.roles and set(form.roles) <= set(roles), f"{what} opens {form.name}"
    for button in features.buttons.values():
        for subject in subjects_for(world, button.subject, button=True):
            action = f"{button.name}:{subject}" if subject else button.name
            for value in ("", "grant:staff", "1"):
                attempts.make(person, ButtonPress(person.who, action, value), button.roles, action)
    for form in features.forms.values():
        for subject in subjects_for(world, form.subject, button=True):
            form_id = f"{form.name}:{subject}" if subject else form.name
            attempts.make(person, ButtonPress(person.who, form_id), form.roles, f"open {form_id}")
            attempts.make(person, ButtonPress(person.who, form_id, "2"), form.roles, f"page 2 of {form_id}")
            for page in (1, 2, 3):
                sent = FormSubmit(person.who, form_id, FORGED, page=page)
                attempts.make(person, sent, form.roles, f"page {page} of {form_id}")


def test_a_form_opened_by_rex_before_his_roles_went_is_refused_at_every_step(world, engine):
    rex = world.rex
    before = everything(engine)
    for event in (
        FormSubmit(rex.who, "checkin.edit", {"name": "Late"}, page=1),
        ButtonPress(rex.who, "checkin.edit", "2"),
        FormSubmit(rex.who, "checkin.edit", {"visibility": "named"}, page=2),
    ):
        reply = world.bot.handle(event)
        assert reply.refused and reply.form is None
    assert everything(engine) == before


def test_linking_is_for_everyone_but_a_refused_link_or_unlink_changes_nothing(world, engine):
    """Anyone may ask for a code (only they see it) and type one; a code that is not theirs to
    use, or an unlink with one account, is refused and leaves every table as it was. Linking
    carries roles along, so a code is shown to nobody but the one who asked for it."""
    for someone in world.people:
        someone.says("link")
        assert not someone.last.refused and all(m.private for m in someone.last.messages)
    before = everything(engine)
    for someone in world.people:
        for typed in ("unlink", "link join", "link -"):
            someone.says(typed)
            assert someone.last.refused, (someone.who.display_name, typed)
            assert everything(engine) == before
    # A code from Pat, typed by Pat again: refused, nothing joined.
    world.pat.says("link")
    code = world.pat.text.rsplit(" ", 1)[-1]
    after_code = everything(engine)
    world.pat.says(f"link {code}")
    assert world.pat.last.refused and everything(engine) == after_code
    assert roles_of_named(engine, "Pat") == {Role.PARTNER}


def roles_of_named(engine: Engine, user_id: str) -> set[Role]:
    with Session(engine) as session:
        return roles_of(session, member_named(engine, user_id.lower()).id)
