"""The summary coordinators get when a run closes: who was asked, who answered, the spread of
each answer and its change since the previous run, alerts, and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.checkins.rules import Prompt
from bot.conversation import Field, Message, Span, fill
from bot.notify import tell_coordinators
from bot.settings import Settings
from bot.turn import moment_for
from bot.words import Translate, translator
from storage.models import CheckInAnswer, CheckInPrompt, CheckInRun, Member


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
    prompts = db.exec(
        select(CheckInPrompt).where(CheckInPrompt.run_id == run.id, CheckInPrompt.status == Prompt.SENT)
    ).all()
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
                (names[owner[a.prompt_id]] if run.named else "", a.value)
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
        notes=[(names[p.member_id] if run.named else "", p.note) for p in prompts if p.note],
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


def summary_message(run: CheckInRun, numbers: Figures, reader: Member) -> Message:
    _ = translator(reader.language)
    lead: tuple[Span, ...] = fill(
        _(
            "Check-in summary: {name}, sent {when}. Asked {asked}, answered {answered}, skipped {skipped}. Alerts: {alerts}."
        ),
        name=run.name,
        when=moment_for(reader, run.created_at),
        asked=str(numbers.asked),
        answered=str(numbers.answered),
        skipped=str(numbers.skipped),
        alerts=str(numbers.alerts),
    )
    fields = [Field(q.text, (_describe(q, _),)) for q in numbers.questions]
    if numbers.notes:
        fields.append(Field(_("Notes"), ("; ".join(_named(name, words) for name, words in numbers.notes),)))
    return Message(lead, fields=tuple(fields))


def _describe(question: QuestionFigures, tr: Translate) -> str:
    if question.kind == "scale":
        spread = ", ".join(
            f"{n} {label}: {count}"
            for n, (label, count) in enumerate(zip(question.labels, question.counts, strict=True), start=1)
        )
        if question.average is None:
            return spread + ". " + tr("No answers yet.")
        text = spread + ". " + tr("Average {average}.", average=f"{question.average:.1f}")
        if question.change is not None:
            if abs(question.change) < 0.05:
                text += " " + tr("The same as last time.")
            elif question.change > 0:
                text += " " + tr("Up {change} since last time.", change=f"{question.change:.1f}")
            else:
                text += " " + tr("Down {change} since last time.", change=f"{-question.change:.1f}")
        return text
    if question.kind == "yesno":
        return tr("Yes: {yes}. No: {no}.", yes=question.counts[0], no=question.counts[1])
    if not question.written:
        return tr("No answers yet.")
    return "; ".join(_named(name, words) for name, words in question.written)


def _named(name: str, words: str) -> str:
    return f"{name}: {words}" if name else words


def send_summary(db: Session, settings: Settings, run: CheckInRun, now: datetime) -> None:
    numbers = figures(db, run)
    tell_coordinators(
        db,
        settings,
        lambda reader: summary_message(run, numbers, reader),
        now,
        key=f"checkin.summary:{run.id}",
    )


def latest_summary(db: Session, checkin_id: int, period: str = "") -> tuple[CheckInRun, Figures] | None:
    query = select(CheckInRun).where(CheckInRun.checkin_id == checkin_id)
    if period:
        query = query.where(CheckInRun.period == period)
    else:
        query = query.where(col(CheckInRun.closed_at).is_not(None))
    run = db.exec(query.order_by(col(CheckInRun.created_at).desc())).first()
    return (run, figures(db, run)) if run else None
