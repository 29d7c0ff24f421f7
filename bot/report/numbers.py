"""The numbers behind `report`, counted in the database (group by) so that a year of weekly
check-ins for 10,000 members is read in a few queries, not row by row. No person's words and no
names are read here: only counts.

Definitions (docs/reports.md says the same for readers):
- A check-in run counts when it was sent in the period and has closed. Answered: answered at
  least one question (as `bot/checkins/summary.py` counts it). Response rate: answered / asked.
- A scale question's mean and spread are over the answers to it in that run; the spread is the
  standard deviation. With fewer than MIN_ANSWERS answers, neither is shown (one or two answers
  could be told apart, above all in an anonymous check-in).
- A run whose answers were deleted after the retention time still has its kept totals.
- Sessions: those that started in the period and were not cancelled.
- Openings: those posted in the period and not cancelled. Time to fill: from posting to the
  moment the last place was chosen; an opening closed with places left counts until it closed;
  one still open with places left has no time to fill yet.
- Fairness: over partners who are members now (not left, not erased)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from bot.checkins.rules import NOTE, Prompt, Visibility
from bot.checkins.summary import kept
from bot.members import Role
from bot.openings.fairness import records
from bot.openings.rules import Status as OpeningStatus
from bot.sessions.rules import Seat
from bot.sessions.rules import Status as SessionStatus
from storage.models import (
    AnonymousAnswer,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    Involvement,
    Member,
    MemberRole,
    Opening,
    OpeningInterest,
    SessionSignup,
    WellbeingSession,
)

MIN_ANSWERS = 3
_POINTS = [str(n) for n in range(1, 6)]


@dataclass
class Scale:
    text: str
    answers: int
    mean: float | None  # None when fewer than MIN_ANSWERS answered
    sd: float | None


@dataclass
class Run:
    id: int
    checkin_id: int
    name: str
    sent_at: datetime
    asked: int
    answered: int
    scales: list[Scale] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return 100 * self.answered / self.asked if self.asked else None


@dataclass
class SessionRow:
    title: str
    starts_at: datetime
    places: int
    signed_up: int
    waitlisted: int
    attended: int


@dataclass
class OpeningRow:
    title: str
    posted_at: datetime
    places: int
    interested: int
    selected: int
    days_to_fill: float | None


@dataclass
class Fairness:
    partners: int
    selections: int
    never_selected: int
    top_tenth: int  # how many partners make the most-involved tenth (rounded up)
    top_share: float | None  # percent of selections that went to them
    longest_wait_days: int | None  # among partners interested in the period
    counts: dict[int, int]  # times selected -> how many partners
    concentrated: bool


def checkin_runs(db: Session, start: datetime, end: datetime) -> list[Run]:
    runs = list(
        db.exec(
            select(CheckInRun)
            .where(CheckInRun.created_at >= start, CheckInRun.created_at < end)
            .where(col(CheckInRun.closed_at).is_not(None))
            .order_by(col(CheckInRun.created_at), col(CheckInRun.id))
        )
    )
    return counted(db, runs)


def latest_runs(db: Session, run: CheckInRun, most: int = 12) -> list[Run]:
    """The closed runs of `run`'s check-in up to it (itself included) that had answers: at most
    the `most` latest, oldest first. For the trend chart in the summary at close."""
    earlier = list(
        db.exec(
            select(CheckInRun)
            .where(CheckInRun.checkin_id == run.checkin_id, col(CheckInRun.closed_at).is_not(None))
            .where(CheckInRun.created_at <= run.created_at)
            .order_by(col(CheckInRun.created_at).desc(), col(CheckInRun.id).desc())
            .limit(most * 2)
        )
    )
    found = [r for r in counted(db, earlier[::-1]) if r.answered]
    return found[-most:]


def counted(db: Session, runs: list[CheckInRun]) -> list[Run]:
    """Each run's figures, counted in a few queries for all of them."""
    live = [r.id for r in runs if r.totals is None]
    asked = dict(
        db.exec(
            select(CheckInPrompt.run_id, func.count())
            .where(col(CheckInPrompt.run_id).in_(live), CheckInPrompt.status == Prompt.SENT)
            .group_by(col(CheckInPrompt.run_id))
        ).all()
    ) if live else {}
    named = [r.id for r in runs if r.totals is None and r.visibility != Visibility.ANONYMOUS]
    hidden = [r.id for r in runs if r.totals is None and r.visibility == Visibility.ANONYMOUS]
    answered: dict[int, int] = {}
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 5)
    if named:
        answered.update(
            db.exec(
                select(CheckInPrompt.run_id, func.count(distinct(CheckInAnswer.prompt_id)))
                .join(CheckInPrompt, col(CheckInPrompt.id) == col(CheckInAnswer.prompt_id))
                .where(col(CheckInPrompt.run_id).in_(named), CheckInPrompt.status == Prompt.SENT)
                .group_by(col(CheckInPrompt.run_id))
            ).all()
        )
        for run_id, position, value, count in db.exec(
            select(CheckInPrompt.run_id, CheckInAnswer.position, CheckInAnswer.value, func.count())
            .join(CheckInPrompt, col(CheckInPrompt.id) == col(CheckInAnswer.prompt_id))
            .where(col(CheckInPrompt.run_id).in_(named), col(CheckInAnswer.value).in_(_POINTS))
            .group_by(col(CheckInPrompt.run_id), col(CheckInAnswer.position), col(CheckInAnswer.value))
        ).all():
            counts[(run_id, position)][int(value) - 1] += count
    if hidden:
        for run_id, chosen in db.exec(
            select(CheckInPrompt.run_id, CheckInPrompt.answered_anonymously).where(
                col(CheckInPrompt.run_id).in_(hidden), CheckInPrompt.status == Prompt.SENT
            )
        ).all():
            if any(n != NOTE for n in chosen):
                answered[run_id] = answered.get(run_id, 0) + 1
        for run_id, position, value, count in db.exec(
            select(AnonymousAnswer.run_id, AnonymousAnswer.position, AnonymousAnswer.value, func.sum(AnonymousAnswer.count))
            .where(col(AnonymousAnswer.run_id).in_(hidden), col(AnonymousAnswer.value).in_(_POINTS))
            .group_by(col(AnonymousAnswer.run_id), col(AnonymousAnswer.position), col(AnonymousAnswer.value))
        ).all():
            counts[(run_id, position)][int(value) - 1] += int(count or 0)
    found = []
    for run in runs:
        assert run.id is not None
        if run.totals is not None:  # answers deleted after the retention time: its kept totals
            figures = kept(run.totals)
            row = Run(run.id, run.checkin_id, run.name, run.created_at, figures.asked, figures.answered)
            row.scales = [_scale(q.text, q.counts) for q in figures.questions if q.kind == "scale"]
        else:
            row = Run(run.id, run.checkin_id, run.name, run.created_at, asked.get(run.id, 0), answered.get(run.id, 0))
            row.scales = [
                _scale(q["text"], counts.get((run.id, position), [0] * 5))
                for position, q in enumerate(run.questions)
                if q["kind"] == "scale"
            ]
        found.append(row)
    return found


