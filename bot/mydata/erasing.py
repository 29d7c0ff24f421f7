"""Erasing a member's data, in one transaction, and what is kept.

The `member` row stays as a pseudonymous shell ("Former member 7"): its name, settings and
accounts go, so the next message from that person is a new first contact, but the rows that
must stay still point at it: the record of paid work (`involvement`, and the selected interest
behind it, its notes emptied), which finance must keep; and what they did for others (alerts
they took, openings they posted, sessions they ran, roles they granted). Everything else about
them is deleted: check-in prompts, answers and notes, sign-ups and their notes, interests in
openings, alerts about them and the posts that showed those alerts, unfinished forms, roles,
interests, and every direct message to them, sent or not.

An `erasure` row records that it happened, who did it and when; never their name or words.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.members import Role, find_account, lock_admins, roles_of
from bot.mydata.queries import holding_signups
from bot.openings.notices import refresh_announcement as refresh_opening
from bot.openings.rules import Status as OpeningStatus
from bot.outbox import direct_messages
from bot.sessions.notices import refresh_announcement as refresh_session
from bot.sessions.queries import lock
from bot.sessions.rules import Seat
from bot.sessions.rules import Status as SessionStatus
from bot.sessions.seats import free_seat
from bot.settings import Settings
from bot.words import N_, translator
from storage.models import (
    Account,
    Alert,
    CheckInAnswer,
    CheckInPrompt,
    Erasure,
    FormDraft,
    LinkCode,
    LinkTry,
    Member,
    MemberInterest,
    MemberRole,
    Opening,
    OpeningInterest,
    Outbox,
    SessionSignup,
    WellbeingSession,
)

log = logging.getLogger(__name__)

PSEUDONYM = N_("Former member {number}")


def pseudonym(settings: Settings, member_id: int | None) -> str:
    """The name the kept record of paid work carries, in the service's own language."""
    return translator(settings.default_language)(PSEUDONYM, number=member_id)


def may_erase(db: Session, settings: Settings, target: Member) -> None:
    """Refuse what would leave the service without an admin."""
    if target.id is None or Role.ADMIN not in roles_of(db, target.id):
        return
    for ref in settings.admin_accounts():
        account = find_account(db, ref)
        if account is not None and account.member_id == target.id:
            return  # the ADMINS setting makes them admin again when they next write
    if lock_admins(db) <= {target.id}:
        raise Refusal("{name} is the only admin. Make someone else an admin first.", name=target.display_name)


def erase(db: Session, settings: Settings, target: Member, now: datetime, by: Member | None = None) -> str:
    """Erase everything about `target` but the record of paid work; return the pseudonym it now
    carries. `by` is the admin who did it at their request (None: they did it themselves)."""
    member_id = target.id
    assert member_id is not None
    may_erase(db, settings, target)
    name = pseudonym(settings, member_id)
    _stop_messages(db, member_id)
    _alerts(db, member_id)
    prompts = select(CheckInPrompt.id).where(CheckInPrompt.member_id == member_id)
    db.execute(delete(CheckInAnswer).where(col(CheckInAnswer.prompt_id).in_(prompts)))
    db.execute(delete(CheckInPrompt).where(col(CheckInPrompt.member_id) == member_id))
    _signups(db, settings, member_id, now)
    _interests(db, settings, member_id, now)
    db.execute(
        update(WellbeingSession).where(col(WellbeingSession.facilitator_id) == member_id).values(facilitator_name=name)
    )
    accounts = select(Account.id).where(Account.member_id == member_id)
    db.execute(delete(LinkTry).where(col(LinkTry.account_id).in_(accounts)))
    for table in (FormDraft, MemberInterest, MemberRole, LinkCode, Account):
        db.execute(delete(table).where(col(table.member_id) == member_id))
    target.display_name = name
    target.name_changed_at = None
    target.timezone = settings.default_timezone
    target.language = settings.default_language
    target.quiet_start = target.quiet_end = None
    target.paused_until = target.checkins_paused_until = None
    target.checkins_off = False
    target.openings_news = "each"
    target.consent_shown_at = target.consent_given_at = target.consent_refused_at = None
    target.dm_platform = None
    target.left_at = None
    target.erased_at = now
    db.add(target)
    db.add(
        Erasure(
            member_pseudonym=name,
            erased_by_member_id=by.id if by is not None else None,
            erased_at=now,
            on_request=by is not None,
        )
    )
    db.flush()
    log.info("member %s erased%s", member_id, " by an admin" if by is not None else "")
    return name


def _stop_messages(db: Session, member_id: int) -> None:
    """Every direct message to them, sent or not: the bot's copy holds their words."""
    for platform, workspace, user_id in direct_messages(db, member_id):
        mine = (
            col(Outbox.platform) == platform,
            col(Outbox.workspace) == workspace,
            col(Outbox.target_kind) == "dm",
            col(Outbox.target_id) == user_id,
        )
        db.execute(delete(Outbox).where(*mine, col(Outbox.edit_of).is_not(None)))
        db.execute(delete(Outbox).where(*mine))


def _alerts(db: Session, member_id: int) -> None:
    """Alerts about them, and the bot's copies of the posts that showed them to coordinators."""
    ids = list(db.exec(select(Alert.id).where(Alert.member_id == member_id)))
    for alert_id in ids:
        posts = select(Outbox.id).where(
            or_(
                col(Outbox.dedupe_key).startswith(f"alert.{alert_id}:"),
                col(Outbox.dedupe_key).startswith(f"alert.{alert_id}."),
            )
        )
        found = list(db.exec(posts))
        if found:
            db.execute(delete(Outbox).where(col(Outbox.edit_of).in_(found)))
            db.execute(delete(Outbox).where(col(Outbox.id).in_(found)))
    db.execute(delete(Alert).where(col(Alert.member_id) == member_id))


def _signups(db: Session, settings: Settings, member_id: int, now: datetime) -> None:
    """Their sign-ups go; a place at a session still to come passes to the first waiting."""
    for signup in holding_signups(db, member_id):
        target = lock(db, signup.session_id)
        was = signup.status
        db.delete(signup)
        db.flush()
        if target.status == SessionStatus.SCHEDULED and target.starts_at > now:
            if was == Seat.CONFIRMED:
                free_seat(db, target, now)
            refresh_session(db, settings, target, now)
    db.execute(delete(SessionSignup).where(col(SessionSignup.member_id) == member_id))


def _interests(db: Session, settings: Settings, member_id: int, now: datetime) -> None:
    """Interests in openings go, but for a selection: that is part of the record of paid work,
    kept without its notes."""
    open_ones = list(
        db.exec(
            select(Opening)
            .join(OpeningInterest, col(OpeningInterest.opening_id) == col(Opening.id))
            .where(OpeningInterest.member_id == member_id, Opening.status == OpeningStatus.OPEN)
        )
    )
    db.execute(
        delete(OpeningInterest).where(
            col(OpeningInterest.member_id) == member_id, col(OpeningInterest.selected_at).is_(None)
        )
    )
    db.execute(
        update(OpeningInterest)
        .where(col(OpeningInterest.member_id) == member_id)
        .values(availability="", access_needs="", note="")
    )
    for opening in open_ones:
        refresh_opening(db, settings, opening, now)
