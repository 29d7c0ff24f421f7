"""Everything the bot holds about one member, read in one place: what `mydata` shows and sends
as a file, and what `mydata erase` counts before it asks. Answers in anonymous check-ins are
not here: nothing links them to anyone. A coordinator's note on an alert is said to exist, not
shown: the form it was written in promised coordinators and admins only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.checkins.rules import Visibility
from bot.members import interests_of, roles_of
from bot.sessions.rules import Seat
from storage.models import (
    Account,
    Alert,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    Expense,
    FormDraft,
    Involvement,
    Member,
    Opening,
    OpeningInterest,
    SessionSignup,
    WellbeingSession,
)


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _clock(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def held_about(db: Session, member: Member) -> dict[str, Any]:
    """Everything held about `member`, as plain values (times in UTC, ISO 8601)."""
    return {
        "profile": _profile(db, member),
        "roles": sorted(roles_of(db, member.id)) if member.id is not None else [],
        "checkins": _checkins(db, member),
        "anonymous_checkins_answered": _anonymous(db, member),
        "session_signups": _signups(db, member),
        "opening_interests": _interests(db, member),
        "selections": _selections(db, member),
        "expenses": _expenses(db, member),
        "alerts": _alerts(db, member),
        "unfinished_forms": [
            {"form": d.form_id, "values": d.values, "updated_at": iso(d.updated_at)}
            for d in db.exec(select(FormDraft).where(FormDraft.member_id == member.id).order_by(col(FormDraft.id)))
        ],
    }


def _profile(db: Session, member: Member) -> dict[str, Any]:
    accounts = db.exec(select(Account).where(Account.member_id == member.id).order_by(col(Account.id)))
    return {
        "name": member.display_name,
        "time_zone": member.timezone,
        "language": member.language,
        "quiet_hours": (
            f"{_clock(member.quiet_start)}-{_clock(member.quiet_end)}" if member.quiet_start is not None else None
        ),
        "interests": interests_of(db, member.id) if member.id is not None else [],
        "messages_paused_until": iso(member.paused_until),
        "checkins_paused_until": iso(member.checkins_paused_until),
        "checkins_off": member.checkins_off,
        "openings_news": member.openings_news,
        "joined_at": iso(member.created_at),
        "welcome_shown_at": iso(member.consent_shown_at),
        "left_at": iso(member.left_at),
        "accounts": [
            {
                "platform": a.platform,
                "workspace": a.workspace,
                "user_id": a.user_id,
                "name": a.display_name,
                "last_seen_at": iso(a.last_seen_at),
            }
            for a in accounts
        ],
    }


def _checkins(db: Session, member: Member) -> list[dict[str, Any]]:
    rows = db.exec(
        select(CheckInPrompt, CheckInRun)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .where(CheckInPrompt.member_id == member.id, CheckInRun.visibility != Visibility.ANONYMOUS)
        .order_by(col(CheckInPrompt.send_at), col(CheckInPrompt.id))
    ).all()
    found = []
    for prompt, run in rows:
        answers = db.exec(
            select(CheckInAnswer).where(CheckInAnswer.prompt_id == prompt.id).order_by(col(CheckInAnswer.position))
        )
        found.append(
            {
                "checkin": run.name,
                "who_sees": run.visibility,
                "sent_at": iso(prompt.send_at),
                "skipped_at": iso(prompt.skipped_at),
                "note": prompt.note,
                "answers": [
                    {
                        "question": _question(run, a.position),
                        "answer": a.value,
                        "answered_at": iso(a.answered_at),
                    }
                    for a in answers
                ],
            }
        )
    return found


def _question(run: CheckInRun, position: int) -> str:
    return str(run.questions[position]["text"]) if 0 <= position < len(run.questions) else ""


def _anonymous(db: Session, member: Member) -> int:
    """How many anonymous check-ins they answered: only that, never what."""
    rows = db.exec(
        select(CheckInPrompt)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .where(CheckInPrompt.member_id == member.id, CheckInRun.visibility == Visibility.ANONYMOUS)
    ).all()
    return sum(1 for p in rows if p.answered_anonymously)


def _signups(db: Session, member: Member) -> list[dict[str, Any]]:
    rows = db.exec(
        select(SessionSignup, WellbeingSession)
        .join(WellbeingSession, col(WellbeingSession.id) == col(SessionSignup.session_id))
        .where(SessionSignup.member_id == member.id)
        .order_by(col(WellbeingSession.starts_at), col(SessionSignup.id))
    ).all()
    return [
        {
            "session": target.title,
            "starts_at": iso(target.starts_at),
            "status": signup.status,
            "note": signup.note,
            "signed_up_at": iso(signup.created_at),
            "cancelled_at": iso(signup.cancelled_at),
            "attended": signup.attended,
        }
        for signup, target in rows
    ]


def _interests(db: Session, member: Member) -> list[dict[str, Any]]:
    rows = db.exec(
        select(OpeningInterest, Opening)
        .join(Opening, col(Opening.id) == col(OpeningInterest.opening_id))
        .where(OpeningInterest.member_id == member.id)
        .order_by(col(OpeningInterest.created_at), col(OpeningInterest.id))
    ).all()
    return [
        {
            "opening": opening.title,
            "said_at": iso(interest.created_at),
            "availability": interest.availability,
            "access_needs": interest.access_needs,
            "note": interest.note,
            "withdrawn_at": iso(interest.withdrawn_at),
            "selected_at": iso(interest.selected_at),
        }
        for interest, opening in rows
    ]


def _selections(db: Session, member: Member) -> list[dict[str, Any]]:
    rows = db.exec(
        select(Involvement, Opening)
        .join(Opening, col(Opening.id) == col(Involvement.opening_id))
        .where(Involvement.member_id == member.id)
        .order_by(col(Involvement.selected_at), col(Involvement.id))
    ).all()
    return [
        {
            "opening": opening.title,
            "team": opening.team,
            "selected_at": iso(involvement.selected_at),
            "hours_agreed": involvement.hours_agreed,
            "payment_offered": involvement.payment_offered,
            "payment_declined": involvement.payment_declined,
            "next_steps": involvement.next_steps,
            "hours_confirmed": involvement.hours_confirmed,
            "sessions_confirmed": involvement.sessions_confirmed,
            "amount_minor": involvement.amount_minor,
            "currency": involvement.currency,
            "pay_status": involvement.pay_status,
            "paid_at": iso(involvement.paid_at),
        }
        for involvement, opening in rows
    ]


def _expenses(db: Session, member: Member) -> list[dict[str, Any]]:
    """Expenses claimed, and the receipt's name (the receipt itself is kept for the claim)."""
    rows = db.exec(
        select(Expense, Opening)
        .join(Opening, col(Opening.id) == col(Expense.opening_id))
        .where(Expense.member_id == member.id)
        .order_by(col(Expense.id))
    ).all()
    return [
        {
            "opening": opening.title,
            "amount_minor": expense.amount_minor,
            "currency": expense.currency,
            "what_for": expense.what_for,
            "receipt": expense.receipt_name,
            "status": expense.status,
            "reason": expense.reason,
            "claimed_at": iso(expense.created_at),
            "paid_at": iso(expense.paid_at),
        }
        for expense, opening in rows
    ]


