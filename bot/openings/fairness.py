"""How involvement is spread across partners: one count, used by the review of interested
partners (beside each person) and by `report` (never selected, the most involved tenth, the
longest wait). A selection for an opening that was cancelled did not happen and is not counted.

Hours are those confirmed after the work where there are some, else those agreed at selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.openings.rules import Status
from storage.models import Involvement, Opening

# "Lately", for sharing places fairly: the last six months.
LATELY = timedelta(days=183)


@dataclass
class Record:
    selected: int = 0  # selections from `since` to `until`
    hours: float = 0.0  # the hours of those selections
    last: datetime | None = None  # their latest selection up to `until`, however long ago


def records(
    db: Session,
    since: datetime,
    until: datetime,
    members: Iterable[int] | None = None,
    leaving_out: int | None = None,
) -> dict[int, Record]:
    """Each member's involvement from `since` to `until`, by member id. Only members with a
    selection up to `until` appear. `leaving_out`: an opening not to count (the one under review)."""
    query = (
        select(
            Involvement.member_id, Involvement.selected_at, Involvement.hours_agreed, Involvement.hours_confirmed
        )
        .join(Opening, col(Opening.id) == col(Involvement.opening_id))
        .where(Opening.status != Status.CANCELLED, Involvement.selected_at <= until)
    )
    if members is not None:
        query = query.where(col(Involvement.member_id).in_(list(members)))
    if leaving_out is not None:
        query = query.where(Involvement.opening_id != leaving_out)
    found: dict[int, Record] = {}
    for member_id, selected_at, agreed, confirmed in db.exec(query).all():
        hours = confirmed if confirmed is not None else agreed
        record = found.setdefault(member_id, Record())
        if record.last is None or selected_at > record.last:
            record.last = selected_at
        if selected_at >= since:
            record.selected += 1
            record.hours += hours or 0.0
    return found
