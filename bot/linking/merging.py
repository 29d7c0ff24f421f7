"""Two members become one: every row that names the one who typed the code moves to the one who
asked for it, in the turn's one transaction. Where a unique key would make a row twice (a role
held twice, two places at one session, two prompts in one check-in run), the earlier is kept,
with anything only the other had, and the other goes. Nothing else is lost or doubled.

Every column that names a member is in MEMBER_COLUMNS; a test checks that none is missing, so a
new table cannot be forgotten here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col, delete, select

from bot.sessions.notices import refresh_announcement
from bot.sessions.queries import lock
from bot.sessions.rules import Seat
from bot.sessions.seats import free_seat
from bot.settings import Settings
from storage.models import (
    Alert,
    CheckInAnswer,
    CheckInPrompt,
    FormDraft,
    Involvement,
    LinkCode,
    Member,
    MemberInterest,
    MemberRole,
    OpeningInterest,
    SessionSignup,
)

Row = TypeVar("Row", bound=SQLModel)

# Every column that names a member, and what a merge does with it: "moved" (to the member kept),
# "one each" (moved, keeping one row where a unique key would make two), "dropped" (the other
# member's rows go: their link codes).
MEMBER_COLUMNS = {
    ("account", "member_id"): "moved",
    ("member_role", "member_id"): "one each",
    ("member_role", "granted_by"): "moved",
    ("member_interest", "member_id"): "one each",
    ("form_draft", "member_id"): "one each",
    ("link_code", "member_id"): "dropped",
    ("checkin", "created_by"): "moved",
    ("checkin_prompt", "member_id"): "one each",
    ("alert", "member_id"): "moved",
    ("alert", "taken_by"): "moved",
    ("alert", "done_by"): "moved",
    ("opening", "posted_by"): "moved",
    ("opening_interest", "member_id"): "one each",
    ("involvement", "member_id"): "one each",
    ("involvement", "paid_by"): "moved",
    ("expense", "member_id"): "moved",
    ("expense", "decided_by"): "moved",
    ("wellbeing_session", "facilitator_id"): "moved",
    ("wellbeing_session", "created_by"): "moved",
    ("session_signup", "member_id"): "one each",
    ("erasure", "erased_by_member_id"): "moved",
    ("service_setting", "changed_by"): "moved",
}

# A member's own settings: the older profile's are kept, all together.
SETTINGS = (
    "display_name",
    "name_changed_at",
    "timezone",
    "language",
    "quiet_start",
    "quiet_end",
    "paused_until",
    "checkins_paused_until",
    "checkins_off",
    "openings_news",
    "dm_platform",
)
# The answer to the notice of what is kept, and when it was shown.
CONSENT = ("consent_shown_at", "consent_given_at", "consent_refused_at")
# Times kept as the earliest of the two.
EARLIEST = ("created_at", "consent_shown_at")


def _latest_answer_to_the_notice(into: Member, gone: Member) -> None:
    """OK on one account and No thanks on the other: the later answer is the person's answer."""
    answers = [
        (when, said)
        for member in (into, gone)
        for when, said in ((member.consent_given_at, "ok"), (member.consent_refused_at, "no"))
        if when is not None
    ]
    if not answers:
        return
    when, said = max(answers)
    into.consent_given_at = when if said == "ok" else None
    into.consent_refused_at = when if said == "no" else None


def older(one: Member, other: Member) -> Member:
    return min(one, other, key=lambda m: (m.created_at, m.id or 0))


def merge(db: Session, settings: Settings, into: Member, gone: Member, now: datetime) -> None:
    """Make `gone` part of `into`, and delete `gone`. `into` keeps the older profile's settings."""
    assert into.id is not None and gone.id is not None and into.id != gone.id
    keep, drop = into.id, gone.id
    if older(into, gone) is gone:
        for name in SETTINGS:
            setattr(into, name, getattr(gone, name))
    for name in EARLIEST:
        times = [t for t in (getattr(into, name), getattr(gone, name)) if t is not None]
        setattr(into, name, min(times) if times else None)
    _latest_answer_to_the_notice(into, gone)
    db.add(into)
    db.flush()

    _one_each(db, MemberRole, keep, drop, lambda r: r.role, lambda r: (r.granted_at, r.id), _forget)
    _one_each(db, MemberInterest, keep, drop, lambda r: r.tag, _theirs_first(keep), _forget)
    _one_each(db, FormDraft, keep, drop, lambda r: r.form_id, _theirs_first(keep), _forget)
    _one_each(db, CheckInPrompt, keep, drop, lambda r: r.run_id, lambda r: (r.send_at, r.id), _join_prompts)
    _one_each(
        db, OpeningInterest, keep, drop, lambda r: r.opening_id, lambda r: (r.created_at, r.id), _join_interests
    )
    _one_each(
        db, Involvement, keep, drop, lambda r: r.opening_id, lambda r: (r.selected_at, r.id), _join_involvements
    )
    freed = _one_each(db, SessionSignup, keep, drop, lambda r: r.session_id, _best_place, _join_places)
    db.execute(delete(LinkCode).where(col(LinkCode.member_id) == drop))
    for (table_name, column), how in MEMBER_COLUMNS.items():
        if how != "dropped":
            table = SQLModel.metadata.tables[table_name]
            db.execute(update(table).where(table.c[column] == drop).values({column: keep}))
    db.flush()
    db.expire_all()
    for session_id in freed:  # both had a place: the second is given to the waitlist, or freed
        target = lock(db, session_id)
        free_seat(db, target, now)
        refresh_announcement(db, settings, target, now)
    db.delete(db.get_one(Member, drop))
    db.flush()


