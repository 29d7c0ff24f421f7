"""The tables. Every time is stored as UTC and comes back as an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, LargeBinary, TypeDecorator, UniqueConstraint, text
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
    # When they last chose a new name; empty if it is still the one their platform gave. A name
    # taken lately may be someone else's, so commands that name them ask first (bot/people.py).
    name_changed_at: datetime | None = utc_column()
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
    # "OK" to what the bot keeps and why: until then it sends nothing unasked (no check-ins,
    # invitations or reminders). "No thanks" is kept, with nothing else, so it is not asked again.
    consent_given_at: datetime | None = utc_column()
    consent_refused_at: datetime | None = utc_column()
    created_at: datetime = utc_column(nullable=False)
    # With accounts on two platforms: where direct messages go ("slack", "discord"); empty for
    # the one they used most recently.
    dm_platform: str | None = Field(default=None, max_length=16)
    # When they typed `leave`: no message goes to them until they write again.
    left_at: datetime | None = utc_column()
    # How they hear of openings that match their interests: "each" one at once, a "weekly"
    # digest (DIGEST_DAY and DIGEST_TIME, in their own time), or "none".
    openings_news: str = Field(default="each", max_length=10, sa_column_kwargs={"server_default": "each"})
    # When their data was erased (bot/mydata/erasing.py): the row stays as a pseudonymous shell,
    # so the record of paid work, and who took an alert, still point somewhere.
    erased_at: datetime | None = utc_column()


class ServiceSetting(SQLModel, table=True):
    """A choice coordinators make for the whole service in the bot itself (the weekly openings
    digest's day and time: key "openings.digest", value "monday 09:00"), with who made it. Also
    the scheduler leader's heartbeat (key "scheduler.leader", bot/scheduling.py), made by no one."""

    __tablename__ = "service_setting"
    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    changed_by: int | None = Field(default=None, foreign_key="member.id")
    changed_at: datetime = utc_column(nullable=False)


class Erasure(SQLModel, table=True):
    """That someone's data was erased, who did it and when. Never their name or their words:
    only the pseudonym their record of paid work now carries."""

    __tablename__ = "erasure"
    id: int | None = Field(default=None, primary_key=True)
    member_pseudonym: str = Field(max_length=80)
    # The admin who erased it at the person's request; empty when the person did it themselves.
    erased_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    erased_at: datetime = utc_column(nullable=False)
    on_request: bool = False


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


class LinkCode(SQLModel, table=True):
    """A one-time code a member asked for, to type on their other account (bot/linking). Only
    its hash is kept; it works once, for a few minutes."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    code_hash: str = Field(max_length=64, index=True)
    created_at: datetime = utc_column(nullable=False)
    used_at: datetime | None = utc_column()


class LinkTry(SQLModel, table=True):
    """A wrong code typed on an account: a few an hour, then no more tries for a while."""

    __tablename__ = "link_try"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    tried_at: datetime = utc_column(nullable=False, index=True)


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
    # Who a message went to: "can this account receive?" (bot/members.py, home_account) asks for
    # the last one to an account, on every profile and every direct message to someone with two,
    # and first whether any was given up on at all: the rows given up on have an index of their own.
    __table_args__ = (
        Index("ix_outbox_target", "platform", "workspace", "target_kind", "target_id"),
        Index(
            "ix_outbox_refused",
            "platform",
            "workspace",
            "target_kind",
            "target_id",
            sqlite_where=text("dead_at IS NOT NULL"),
            postgresql_where=text("dead_at IS NOT NULL"),
        ),
    )
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
    # An edit of a message sent before (a live count, a closed opening): that message's row.
    # Indexed: every new edit looks for the older ones of its message, on every sign-up.
    edit_of: int | None = Field(default=None, foreign_key="outbox.id", index=True)
    # A dispatcher is sending it until then; after that (it died) another may claim it again.
    claimed_until: datetime | None = utc_column()
    # Given up on after too many failures, or a refusal that will not change by itself: an
    # admin can see why and try again (the `outbox` command).
    dead_at: datetime | None = utc_column(index=True)
    # Of use only before this moment (a reminder, before the session starts): after it, the
    # row is let go instead of sent late, and `expired_at` says when (with why in last_error).
    # Not a failure: nothing for an admin to try again.
    expires_at: datetime | None = utc_column()
    expired_at: datetime | None = utc_column(index=True)


class SeenEvent(SQLModel, table=True):
    """A platform event handled once: when the platform sends it again (to this process or to
    another), it is let go. Kept for a day."""

    __tablename__ = "seen_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=100)
    seen_at: datetime = utc_column(nullable=False, index=True)


# ---- check-ins -------------------------------------------------------------------------------


class CheckIn(SQLModel, table=True):
    """A check-in a coordinator defined: its questions, schedule, audience and rules."""

    __tablename__ = "checkin"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    # [{"kind": "scale"|"yesno"|"text", "text": "...", "labels": [five words] (scale only)}]
    questions: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # "weekly" (on `weekdays`; `every_days` 14 for every other week), "every" (every `every_days`
    # days from `anchor`), "monthly" (`every_days` says which: 1 first... -1 last), "once".
    schedule: str = Field(max_length=8)
    weekdays: str = Field(default="", max_length=40)  # "0,3" = Monday and Thursday
    every_days: int | None = None
    anchor: str = Field(default="", max_length=10)  # ISO date the "every N days" count starts from
    local_time: int = 600  # minutes after local midnight
    # Empty: each partner's own zone. Otherwise everyone gets it at this zone's time.
    fixed_zone: str = Field(default="", max_length=64)
    window_minutes: int = 48 * 60
    # Who sees the answers: "named" (coordinators, with names), "totals" (coordinators, without
    # names) or "anonymous" (kept with no link to the person at all; no alerts then).
    visibility: str = Field(default="named", max_length=10)
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
    visibility: str = Field(default="named", max_length=10)
    alert_level: int | None = None
    window_minutes: int = 48 * 60
    created_at: datetime = utc_column(nullable=False)
    closed_at: datetime | None = utc_column(index=True)
    # The summary's totals, kept when the answers behind them are deleted after RETENTION_DAYS
    # (bot/mydata/retention.py): from then on the summary shows these, without words or names.
    totals: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


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
    # In an anonymous check-in: the questions answered (and NOTE), so none is answered twice.
    answered_anonymously: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class AnonymousAnswer(SQLModel, table=True):
    """Answers in an anonymous check-in, kept with their run and nothing that could tell whose
    they are: a choice is a count (one row a value, no row a person), and written words have no
    time. The prompt notes only which questions were answered, with no time either."""

    __tablename__ = "anonymous_answer"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="checkin_run.id", index=True)
    position: int  # which question, from 0; NOTE (-1) for a note
    value: str = Field(max_length=1000)
    count: int = 1


class Alert(SQLModel, table=True):
    """A partner asked for someone, or answered at or below a check-in's alert level: who was
    told, and who took it and finished it. Every step is here, so a restart loses none."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    # "support" (asked at any moment), "contact" (a check-in's button) or "answer" (a low answer).
    reason: str = Field(max_length=10)
    prompt_id: int | None = Field(default=None, foreign_key="checkin_prompt.id")
    checkin: str = Field(default="", max_length=80)  # the check-in's name, as it was asked
    question: str = Field(default="", max_length=300)  # for a low answer: the question...
    answer: str = Field(default="", max_length=100)  # ...and the answer's words
    message: str = Field(default="", max_length=500)  # what the partner wrote, if anything
    # Whether a coordinator could be reached when it was raised (the partner was told so).
    reached: bool = False
    tell_partner: bool = True  # tell the partner who will be in touch, once someone takes it
    created_at: datetime = utc_column(nullable=False, index=True)
    taken_by: int | None = Field(default=None, foreign_key="member.id")
    taken_at: datetime | None = utc_column()
    done_by: int | None = Field(default=None, foreign_key="member.id")
    done_at: datetime | None = utc_column()
    done_note: str = Field(default="", max_length=500)  # private, for coordinators
    escalated_at: datetime | None = utc_column(index=True)


class CheckInAnswer(SQLModel, table=True):
    __tablename__ = "checkin_answer"
    __table_args__ = (UniqueConstraint("prompt_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int = Field(foreign_key="checkin_prompt.id", index=True)
    position: int  # which question, from 0
    value: str = Field(max_length=1000)  # "1".."5", "yes"/"no", or the words written
    answered_at: datetime = utc_column(nullable=False)


# ---- opportunity announcements --------------------------------------------------------------


class Opening(SQLModel, table=True):
    """A working-group place, panel seat or other opportunity that staff post for partners."""

    __tablename__ = "opening"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    team: str = Field(max_length=80)
    involves: str = Field(max_length=1500)
    commitment: str = Field(max_length=100)
    dates: str = Field(max_length=200)  # when: dates, or "ongoing"
    place_kind: str = Field(max_length=10)  # "remote", "in_person" or "hybrid"
    place: str = Field(default="", max_length=200)
    seats: int  # how many partners can be chosen: its "places" in the words people read
    payment: str = Field(max_length=200)  # e.g. "£25 an hour plus travel"
    access: str = Field(default="", max_length=600)  # access support offered
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    closes_at: datetime = utc_column(nullable=False, index=True)
    status: str = Field(default="open", max_length=10)  # "open", "closed" or "cancelled"
    posted_by: int = Field(foreign_key="member.id")
    created_at: datetime = utc_column(nullable=False)
    closed_at: datetime | None = utc_column()
    # The outbox row of the post in the announcements channel, so it can be edited later.
    announcement_id: int | None = Field(default=None, foreign_key="outbox.id")
    # The pay, structured (bot/openings/pay.py): an amount in minor units (pence, cents) per
    # "hour" or per "session", in `currency`; rate_unit "" and rate_minor None: unpaid. `payment`
    # above is the note beside it ("plus travel").
    rate_minor: int | None = None
    rate_unit: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})
    currency: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    # The last day of the work, if given: the poster is asked to confirm hours the day after.
    work_ends_on: date | None = None
    # When the poster was asked to confirm the hours each partner gave (once).
    hours_asked_at: datetime | None = utc_column()


class OpeningInterest(SQLModel, table=True):
    __tablename__ = "opening_interest"
    __table_args__ = (UniqueConstraint("opening_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    opening_id: int = Field(foreign_key="opening.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    availability: str = Field(default="", max_length=500)
    access_needs: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=500)
    created_at: datetime = utc_column(nullable=False)
    withdrawn_at: datetime | None = utc_column()
    selected_at: datetime | None = utc_column()


class Involvement(SQLModel, table=True):
    """A partner selected for an opening: the record coordinators export for payments."""

    __tablename__ = "involvement"
    __table_args__ = (UniqueConstraint("opening_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    opening_id: int = Field(foreign_key="opening.id", index=True)
    selected_at: datetime = utc_column(nullable=False, index=True)
    hours_agreed: float | None = None
    payment_offered: str = Field(default="", max_length=200)
    payment_declined: bool = False
    next_steps: str = Field(default="", max_length=1500)
    # After the work (bot/openings/hours.py): hours (or, for a rate per session, sessions) the
    # poster confirmed, the amount they come to in minor units, and where the payment stands:
    # "offered", "confirmed", "approved" or "paid" (bot/openings/pay.py).
    hours_confirmed: float | None = None
    sessions_confirmed: int | None = None
    amount_minor: int | None = None
    currency: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    pay_status: str = Field(default="offered", max_length=10, sa_column_kwargs={"server_default": "offered"})
    confirmed_at: datetime | None = utc_column()
    approved_at: datetime | None = utc_column()
    paid_at: datetime | None = utc_column()
    paid_by: int | None = Field(default=None, foreign_key="member.id")


class Expense(SQLModel, table=True):
    """An expense a partner claims for an opening they were selected for, with an optional
    receipt, approved or declined by the poster (or a coordinator), then paid."""

    __tablename__ = "expense"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    opening_id: int = Field(foreign_key="opening.id", index=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    what_for: str = Field(max_length=200)
    receipt: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    receipt_name: str = Field(default="", max_length=200)
    receipt_mime: str = Field(default="", max_length=100)
    # "claimed", "approved", "declined" or "paid"
    status: str = Field(default="claimed", max_length=10)
    reason: str = Field(default="", max_length=500)  # why it was declined
    created_at: datetime = utc_column(nullable=False)
    decided_at: datetime | None = utc_column()
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    paid_at: datetime | None = utc_column()


# ---- wellbeing sessions ---------------------------------------------------------------------


class WellbeingSession(SQLModel, table=True):
    """One wellbeing session. A weekly repeat is several rows sharing a `series_id`."""

    __tablename__ = "wellbeing_session"
    id: int | None = Field(default=None, primary_key=True)
    series_id: int | None = Field(default=None, index=True)  # the first session's id
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=1500)
    facilitator_id: int | None = Field(default=None, foreign_key="member.id")
    facilitator_name: str = Field(default="", max_length=80)
    starts_at: datetime = utc_column(nullable=False, index=True)
    duration_minutes: int
    zone: str = Field(max_length=64)  # the zone it was planned in (for its calendar file)
    place: str = Field(default="", max_length=300)  # a place or a video link
    capacity: int
    # Places taken; changed only by a conditional UPDATE, so capacity holds under concurrency.
    taken: int = 0
    signup_closes_at: datetime = utc_column(nullable=False)
    audience: str = Field(default="partners", max_length=10)  # "partners", "staff" or "everyone"
    # Minutes before the start at which confirmed people are reminded.
    reminders: list[int] = Field(default_factory=lambda: [1440, 60], sa_column=Column(JSON, nullable=False))
    status: str = Field(default="scheduled", max_length=10)  # "scheduled" or "cancelled"
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = utc_column(nullable=False)
    announcement_id: int | None = Field(default=None, foreign_key="outbox.id")
    # Bumped on each move, so calendar files and reminders for the new time are new.
    sequence: int = 0


class SessionSignup(SQLModel, table=True):
    __tablename__ = "session_signup"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="wellbeing_session.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(max_length=10)  # "confirmed", "waitlisted" or "cancelled"
    note: str = Field(default="", max_length=500)  # access needs, seen by coordinators
    created_at: datetime = utc_column(nullable=False)
    confirmed_at: datetime | None = utc_column()
    cancelled_at: datetime | None = utc_column()
    attended: bool | None = None
