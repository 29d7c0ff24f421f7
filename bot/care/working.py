"""Coordinators and admins working alerts: taking one (everyone who saw it sees who has it, and
the partner hears who will be in touch), finishing it with an optional private note, and the
list of alerts."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from bot.care.notices import show_as_it_stands, tell_partner_taken
from bot.care.queries import AN_ALERT, recent
from bot.care.rules import CARERS, State, state_of
from bot.care.words import listing
from bot.checks import Refusal
from bot.conversation import FormField, Reply
from bot.feature import Asked, FormSpec
from bot.turn import Turn
from storage.models import Alert, Member


def take(turn: Turn, asked: Asked) -> Reply:
    """"I'll take this": one person has it, whoever presses first."""
    alert: Alert = asked.subject
    claimed = turn.db.execute(
        update(Alert)
        .where(col(Alert.id) == alert.id, col(Alert.taken_at).is_(None), col(Alert.done_at).is_(None))
        .values(taken_by=turn.member.id, taken_at=turn.now)
    )
    turn.db.refresh(alert)
    partner = turn.db.get_one(Member, alert.member_id).display_name
    if not claimed.rowcount:  # type: ignore[attr-defined]
        if state_of(alert) == State.DONE:
            return turn.say(turn._("This alert is done already. Nothing changed."))
        holder = turn.db.get_one(Member, alert.taken_by).display_name if alert.taken_by else ""
        return turn.say(turn._("{name} has taken this already. Nothing changed.", name=holder))
    show_as_it_stands(turn.db, turn.settings, alert, turn.now)
    tell_partner_taken(turn.db, alert, turn.member, turn.now)
    if alert.tell_partner:
        return turn.say(turn._("It's yours. I have told {name} that you will be in touch.", name=partner))
    return turn.say(turn._("It's yours. {name} asked not to be told who will contact them.", name=partner))


def show_list(turn: Turn, _asked: Asked) -> Reply:
    found = recent(turn.db, turn.now)
    if not found:
        return turn.say(turn._("There are no alerts this week."))
    named = []
    for alert in found:
        by_id = alert.done_by or alert.taken_by
        by = turn.db.get_one(Member, by_id).display_name if by_id is not None else ""
        named.append((alert, turn.db.get_one(Member, alert.member_id).display_name, by))
    fields, buttons = listing(turn, named)
    return turn.say(
        turn._("Alerts: those still open or taken, and those done this week. Newest first."),
        fields=fields,
        buttons=buttons,
    )


def _done_fields(turn: Turn, asked: Asked) -> list[FormField]:
    if state_of(asked.subject) == State.DONE:
        raise Refusal("This alert is done already. Nothing changed.")
    return [
        FormField(
            "note",
            turn._("A note for coordinators"),
            "long",
            required=False,
            max_length=500,
            hint=turn._("Only coordinators and admins see it. You can leave it empty."),
        )
    ]


def _done_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    alert: Alert = asked.subject
    claimed = turn.db.execute(
        update(Alert)
        .where(col(Alert.id) == alert.id, col(Alert.done_at).is_(None))
        .values(done_by=turn.member.id, done_at=turn.now, done_note=values.get("note", ""))
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal("This alert is done already. Nothing changed.")
    turn.db.refresh(alert)
    show_as_it_stands(turn.db, turn.settings, alert, turn.now)
    return turn.say(turn._("Marked done. Thank you."))


DONE_FORM = FormSpec(
    name="alert.done",
    title=lambda turn: turn._("Alert done"),
    fields=_done_fields,
    submit=_done_submit,
    submit_label=lambda turn: turn._("Done"),
    roles=CARERS,
    subject=AN_ALERT,
)
