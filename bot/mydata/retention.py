"""Keep only what is needed: check-in answers, notes and alert notes older than RETENTION_DAYS
are deleted by the scheduled work, a batch to a transaction, so nobody waits behind it.

A check-in run is old once it closed that long ago. Before its answers go, its summary's totals
are kept on the run (how many were asked, answered, skipped and alerted, the spread of each
answer): its summary then shows those, without any words or names, and the change since last
time still counts it. Alerts stay (that someone was helped, and by whom) without the words:
what the partner wrote, the answer that raised it and the coordinator's note. The bot's own
copies of messages sent that long ago are emptied too (a summary holds notes): the row stays,
so a later edit of a post still finds the platform's message."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, String, cast, delete, func, or_, update
from sqlmodel import Session, col, select

from bot.checkins.summary import figures
from bot.settings import Settings
from storage.models import Alert, AnonymousAnswer, CheckInAnswer, CheckInPrompt, CheckInRun, Outbox

log = logging.getLogger(__name__)

BATCH = 500  # rows a statement; each batch is its own transaction


def forget_old(engine: Engine, settings: Settings, now: datetime) -> None:
    """Scheduled: delete what is older than RETENTION_DAYS. Safe to call as often as anyone likes."""
    cutoff = now - timedelta(days=settings.retention_days)
    runs = _keep_totals(engine, cutoff)
    old_runs = select(CheckInRun.id).where(col(CheckInRun.totals).is_not(None), _ended_before(cutoff))
    old_prompts = select(CheckInPrompt.id).where(col(CheckInPrompt.run_id).in_(old_runs))
    answers = _in_batches(engine, CheckInAnswer, col(CheckInAnswer.prompt_id).in_(old_prompts))
    anonymous = _in_batches(engine, AnonymousAnswer, col(AnonymousAnswer.run_id).in_(old_runs))
    notes = _emptied(
        engine,
        CheckInPrompt,
        (col(CheckInPrompt.run_id).in_(old_runs), CheckInPrompt.note != ""),
        {"note": ""},
    )
    alerts = _emptied(
        engine,
        Alert,
        (
            Alert.created_at < cutoff,
            or_(Alert.message != "", Alert.done_note != "", Alert.answer != "", Alert.question != ""),
        ),
        {"message": "", "done_note": "", "answer": "", "question": ""},
    )
    sent = _emptied(
        engine, Outbox, (col(Outbox.sent_at) < cutoff, cast(col(Outbox.body), String) != "{}"), {"body": {}}
    )
    if runs or answers or anonymous or notes or alerts or sent:
        log.info(
            "kept only totals: %s runs; deleted %s answers, %s anonymous answers, %s notes, %s alert notes, "
            "the copies of %s messages sent",
            runs,
            answers,
            anonymous,
            notes,
            alerts,
            sent,
        )


def _ended_before(cutoff: datetime):  # noqa: ANN202
    return func.coalesce(col(CheckInRun.closed_at), col(CheckInRun.created_at)) < cutoff


def _keep_totals(engine: Engine, cutoff: datetime) -> int:
    """Keep the totals of each old run that has none kept yet, a run to a transaction."""
    with Session(engine) as db:
        ids = list(
            db.exec(
                select(CheckInRun.id)
                .where(col(CheckInRun.totals).is_(None), _ended_before(cutoff))
                .order_by(col(CheckInRun.id))
            )
        )
    for run_id in ids:
        with Session(engine) as db:
            run = db.get_one(CheckInRun, run_id)
            if run.totals is not None:
                continue
            numbers = figures(db, run)
            for question in numbers.questions:
                question.written = []
            numbers.notes = []
            run.totals = asdict(numbers)
            db.add(run)
            db.commit()
    return len(ids)


def _in_batches(engine: Engine, table: type, where) -> int:  # noqa: ANN001
    """Delete the rows `where` picks, BATCH at a time."""
    done = 0
    while True:
        with Session(engine) as db:
            ids = list(db.exec(select(table.id).where(where).order_by(table.id).limit(BATCH)))
            if not ids:
                return done
            db.execute(delete(table).where(col(table.id).in_(ids)))
            db.commit()
        done += len(ids)


def _emptied(engine: Engine, table: type, where: tuple, values: dict[str, Any]) -> int:
    """Empty the words in the rows `where` picks, BATCH at a time."""
    done = 0
    while True:
        with Session(engine) as db:
            ids = list(db.exec(select(table.id).where(*where).order_by(table.id).limit(BATCH)))
            if not ids:
                return done
            db.execute(update(table).where(col(table.id).in_(ids)).values(**values))
            db.commit()
        done += len(ids)