def _scale(text: str, counts: list[int]) -> Scale:
    total = sum(counts)
    if total < MIN_ANSWERS:
        return Scale(text, total, None, None)
    mean = sum(n * c for n, c in enumerate(counts, start=1)) / total
    sd = math.sqrt(sum(c * (n - mean) ** 2 for n, c in enumerate(counts, start=1)) / total)
    return Scale(text, total, mean, sd)


def sessions(db: Session, start: datetime, end: datetime) -> list[SessionRow]:
    held = list(
        db.exec(
            select(WellbeingSession)
            .where(WellbeingSession.starts_at >= start, WellbeingSession.starts_at < end)
            .where(WellbeingSession.status != SessionStatus.CANCELLED)
            .order_by(col(WellbeingSession.starts_at), col(WellbeingSession.id))
        )
    )
    ids = [s.id for s in held]
    seats: dict[tuple[int, str], int] = {}
    came: dict[int, int] = {}
    if ids:
        for session_id, status, count in db.exec(
            select(SessionSignup.session_id, SessionSignup.status, func.count())
            .where(col(SessionSignup.session_id).in_(ids))
            .group_by(col(SessionSignup.session_id), col(SessionSignup.status))
        ).all():
            seats[(session_id, status)] = count
        came = dict(
            db.exec(
                select(SessionSignup.session_id, func.count())
                .where(col(SessionSignup.session_id).in_(ids), col(SessionSignup.attended).is_(True))
                .group_by(col(SessionSignup.session_id))
            ).all()
        )
    return [
        SessionRow(
            s.title,
            s.starts_at,
            s.capacity,
            seats.get((s.id, Seat.CONFIRMED), 0),
            seats.get((s.id, Seat.WAITLISTED), 0),
            came.get(s.id, 0),
        )
        for s in held
        if s.id is not None
    ]


