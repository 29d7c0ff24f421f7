"""`openings payments [PERIOD]`, for coordinators: the pay and expenses approved and not yet paid, with
totals, and "Mark all these paid" (asked once more first). With a period, only those approved in
it. Each partner paid is told, in one short message.

The button names the moment the list was shown (and the period), so what is marked paid is what
was listed: anything approved after that waits for the next list."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.checks import Refusal
from bot.conversation import Button, Field, Message, Reply
from bot.feature import Asked, ButtonSpec, Verb
from bot.members import Role
from bot.openings.pay import ExpenseStatus, PayStatus, money
from bot.openings.rules import send_at
from bot.outbox import enqueue_dm
from bot.periods import bounds, period
from bot.turn import Turn
from bot.words import N_, translator
from storage.models import Expense, Involvement, Member, Opening

COORDINATORS = (Role.COORDINATOR,)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOT_COORDINATOR = N_("Only coordinators can mark payments as paid.")
EXAMPLE = N_("Which dates? For example: openings payments last month.")


def _due(turn: Turn, upto: datetime, first: date | None, last: date | None):  # noqa: ANN202
    """Approved and owed, approved by `upto` (and in the period): (pay, expenses)."""
    pay = (
        select(Involvement, Member, Opening)
        .join(Member, col(Member.id) == col(Involvement.member_id))
        .join(Opening, col(Opening.id) == col(Involvement.opening_id))
        .where(
            Involvement.pay_status == PayStatus.APPROVED,
            col(Involvement.payment_declined).is_(False),
            col(Involvement.amount_minor) > 0,
            col(Involvement.approved_at) <= upto,
        )
        .order_by(col(Member.display_name), col(Involvement.id))
    )
    spent = (
        select(Expense, Member, Opening)
        .join(Member, col(Member.id) == col(Expense.member_id))
        .join(Opening, col(Opening.id) == col(Expense.opening_id))
        .where(Expense.status == ExpenseStatus.APPROVED, col(Expense.decided_at) <= upto)
        .order_by(col(Member.display_name), col(Expense.id))
    )
    if first is not None and last is not None:
        start, end = bounds(turn, first, last)
        pay = pay.where(col(Involvement.approved_at) >= start, col(Involvement.approved_at) < end)
        spent = spent.where(col(Expense.decided_at) >= start, col(Expense.decided_at) < end)
    return list(turn.db.exec(pay).all()), list(turn.db.exec(spent).all())


def _totals(pay: list, spent: list) -> str:  # type: ignore[type-arg]
    sums: dict[str, int] = defaultdict(int)
    for involvement, _m, _o in pay:
        sums[involvement.currency] += involvement.amount_minor or 0
    for expense, _m, _o in spent:
        sums[expense.currency] += expense.amount_minor
    return ", ".join(money(v, k) for k, v in sorted(sums.items()))


def show(turn: Turn, asked: Asked) -> Reply:
    _ = turn._
    first = last = None
    if asked.text.strip():
        first, last = period(turn, asked.text, EXAMPLE)
    pay, spent = _due(turn, turn.now, first, last)
    if not pay and not spent:
        return turn.say(_("Nothing is waiting to be paid. Approved pay and expenses show here."))
    shown = [
        Field(
            member.display_name,
            (
                _(
                    "{title}: pay {amount}.",
                    title=opening.title,
                    amount=money(involvement.amount_minor or 0, involvement.currency),
                ),
            ),
        )
        for involvement, member, opening in pay
    ]
    shown += [
        Field(
            member.display_name,
            (
                _(
                    "{title}: expense {amount}, {what}.",
                    title=opening.title,
                    amount=money(expense.amount_minor, expense.currency),
                    what=expense.what_for,
                ),
            ),
        )
        for expense, member, opening in spent
    ]
    words = _(
        "Waiting to be paid: {count}. Total: {total}.", count=len(pay) + len(spent), total=_totals(pay, spent)
    )
    words += " " + _("When you have paid them, mark them paid and each partner is told.")
    # To the microsecond: what was approved in the same second, after this list, is not in it.
    stamp = str((turn.now - EPOCH) // timedelta(microseconds=1))
    if first is not None and last is not None:
        stamp += f":{first.isoformat()}:{last.isoformat()}"
    return turn.say(words, fields=tuple(shown), buttons=(Button(_("Mark all these paid"), f"payments.paid:{stamp}"),))


def _named(text: str) -> tuple[datetime, date | None, date | None]:
    parts = text.split(":")
    try:
        upto = EPOCH + timedelta(microseconds=int(parts[0]))
        if len(parts) == 3:
            return upto, date.fromisoformat(parts[1]), date.fromisoformat(parts[2])
        if len(parts) == 1:
            return upto, None, None
    except (ValueError, OverflowError, OSError):  # a forged or broken id
        pass
    raise Refusal("That button no longer works. Type openings payments to see what is waiting.")


def mark_paid(turn: Turn, asked: Asked) -> Reply:
    """Asked once more, then everything listed is marked paid and each partner is told."""
    _ = turn._
    upto, first, last = _named(asked.text)
    pay, spent = _due(turn, upto, first, last)
    if not pay and not spent:
        return turn.say(_("Nothing is waiting to be paid. Nothing changed."))
    total = _totals(pay, spent)
    count = len(pay) + len(spent)
    if asked.value != "yes":
        return turn.say(
            _("Mark these as paid? Payments: {count}, {total} in all. Each partner is told.", count=count, total=total),
            buttons=(
                Button(_("Yes, mark them paid"), f"payments.paid:{asked.text}", value="yes", style="primary"),
                Button(_("No, not yet"), "payments.list"),
            ),
        )
    paid: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for involvement, member, _o in pay:
        done = turn.db.execute(
            update(Involvement)
            .where(col(Involvement.id) == involvement.id, col(Involvement.pay_status) == PayStatus.APPROVED)
            .values(pay_status=PayStatus.PAID, paid_at=turn.now, paid_by=turn.member.id)
        )
        if done.rowcount:  # type: ignore[attr-defined]
            paid[member.id][involvement.currency] += involvement.amount_minor or 0  # type: ignore[index]
    for expense, member, _o in spent:
        done = turn.db.execute(
            update(Expense)
            .where(col(Expense.id) == expense.id, col(Expense.status) == ExpenseStatus.APPROVED)
            .values(status=ExpenseStatus.PAID, paid_at=turn.now)
        )
        if done.rowcount:  # type: ignore[attr-defined]
            paid[member.id][expense.currency] += expense.amount_minor  # type: ignore[index]
    for member_id, sums in paid.items():
        member = turn.db.get_one(Member, member_id)
        tr = translator(member.language)
        amount = ", ".join(money(v, k) for k, v in sorted(sums.items()))
        enqueue_dm(
            turn.db,
            member_id,
            Message((tr("You have been paid {amount}. Thank you for your work. Type mywork to see your record.", amount=amount),)),
            turn.now,
            dedupe_key=f"payments.paid:{member_id}:{turn.now.isoformat()}",
            due_at=send_at(member, turn.now),
        )
    return turn.say(
        _("Marked paid: {count}, {total} in all. Partners told: {people}.", count=count, total=total, people=len(paid))
    )


def list_pressed(turn: Turn, asked: Asked) -> Reply:
    return show(turn, Asked())


# `openings payments`: a verb of openings, with no example, so the guide stays short.
VERB = Verb(
    "payments",
    show,
    N_("Lists approved pay and expenses not yet paid, to mark them paid."),
    COORDINATORS,
    argument="dates",
    hint=N_("A period, like last month, or nothing for all"),
    refusal=NOT_COORDINATOR,
    optional=True,
)

BUTTONS = (
    ButtonSpec("payments.paid", mark_paid, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("payments.list", list_pressed, COORDINATORS, refusal=NOT_COORDINATOR),
)
