"""The weekly digest of openings, for partners who chose it in `profile` instead of a message
for each one: on DIGEST_DAY at DIGEST_TIME in their own time zone, moved out of quiet hours.

It holds the openings posted in the week before that moment which match their interests and
are still open, not full, and not already sent to them or answered. Nothing to tell: no
message. Safe to run on every beat: one digest per person per week (an outbox dedupe key)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.members import Role, interests_of
from bot.openings.queries import filled, interest_of
from bot.openings.rules import News, Status, is_paused, send_at
from bot.openings.words import digest
from bot.outbox import enqueue_dm
from bot.settings import WEEKDAYS, Settings
from storage.models import Member, MemberRole, Opening, Outbox

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)


def latest_digest_time(settings: Settings, zone: str, now: datetime) -> datetime:
    """The latest DIGEST_DAY at DIGEST_TIME in this time zone that is not after `now`."""
    here = ZoneInfo(zone)
    local = now.astimezone(here)
    hours, minutes = (int(part) for part in settings.digest_time.split(":"))
    day = local.date() - timedelta(days=(local.weekday() - WEEKDAYS.index(settings.digest_day)) % 7)
    at = datetime.combine(day, time(hours, minutes), here)
    if at > now:
        at = datetime.combine(day - WEEK, time(hours, minutes), here)
    return at.astimezone(UTC)


def send_digests(engine: Engine, settings: Settings, now: datetime) -> None:
    """Queue this week's digest for each partner who chose one and has something to hear."""
    with Session(engine) as db:
        partners = select(MemberRole.member_id).where(MemberRole.role == Role.PARTNER)
        weekly = db.exec(
            select(Member.id)
            .where(col(Member.openings_news) == News.WEEKLY, col(Member.id).in_(partners))
            .where(col(Member.consent_given_at).is_not(None), col(Member.left_at).is_(None))
            .order_by(col(Member.id))
        ).all()
    for member_id in weekly:
        try:
            with Session(engine) as db:
                digest_for(db, settings, db.get_one(Member, member_id), now)
                db.commit()
        except Exception:  # one person's digest must not stop the others
            log.exception("the openings digest for member %s could not be queued", member_id)


def digest_for(db: Session, settings: Settings, member: Member, now: datetime) -> bool:
    """Queue this member's digest for the latest digest time, if it has anything in it and was
    not queued before. True if it was queued now."""
    assert member.id is not None
    if is_paused(member, now):
        return False  # as with an invitation: not while paused
    moment = latest_digest_time(settings, member.timezone, now)
    key = f"opening.digest:{member.id}:{moment.isoformat()}"
    if db.exec(select(Outbox.id).where(Outbox.dedupe_key == key)).first() is not None:
        return False
    tags = set(interests_of(db, member.id))
    if not tags:
        return False
    due = send_at(member, now)
    posted = db.exec(
        select(Opening)
        .where(Opening.status == Status.OPEN, col(Opening.closes_at) > due)
        .where(col(Opening.created_at) >= moment - WEEK, col(Opening.created_at) < moment)
        .where(col(Opening.posted_by) != member.id)
        .order_by(col(Opening.closes_at), col(Opening.id))
    ).all()
    found = []
    for opening in posted:
        if tags.isdisjoint(opening.tags) or interest_of(db, opening.id, member.id) is not None:
            continue
        sent = db.exec(
            select(Outbox.id).where(Outbox.dedupe_key == f"opening.invite:{opening.id}:{member.id}")
        ).first()
        taken = filled(db, opening.id)
        if sent is None and taken < opening.seats:
            found.append((opening, taken))
    if not found:
        return False
    return enqueue_dm(db, member.id, digest(member, found), now, dedupe_key=key, due_at=due) is not None