def _one_each(
    db: Session,
    model: type[Row],
    keep: int,
    drop: int,
    key: Callable[[Any], Any],
    order: Callable[[Any], Any],
    join: Callable[[Session, Any, Any], Any],
) -> list[Any]:
    """Where both members have a row with the same `key`, keep the first in `order` and `join`
    the other into it (which deletes it). Returns what the joins returned, where not None."""
    owner = model.member_id  # type: ignore[attr-defined]
    rows: Sequence[Any] = db.exec(select(model).where(col(owner).in_([keep, drop]))).all()
    first: dict[Any, Any] = {}
    found = []
    for row in sorted(rows, key=order):
        k = key(row)
        if k not in first:
            first[k] = row
            continue
        result = join(db, first[k], row)
        db.flush()
        if result is not None:
            found.append(result)
    return found


def _theirs_first(keep: int) -> Callable[[Any], Any]:
    """The kept member's row first (an interest, a draft: nothing says which came first)."""
    return lambda row: (row.member_id != keep, row.id)


def _forget(db: Session, _kept: Any, other: Any) -> None:
    db.delete(other)


def _join_prompts(db: Session, kept: CheckInPrompt, other: CheckInPrompt) -> None:
    """Two prompts in one run (one for each account, before they were linked): one prompt, with
    every answer; for a question both answered, the earlier answer."""
    mine = {a.position: a for a in db.exec(select(CheckInAnswer).where(CheckInAnswer.prompt_id == kept.id))}
    theirs = db.exec(select(CheckInAnswer).where(CheckInAnswer.prompt_id == other.id)).all()
    for answer in theirs:
        there = mine.get(answer.position)
        if there is not None and there.answered_at <= answer.answered_at:
            db.delete(answer)
            db.flush()
            continue
        if there is not None:
            db.delete(there)
            db.flush()
        answer.prompt_id = kept.id  # type: ignore[assignment]
        db.add(answer)
        db.flush()
    db.execute(update(Alert).where(col(Alert.prompt_id) == other.id).values(prompt_id=kept.id))
    if other.status == "sent":
        kept.status = "sent"
    kept.note = kept.note or other.note
    for name in ("reminded_at", "skipped_at", "alerted_at"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(other, name))
    kept.answered_anonymously = sorted(set(kept.answered_anonymously) | set(other.answered_anonymously))
    db.add(kept)
    db.flush()
    db.delete(other)


def _join_interests(db: Session, kept: OpeningInterest, other: OpeningInterest) -> None:
    """Interested twice in one opening: one interest, still standing if either was, selected if
    either was, with the words of both where one had none."""
    if other.withdrawn_at is None:
        kept.withdrawn_at = None
    kept.selected_at = kept.selected_at or other.selected_at
    kept.availability = kept.availability or other.availability
    kept.access_needs = kept.access_needs or other.access_needs
    kept.note = kept.note or other.note
    db.add(kept)
    db.delete(other)


def _join_involvements(db: Session, kept: Involvement, other: Involvement) -> None:
    if kept.hours_agreed is None:
        kept.hours_agreed = other.hours_agreed
    kept.payment_offered = kept.payment_offered or other.payment_offered
    kept.next_steps = kept.next_steps or other.next_steps
    db.add(kept)
    db.delete(other)


_PLACE_FIRST = {Seat.CONFIRMED: 0, Seat.WAITLISTED: 1, Seat.GIVEN_UP: 2}


def _best_place(row: SessionSignup) -> tuple[Any, ...]:
    """A confirmed place before a place on the waitlist, before one given up; then the earlier."""
    return (_PLACE_FIRST.get(Seat(row.status), 3), row.created_at, row.id)


def _join_places(db: Session, kept: SessionSignup, other: SessionSignup) -> int | None:
    """Two places at one session: one is kept. If both were confirmed, the session whose second
    place came free is returned."""
    kept.note = kept.note or other.note
    if kept.attended is None:
        kept.attended = other.attended
    db.add(kept)
    db.delete(other)
    both = kept.status == other.status == Seat.CONFIRMED
    return other.session_id if both else None