def openings(db: Session, start: datetime, end: datetime) -> list[OpeningRow]:
    posted = list(
        db.exec(
            select(Opening)
            .where(Opening.created_at >= start, Opening.created_at < end)
            .where(Opening.status != OpeningStatus.CANCELLED)
            .order_by(col(Opening.created_at), col(Opening.id))
        )
    )
    ids = [o.id for o in posted]
    interested: dict[int, int] = {}
    chosen: dict[int, tuple[int, datetime]] = {}
    if ids:
        interested = dict(
            db.exec(
                select(OpeningInterest.opening_id, func.count())
                .where(col(OpeningInterest.opening_id).in_(ids))
                .where(col(OpeningInterest.withdrawn_at).is_(None))
                .group_by(col(OpeningInterest.opening_id))
            ).all()
        )
        for opening_id, count, last in db.exec(
            select(Involvement.opening_id, func.count(), func.max(Involvement.selected_at))
            .where(col(Involvement.opening_id).in_(ids))
            .group_by(col(Involvement.opening_id))
        ).all():
            chosen[opening_id] = (count, last)
    rows = []
    for opening in posted:
        assert opening.id is not None
        count, last = chosen.get(opening.id, (0, None))
        filled_at = None
        if count >= opening.seats and last is not None:
            filled_at = last
        elif opening.status == OpeningStatus.CLOSED:
            filled_at = opening.closed_at or last
        days = None
        if filled_at is not None:
            days = max(0.0, (_aware(filled_at, opening.created_at) - opening.created_at).total_seconds() / 86400)
        rows.append(
            OpeningRow(opening.title, opening.created_at, opening.seats, interested.get(opening.id, 0), count, days)
        )
    return rows


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo is not None or like.tzinfo is None else at.replace(tzinfo=like.tzinfo)


# The flag: the most-involved tenth of partners had more than this share of the selections...
FLAG_SHARE = 50.0
# ...and there were at least this many times as many selections as people in that tenth, so
# that spreading them evenly would have given that tenth at most half.
FLAG_SPREAD = 2


def fairness(db: Session, start: datetime, end: datetime) -> Fairness:
    partners = {
        member_id: joined
        for member_id, joined in db.exec(
            select(Member.id, Member.created_at)
            .join(MemberRole, col(MemberRole.member_id) == col(Member.id))
            .where(MemberRole.role == Role.PARTNER)
            .where(col(Member.left_at).is_(None), col(Member.erased_at).is_(None))
        ).all()
    }
    found = records(db, start, end)
    selected = sorted((found[m].selected if m in found else 0 for m in partners), reverse=True)
    total = sum(selected)
    tenth = math.ceil(len(selected) / 10) if selected else 0
    share = 100 * sum(selected[:tenth]) / total if total else None
    counts: dict[int, int] = defaultdict(int)
    for times in selected:
        counts[min(times, 5)] += 1
    waiting = set(
        db.exec(
            select(OpeningInterest.member_id)
            .where(OpeningInterest.created_at >= start, OpeningInterest.created_at < end)
            .where(col(OpeningInterest.withdrawn_at).is_(None))
        ).all()
    ) & set(partners)
    longest = None
    for member_id in waiting:
        record = found.get(member_id)
        since = record.last if record is not None and record.last is not None else partners[member_id]
        days = max(0, (end - _aware(since, end)).days)
        longest = days if longest is None else max(longest, days)
    return Fairness(
        partners=len(selected),
        selections=total,
        never_selected=sum(1 for times in selected if times == 0),
        top_tenth=tenth,
        top_share=share,
        longest_wait_days=longest,
        counts=dict(counts),
        concentrated=share is not None and share > FLAG_SHARE and total >= FLAG_SPREAD * tenth,
    )
