"""Sending check-ins: runs, each member's prompt at their own local time, the one reminder,
and closing a run with its summary. The database decides what is due; the scheduler only
wakes this code, so a late or repeated tick sends nothing twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.batches import BATCH, PAUSE, in_batches
from bot.checkins.rules import Prompt, Schedule, candidate_days, occurs_on, stored_schedule, wall_time
from bot.checkins.words import prompt_buttons, prompt_message
from bot.checks import after_quiet_hours, in_quiet_hours
from bot.conversation import Message, fill
from bot.members import Role
from bot.outbox import enqueue_dm
from bot.settings import Settings
from bot.turn import moment_for
from bot.words import translator
from storage.models import (
    CheckIn,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    Member,
    MemberInterest,
    MemberRole,
)

log = logging.getLogger(__name__)

# Prompts (or reminders) made in one transaction. A fan-out to more partners goes on in the next
# transactions (the scheduler's), so no interaction waits long behind it, even on SQLite.
FILL_BATCH = BATCH
BATCH_PAUSE = PAUSE


def tick(engine: Engine, settings: Settings, now: datetime) -> None:
    """Do everything about check-ins that is due at `now`. Safe to call as often as you like."""
    with Session(engine) as db:
        ids = list(db.exec(select(CheckIn.id).where(col(CheckIn.deleted_at).is_(None))))
    for checkin_id in ids:

        def fill(db: Session, _more: bool | None, checkin_id: int | None = checkin_id) -> bool | None:
            return advance(db, settings, db.get_one(CheckIn, checkin_id), now).more or None

        try:
            # A big fan-out goes FILL_BATCH prompts to a transaction, with a pause between, so
            # nobody else waits long (on SQLite, a waiting writer gets its turn in the pause).
            if not in_batches(engine, fill, BATCH_PAUSE):
                return  # another process leads now, and goes on from here
        except Exception:  # one broken check-in must not stop the others
            log.exception("check-in %s could not advance", checkin_id)
    in_batches(engine, lambda db, after: remind(db, now, after or 0), BATCH_PAUSE)


def schedule_of(checkin: CheckIn) -> Schedule:
    weekdays = tuple(int(d) for d in checkin.weekdays.split(",") if d)
    return stored_schedule(checkin.schedule, weekdays, checkin.every_days, checkin.local_time, checkin.fixed_zone)


def audience(db: Session, checkin: CheckIn, without_prompt_in: int | None = None) -> list[Member]:
    """Partners who said OK to what the bot keeps, or those of them with one of the check-in's
    interest tags; only those with no prompt yet in run `without_prompt_in`, if given. Never
    someone who left."""
    query = (
        select(Member)
        .join(MemberRole, col(MemberRole.member_id) == col(Member.id))
        .where(MemberRole.role == Role.PARTNER, col(Member.consent_given_at).is_not(None))
        .where(col(Member.left_at).is_(None))
    )
    if checkin.audience_tags:
        tagged = select(MemberInterest.member_id).where(col(MemberInterest.tag).in_(checkin.audience_tags))
        query = query.where(col(Member.id).in_(tagged))
    if without_prompt_in is not None:
        prompted = select(CheckInPrompt.member_id).where(CheckInPrompt.run_id == without_prompt_in)
        query = query.where(col(Member.id).not_in(prompted))
    return list(db.exec(query.order_by(col(Member.id))))


def send_time(checkin: CheckIn, run: CheckInRun, member: Member) -> datetime:
    """When this member's prompt for this run goes out: the local time in their own zone (or
    the check-in's fixed zone), moved to the end of their quiet hours if it falls inside them."""
    if is_one_off(run):
        due = run.created_at
    else:
        zone = checkin.fixed_zone or member.timezone
        due = wall_time(date.fromisoformat(run.period), checkin.local_time, zone)
    return after_quiet_hours(due, member.timezone, member.quiet_start, member.quiet_end)


def is_one_off(run: CheckInRun) -> bool:
    """A run sent at once ("send now"), not at a local time."""
    return run.period.startswith("now:")


def one_off_period(now: datetime) -> str:
    return f"now:{now.isoformat(timespec='seconds')}"


def is_paused(member: Member, now: datetime) -> bool:
    return (
        member.checkins_off
        or (member.checkins_paused_until is not None and member.checkins_paused_until > now)
        or (member.paused_until is not None and member.paused_until > now)
    )


