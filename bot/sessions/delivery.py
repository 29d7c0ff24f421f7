"""Scheduled work for wellbeing sessions: posting the next week of a repeat, showing that
sign-up has closed, and reminders to everyone with a place. The database decides what is due
and a unique key per message makes a second one impossible, so a late, repeated or restarted
scheduler sends each once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import batches
from bot.checks import in_quiet_hours
from bot.outbox import enqueue_dm
from bot.sessions.notices import announce, refresh_announcement
from bot.sessions.rules import Seat, Status
from bot.sessions.words import reminder
from bot.settings import Settings
from storage.models import Member, Outbox, SessionSignup, WellbeingSession

# Reminders can be set up to 14 days ahead.
HORIZON = timedelta(days=14)


def tick(engine: Engine, settings: Settings, now: datetime) -> None:
    """Do everything about sessions that is due at `now`. Safe to call as often as you like."""
    with Session(engine) as db:
        close_signups(db, settings, now)
        announce_next(db, settings, now)
        db.commit()
    # Reminders to everyone signed up go a batch to a transaction, as check-in prompts do.
    batches.in_batches(engine, lambda db, after: remind(db, now, after or 0), batches.PAUSE)


def _queued(db: Session, key: str) -> bool:
    return db.exec(select(Outbox.id).where(Outbox.dedupe_key == key)).first() is not None


def announce_next(db: Session, settings: Settings, now: datetime) -> None:
    """Post each session not posted yet; of a weekly repeat, only the next one to come (the
    following week is posted when this one starts, so the channel is not filled at once)."""
    if settings.announcements() is None:
        return
    waiting = db.exec(
        select(WellbeingSession)
        .where(WellbeingSession.status == Status.SCHEDULED, col(WellbeingSession.announcement_id).is_(None))
        .where(WellbeingSession.signup_closes_at > now)
        .order_by(col(WellbeingSession.starts_at))
    ).all()
    for target in waiting:
        if target.series_id is not None:
            sooner = db.exec(
                select(WellbeingSession.id)
                .where(WellbeingSession.series_id == target.series_id, WellbeingSession.status == Status.SCHEDULED)
                .where(WellbeingSession.starts_at > now, WellbeingSession.starts_at < target.starts_at)
            ).first()
            if sooner is not None:
                continue
        try:
            with db.begin_nested():
                announce(db, settings, target, now)
        except IntegrityError:  # another process posted it a moment ago; it is saved there
            db.refresh(target)


def close_signups(db: Session, settings: Settings, now: datetime) -> None:
    """Edit the announcement once when sign-up closes, so nobody presses Sign up in vain."""
    closed = db.exec(
        select(WellbeingSession)
        .where(WellbeingSession.status == Status.SCHEDULED, col(WellbeingSession.announcement_id).is_not(None))
        .where(WellbeingSession.signup_closes_at <= now)
        .where(WellbeingSession.starts_at > now - timedelta(days=1))
    ).all()
    for target in closed:
        key = f"session.closed:{target.id}:{target.sequence}"
        if _queued(db, key):
            continue
        try:
            with db.begin_nested():
                refresh_announcement(db, settings, target, now, dedupe_key=key)
        except IntegrityError:
            pass  # another process did it a moment ago


def due_reminder(target: WellbeingSession, signup: SessionSignup, now: datetime) -> int | None:
    """The reminder due now, in minutes before the start, or None.

    Only the latest reminder whose time has come: one missed while the bot was stopped is not
    sent as well. Never one whose time was before the person got their place (or was told of a
    move), and never once the session has started.
    """
    if now >= target.starts_at:
        return None
    due = None
    for minutes in sorted(target.reminders, reverse=True):
        if target.starts_at - timedelta(minutes=minutes) <= now:
            due = minutes
    if due is None:
        return None
    at = target.starts_at - timedelta(minutes=due)
    if signup.confirmed_at is not None and at <= signup.confirmed_at:
        return None
    return due


def remind(db: Session, now: datetime, after: int = 0, limit: int | None = None) -> int | None:
    """The reminder due now to each person with a place, once. Looks at batches.BATCH sign-ups
    (or `limit`) after sign-up `after`; returns the last one looked at if there may be more, for
    the next batch (see `tick`), else None."""
    limit = limit or batches.BATCH
    rows = db.exec(
        select(SessionSignup, WellbeingSession, Member)
        .join(WellbeingSession, col(WellbeingSession.id) == col(SessionSignup.session_id))
        .join(Member, col(Member.id) == col(SessionSignup.member_id))
        .where(SessionSignup.status == Seat.CONFIRMED, WellbeingSession.status == Status.SCHEDULED)
        .where(WellbeingSession.starts_at > now, WellbeingSession.starts_at <= now + HORIZON)
        .where(col(Member.consent_given_at).is_not(None))  # a reminder is sent only after an OK
        .where(col(Member.left_at).is_(None))
        .where(col(SessionSignup.id) > after)
        .order_by(col(SessionSignup.id))
        .limit(limit)
    ).all()
    for signup, target, member in rows:
        due = due_reminder(target, signup, now)
        if due is None:
            continue
        if member.paused_until is not None and member.paused_until > now:
            continue
        if in_quiet_hours(now, member.timezone, member.quiet_start, member.quiet_end):
            continue  # tried again when they end, if it is still before the start
        # The sequence is in the key: a session that moves has its reminders planned again.
        key = f"{reminders_key(target)}{target.sequence}:{member.id}:{due}"
        if _queued(db, key):
            continue
        try:
            with db.begin_nested():
                # Of no use once the session has started: an outage does not make it late.
                enqueue_dm(
                    db, signup.member_id, reminder(target, member), now, dedupe_key=key, expires_at=target.starts_at
                )
        except IntegrityError:
            pass  # another process sent it a moment ago
    return rows[-1][0].id if len(rows) == limit else None


def reminders_key(target: WellbeingSession) -> str:
    """The start of the dedupe key of every reminder of this session (any time, any person)."""
    return f"session.remind:{target.id}:"