def _alerts(db: Session, member: Member) -> list[dict[str, Any]]:
    rows = db.exec(select(Alert).where(Alert.member_id == member.id).order_by(col(Alert.id)))
    found = []
    for alert in rows:
        found.append(
            {
                "raised_at": iso(alert.created_at),
                "reason": alert.reason,
                "checkin": alert.checkin,
                "question": alert.question,
                "answer": alert.answer,
                "you_wrote": alert.message,
                "taken_by": _name(db, alert.taken_by),
                "taken_at": iso(alert.taken_at),
                "done_by": _name(db, alert.done_by),
                "done_at": iso(alert.done_at),
                # The Done form promises coordinators their note stays among them: that one is
                # kept is said, not its words (a person can ask the service for it).
                "coordinators_note_kept": bool(alert.done_note),
            }
        )
    return found


def _name(db: Session, member_id: int | None) -> str | None:
    found = db.get(Member, member_id) if member_id is not None else None
    return found.display_name if found is not None else None


def holding_signups(db: Session, member_id: int | None) -> list[SessionSignup]:
    """Their places and waitlist entries at sessions still to come."""
    return list(
        db.exec(
            select(SessionSignup).where(
                SessionSignup.member_id == member_id,
                col(SessionSignup.status).in_((Seat.CONFIRMED, Seat.WAITLISTED)),
            )
        )
    )
