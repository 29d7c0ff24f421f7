"""What goes to coordinators from check-ins, through the outbox in the same transaction as its
cause: an alert (bot/care), once a prompt, and the summary when a run closes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.care.notices import raise_alert
from bot.care.rules import Reason
from bot.checkins.summary import figures
from bot.checkins.words import summary_message
from bot.notify import tell_coordinators
from bot.settings import Settings
from bot.turn import Turn
from storage.models import Alert, CheckInPrompt, CheckInRun


def send_summary(db: Session, settings: Settings, run: CheckInRun, now: datetime) -> None:
    numbers = figures(db, run)
    tell_coordinators(
        db,
        settings,
        lambda reader: summary_message(run, numbers, reader),
        now,
        key=f"checkin.summary:{run.id}",
    )


def alert_coordinators(
    turn: Turn, prompt: CheckInPrompt, run: CheckInRun, answer: tuple[str, str] | None
) -> bool:
    """Raise an alert for this prompt, once however many taps (again only if nobody could be
    reached the first time). `answer` is the question and answer words of a low answer; None
    means they asked for contact. Returns whether a coordinator was told."""
    claimed = turn.db.execute(
        update(CheckInPrompt)
        .where(col(CheckInPrompt.id) == prompt.id, col(CheckInPrompt.alerted_at).is_(None))
        .values(alerted_at=turn.now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        earlier = turn.db.exec(
            select(Alert).where(Alert.prompt_id == prompt.id).order_by(col(Alert.id).desc())
        ).first()
        if earlier is None or earlier.reached:
            return earlier is not None
    question, words = answer if answer is not None else ("", "")
    alert = raise_alert(
        turn.db,
        turn.settings,
        turn.member,
        Reason.CONTACT if answer is None else Reason.ANSWER,
        turn.now,
        prompt_id=prompt.id,
        checkin=run.name,
        question=question,
        answer=words,
    )
    return alert.reached
