"""What check-ins put on a person's home page: a check-in waiting, and for coordinators the
alerts of the last week."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, func, select

from bot.checkins.rules import Prompt
from bot.conversation import Field, Span
from bot.members import Role
from bot.turn import Turn
from storage.models import CheckInAnswer, CheckInPrompt, CheckInRun, Member


def waiting(turn: Turn) -> list[Field]:
    answers = (
        select(func.count(CheckInAnswer.id))
        .where(CheckInAnswer.prompt_id == CheckInPrompt.id)
        .scalar_subquery()
    )
    rows = turn.db.exec(
        select(CheckInPrompt, CheckInRun)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .where(CheckInPrompt.member_id == turn.member.id, CheckInPrompt.status == Prompt.SENT)
        .where(col(CheckInPrompt.skipped_at).is_(None), CheckInPrompt.closes_at > turn.now)
        .where(col(CheckInRun.closed_at).is_(None))
        .where(answers == 0)
        .order_by(col(CheckInPrompt.closes_at))
    ).all()
    return [
        Field(
            turn._("Check-in waiting"),
            turn.spans(
                "{name}, open until {when}. It is in your messages.",
                name=run.name,
                when=turn.moment(prompt.closes_at),
            ),
        )
        for prompt, run in rows
    ]


def recent_alerts(turn: Turn) -> list[Field]:
    if not turn.is_(Role.COORDINATOR):
        return []
    rows = turn.db.exec(
        select(CheckInPrompt, CheckInRun, Member)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .join(Member, col(Member.id) == col(CheckInPrompt.member_id))
        .where(col(CheckInPrompt.alerted_at).is_not(None))
        .where(col(CheckInPrompt.alerted_at) > turn.now - timedelta(days=7))
        .order_by(col(CheckInPrompt.alerted_at).desc())
        .limit(10)
    ).all()
    if not rows:
        return []
    spans: list[Span] = []
    for prompt, run, member in rows:
        assert prompt.alerted_at is not None
        if spans:
            spans.append("; ")
        spans += turn.spans(
            "{name} ({checkin}), {when}",
            name=member.display_name,
            checkin=run.name,
            when=turn.moment(prompt.alerted_at),
        )
    return [Field(turn._("Alerts this week"), tuple(spans))]
