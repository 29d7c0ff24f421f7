"""Alerts through the outbox, in the same transaction as their cause: raising one (to the
coordinators' channel, or to each coordinator), showing everywhere it was shown who took it or
finished it, telling the partner who will be in touch, and sending it again to every coordinator
and admin when nobody took it in time."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from bot.care.queries import due_again, posts_of
from bot.care.rules import CARERS, Reason
from bot.care.words import again, alert_message, taken_for_partner
from bot.members import AccountRef, find_account, members_with_role
from bot.notify import channel_reader, tell_coordinators
from bot.outbox import enqueue_dm, enqueue_edit
from bot.settings import Settings
from storage.models import Alert, Member

log = logging.getLogger(__name__)


def raise_alert(
    db: Session,
    settings: Settings,
    partner: Member,
    reason: Reason,
    now: datetime,
    message: str = "",
    tell_partner: bool = True,
    prompt_id: int | None = None,
    checkin: str = "",
    question: str = "",
    answer: str = "",
) -> Alert:
    """Record the alert and tell the coordinators. `alert.reached` says whether anyone could be
    told, so the partner is never promised what did not happen."""
    assert partner.id is not None
    alert = Alert(
        member_id=partner.id,
        reason=reason,
        prompt_id=prompt_id,
        checkin=checkin[:80],
        question=question[:300],
        answer=answer[:100],
        message=message,
        tell_partner=tell_partner,
        created_at=now,
    )
    db.add(alert)
    db.flush()
    name = partner.display_name
    shown = tell_coordinators(
        db, settings, lambda reader: alert_message(alert, name, reader), now, key=f"alert.{alert.id}"
    )
    alert.reached = bool(shown)
    db.add(alert)
    db.flush()
    return alert


def show_as_it_stands(db: Session, settings: Settings, alert: Alert, now: datetime) -> None:
    """Edit every post that showed the alert: who took it, or who finished it, and what
    coordinators can still do."""
    partner = db.get_one(Member, alert.member_id).display_name
    by_id = alert.done_by or alert.taken_by
    by = db.get_one(Member, by_id).display_name if by_id is not None else ""
    for post in posts_of(db, alert.id):
        assert post.id is not None
        reader = _reader(db, settings, post.platform, post.workspace, post.target_kind, post.target_id, now)
        enqueue_edit(db, post.id, alert_message(alert, partner, reader, by), now)


def _reader(
    db: Session, settings: Settings, platform: str, workspace: str, kind: str, target: str, now: datetime
) -> Member:
    """Who reads a post: the member it went to, or, in a channel, the service itself."""
    if kind == "dm":
        account = find_account(db, AccountRef(platform, workspace, target))
        if account is not None:
            return db.get_one(Member, account.member_id)
    return channel_reader(settings, now)


def tell_partner_taken(db: Session, alert: Alert, taker: Member, now: datetime) -> None:
    """The partner hears who will be in touch, once, unless they asked not to be told."""
    if not alert.tell_partner:
        return
    partner = db.get_one(Member, alert.member_id)
    enqueue_dm(
        db, alert.member_id, taken_for_partner(partner, taker.display_name), now, dedupe_key=f"alert.{alert.id}.taken"
    )


def send_again(engine: Engine, settings: Settings, now: datetime) -> None:
    """Alerts nobody took within ALERT_ESCALATE_MINUTES go to every coordinator and admin by
    direct message, once. Safe to call as often as anyone likes; one process wins each."""
    minutes = settings.alert_escalate_minutes
    with Session(engine) as db:
        due = due_again(db, now, minutes)
    for alert_id in due:
        with Session(engine) as db:
            claimed = db.execute(
                update(Alert)
                .where(col(Alert.id) == alert_id, col(Alert.escalated_at).is_(None), col(Alert.taken_at).is_(None))
                .values(escalated_at=now)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # taken a moment ago, or another process sent it
            alert = db.get_one(Alert, alert_id)
            partner = db.get_one(Member, alert.member_id).display_name
            people = {m.id: m for role in CARERS for m in members_with_role(db, role)}
            for member in people.values():
                assert member.id is not None
                enqueue_dm(
                    db, member.id, again(alert, partner, member, minutes), now, dedupe_key=f"alert.{alert_id}.again:{member.id}"
                )
            db.commit()
            log.info("alert %s sent again to %s people", alert_id, len(people))
