"""The tables. Every time is stored as UTC and comes back as an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Naive UTC in the database (the same on SQLite and PostgreSQL), aware UTC in Python."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_column(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Member(SQLModel, table=True):
    """A person. They may reach us from several platforms (see Account)."""

    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=80)
    timezone: str = Field(max_length=64)
    language: str = Field(default="en", max_length=16)
    # Minutes after local midnight; both set or both empty. Start may be after end (overnight).
    quiet_start: int | None = None
    quiet_end: int | None = None
    paused_until: datetime | None = utc_column()
    # Check-ins alone can be paused for a while, or turned off until the member turns them on.
    checkins_paused_until: datetime | None = utc_column()
    checkins_off: bool = False
    consent_shown_at: datetime | None = utc_column()
    created_at: datetime = utc_column(nullable=False)


class Account(SQLModel, table=True):
    """A member's identity on one platform."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(default="", max_length=64)
    user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=80)
    last_seen_at: datetime | None = utc_column()


class MemberRole(SQLModel, table=True):
    __tablename__ = "member_role"
    __table_args__ = (UniqueConstraint("member_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=16)
    granted_by: int | None = Field(default=None, foreign_key="member.id")
    granted_at: datetime = utc_column(nullable=False)


class MemberInterest(SQLModel, table=True):
    __tablename__ = "member_interest"
    __table_args__ = (UniqueConstraint("member_id", "tag"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    tag: str = Field(max_length=40, index=True)


class FormDraft(SQLModel, table=True):
    """Answers to the earlier pages of a form that comes in several pages."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("member_id", "form_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    form_id: str = Field(max_length=100)
    values: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = utc_column(nullable=False)


class Outbox(SQLModel, table=True):
    """A message to send later or to someone else, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(default="", max_length=64)
    # "dm": user_id is a platform user; "channel": a platform channel id.
    target_kind: str = Field(max_length=8)
    target_id: str = Field(max_length=64)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Makes "queued twice" impossible for one cause, e.g. "role.granted:7:coordinator:2026-11-26T10:00".
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = utc_column(nullable=False)
    due_at: datetime = utc_column(nullable=False, index=True)
    sent_at: datetime | None = utc_column(index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    platform_message_id: str | None = Field(default=None, max_length=100)


# ---- check-ins -------------------------------------------------------------------------------


class CheckIn(SQLModel, table=True):
    """A check-in a coordinator defined: its questions, schedule, audience and rules."""

    __tablename__ = "checkin"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    # [{"kind": "scale"|"yesno"|"text", "text": "...", "labels": [five words] (scale only)}]
    questions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # "weekly" (on `weekdays`), "every" (every `every_days` days from `anchor`), "once".
    schedule: str = Field(max_length=8)
    weekdays: str = Field(default="", max_length=40)  # "0,3" = Monday and Thursday
    every_days: int | None = None
    anchor: str = Field(default="", max_length=10)  # ISO date the "every N days" count starts from
    local_time: int = 600  # minutes after local midnight
    # Empty: each partner's own zone. Otherwise everyone gets it at this zone's time.
    fixed_zone: str = Field(default="", max_length=64)
    window_minutes: int = 48 * 60
    named: bool = True  # answers shown to coordinators by name, or as totals only
    alert_level: int | None = None  # a scale answer at or below this alerts the coordinators
    audience_tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    paused: bool = False
    # Only occurrences after this get prompts (set on creation and on resume).
    active_since: datetime = utc_column(nullable=False)
    deleted_at: datetime | None = utc_column()
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = utc_column(nullable=False)


class CheckInRun(SQLModel, table=True):
    """One occurrence of a check-in (its period), with the questions as they were asked."""

    __tablename__ = "checkin_run"
    __table_args__ = (UniqueConstraint("checkin_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    # The local date of the occurrence ("2026-11-30"), or "now:<time>" for a one-off.
    period: str = Field(max_length=40)
    name: str = Field(max_length=80)
    questions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    named: bool = True
    alert_level: int | None = None
    window_minutes: int = 48 * 60
    created_at: datetime = utc_column(nullable=False)
    closed_at: datetime | None = utc_column(index=True)


class CheckInPrompt(SQLModel, table=True):
    """One member's prompt in one run. The unique (run, member) makes a second send impossible."""

    __tablename__ = "checkin_prompt"
    __table_args__ = (UniqueConstraint("run_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="checkin_run.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    # "sent", or "paused" when the member had paused at the time it was due (not asked).
    status: str = Field(max_length=8)
    send_at: datetime = utc_column(nullable=False)
    closes_at: datetime = utc_column(nullable=False, index=True)
    remind_at: datetime = utc_column(nullable=False)
    reminded_at: datetime | None = utc_column()
    skipped_at: datetime | None = utc_column()
    alerted_at: datetime | None = utc_column()
    note: str = Field(default="", max_length=1000)


class CheckInAnswer(SQLModel, table=True):
    __tablename__ = "checkin_answer"
    __table_args__ = (UniqueConstraint("prompt_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int = Field(foreign_key="checkin_prompt.id", index=True)
    position: int  # which question, from 0
    value: str = Field(max_length=1000)  # "1".."5", "yes"/"no", or the words written
    answered_at: datetime = utc_column(nullable=False)