def start_run(db: Session, checkin: CheckIn, period: str, now: datetime) -> CheckInRun | None:
    """The run for this period, made if it is not there yet (once, whoever asks first)."""
    existing = db.exec(
        select(CheckInRun).where(CheckInRun.checkin_id == checkin.id, CheckInRun.period == period)
    ).first()
    if existing is not None:
        return existing
    assert checkin.id is not None
    run = CheckInRun(
        checkin_id=checkin.id,
        period=period,
        name=checkin.name,
        questions=checkin.questions,
        visibility=checkin.visibility,
        alert_level=checkin.alert_level,
        window_minutes=checkin.window_minutes,
        created_at=now,
    )
    try:
        with db.begin_nested():
            db.add(run)
            db.flush()
    except IntegrityError:
        return db.exec(
            select(CheckInRun).where(CheckInRun.checkin_id == checkin.id, CheckInRun.period == period)
        ).first()
    return run


@dataclass(frozen=True)
class Filled:
    """What advancing a check-in did: how many partners are due now who had no prompt (reached
    now, or in the next batches), and whether prompts are left for the next batch."""

    due: int = 0
    more: bool = False


def advance(db: Session, settings: Settings, checkin: CheckIn, now: datetime) -> Filled:
    """Start the runs that are due, and make the prompts due now: at most FILL_BATCH; if more
    are due, `more` says so and the next call (the scheduler's) makes the next batch."""
    window = timedelta(minutes=checkin.window_minutes)
    everyone: list[Member] | None = None  # loaded only if a new occurrence may be due
    if checkin.schedule != "once" and not checkin.paused:
        schedule = schedule_of(checkin)
        anchor = date.fromisoformat(checkin.anchor) if checkin.anchor else checkin.created_at.date()
        for day in candidate_days(now, window):
            if not occurs_on(schedule, day, anchor):
                continue
            period = day.isoformat()
            known = db.exec(
                select(CheckInRun.id).where(CheckInRun.checkin_id == checkin.id, CheckInRun.period == period)
            ).first()
            if known is None:
                everyone = audience(db, checkin) if everyone is None else everyone
                if not _anyone_due(checkin, period, everyone, now):
                    continue
            start_run(db, checkin, period, now)
    open_runs = db.exec(
        select(CheckInRun)
        .where(CheckInRun.checkin_id == checkin.id, col(CheckInRun.closed_at).is_(None))
        .order_by(col(CheckInRun.id))
    ).all()
    due, left = 0, FILL_BATCH
    for run in open_runs:
        people = audience(db, checkin, without_prompt_in=run.id)
        filled = fill_run(db, settings, checkin, run, people, now, left)
        due += filled.due
        left -= filled.made
    return Filled(due, left <= 0)


def _anyone_due(checkin: CheckIn, period: str, people: list[Member], now: datetime) -> bool:
    probe = CheckInRun(checkin_id=checkin.id or 0, period=period, name="", questions=[], created_at=now)
    window = timedelta(minutes=checkin.window_minutes)
    for member in people:
        at = send_time(checkin, probe, member)
        if checkin.active_since <= at <= now < at + window:
            return True
    return False


def fill_run(
    db: Session,
    settings: Settings,
    checkin: CheckIn,
    run: CheckInRun,
    people: list[Member],
    now: datetime,
    limit: int = FILL_BATCH,
) -> RunFilled:
    """Send the prompts that are due in this run, at most `limit`; close it once every window
    has closed."""
    window = timedelta(minutes=run.window_minutes)
    latest = db.exec(select(func.max(CheckInPrompt.closes_at)).where(CheckInPrompt.run_id == run.id)).one()
    last_close = latest if latest is not None else run.created_at
    sending = not checkin.paused and checkin.deleted_at is None
    due = made = 0
    for member in people if sending else []:
        at = send_time(checkin, run, member)
        if at < checkin.active_since and not is_one_off(run):
            continue
        last_close = max(last_close, at + window)
        if at > now or now >= at + window:
            continue  # not yet, or its window has closed: never send a closed one
        if not is_paused(member, now):
            due += 1
        if made >= limit:
            continue  # the next batch
        _prompt(db, run, member, at, now)  # None if another process made it a moment ago
        made += 1
    if now >= last_close:
        close_run(db, settings, run, now)
    return RunFilled(due, made)


