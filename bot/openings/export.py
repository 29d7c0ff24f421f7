"""`openings export FROM TO`: the involvement record as a CSV file, for payments. Coordinators
get every opening's; staff get the openings they posted.

Columns (stable English keys, the same in every language, shown with each column's name in
the reader's language when it is not English: bot/sheets.py, header; each explained in
docs/paid-work.md): date (of
selection, in the reader's zone), partner, opening, team, hours_agreed, payment_offered,
payment_declined (yes or no), hours_confirmed, sessions_confirmed, rate, rate_per, currency,
amount, status, paid_on, expenses_approved, expenses_paid, expenses_waiting, expenses_declined.
Openings that were cancelled are left out."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.conversation import File, Message, Reply
from bot.feature import Asked
from bot.members import Role
from bot.openings.pay import ExpenseStatus, PayStatus, plain_amount
from bot.openings.rules import Status, hours_text
from bot.periods import bounds, period
from bot.sheets import header, safe_cell
from bot.turn import Turn
from bot.words import N_
from storage.models import Expense, Involvement, Member, Opening

# Each column's stable key, and its name for people (see bot/sheets.py, header).
COLUMNS = {
    "date": N_("Date"),
    "partner": N_("Partner"),
    "opening": N_("Opening"),
    "team": N_("Team"),
    "hours_agreed": N_("Hours agreed"),
    "payment_offered": N_("Payment offered"),
    "payment_declined": N_("Chose not to be paid"),
    "hours_confirmed": N_("Hours confirmed"),
    "sessions_confirmed": N_("Sessions confirmed"),
    "rate": N_("Rate"),
    "rate_per": N_("Rate per"),
    "currency": N_("Currency"),
    "amount": N_("Amount"),
    "status": N_("Status"),
    "paid_on": N_("Paid on"),
    "expenses_approved": N_("Expenses approved"),
    "expenses_paid": N_("Expenses paid"),
    "expenses_waiting": N_("Expenses waiting"),
    "expenses_declined": N_("Expenses declined"),
}
EXAMPLE = N_(
    "Which dates? For example: openings export 2026-11-01 2026-11-30, or openings export 1 Nov to 30 Nov."
)


def export(turn: Turn, asked: Asked) -> Reply:
    first, last = period(turn, asked.text, EXAMPLE)
    zone = ZoneInfo(turn.member.timezone)
    start, end = bounds(turn, first, last)
    query = (
        select(Involvement, Member, Opening)
        .join(Member, col(Member.id) == col(Involvement.member_id))
        .join(Opening, col(Opening.id) == col(Involvement.opening_id))
        .where(Involvement.selected_at >= start, Involvement.selected_at < end)
        .where(Opening.status != Status.CANCELLED)
        .order_by(col(Involvement.selected_at), col(Involvement.id))
    )
    everyone = turn.is_(Role.COORDINATOR)
    if not everyone:  # staff: the openings they posted
        query = query.where(Opening.posted_by == turn.member.id)
    rows = turn.db.exec(query).all()
    claims: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if rows:
        for expense in turn.db.exec(
            select(Expense).where(col(Expense.opening_id).in_({o.id for _i, _m, o in rows}))
        ).all():
            claims[(expense.opening_id, expense.member_id)][expense.status] += expense.amount_minor
    _ = turn._
    span = {"first": first.isoformat(), "last": last.isoformat()}
    if not rows:
        if not everyone:
            return turn.say(
                _("Nobody was selected for your openings from {first} to {last}, so there is nothing to export.", **span)
            )
        return turn.say(
            _("Nobody was selected from {first} to {last}, so there is nothing to export.", **span)
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(COLUMNS, turn.member.language, _))
    for involvement, member, opening in rows:
        spent = claims.get((opening.id, member.id), {})  # type: ignore[arg-type]
        confirmed = involvement.amount_minor is not None
        writer.writerow(
            safe_cell(value)
            for value in (
                involvement.selected_at.astimezone(zone).date().isoformat(),
                member.display_name,
                opening.title,
                opening.team,
                hours_text(involvement.hours_agreed),
                involvement.payment_offered,
                "yes" if involvement.payment_declined else "no",
                hours_text(involvement.hours_confirmed),
                str(involvement.sessions_confirmed) if involvement.sessions_confirmed is not None else "",
                plain_amount(opening.rate_minor) if opening.rate_minor is not None else "",
                opening.rate_unit,
                involvement.currency or opening.currency,
                plain_amount(owed(involvement)) if confirmed else "",
                "declined" if involvement.payment_declined and involvement.pay_status != PayStatus.PAID else involvement.pay_status,
                involvement.paid_at.astimezone(zone).date().isoformat() if involvement.paid_at else "",
                plain_amount(spent.get(ExpenseStatus.APPROVED, 0)),
                plain_amount(spent.get(ExpenseStatus.PAID, 0)),
                plain_amount(spent.get(ExpenseStatus.CLAIMED, 0)),
                plain_amount(spent.get(ExpenseStatus.DECLINED, 0)),
            )
        )
    hours = sum(i.hours_agreed or 0 for i, _m, _o in rows)
    declined = sum(1 for i, _m, _o in rows if i.payment_declined)
    figures = {"count": len(rows), "hours": hours_text(hours), "declined": declined, **span}
    if everyone:
        words = _(
            "The involvement record from {first} to {last}. Selections: {count}. Hours agreed: {hours}. Chose not to be paid: {declined}.",
            **figures,
        )
    else:
        words = _(
            "The involvement record of your openings from {first} to {last}. Selections: {count}. Hours agreed: {hours}. Chose not to be paid: {declined}.",
            **figures,
        )
    name = f"involvement-{first.isoformat()}-to-{last.isoformat()}.csv"
    return Reply(messages=(Message((words,), files=(File(name, "text/csv", out.getvalue()),)),))


def owed(involvement: Involvement) -> int:
    """What the work comes to: nothing when they chose not to be paid, or before it is confirmed."""
    if involvement.payment_declined or involvement.amount_minor is None:
        return 0
    return involvement.amount_minor
