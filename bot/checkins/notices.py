"""What goes to coordinators from check-ins, through the outbox in the same transaction as its
cause: an alert, once a prompt, and the summary when a run closes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot.checkins.summary import figures
from bot.checkins.words import alert_words, summary_message
from bot.notify import tell_coordinators
from bot.settings import Settings
from bot.turn import Turn
from storage.models import CheckInPrompt, CheckInRun


def send_summary(db: Session, settings: Settings, run: CheckInRun, now: datetime) -> None:
    numbers = figures(db, run)
    tell_coordinators(
        db,
        settings,
        lambda reader: summary_message(run, numbers, reader),
        now,
        key=f"checkin.summary:{run.id}",
    )


def alert_coordinators(turn: Turn, prompt: CheckInPrompt, run: CheckInRun, reason: tuple[str, str] | None) -> None:
    """Tell the coordinators once per prompt, however many taps."""
    claimed = turn.db.execute(
        update(CheckInPrompt)
        .where(col(CheckInPrompt.id) == prompt.id, col(CheckInPrompt.alerted_at).is_(None))
        .values(alerted_at=turn.now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return
    name = turn.member.display_name
    tell_coordinators(
        turn.db,
        turn.settings,
        lambda reader: alert_words(reader, name, run.name, reason),
        turn.now,
        key=f"checkin.alert:{prompt.id}",
    )