@dataclass(frozen=True)
class RunFilled:
    due: int  # partners due now, with no prompt before, and not paused
    made: int  # prompts made now


def _prompt(
    db: Session, run: CheckInRun, member: Member, at: datetime, now: datetime
) -> CheckInPrompt | None:
    assert run.id is not None and member.id is not None
    closes = at + timedelta(minutes=run.window_minutes)
    # Halfway through the time the member really has: a prompt sent late (a missed tick) is not
    # followed at once by its reminder.
    start = max(at, now)
    prompt = CheckInPrompt(
        run_id=run.id,
        member_id=member.id,
        status=Prompt.PAUSED if is_paused(member, now) else Prompt.SENT,
        send_at=at,
        closes_at=closes,
        remind_at=start + (closes - start) / 2,
    )
    try:
        with db.begin_nested():
            db.add(prompt)
            db.flush()
    except IntegrityError:
        return None  # another process sent it a moment ago
    if prompt.status == Prompt.SENT:
        enqueue_dm(
            db,
            member.id,
            prompt_message(run, prompt, member, now),
            now,
            dedupe_key=f"checkin.prompt:{prompt.id}",
            expires_at=closes,  # a prompt after its window has closed cannot be answered
        )
    return prompt


def remind(db: Session, now: datetime, after: int = 0, limit: int | None = None) -> int | None:
    """At most one gentle reminder, halfway through, to those who neither answered nor skipped.

    Looks at FILL_BATCH prompts (or `limit`) after prompt `after`, in the order made; returns the
    last one looked at if there may be more, for the next batch (see `tick`), else None."""
    limit = limit or FILL_BATCH
    answered = select(CheckInAnswer.prompt_id)
    due = db.exec(
        select(CheckInPrompt, CheckInRun, Member)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .join(Member, col(Member.id) == col(CheckInPrompt.member_id))
        .join(CheckIn, col(CheckIn.id) == col(CheckInRun.checkin_id))
        .where(col(CheckIn.paused).is_(False), col(CheckIn.deleted_at).is_(None))  # "nothing more"
        .where(CheckInPrompt.status == Prompt.SENT)
        .where(col(CheckInPrompt.reminded_at).is_(None))
        .where(col(CheckInPrompt.skipped_at).is_(None))
        .where(CheckInPrompt.remind_at <= now, CheckInPrompt.closes_at > now)
        .where(col(CheckInPrompt.id).not_in(answered))
        .where(col(CheckInRun.closed_at).is_(None), col(Member.left_at).is_(None))
        .where(col(Member.consent_given_at).is_not(None))  # nothing unasked after a "no thanks"
        .where(col(CheckInPrompt.id) > after)
        .order_by(col(CheckInPrompt.id))
        .limit(limit)
    ).all()
    for prompt, run, member in due:
        if is_paused(member, now) or prompt.note:
            continue
        if in_quiet_hours(now, member.timezone, member.quiet_start, member.quiet_end):
            continue  # tried again when they end, if the check-in is still open then
        claimed = db.execute(
            update(CheckInPrompt)
            .where(col(CheckInPrompt.id) == prompt.id, col(CheckInPrompt.reminded_at).is_(None))
            .values(reminded_at=now)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        assert member.id is not None
        _ = translator(member.language)
        words = fill(
            _(
                "A gentle reminder: your check-in '{name}' is open until {when}. Answer if you'd like to. Skipping is fine too."
            ),
            name=run.name,
            when=moment_for(member, prompt.closes_at),
        )
        enqueue_dm(
            db,
            member.id,
            Message(words, buttons=prompt_buttons(run, prompt, member)),
            now,
            dedupe_key=f"checkin.remind:{prompt.id}",
            expires_at=prompt.closes_at,
        )
    return due[-1][0].id if len(due) == limit else None


def close_run(db: Session, settings: Settings, run: CheckInRun, now: datetime) -> None:
    from bot.checkins.notices import send_summary

    claimed = db.execute(
        update(CheckInRun)
        .where(col(CheckInRun.id) == run.id, col(CheckInRun.closed_at).is_(None))
        .values(closed_at=now)
    )
    if claimed.rowcount:  # type: ignore[attr-defined]
        db.refresh(run)
        send_summary(db, settings, run, now)
