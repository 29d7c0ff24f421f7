"""What goes to coordinators from check-ins, through the outbox in the same transaction as its
cause: an alert (bot/care), once a prompt, and the summary when a run closes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.care.notices import raise_alert
from bot.care.rules import Reason
from bot.checkins.rules import has_scale
from bot.checkins.summary import figures
from bot.checkins.words import summary_message
from bot.conversation import File, Message
from bot.notify import tell_coordinators
from bot.settings import Settings
from bot.turn import Turn
from bot.words import translator
from storage.models import Alert, CheckInPrompt, CheckInRun, Member

if TYPE_CHECKING:
    from bot.report.numbers import Run


# The summary at close carries a trend chart once there are this many closed runs with answers.
TREND_FROM = 3


def send_summary(db: Session, settings: Settings, run: CheckInRun, now: datetime) -> None:
    numbers = figures(db, run)
    history = _history(db, run)
    drawn: dict[tuple[str, str], tuple[File, ...]] = {}  # drawn once per language and zone

    def write(reader: Member) -> Message:
        message = summary_message(run, numbers, reader)
        key = (reader.language, reader.timezone)
        if key not in drawn:
            drawn[key] = trend_charts(history, run, reader) if history else ()
        return replace(message, files=drawn[key]) if drawn[key] else message

    tell_coordinators(db, settings, write, now, key=f"checkin.summary:{run.id}")


def _history(db: Session, run: CheckInRun) -> list[Run]:
    from bot.report.numbers import latest_runs  # bot.report reads check-ins: imported when used

    if not has_scale(run.questions):
        return []
    found = latest_runs(db, run)
    return found if len(found) >= TREND_FROM else []


def trend_charts(history: list[Run], run: CheckInRun, reader: Member) -> tuple[File, ...]:
    """A chart of each scale question's average over the latest runs, in `reader`'s words."""
    from bot.report.building import trend_chart

    _ = translator(reader.language)
    made = []
    scales = [q["text"] for q in run.questions if q["kind"] == "scale"]
    for number, question in enumerate(scales, start=1):
        chart = trend_chart(_, reader, history, question, f"checkin-trend-{run.id}-{number}.png")
        if chart is not None:
            made.append(chart)
    return tuple(made)


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
