"""The figures behind the summary coordinators get when a run closes: who was asked, who
answered, the spread of each answer and its change since the previous run, alerts, and notes
(bot/checkins/words.py writes them out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from bot.checkins.rules import NOTE, Prompt, Visibility
from storage.models import AnonymousAnswer, CheckInAnswer, CheckInPrompt, CheckInRun, Member


@dataclass
class QuestionFigures:
    text: str
    kind: str
    labels: list[str]
    # Scale: how many chose 1..5. Yes/no: [yes, no]. Text: empty.
    counts: list[int]
    average: float | None = None
    change: float | None = None  # against the previous run's average for the same question
    written: list[tuple[str, str]] = field(default_factory=list)  # (name or "", words)


@dataclass
class Figures:
    asked: int
    answered: int
    skipped: int
    alerts: int
    questions: list[QuestionFigures]
    notes: list[tuple[str, str]]


def figures(db: Session, run: CheckInRun, compare: bool = True) -> Figures:
    if run.totals is not None:  # its answers were deleted after RETENTION_DAYS: totals only
        return kept(run.totals)
    prompts = db.exec(
        select(CheckInPrompt).where(CheckInPrompt.run_id == run.id, CheckInPrompt.status == Prompt.SENT)
    ).all()
    if run.visibility == Visibility.ANONYMOUS:
        return _anonymous(db, run, list(prompts), compare)
    ids = [p.id for p in prompts]
    answers = db.exec(select(CheckInAnswer).where(col(CheckInAnswer.prompt_id).in_(ids))).all()
    names = {
        m.id: m.display_name
        for m in db.exec(select(Member).where(col(Member.id).in_([p.member_id for p in prompts])))
    }
    owner = {p.id: p.member_id for p in prompts}
    answered = {a.prompt_id for a in answers}
    questions = []
    for position, question in enumerate(run.questions):
        values = [a for a in answers if a.position == position]
        figures_ = QuestionFigures(question["text"], question["kind"], question.get("labels", []), [])
        if question["kind"] == "scale":
            points = [int(a.value) for a in values]
            figures_.counts = [points.count(n) for n in range(1, 6)]
            figures_.average = sum(points) / len(points) if points else None
        elif question["kind"] == "yesno":
            figures_.counts = [sum(a.value == "yes" for a in values), sum(a.value == "no" for a in values)]
        else:
            figures_.written = [
                (names[owner[a.prompt_id]] if run.visibility == Visibility.NAMED else "", a.value)
                for a in sorted(values, key=lambda a: a.id or 0)
            ]
        questions.append(figures_)
    if compare:
        _compare(db, run, questions)
    return Figures(
        asked=len(prompts),
        answered=len(answered),
        skipped=sum(1 for p in prompts if p.skipped_at is not None and p.id not in answered),
        alerts=sum(1 for p in prompts if p.alerted_at is not None),
        questions=questions,
        notes=[(names[p.member_id] if run.visibility == Visibility.NAMED else "", p.note) for p in prompts if p.note],
    )


def kept(totals: dict[str, Any]) -> Figures:
    """The figures kept on a run whose answers are gone (bot/mydata/retention.py)."""
    questions = [QuestionFigures(**q) for q in totals["questions"]]
    return Figures(**{**totals, "questions": questions})


def _anonymous(db: Session, run: CheckInRun, prompts: list[CheckInPrompt], compare: bool) -> Figures:
    """The same figures from an anonymous run's counts and unnamed words."""
    kept = db.exec(select(AnonymousAnswer).where(AnonymousAnswer.run_id == run.id).order_by(col(AnonymousAnswer.id)))
    by_position: dict[int, list[AnonymousAnswer]] = {}
    for row in kept:
        by_position.setdefault(row.position, []).append(row)
    questions = []
    for position, question in enumerate(run.questions):
        rows = by_position.get(position, [])
        count = {row.value: 0 for row in rows}
        for row in rows:
            count[row.value] += row.count
        figures_ = QuestionFigures(question["text"], question["kind"], question.get("labels", []), [])
        if question["kind"] == "scale":
            figures_.counts = [count.get(str(n), 0) for n in range(1, 6)]
            total = sum(figures_.counts)
            figures_.average = sum(n * c for n, c in enumerate(figures_.counts, start=1)) / total if total else None
        elif question["kind"] == "yesno":
            figures_.counts = [count.get("yes", 0), count.get("no", 0)]
        else:
            figures_.written = [("", row.value) for row in rows]
        questions.append(figures_)
    if compare:
        _compare(db, run, questions)
    answered = {p.id for p in prompts if [n for n in p.answered_anonymously if n != NOTE]}
    return Figures(
        asked=len(prompts),
        answered=len(answered),
        skipped=sum(1 for p in prompts if p.skipped_at is not None and p.id not in answered),
        alerts=0,
        questions=questions,
        notes=[("", row.value) for row in by_position.get(NOTE, [])],
    )


def _compare(db: Session, run: CheckInRun, questions: list[QuestionFigures]) -> None:
    """Change since the previous closed run, for scale questions asked the same way."""
    previous = db.exec(
        select(CheckInRun)
        .where(CheckInRun.checkin_id == run.checkin_id, col(CheckInRun.closed_at).is_not(None))
        .where(CheckInRun.created_at < run.created_at)
        .order_by(col(CheckInRun.created_at).desc())
    ).first()
    if previous is None:
        return
    before = figures(db, previous, compare=False).questions
    for now_q, then_q in zip(questions, before, strict=False):
        if now_q.kind == "scale" and then_q.kind == "scale" and now_q.text == then_q.text:
            if now_q.average is not None and then_q.average is not None:
                now_q.change = now_q.average - then_q.average


def latest_summary(db: Session, checkin_id: int, period: str = "") -> tuple[CheckInRun, Figures] | None:
    query = select(CheckInRun).where(CheckInRun.checkin_id == checkin_id)
    if period:
        query = query.where(CheckInRun.period == period)
    else:
        query = query.where(col(CheckInRun.closed_at).is_not(None))
    run = db.exec(query.order_by(col(CheckInRun.created_at).desc())).first()
    return (run, figures(db, run)) if run else None
