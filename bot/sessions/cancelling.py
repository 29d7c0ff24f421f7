"""Coordinators cancel a session, or a week of a repeat, after a question; everyone signed up is
told once, with a calendar file that takes it off their calendar."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from bot.conversation import Button, Reply
from bot.feature import Asked
from bot.outbox import expire_unsent
from bot.sessions.delivery import reminders_key
from bot.sessions.notices import refresh_announcement, tell_cancelled, update_calendar_event
from bot.sessions.queries import later_in_series
from bot.sessions.rules import Status, still_ahead
from bot.turn import Turn
from storage.models import WellbeingSession


def ask_to_cancel(turn: Turn, asked: Asked) -> Reply:
    """`sessions cancel 3`, or its button: asks first, and for a repeat, which weeks."""
    target: WellbeingSession = asked.subject
    still_ahead(turn, target)
    _ = turn._
    lead = turn.spans(
        "Cancel {title}, {when}? Everyone signed up will be told.",
        title=target.title,
        when=turn.moment(target.starts_at),
    )
    later = later_in_series(turn, target)
    if later:
        buttons = (
            Button(_("Cancel only this one"), f"session.drop_one:{target.id}", style="danger"),
            Button(
                _("Cancel this one and the {count} after it", count=len(later)),
                f"session.drop_rest:{target.id}",
                style="danger",
            ),
        )
    else:
        buttons = (Button(_("Yes, cancel it"), f"session.drop_one:{target.id}", style="danger"),)
    return turn.say(*lead, buttons=(*buttons, Button(_("Keep it"), f"session.keep:{target.id}")))


def keep(turn: Turn, asked: Asked) -> Reply:
    return turn.say(turn._("Nothing changed. {title} goes ahead.", title=asked.subject.title))


def drop_one(turn: Turn, asked: Asked) -> Reply:
    return cancel_sessions(turn, [asked.subject])


def drop_rest(turn: Turn, asked: Asked) -> Reply:
    return cancel_sessions(turn, [asked.subject, *later_in_series(turn, asked.subject)])


def cancel_sessions(turn: Turn, targets: list[WellbeingSession]) -> Reply:
    """Cancel these sessions (each once, however many presses) and tell everyone signed up,
    one message each, with a calendar file that takes their places off their calendar."""
    still_ahead(turn, targets[0])
    done: list[WellbeingSession] = []
    for target in targets:
        claimed = turn.db.execute(
            update(WellbeingSession)
            .where(col(WellbeingSession.id) == target.id, col(WellbeingSession.status) == Status.SCHEDULED)
            .where(col(WellbeingSession.starts_at) > turn.now)
            .values(status=Status.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        turn.db.refresh(target)
        expire_unsent(turn.db, reminders_key(target), turn.now)  # a reminder not sent yet is let go
        refresh_announcement(turn.db, turn.settings, target, turn.now)
        update_calendar_event(turn.db, turn.settings, target, turn.now)
        done.append(target)
    if not done:
        return turn.say(turn._("That session was cancelled already. Nothing changed."))
    tell_cancelled(turn, done)
    first = done[0]
    if len(done) == 1:
        return turn.say(
            *turn.spans(
                "Cancelled {title}, {when}. I have told everyone who signed up.",
                title=first.title,
                when=turn.moment(first.starts_at),
            )
        )
    return turn.say(
        turn._.n(
            "Cancelled {count} session of {title}. I have told everyone who signed up.",
            "Cancelled {count} sessions of {title}. I have told everyone who signed up.",
            len(done),
            title=first.title,
        )
    )
