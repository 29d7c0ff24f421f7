"""What people read about their data: the summary under headings, what erasing takes and
keeps, leaving, coming back, and the one line coordinators get when someone leaves."""

from __future__ import annotations

from typing import Any

from bot.conversation import Button, Field, Message
from bot.members import Role, role_name
from bot.openings.rules import hours_text
from bot.turn import Turn
from bot.words import N_, Translate, translator
from storage.models import Member

NO_ANONYMOUS = N_("Answers you gave in anonymous check-ins are not linked to you, so they are not here.")


def summary_fields(turn: Turn, held: dict[str, Any]) -> tuple[Field, ...]:
    """Everything held, in plain words and short: one heading for each kind of thing."""
    _ = turn._
    profile = held["profile"]
    interests = ", ".join(profile["interests"]) or _("none")
    accounts = ", ".join(f"{a['platform']} {a['user_id']}" for a in profile["accounts"]) or _("none")
    checkins = held["checkins"]
    answers = sum(len(c["answers"]) for c in checkins)
    notes = sum(1 for c in checkins if c["note"])
    signups = held["session_signups"]
    interests_in = held["opening_interests"]
    selections = held["selections"]
    hours = sum(s["hours_agreed"] or 0 for s in selections)
    roles = ", ".join(role_name(_, Role(r)) for r in held["roles"]) or _("none")
    return (
        Field(
            _("Profile"),
            _(
                "Name: {name}. Time zone: {zone}. Interests: {interests}. Accounts: {accounts}.",
                name=profile["name"],
                zone=profile["time_zone"],
                interests=interests,
                accounts=accounts,
            ),
        ),
        Field(_("Roles"), roles),
        Field(
            _("Check-ins"),
            _("Check-ins sent: {sent}. Answers: {answers}. Notes: {notes}.", sent=len(checkins), answers=answers, notes=notes)
            + " "
            + _(NO_ANONYMOUS),
        ),
        Field(
            _("Wellbeing sessions"),
            _(
                "Sign-ups: {count}. Notes: {notes}.",
                count=len(signups),
                notes=sum(1 for s in signups if s["note"]),
            ),
        ),
        Field(
            _("Openings"),
            _(
                "Said you were interested: {count}. Notes: {notes}.",
                count=len(interests_in),
                notes=sum(1 for i in interests_in if i["note"] or i["availability"] or i["access_needs"]),
            ),
        ),
        Field(
            _("Paid work"),
            _("Times selected: {count}. Hours agreed: {hours}.", count=len(selections), hours=hours_text(hours) or "0"),
        ),
        Field(_("Calls for support"), _("Alerts about you: {count}.", count=len(held["alerts"]))),
    )


def erase_buttons(_: Translate, member: Member) -> tuple[Button, ...]:
    """Its value names whose data: a second press, once they are someone new, erases nothing."""
    return (
        Button(_("Erase my data"), "mydata.erase", str(member.id), style="danger"),
        Button(_("Keep it"), "mydata.keep"),
    )


def what_goes_and_stays(_: Translate, held: dict[str, Any], name: str) -> tuple[Field, ...]:
    """What erasing takes, and what it keeps and why."""
    kept = _("Nothing.")
    if held["selections"]:
        kept = _.n(
            "The record of paid work: selected once. Finance must keep it. It will show the name {name}, not yours.",
            "The record of paid work: {count} times selected. Finance must keep it. It will show the name {name}, not yours.",
            len(held["selections"]),
            name=name,
        )
    return (
        Field(
            _("Erased"),
            _(
                "Your profile, settings and roles. Check-in answers and notes. Sign-ups and notes. Interest in openings. Alerts about you. Messages waiting for you."
            ),
        ),
        Field(_("Kept"), kept),
    )


def ask_to_erase(turn: Turn, held: dict[str, Any], name: str) -> Message:
    _ = turn._
    return Message(
        (_("Do you want me to erase your data? This cannot be undone."),),
        what_goes_and_stays(_, held, name),
        erase_buttons(_, turn.member),
    )


def ask_to_erase_for(turn: Turn, target: Member, held: dict[str, Any], name: str) -> Message:
    """An admin, erasing someone's data at their request."""
    _ = turn._
    return Message(
        (_("Erase the data of {name}? Only do this if they asked. This cannot be undone.", name=target.display_name),),
        what_goes_and_stays(_, held, name),
        (
            Button(_("Erase their data"), f"mydata.erase_member:{target.id}", style="danger"),
            Button(_("Keep it"), "mydata.keep"),
        ),
    )


def erased(_: Translate, name: str, kept_work: bool) -> str:
    said = _("Done. I have erased your data.")
    if kept_work:
        said += " " + _("I kept the record of paid work, as finance must. It now shows the name {name}.", name=name)
    return said + " " + _("If you write to me again, I will greet you as someone new.")


def erased_for(_: Translate, was: str, name: str, kept_work: bool) -> str:
    said = _("Done. I have erased the data of {name}.", name=was)
    if kept_work:
        said += " " + _("The record of paid work stays, under the name {name}.", name=name)
    return said + " " + _("I have noted that you did this, and when.")


def left(_: Translate, told: bool) -> str:
    """Said to someone who left. That the coordinators were told is said only if they were."""
    said = [_("You have left. I won't send you any more messages.")]
    if told:
        said.append(_("I have told the coordinators."))
    said.append(_("If you like, I can also erase your data. If you write to me again, you are welcome back."))
    return " ".join(said)


def welcome_back(reader: Member) -> Message:
    _ = translator(reader.language)
    return Message((_("Welcome back. You will get messages from me again."),))


def has_left(name: str, reader: Member) -> Message:
    """All that coordinators are told."""
    _ = translator(reader.language)
    return Message((_("{name} has left.", name=name),))
