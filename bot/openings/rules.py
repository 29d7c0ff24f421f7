"""What every part of openings agrees on, with no database in them: an opening's status, who may
manage it, whether it is still open, and when a message to someone may go out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from bot.checks import UNTIL_RESUMED, Refusal, after_quiet_hours
from bot.members import Role
from bot.turn import Turn
from bot.words import N_
from storage.models import Member, Opening

STAFF_ROLES = (Role.STAFF, Role.COORDINATOR)


PLACE_KINDS = ("remote", "in_person", "hybrid")


NOT_YOURS = N_("Only the person who posted an opening, and coordinators, can close or cancel it.")


NOT_SEEN = N_("Only the person who posted an opening, and coordinators, can see who is interested.")


NOT_CHOOSING = N_("Only the person who posted an opening, and coordinators, can choose who takes part.")



class News(StrEnum):
    """How a partner hears of openings that match their interests (chosen in `profile`)."""

    EACH = "each"  # each one, as it is posted
    WEEKLY = "weekly"  # one digest a week, on DIGEST_DAY at DIGEST_TIME in their own time
    NONE = "none"  # no messages; they still find openings with `openings`


class Status(StrEnum):
    """Where an opening stands: taking interest, closed (places chosen), or not going ahead."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def may_manage(turn: Turn, opening: Opening) -> bool:
    """Coordinators, and the staff member who posted it while they are still staff: they see
    who is interested, choose, close and cancel."""
    return turn.is_(Role.COORDINATOR) or (turn.is_(Role.STAFF) and opening.posted_by == turn.member.id)


def managed(refusal: str) -> Callable[[Turn, Opening], None]:
    """The check that this person may manage the opening, saying `refusal` if not."""

    def check(turn: Turn, opening: Opening) -> None:
        if not may_manage(turn, opening):
            raise Refusal(refusal)

    return check


def is_open(opening: Opening, now: datetime) -> bool:
    """Taking interest: not closed, not cancelled, and its closing time not yet come."""
    return opening.status == Status.OPEN and now < opening.closes_at


def still_open(opening: Opening, now: datetime) -> None:
    if opening.status == Status.CANCELLED:
        raise Refusal(
            "{title} was cancelled, so it is not going ahead. Type openings to see what is open.",
            title=opening.title,
        )
    if not is_open(opening, now):
        raise Refusal("{title} has closed. Type openings to see what is open now.", title=opening.title)


def send_at(member: Member, now: datetime) -> datetime:
    """When news for this member may go out: after a pause they chose, outside quiet hours."""
    start = member.paused_until if member.paused_until and member.paused_until > now else now
    if start >= UNTIL_RESUMED:  # paused until they say resume: no day to move it to
        return start
    return after_quiet_hours(start, member.timezone, member.quiet_start, member.quiet_end)


def is_paused(member: Member, now: datetime) -> bool:
    return member.paused_until is not None and member.paused_until > now


def hours_text(hours: float | None) -> str:
    """Hours as people write them: 6, 1.5, or nothing when not agreed."""
    if hours is None:
        return ""
    return str(int(hours)) if float(hours).is_integer() else str(hours)
