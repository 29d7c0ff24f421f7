"""`openings`: everyone sees what is open; staff and coordinators post, review, close and cancel
openings; coordinators export the involvement record."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot import checks, periods
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Message, Option, Reply
from bot.feature import Asked, FormSpec, Subject
from bot.forms import open_form
from bot.members import Role
from bot.openings.notices import announce, invitations_expire, invite_matching, refresh_announcement
from bot.openings.pay import rate_typed, read_rate
from bot.openings.queries import filled, interest_of, pressed
from bot.openings.rules import (
    PLACE_KINDS,
    STAFF_ROLES,
    Status,
    is_open,
    managed,
    may_manage,
    still_open,
)
from bot.openings.words import closes_words, fields, interest_buttons, seats_taken, where
from bot.turn import Turn, matching
from bot.words import N_, as_typed
from storage.models import Opening

COORDINATORS = (Role.COORDINATOR,)


def show(turn: Turn, asked: Asked) -> Reply:
    return details(turn, asked.subject)


def new(turn: Turn, _asked: Asked) -> Reply:
    return open_form(turn, "opening.new")


def open_now(turn: Turn) -> list[Opening]:
    return list(
        turn.db.exec(
            select(Opening)
            .where(Opening.status == Status.OPEN, Opening.closes_at > turn.now)
            .order_by(col(Opening.closes_at), col(Opening.id))
        ).all()
    )


def suggest_opening(turn: Turn, typed: str) -> list[Option]:
    options = [Option(f"#{o.id} {o.title}", str(o.id)) for o in open_now(turn)]
    return matching(options, typed.removeprefix("#"))


def list_openings(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    found = open_now(turn)
    if not found:
        words = _("There are no open openings right now. New ones are posted in the announcements channel.")
        if turn.is_(*STAFF_ROLES):
            words += " " + _("Type openings new to post one.")
        return turn.say(words)
    shown: list[Field] = []
    buttons: list[Button] = []
    for opening in found:
        label = f"#{opening.id} {opening.title}"
        taken = filled(turn.db, opening.id)
        summary = [opening.team, where(_, opening), _("places: {places}", places=seats_taken(_, opening, taken))]
        mine = interest_of(turn.db, opening.id, turn.member.id)
        if mine is not None and mine.selected_at is not None:
            summary.append(_("you were selected"))
        elif mine is not None and mine.withdrawn_at is None:
            summary.append(_("you said you're interested"))
        shown.append(Field(label, ("; ".join(summary) + ". ", *closes_words(turn.member, opening))))
        buttons += [replace(b, group=label) for b in buttons_for(turn, opening, taken)]
    return turn.say(
        _("Open openings. Press a button for more details, or to say you're interested."),
        fields=tuple(shown),
        buttons=tuple(buttons),
    )


def buttons_for(turn: Turn, opening: Opening, taken: int, with_details: bool = True) -> list[Button]:
    """What this person can do with an opening: say they are interested, read more, review."""
    offered = interest_buttons(turn.member, opening)
    buttons: list[Button] = []
    mine = interest_of(turn.db, opening.id, turn.member.id)
    chosen = mine is not None and mine.selected_at is not None
    if turn.is_(Role.PARTNER) and is_open(opening, turn.now) and taken < opening.seats and not chosen:
        buttons.append(offered[0])
    if with_details:
        buttons.append(offered[1])
    if may_manage(turn, opening):
        buttons.append(Button(turn._("Who is interested"), f"opening.review:{opening.id}"))
    return buttons


def details(turn: Turn, opening: Opening) -> Reply:
    """Everything about an opening, seen only by the person who asked."""
    _ = turn._
    if opening.status == Status.CANCELLED:
        lead = _("{title} was cancelled. It is not going ahead.", title=opening.title)
    elif not is_open(opening, turn.now):
        lead = _("{title} has closed.", title=opening.title)
    else:
        lead = opening.title
    taken = filled(turn.db, opening.id)
    return Reply(
        messages=(
            Message(
                (lead,),
                fields(opening, turn.member, taken, full=True),
                tuple(buttons_for(turn, opening, taken, with_details=False)),
            ),
        )
    )


# ---- the form for a new opening ---------------------------------------------------------------


def _fields(turn: Turn, asked: Asked) -> list[FormField]:
    """The form's fields: empty for a new opening; for `openings edit`, as the opening stands."""
    _ = turn._
    opening: Opening | None = asked.subject
    was: dict[str, str] = {"seats": "1"}
    if opening is not None:
        still_open(opening, turn.now)
        zone, language = turn.member.timezone, turn.member.language
        was = {
            "title": opening.title,
            "team": opening.team,
            "involves": opening.involves,
            "commitment": opening.commitment,
            "dates": opening.dates,
            "seats": str(opening.seats),
            # An opening from before rates were asked has none: the poster gives one now.
            "rate": rate_typed(opening.rate_minor, opening.rate_unit) if opening.currency else "",
            "payment": opening.payment,
            "work_ends_on": as_typed(opening.work_ends_on, zone, language) if opening.work_ends_on else "",
            "access": opening.access,
            "tags": ", ".join(opening.tags),
            "place_kind": opening.place_kind,
            "place": opening.place,
            # As a person would type it, in their own zone and language: '27 Nov 2026 17:00'.
            "closes_at": as_typed(opening.closes_at, zone, language),
        }
    return [
        FormField(
            "title",
            _("Title"),
            "short",
            max_length=100,
            hint=_("For example: Online booking working group"),
            initial=was.get("title", ""),
        ),
        FormField("team", _("Team or working group"), "short", max_length=80, initial=was.get("team", "")),
        FormField("involves", _("What it involves"), "long", max_length=1500, initial=was.get("involves", "")),
        FormField(
            "commitment",
            _("Time commitment"),
            "short",
            max_length=100,
            hint=_("For example: 2 hours a month"),
            initial=was.get("commitment", ""),
        ),
        FormField("dates", _("When"), "short", max_length=200, hint=_("Dates, or ongoing"), initial=was.get("dates", "")),
        FormField("seats", _("Places"), "number", minimum=1, maximum=100, whole=True, initial=was["seats"]),
        FormField(
            "rate",
            _("Pay rate"),
            "short",
            max_length=40,
            hint=_("For example: 25 an hour, 40 a session, or none"),
            initial=was.get("rate", ""),
        ),
        FormField(
            "payment",
            _("More about payment and expenses"),
            "short",
            required=False,
            max_length=200,
            hint=_("For example: plus travel"),
            initial=was.get("payment", ""),
        ),
        FormField(
            "access",
            _("Access support offered"),
            "long",
            required=False,
            max_length=600,
            hint=_("For example: captions, step-free rooms, breaks"),
            initial=was.get("access", ""),
        ),
        FormField(
            "tags",
            _("Interest tags"),
            "short",
            required=False,
            max_length=300,
            hint=_("Partners with these interests get a message. Separate them with commas."),
            initial=was.get("tags", ""),
        ),
        FormField(
            "place_kind",
            _("Where"),
            "choice",
            choices=(
                Option(_("Remote"), "remote"),
                Option(_("In person"), "in_person"),
                Option(_("Hybrid"), "hybrid"),
            ),
            initial=was.get("place_kind", ""),
        ),
        # On the last page, so "needed unless remote" can be shown on this field.
        FormField(
            "place",
            _("Place"),
            "short",
            required=False,
            max_length=200,
            hint=_("Needed unless it is remote"),
            initial=was.get("place", ""),
        ),
        FormField(
            "work_ends_on",
            _("Last day of the work"),
            "short",
            required=False,
            max_length=40,
            hint=_("Leave empty if not known. Hours are confirmed after it."),
            initial=was.get("work_ends_on", ""),
        ),
        FormField(
            "closes_at",
            _("Closing date and time"),
            "datetime",
            max_length=60,
            hint=_("For example: next Friday 5pm"),
            initial=was.get("closes_at", ""),
        ),
    ]


