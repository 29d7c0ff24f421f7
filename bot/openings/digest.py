"""The weekly digest of openings, for partners who chose it in `profile` instead of a message
for each one: on DIGEST_DAY at DIGEST_TIME in their own time zone, moved out of quiet hours.

It holds the openings posted in the week before that moment which match their interests and
are still open, not full, and not already sent to them or answered. Nothing to tell: no
message. Safe to run on every beat: one digest per person per week (an outbox dedupe key)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import Reply
from bot.feature import Asked
from bot.members import Role, interests_of
from bot.openings.notices import invitation_key
from bot.openings.queries import filled, interest_of
from bot.openings.rules import News, Status, is_paused, send_at
from bot.openings.words import digest
from bot.outbox import enqueue_dm
from bot.settings import WEEKDAYS, Settings
from bot.turn import Turn
from bot.words import N_
from storage.models import Member, MemberRole, Opening, Outbox, ServiceSetting

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)


DIGEST_KEY = "openings.digest"
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm)?$")


def digest_when(db: Session, settings: Settings) -> tuple[str, str]:
    """The digest's day and time: as coordinators set them (`openings digest`), else DIGEST_DAY
    and DIGEST_TIME."""
    chosen = db.get(ServiceSetting, DIGEST_KEY)
    if chosen is not None:
        day, _sep, at = chosen.value.partition(" ")
        return day, at
    return settings.digest_day, settings.digest_time


def latest_digest_time(day_and_time: tuple[str, str], zone: str, now: datetime) -> datetime:
    """The latest digest day at the digest time in this time zone that is not after `now`."""
    digest_day, digest_time = day_and_time
    here = ZoneInfo(zone)
    local = now.astimezone(here)
    hours, minutes = (int(part) for part in digest_time.split(":"))
    day = local.date() - timedelta(days=(local.weekday() - WEEKDAYS.index(digest_day)) % 7)
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
    moment = latest_digest_time(digest_when(db, settings), member.timezone, now)
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
            select(Outbox.id).where(Outbox.dedupe_key == invitation_key(opening.id, member.id))
        ).first()
        taken = filled(db, opening.id)
        if sent is None and taken < opening.seats:
            found.append((opening, taken))
    if not found:
        return False
    # Of no use once every opening in it has closed.
    expires = max(opening.closes_at for opening, _taken in found)
    queued = enqueue_dm(db, member.id, digest(member, found), now, dedupe_key=key, due_at=due, expires_at=expires)
    return queued is not None


def read_day_and_time(text: str) -> tuple[str, str]:
    """"monday 9am", "Fri 14:30": a day of the week and a time of day, or Refusal."""
    day = at = None
    for word in text.lower().replace(",", " ").split():
        found = [d for d in WEEKDAYS if len(word) >= 3 and d.startswith(word.removesuffix("s"))]
        clock = _TIME.match(word)
        if found:
            day = found[0]
        elif clock and (clock[2] or clock[3]):
            hours, minutes = int(clock[1]), int(clock[2] or 0)
            if clock[3]:
                hours = hours % 12 + (12 if clock[3] == "pm" else 0) if 1 <= hours <= 12 else 99
            if hours < 24 and minutes < 60:
                at = f"{hours:02d}:{minutes:02d}"
    if day is None or at is None:
        raise Refusal("Please give a day and a time, like: openings digest monday 09:00.")
    return day, at


def digest_setting(turn: Turn, asked: Asked) -> Reply:
    """`openings digest`: when the weekly digest goes out; with a day and a time, a coordinator
    changes it for everyone who chose the digest."""
    _ = turn._
    if asked.text.strip():
        day, at = read_day_and_time(asked.text)
        chosen = turn.db.get(ServiceSetting, DIGEST_KEY) or ServiceSetting(key=DIGEST_KEY, value="")
        chosen.value, chosen.changed_by, chosen.changed_at = f"{day} {at}", turn.member.id, turn.now
        turn.db.add(chosen)
        lead = _("Done.")
    else:
        day, at = digest_when(turn.db, turn.settings)
        lead = _("The weekly digest of openings:")
    return turn.say(
        lead, " ", _("It goes out {when}, in each partner's own time.", when=_(DAY_WORDS[day], time=at))
    )


DAY_WORDS = {
    "monday": N_("on Mondays at {time}"),
    "tuesday": N_("on Tuesdays at {time}"),
    "wednesday": N_("on Wednesdays at {time}"),
    "thursday": N_("on Thursdays at {time}"),
    "friday": N_("on Fridays at {time}"),
    "saturday": N_("on Saturdays at {time}"),
    "sunday": N_("on Sundays at {time}"),
}
