"""What goes to other people about an opening, through the outbox in the same transaction as the
change: the channel post and its edits, and a message to each partner whose interests match."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from bot.members import Role
from bot.openings.queries import interest_of, is_full
from bot.openings.rules import News, Status, is_paused, send_at
from bot.openings.words import announcement, invitation
from bot.outbox import enqueue_channel, enqueue_dm, enqueue_edit, expire_unsent
from bot.settings import Settings
from storage.models import Member, MemberInterest, MemberRole, Opening


def announce(db: Session, settings: Settings, opening: Opening, now: datetime) -> int:
    """Post it in the announcements channel, if one is set, and invite the partners whose
    interests match. Returns how many partners were invited."""
    assert opening.id is not None
    channel = settings.announcements()
    if channel is not None:
        post = enqueue_channel(
            db, channel, announcement(db, settings, opening, now), now, f"opening.post:{opening.id}"
        )
        if post is not None:
            opening.announcement_id = post.id
            db.add(opening)
    return invite_matching(db, opening, now)


def invite_matching(db: Session, opening: Opening, now: datetime, only: int | None = None) -> int:
    """A message to each partner with a matching interest who has not paused, once per opening;
    someone in quiet hours gets it when those end, unless it has closed by then. With `only`,
    just that member, who has just added an interest to an opening already posted."""
    if not opening.tags:
        return 0
    partners = select(MemberRole.member_id).where(MemberRole.role == Role.PARTNER)
    query = (
        select(Member, MemberInterest.tag)
        .join(MemberInterest, col(MemberInterest.member_id) == col(Member.id))
        .where(col(MemberInterest.tag).in_(opening.tags), col(Member.id).in_(partners))
        .where(col(Member.consent_given_at).is_not(None))  # an invitation goes only after an OK
        .where(col(Member.id) != opening.posted_by, col(Member.left_at).is_(None))
        .where(col(Member.openings_news) == News.EACH)  # the others: a weekly digest, or nothing
        .order_by(col(Member.id), col(MemberInterest.tag))
    )
    if only is not None:
        query = query.where(col(Member.id) == only)
    rows = db.exec(query).all()
    matches: dict[int, tuple[Member, list[str]]] = {}
    for member, tag in rows:
        assert member.id is not None
        matches.setdefault(member.id, (member, []))[1].append(tag)
    invited = 0
    for member_id, (member, tags) in matches.items():
        due = send_at(member, now)
        if is_paused(member, now) or due >= opening.closes_at:
            continue
        queued = enqueue_dm(
            db,
            member_id,
            invitation(opening, member, tags, added=only is not None),
            now,
            dedupe_key=invitation_key(opening.id, member_id),
            due_at=due,
            expires_at=opening.closes_at,  # no use once it has closed
        )
        invited += queued is not None
    return invited


def invite_to_open(db: Session, member_id: int, added: Iterable[str], now: datetime) -> int:
    """Someone who adds an interest hears of each opening still open that matches it, with the
    same rules as at posting: once per opening, after quiet hours, not while paused. Not for
    one that is full, or one they already said they are interested in."""
    new = set(added)
    if not new:
        return 0
    still = db.exec(
        select(Opening)
        .where(Opening.status == Status.OPEN, col(Opening.closes_at) > now)
        .order_by(col(Opening.id))
    ).all()
    invited = 0
    for opening in still:
        if new.isdisjoint(opening.tags) or is_full(db, opening) or interest_of(db, opening.id, member_id):
            continue
        invited += invite_matching(db, opening, now, only=member_id)
    return invited


def invitation_key(opening_id: int | None, member_id: int | None = None) -> str:
    """The dedupe key of an invitation to an opening; without `member_id`, the start of every
    invitation's key to it."""
    return f"opening.invite:{opening_id}:{'' if member_id is None else member_id}"


def invitations_expire(db: Session, opening: Opening, when: datetime) -> None:
    """Invitations not sent yet (still waiting for someone's quiet hours to end, or held up) are
    of use only until `when`: its closing time, or now when it closes early or is cancelled."""
    expire_unsent(db, invitation_key(opening.id), when)


def refresh_announcement(db: Session, settings: Settings, opening: Opening, now: datetime) -> None:
    """Edit the channel post to show how things stand now (places filled, closed, cancelled)."""
    if opening.announcement_id is not None:
        enqueue_edit(db, opening.announcement_id, announcement(db, settings, opening, now), now)
