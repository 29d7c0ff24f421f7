"""A small demo community, so a newcomer trying the console sees something at once."""

from __future__ import annotations

from sqlmodel import Session

from bot.checks import interest_tags
from bot.conversation import Who
from bot.core import Bot
from bot.members import AccountRef, Role, grant, member_for, set_interests

DEMO_PEOPLE = [
    # name, role, time zone, interests
    ("Sam", Role.COORDINATOR, "Europe/London", "wellbeing, peer support"),
    ("Jo", Role.STAFF, "Europe/London", "online booking"),
    ("Alex", Role.PARTNER, "Europe/London", "pain management, online booking"),
    ("Priya", Role.PARTNER, "America/Toronto", "mental health, wellbeing"),
]


def seed_demo(bot: Bot) -> list[str]:
    """Add the demo people (again safely: nothing doubles). Returns their names."""
    now = bot.clock.now()
    with Session(bot.engine) as db:
        for name, role, zone, interests in DEMO_PEOPLE:
            who = Who(AccountRef("console", "local", name.lower()), name)
            member, _account = member_for(db, who.account, name, zone, "en", now)
            assert member.id is not None
            grant(db, member.id, role, None, now)
            set_interests(db, member.id, interest_tags(interests))
        db.commit()
    return [name for name, *_rest in DEMO_PEOPLE]