def _check_tags(turn: Turn, value: str) -> str:
    return ", ".join(checks.interest_tags(value))


def _check_rate(turn: Turn, value: str) -> str:
    rate = read_rate(value)
    return rate_typed(rate.minor, rate.unit)


def _check_work_ends(turn: Turn, value: str) -> str:
    day = periods.day(turn, value)
    today = turn.now.astimezone(ZoneInfo(turn.member.timezone)).date()
    if not today - timedelta(days=366) <= day <= today + timedelta(days=3 * 366):
        raise Refusal("Please give the last day of the work within three years, like 31 March.")
    return day.isoformat()


def _check_closes(turn: Turn, value: str) -> str:
    at = datetime.fromisoformat(value)
    if at <= turn.now:
        raise Refusal(
            "That time has passed. Please give a closing time in the future, like 'next Friday 5pm'."
        )
    if at > turn.now + timedelta(days=366):
        raise Refusal("Please choose a closing time within a year from now.")
    return value


_ONLINE = re.compile(r"\b(online|remote|remotely|virtual|video|zoom|teams|meet|skype|webex)\b", re.IGNORECASE)


def _place_kind(values: dict[str, str]) -> str:
    """Where the work happens, checked against the place given: in person needs a place that is
    not a video call ("In person" at "online" is asked about, not saved)."""
    kind = values["place_kind"]
    assert kind in PLACE_KINDS
    place = values.get("place", "")
    if kind != "remote" and not place:
        raise Refusal("Please add the place, because this opening is in person or hybrid.", field="place")
    if kind == "in_person" and _ONLINE.search(place):
        raise Refusal(
            "This opening is in person, but the place sounds online. Please choose Remote or Hybrid, or give the place.",
            field="place",
        )
    return kind


