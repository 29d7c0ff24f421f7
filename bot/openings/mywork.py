"""`mywork [PERIOD]`: a partner's own record of paid work, seen only by them: each opening they
were selected for in the period (by the day they were selected), its hours, amount and where the
payment stands, their expenses, and the totals; with the same as a CSV file. With no period:
this year so far.

The file's columns (stable English keys): date, opening, hours, sessions, amount, currency,
status, expenses, expenses_status. Amounts have two decimals and no symbol."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.conversation import Button, Field, File, Message, Reply
from bot.feature import Asked, CommandSpec
from bot.members import Role
from bot.openings.export import owed
from bot.openings.pay import SESSION, PayStatus, expense_status_words, money, plain_amount, status_words
from bot.openings.rules import Status, hours_text
from bot.periods import bounds, period
from bot.sheets import header, safe_cell
from bot.turn import Turn
from bot.words import N_
from storage.models import Expense, Involvement, Opening

DEFAULT_PERIOD = "this year"
# Each column's stable key, and its name for people (see bot/sheets.py, header).
COLUMNS = {
    "date": N_("Date"),
    "opening": N_("Opening"),
    "hours": N_("Hours"),
    "sessions": N_("Sessions"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "expenses": N_("Expenses"),
    "expenses_status": N_("Expenses status"),
}
EXAMPLE = N_("Which dates? For example: mywork this year, or mywork 1 Sep to 30 Nov.")


def mywork(turn: Turn, asked: Asked) -> Reply:
    _ = turn._
    first, last = period(turn, asked.text or DEFAULT_PERIOD, EXAMPLE)
    start, end = bounds(turn, first, last)
    rows = turn.db.exec(
        select(Involvement, Opening)
        .join(Opening, col(Opening.id) == col(Involvement.opening_id))
        .where(Involvement.member_id == turn.member.id, Opening.status != Status.CANCELLED)
        .where(Involvement.selected_at >= start, Involvement.selected_at < end)
        .order_by(col(Involvement.selected_at), col(Involvement.id))
    ).all()
    span = {"first": first.isoformat(), "last": last.isoformat()}
    if not rows:
        return turn.say(_("You were not selected for any openings from {first} to {last}.", **span))
    claims: dict[int, list[Expense]] = defaultdict(list)
    for expense in turn.db.exec(
        select(Expense)
        .where(Expense.member_id == turn.member.id, col(Expense.opening_id).in_([o.id for _i, o in rows]))
        .order_by(col(Expense.id))
    ).all():
        claims[expense.opening_id].append(expense)
    zone = ZoneInfo(turn.member.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(COLUMNS, turn.member.language, _))
    shown: list[Field] = []
    buttons: list[Button] = []
    hours = 0.0
    earned: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for involvement, opening in rows:
        assert opening.id is not None
        given = involvement.hours_confirmed if involvement.hours_confirmed is not None else involvement.hours_agreed
        hours += given or 0.0
        parts = []
        if opening.rate_unit == SESSION and involvement.sessions_confirmed is not None:
            parts.append(_("Sessions: {count}.", count=involvement.sessions_confirmed))
        elif involvement.hours_confirmed is not None:
            parts.append(_("Hours: {hours}.", hours=hours_text(involvement.hours_confirmed)))
        elif involvement.hours_agreed is not None:
            parts.append(_("Hours agreed: {hours}.", hours=hours_text(involvement.hours_agreed)))
        amount = owed(involvement)
        if involvement.amount_minor is not None:
            parts.append(_("Amount: {amount}.", amount=money(amount, involvement.currency)))
            earned[involvement.currency] += amount
            if involvement.pay_status == PayStatus.PAID:
                paid[involvement.currency] += amount
        if opening.currency:
            parts.append(_("Status: {status}.", status=status_words(_, involvement.pay_status, involvement.payment_declined)))
        spent = claims.get(opening.id, [])
        for expense in spent:
            parts.append(
                _(
                    "Expense {amount}, {what}: {status}.",
                    amount=money(expense.amount_minor, expense.currency),
                    what=expense.what_for,
                    status=expense_status_words(_, expense.status),
                )
            )
            if expense.status in ("approved", "paid"):
                earned[expense.currency] += expense.amount_minor
            if expense.status == "paid":
                paid[expense.currency] += expense.amount_minor
        shown.append(Field(opening.title, (" ".join(parts) or _("Selected."),)))
        if len(buttons) < 5:
            buttons.append(Button(_("Claim an expense: {title}", title=opening.title[:40]), f"expense.claim:{opening.id}"))
        writer.writerow(
            safe_cell(value)
            for value in (
                involvement.selected_at.astimezone(zone).date().isoformat(),
                opening.title,
                hours_text(given),
                str(involvement.sessions_confirmed) if involvement.sessions_confirmed is not None else "",
                plain_amount(amount) if involvement.amount_minor is not None else "",
                involvement.currency or opening.currency,
                "declined" if involvement.payment_declined and involvement.pay_status != PayStatus.PAID else involvement.pay_status,
                plain_amount(sum(e.amount_minor for e in spent if e.status in ("approved", "paid"))),
                ";".join(e.status for e in spent),
            )
        )
    words = _("Your work from {first} to {last}. Only you see this.", **span)
    words += " " + _("Openings: {count}. Hours: {hours}.", count=len(rows), hours=hours_text(round(hours, 2)))
    if earned:
        words += " " + _(
            "Pay and expenses: {earned}, of which paid: {paid}.",
            earned=", ".join(money(v, k) for k, v in sorted(earned.items())),
            paid=", ".join(money(paid.get(k, 0), k) for k in sorted(earned)),
        )
    name = f"my-work-{first.isoformat()}-to-{last.isoformat()}.csv"
    return Reply(
        messages=(
            Message((words,), tuple(shown), tuple(buttons), files=(File(name, "text/csv", out.getvalue()),)),
        )
    )


COMMAND = CommandSpec(
    "mywork",
    summary=N_("Shows your own record of paid work and expenses, with a file."),
    example="mywork this year",
    run=mywork,
    roles=(Role.PARTNER,),
    argument="period",
    hint=N_("A period, like this year, or 1 Sep to 30 Nov."),
)
