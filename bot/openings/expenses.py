"""Expenses: a partner claims one for an opening they were selected for (the amount, what for, and
a receipt if they have one); the poster, or a coordinator, approves it or declines it with a
reason; the partner is told either way. Coordinators then mark approved ones paid (`payments`)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from bot.checks import Refusal
from bot.conversation import Button, Field, File, FormField, Message, Reply
from bot.feature import Asked, ButtonSpec, FormSpec, Subject
from bot.members import Role
from bot.openings.hours import NOT_PAYING
from bot.openings.pay import ExpenseStatus, expense_status_words, money, read_minor
from bot.openings.queries import pressed
from bot.openings.rules import STAFF_ROLES, Status, may_manage, send_at
from bot.outbox import enqueue_dm
from bot.turn import Turn, number_in
from bot.words import N_, Translate, translator
from storage.models import Expense, Involvement, Member, Opening

NOT_CLAIMING = N_("Only partners selected for an opening can claim expenses for it.")


def _selected(turn: Turn, opening: Opening) -> None:
    """Only someone selected for it claims; not for an opening that did not go ahead."""
    found = turn.db.exec(
        select(Involvement.id).where(Involvement.opening_id == opening.id, Involvement.member_id == turn.member.id)
    ).first()
    if found is None:
        raise Refusal(NOT_CLAIMING)
    if opening.status == Status.CANCELLED:
        raise Refusal("{title} was cancelled, so there are no expenses to claim.", title=opening.title)


def _claim_fields(turn: Turn, asked: Asked) -> list[FormField]:
    _ = turn._
    return [
        FormField("amount", _("Amount"), "short", max_length=20, hint=_("For example: 12.50")),
        FormField("what_for", _("What it was for"), "short", max_length=200, hint=_("For example: train fare")),
        FormField("receipt", _("Receipt"), "file", required=False, hint=_("A photo or a PDF, if you have one")),
    ]


def _check_amount(turn: Turn, value: str) -> str:
    minor = read_minor(value)
    if minor == 0:
        raise Refusal("Please type an amount like 12.50.")
    return str(minor)


def _claim_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    opening: Opening = asked.subject
    _ = turn._
    receipt = asked.files.get("receipt")
    content = b""
    if receipt is not None:
        content = receipt.content.encode("utf-8") if isinstance(receipt.content, str) else receipt.content
    assert opening.id is not None and turn.member.id is not None
    expense = Expense(
        member_id=turn.member.id,
        opening_id=opening.id,
        amount_minor=int(values["amount"]),
        currency=opening.currency or turn.settings.payment_currency,
        what_for=values["what_for"],
        receipt=content if receipt is not None else None,
        receipt_name=receipt.name[:200] if receipt is not None else "",
        receipt_mime=receipt.mime[:100] if receipt is not None else "",
        created_at=turn.now,
    )
    turn.db.add(expense)
    turn.db.flush()
    poster = turn.db.get_one(Member, opening.posted_by)
    assert poster.id is not None
    enqueue_dm(
        turn.db,
        poster.id,
        claim_message(expense, opening, turn.member, poster),
        turn.now,
        dedupe_key=f"expense.claimed:{expense.id}",
        due_at=send_at(poster, turn.now),
    )
    amount = money(expense.amount_minor, expense.currency)
    return turn.say(
        _(
            "Thank you. Your expense of {amount} for {title} is sent to {name}, who posted it.",
            amount=amount,
            title=opening.title,
            name=poster.display_name,
        )
        + " "
        + _("I will tell you when it is approved.")
    )


def _receipt(tr: Translate, expense: Expense, partner: Member) -> tuple[File, ...]:
    """The receipt, named and described so that, with several claims listed, each is known."""
    if expense.receipt is None:
        return ()
    name = f"expense-{expense.id}-{expense.receipt_name or 'receipt'}"
    words = tr(
        "{name}'s receipt for {amount}: {what}.",
        name=partner.display_name,
        amount=money(expense.amount_minor, expense.currency),
        what=expense.what_for,
    )
    return (File(name, expense.receipt_mime or "application/octet-stream", expense.receipt, words),)


def claim_message(expense: Expense, opening: Opening, partner: Member, reader: Member) -> Message:
    """An expense as the poster (or a coordinator) sees it, receipt attached, with its decision."""
    _ = translator(reader.language)
    fields = [
        Field(_("Amount"), (money(expense.amount_minor, expense.currency),)),
        Field(_("What it was for"), (expense.what_for,)),
    ]
    if expense.receipt is None:
        fields.append(Field(_("Receipt"), (_("none sent"),)))
    return Message(
        (_("{name} claimed an expense for {title}.", name=partner.display_name, title=opening.title),),
        tuple(fields),
        (
            Button(_("Approve"), f"expense.approve:{expense.id}", style="primary"),
            Button(_("Decline"), f"expense.decline:{expense.id}"),
        ),
        files=_receipt(_, expense, partner),
    )


def claims_typed(turn: Turn, asked: Asked) -> Reply:
    """`openings expenses N`: the claims for an opening, each with its receipt; those waiting
    with Approve and Decline."""
    opening: Opening = asked.subject
    _ = turn._
    found = turn.db.exec(
        select(Expense, Member)
        .join(Member, col(Member.id) == col(Expense.member_id))
        .where(Expense.opening_id == opening.id)
        .order_by(col(Expense.id))
    ).all()
    if not found:
        return turn.say(_("Nobody has claimed expenses for {title}.", title=opening.title))
    messages = [Message((_("Expenses claimed for {title}: {count}.", title=opening.title, count=len(found)),))]
    for expense, partner in found:
        if expense.status == ExpenseStatus.CLAIMED:
            messages.append(claim_message(expense, opening, partner, turn.member))
            continue
        messages.append(
            Message(
                (
                    _(
                        "{name}: {amount} for {what}. {status}.",
                        name=partner.display_name,
                        amount=money(expense.amount_minor, expense.currency),
                        what=expense.what_for,
                        status=expense_status_words(_, expense.status).capitalize(),
                    ),
                ),
                files=_receipt(_, expense, partner),
            )
        )
    return Reply(messages=tuple(messages))


def find_expense(turn: Turn, text: str) -> Expense:
    number = number_in(text.split(":")[0])
    found = turn.db.get(Expense, number) if number is not None else None
    if found is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return found


def _theirs(turn: Turn, expense: Expense) -> None:
    if not may_manage(turn, turn.db.get_one(Opening, expense.opening_id)):
        raise Refusal(NOT_PAYING)


AN_EXPENSE = Subject(find_expense, _theirs)


def _undecided(turn: Turn, expense: Expense) -> None:
    if expense.status != ExpenseStatus.CLAIMED:
        raise Refusal("That expense was decided already. Nothing changed.")


def approve(turn: Turn, asked: Asked) -> Reply:
    expense: Expense = asked.subject
    _undecided(turn, expense)
    _decide(turn, expense, ExpenseStatus.APPROVED)
    opening = turn.db.get_one(Opening, expense.opening_id)
    partner = turn.db.get_one(Member, expense.member_id)
    amount = money(expense.amount_minor, expense.currency)
    tr = translator(partner.language)
    _tell(
        turn,
        expense,
        partner,
        tr("Your expense for {title} is approved: {amount}.", title=opening.title, amount=amount)
        + " "
        + tr("It will be paid with the next payments."),
    )
    return turn.say(
        turn._(
            "Approved {name}'s expense of {amount}. The coordinators mark it paid, and {name} is told.",
            name=partner.display_name,
            amount=amount,
        )
    )


def _decide(turn: Turn, expense: Expense, status: ExpenseStatus, reason: str = "") -> None:
    claimed = turn.db.execute(
        update(Expense)
        .where(col(Expense.id) == expense.id, col(Expense.status) == ExpenseStatus.CLAIMED)
        .values(status=status, reason=reason, decided_at=turn.now, decided_by=turn.member.id)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal("That expense was decided already. Nothing changed.")
    turn.db.refresh(expense)


def _tell(turn: Turn, expense: Expense, partner: Member, words: str) -> None:
    assert partner.id is not None
    enqueue_dm(
        turn.db,
        partner.id,
        Message((words,)),
        turn.now,
        dedupe_key=f"expense.decided:{expense.id}",
        due_at=send_at(partner, turn.now),
    )


def _decline_fields(turn: Turn, asked: Asked) -> list[FormField]:
    _undecided(turn, asked.subject)
    _ = turn._
    return [
        FormField(
            "reason",
            _("Why it can't be approved"),
            "long",
            max_length=500,
            hint=_("The partner reads this. For example: travel is paid by the hospital directly"),
        )
    ]


def _decline_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    expense: Expense = asked.subject
    _undecided(turn, expense)
    _decide(turn, expense, ExpenseStatus.DECLINED, values["reason"])
    opening = turn.db.get_one(Opening, expense.opening_id)
    partner = turn.db.get_one(Member, expense.member_id)
    tr = translator(partner.language)
    amount = money(expense.amount_minor, expense.currency)
    _tell(
        turn,
        expense,
        partner,
        tr(
            "Sorry, your expense of {amount} for {title} could not be approved.",
            amount=amount,
            title=opening.title,
        )
        + " "
        + tr("{name} said: {reason}", name=turn.member.display_name, reason=values["reason"])
        + " "
        + tr("If you have a question, please ask them."),
    )
    return turn.say(
        turn._("Declined {name}'s expense. I have told them kindly, with your reason.", name=partner.display_name)
    )


CLAIM_FORM = FormSpec(
    name="expense.claim",
    title=lambda turn: turn._("Claim an expense"),
    fields=_claim_fields,
    checks={"amount": _check_amount},
    submit=_claim_submit,
    submit_label=lambda turn: turn._("Send"),
    roles=(Role.PARTNER,),
    subject=Subject(pressed, _selected),
    refusal=NOT_CLAIMING,
)

DECLINE_FORM = FormSpec(
    name="expense.decline",
    title=lambda turn: turn._("Decline an expense"),
    fields=_decline_fields,
    submit=_decline_submit,
    submit_label=lambda turn: turn._("Decline"),
    roles=STAFF_ROLES,
    subject=AN_EXPENSE,
    refusal=NOT_PAYING,
)

BUTTONS = (ButtonSpec("expense.approve", approve, STAFF_ROLES, AN_EXPENSE, NOT_PAYING),)
