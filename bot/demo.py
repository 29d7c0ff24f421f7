"""A small demo community, so a newcomer trying the console sees something at once: four
people, a wellbeing session to join, an opening to say you are interested in, and a check-in
waiting for the partners. The things are made the way people make them, through the bot's own
commands and forms, so the demo shows the bot as it is."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.checks import interest_tags
from bot.conversation import ButtonPress, Command, FormSubmit, Who
from bot.core import Bot
from bot.members import AccountRef, Role, grant, member_for, revoke, roles_of, set_interests
from storage.models import CheckIn, Opening, WellbeingSession

DEMO_PEOPLE = [
    # name, role, time zone, interests
    ("Sam", Role.COORDINATOR, "Europe/London", "wellbeing, peer support"),
    ("Jo", Role.STAFF, "Europe/London", "online booking"),
    ("Alex", Role.PARTNER, "Europe/London", "pain management, online booking"),
    ("Priya", Role.PARTNER, "America/Toronto", "mental health, wellbeing"),
]


def seed_demo(bot: Bot) -> list[str]:
    """Add the demo people and what they made (again safely: nothing doubles). Returns their
    names."""
    now = bot.clock.now()
    with Session(bot.engine) as db:
        for name, role, zone, interests in DEMO_PEOPLE:
            member, _account = member_for(db, _who(name).account, name, zone, "en", now)
            assert member.id is not None
            fresh = member.consent_shown_at is None and roles_of(db, member.id) == {Role.PARTNER}
            grant(db, member.id, role, None, now)
            if fresh and role is not Role.PARTNER:  # Sam coordinates and Jo is staff: not partners
                revoke(db, member.id, Role.PARTNER)
            set_interests(db, member.id, interest_tags(interests))
        db.commit()
        made_before = db.exec(select(WellbeingSession)).first() or db.exec(select(Opening)).first()
        made_before = made_before or db.exec(select(CheckIn)).first()
    for name, *_rest in DEMO_PEOPLE:  # each has read what is kept and said OK
        bot.handle(Command(_who(name), "guide"))
        bot.handle(ButtonPress(_who(name), "consent.ok"))
    if made_before is None:
        _make_things(bot)
    return [name for name, *_rest in DEMO_PEOPLE]


def _who(name: str) -> Who:
    return Who(AccountRef("console", "local", name.lower()), name)


def _make_things(bot: Bot) -> None:
    london = bot.clock.now().astimezone(ZoneInfo("Europe/London"))
    in_three_days = london + timedelta(days=3)
    in_two_weeks = london + timedelta(days=14)
    _fill(
        bot,
        "Sam",
        "sessions new",
        {
            "title": "Chair yoga",
            "description": "Gentle stretches you can do sitting down.",
            "facilitator": "Sam",
            "start": f"{in_three_days.day} {in_three_days:%b %Y} 2pm",
            "place": "Online, the link comes with your place",
            "capacity": "8",
        },
    )
    _fill(
        bot,
        "Jo",
        "openings new",
        {
            "title": "Online booking working group",
            "team": "Digital services",
            "involves": "Test the new booking pages with us, and say what would make them easier.",
            "commitment": "2 hours a month",
            "dates": "January to March",
            "seats": "2",
            "rate": "25 an hour",
            "payment": "plus travel",
            "access": "Captions on every call, and breaks whenever you need them",
            "tags": "online booking",
            "place_kind": "remote",
            "closes_at": f"{in_two_weeks.day} {in_two_weeks:%b %Y} 5pm",
        },
    )
    _fill(
        bot,
        "Sam",
        "checkin new",
        {
            "name": "Weekly wellbeing",
            "questions": "How are you feeling? | awful, poor, okay, good, great; Did you sleep well? | yes/no",
            "schedule": "now",
            "window": "48",
            "visibility": "named",
        },
    )


def _fill(bot: Bot, name: str, line: str, values: dict[str, str]) -> None:
    """A command that opens a form, and each page sent: the given values, the rest as offered."""
    command, _sep, rest = line.partition(" ")
    reply = bot.handle(Command(_who(name), command, rest))
    while reply.form is not None:
        form = reply.form
        answers = {f.name: values.get(f.name, f.initial) for f in form.fields}
        reply = bot.handle(FormSubmit(_who(name), form.form_id, answers, page=form.page))
        if reply.field_errors:
            raise RuntimeError(f"the demo's {line} was refused: {reply.field_errors}")
