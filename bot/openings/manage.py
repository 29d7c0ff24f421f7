"""`openings`: everyone sees what is open; staff and coordinators post, review, close and cancel
openings; coordinators export the involvement record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot import checks
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Message, Option, Reply
from bot.feature import Asked, FormSpec
from bot.forms import open_form
from bot.members import Role
from bot.openings.notices import announce
from bot.openings.queries import filled, interest_of
from bot.openings.rules import (
    PLACE_KINDS,
    STAFF_ROLES,
    Status,
    is_open,
    may_manage,
)
from bot.openings.words import closes_words, fields, interest_buttons, seats_taken, where
from bot.turn import Turn, matching
from bot.words import N_
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


def _fields(turn: Turn, _asked: Asked) -> list[FormField]:
    _ = turn._
    return [
        FormField(
            "title", _("Title"), "short", max_length=100, hint=_("For example: Online booking working group")
        ),
        FormField("team", _("Team or working group"), "short", max_length=80),
        FormField("involves", _("What it involves"), "long", max_length=1500),
        FormField(
            "commitment",
            _("Time commitment"),
            "short",
            max_length=100,
            hint=_("For example: 2 hours a month"),
        ),
        FormField("dates", _("When"), "short", max_length=200, hint=_("Dates, or ongoing")),
        FormField("seats", _("Places"), "number", minimum=1, maximum=100, whole=True, initial="1"),
        FormField(
            "payment",
            _("Payment and expenses"),
            "short",
            max_length=200,
            hint=_("For example: £25 an hour plus travel"),
        ),
        FormField(
            "access",
            _("Access support offered"),
            "long",
            required=False,
            max_length=600,
            hint=_("For example: captions, step-free rooms, breaks"),
        ),
        FormField(
            "tags",
            _("Interest tags"),
            "short",
            required=False,
            max_length=300,
            hint=_("Partners with these interests get a message. Separate them with commas."),
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
        ),
        # On the last page, so "needed unless remote" can be shown on this field.
        FormField(
            "place", _("Place"), "short", required=False, max_length=200, hint=_("Needed unless it is remote")
        ),
        FormField(
            "closes_at",
            _("Closing date and time"),
            "datetime",
            max_length=60,
            hint=_("For example: next Friday 5pm"),
        ),
    ]


def _check_tags(turn: Turn, value: str) -> str:
    return ", ".join(checks.interest_tags(value))


def _check_closes(turn: Turn, value: str) -> str:
    at = datetime.fromisoformat(value)
    if at <= turn.now:
        raise Refusal(
            "That time has passed. Please give a closing time in the future, like 'next Friday 5pm'."
        )
    if at > turn.now + timedelta(days=366):
        raise Refusal("Please choose a closing time within a year from now.")
    return value


def _submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    kind = values["place_kind"]
    assert kind in PLACE_KINDS
    if kind != "remote" and not values.get("place"):
        raise Refusal("Please add the place, because this opening is in person or hybrid.", field="place")
    assert turn.member.id is not None
    opening = Opening(
        title=values["title"],
        team=values["team"],
        involves=values["involves"],
        commitment=values["commitment"],
        dates=values["dates"],
        place_kind=kind,
        place=values.get("place", "") if kind != "remote" else "",
        seats=int(float(values["seats"])),
        payment=values["payment"],
        access=values.get("access", ""),
        tags=checks.interest_tags(values["tags"]) if values.get("tags") else [],
        closes_at=datetime.fromisoformat(values["closes_at"]),
        posted_by=turn.member.id,
        created_at=turn.now,
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


NOT_STAFF = N_("Only staff and coordinators can post openings. Type openings to see what is open.")

NEW_FORM = FormSpec(
    name="opening.new",
    title=lambda turn: turn._("New opening"),
    fields=_fields,
    checks={"tags": _check_tags, "closes_at": _check_closes},
    submit=_submit,
    submit_label=lambda turn: turn._("Post"),
    roles=STAFF_ROLES,
    refusal=NOT_STAFF,
)
