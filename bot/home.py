"""A person's home page (Slack's App Home, or the home button): what is theirs right now, from
every feature's home sections: a check-in waiting, a session tomorrow, alerts for coordinators."""

from __future__ import annotations

from bot.conversation import Button, Reply
from bot.members import Role
from bot.turn import Turn


def home(turn: Turn) -> Reply:
    _ = turn._
    fields = tuple(field for section in turn.features.home for field in section(turn))
    lead = _("Hello, {name}. Here is what is yours right now.", name=turn.member.display_name)
    if not fields:
        lead = _(
            "Hello, {name}. Nothing is waiting for you. Type guide to see what you can do.",
            name=turn.member.display_name,
        )
    buttons = (Button(_("What can I do?"), "guide"), Button(_("My profile"), "profile.show"))
    if turn.is_(Role.PARTNER):
        buttons += (Button(_("Talk to someone"), "support.ask"),)
    return turn.say(lead, fields=fields, buttons=buttons)