def _as_typed(values: dict[str, str]) -> dict[str, Any]:
    """An opening's columns from its form, checked: the same for a new opening and an edit."""
    kind = _place_kind(values)
    return {
        "title": values["title"],
        "team": values["team"],
        "involves": values["involves"],
        "commitment": values["commitment"],
        "dates": values["dates"],
        "place_kind": kind,
        "place": values.get("place", "") if kind != "remote" else "",
        "seats": int(float(values["seats"])),
        "payment": values.get("payment", ""),
        **_pay(values),
        "work_ends_on": date.fromisoformat(values["work_ends_on"]) if values.get("work_ends_on") else None,
        "access": values.get("access", ""),
        "tags": checks.interest_tags(values["tags"]) if values.get("tags") else [],
        "closes_at": datetime.fromisoformat(values["closes_at"]),
    }


def _pay(values: dict[str, str]) -> dict[str, Any]:
    rate = read_rate(values["rate"])
    return {"rate_minor": rate.minor, "rate_unit": rate.unit}


def _submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    typed = _as_typed(values)
    assert turn.member.id is not None
    opening = Opening(
        **typed, currency=turn.settings.payment_currency, posted_by=turn.member.id, created_at=turn.now
    )
    turn.db.add(opening)
    turn.db.flush()
    invited = announce(turn.db, turn.settings, opening, turn.now)
    _ = turn._
    words = [_("Posted opening {number}: {title}.", number=opening.id, title=opening.title), " "]
    if opening.announcement_id is not None:
        words += [_("It is in the announcements channel."), " "]
    if invited:
        words += [_("Sent to partners with matching interests: {count}.", count=invited), " "]
    else:
        words += [_("No partners have matching interests, so nobody got a message."), " "]
    words += [*closes_words(turn.member, opening), " "]
    words.append(_("Type openings review {number} to see who is interested.", number=opening.id))
    return turn.say(*words)


def edit(turn: Turn, asked: Asked) -> Reply:
    """`openings edit 1`: the form again, filled in as it stands (the router checked it is theirs)."""
    opening: Opening = asked.subject
    still_open(opening, turn.now)
    return open_form(turn, f"opening.edit:{opening.id}")


def _edit_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    """Save the changes: the channel post shows them, and partners whose interests match a tag
    added now are invited (those invited before are not asked twice)."""
    opening: Opening = asked.subject
    still_open(opening, turn.now)
    typed = _as_typed(values)
    taken = filled(turn.db, opening.id)
    if typed["seats"] < taken:
        raise Refusal.n(
            "{count} person is selected already, so please keep at least {count} place. Type openings edit {number} to try again.",
            "{count} people are selected already, so please keep at least {count} places. Type openings edit {number} to try again.",
            taken,
            number=opening.id,
        )
    for column, value in typed.items():
        setattr(opening, column, value)
    opening.currency = opening.currency or turn.settings.payment_currency
    turn.db.add(opening)
    turn.db.flush()
    invitations_expire(turn.db, opening, opening.closes_at)  # its closing time may have moved
    refresh_announcement(turn.db, turn.settings, opening, turn.now)
    invited = invite_matching(turn.db, opening, turn.now)
    _ = turn._
    words = [_("Saved. {title} is up to date.", title=opening.title), " "]
    if opening.announcement_id is not None:
        words += [_("The announcement shows the changes."), " "]
    if invited:
        words += [_("Sent to more partners with matching interests: {count}.", count=invited), " "]
    words += closes_words(turn.member, opening)
    return turn.say(*words)


NOT_STAFF = N_("Only staff and coordinators can post openings. Type openings to see what is open.")

NEW_FORM = FormSpec(
    name="opening.new",
    title=lambda turn: turn._("New opening"),
    fields=_fields,
    checks={"tags": _check_tags, "closes_at": _check_closes, "rate": _check_rate, "work_ends_on": _check_work_ends},
    submit=_submit,
    submit_label=lambda turn: turn._("Post"),
    roles=STAFF_ROLES,
    refusal=NOT_STAFF,
)

NOT_EDITING = N_("Only the person who posted an opening, and coordinators, can change it.")

EDIT_FORM = FormSpec(
    name="opening.edit",
    title=lambda turn: turn._("Change the opening"),
    fields=_fields,
    checks={"tags": _check_tags, "closes_at": _check_closes, "rate": _check_rate, "work_ends_on": _check_work_ends},
    submit=_edit_submit,
    submit_label=lambda turn: turn._("Save"),
    roles=STAFF_ROLES,
    subject=Subject(pressed, managed(NOT_EDITING)),
    refusal=NOT_EDITING,
)
