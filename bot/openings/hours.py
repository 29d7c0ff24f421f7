"""After the work: the poster confirms the hours each selected partner gave, in one form; the
amount is worked out; the partner is told, and can still choose not to be paid; the poster
approves the amounts for payment.

When the poster is asked: at 10:00 in their own time the day after the opening's last day of the
work, or, without one, `ASK_WITHOUT_END` after it closed (never before it closed). Once: a
conditional UPDATE of `Opening.hours_asked_at` decides, and the message has its own key.

For a rate per session, the form asks the sessions each person attended instead of hours (their
fairness count then keeps the hours agreed)."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Message, Reply
from bot.feature import Asked, ButtonSpec, FormSpec, Subject
from bot.forms import open_form
from bot.openings.pay import SESSION, PayStatus, amount_for, money
from bot.openings.queries import pressed
from bot.openings.rules import STAFF_ROLES, Status, hours_text, managed, send_at
from bot.outbox import enqueue_dm
from bot.settings import Settings
from bot.turn import Turn
from bot.words import N_, Translate, translator
from storage.models import Involvement, Member, Opening

log = logging.getLogger(__name__)

ASK_WITHOUT_END = timedelta(days=14)
ASK_AT = time(10, 0)  # the day after the last day of the work, in the poster's own time

NOT_PAYING = N_("Only the person who posted an opening, and coordinators, can confirm hours and payments.")
# Longest name in a field's label: Discord shows 45 characters.
NAME_IN_LABEL = 24


def due_at(opening: Opening, poster: Member) -> datetime | None:
    """When the poster is asked about the hours; None while it is not closed."""
    if opening.status != Status.CLOSED or opening.closed_at is None:
        return None
    if opening.work_ends_on is None:
        return opening.closed_at + ASK_WITHOUT_END
    zone = ZoneInfo(poster.timezone)
    after = datetime.combine(opening.work_ends_on + timedelta(days=1), ASK_AT, zone)
    return max(after, opening.closed_at)


def ask_for_hours(engine: Engine, settings: Settings, now: datetime) -> None:
    """Ask each poster whose work has ended to confirm the hours. Safe to call as often as you like."""
    with Session(engine) as db:
        waiting = db.exec(
            select(Opening.id)
            .where(Opening.status == Status.CLOSED, col(Opening.hours_asked_at).is_(None))
            .order_by(col(Opening.id))
        ).all()
    for opening_id in waiting:
        try:
            with Session(engine) as db:
                ask(db, db.get_one(Opening, opening_id), now)
                db.commit()
        except Exception:  # one broken opening must not stop the others
            log.exception("opening %s: could not ask for hours", opening_id)


def ask(db: Session, opening: Opening, now: datetime) -> bool:
    poster = db.get_one(Member, opening.posted_by)
    due = due_at(opening, poster)
    if due is None or now < due:
        return False
    claimed = db.execute(
        update(Opening)
        .where(col(Opening.id) == opening.id, col(Opening.hours_asked_at).is_(None))
        .values(hours_asked_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    people = _to_confirm(db, opening)
    if not people:
        return True  # nobody was selected: nothing to ask
    _ = translator(poster.language)
    names = ", ".join(m.display_name for _i, m in people)
    words = _(
        "The work for {title} has ended. Please confirm the hours each partner gave, so they can be paid.",
        title=opening.title,
    )
    if opening.rate_unit == SESSION:
        words = _(
            "The work for {title} has ended. Please confirm the sessions each partner attended, so they can be paid.",
            title=opening.title,
        )
    elif opening.rate_minor is None:  # unpaid: the hours still count in sharing work fairly
        words = _(
            "The work for {title} has ended. Please confirm the hours each partner gave, so their record is right.",
            title=opening.title,
        )
    confirm = _("Confirm sessions") if opening.rate_unit == SESSION else _("Confirm hours")
    assert poster.id is not None
    enqueue_dm(
        db,
        poster.id,
        Message(
            (words,),
            (Field(_("Selected"), (names,)),),
            (Button(confirm, f"opening.hours:{opening.id}", style="primary"),),
        ),
        now,
        dedupe_key=f"opening.hours.ask:{opening.id}",
        due_at=send_at(poster, now),
    )
    return True


def _to_confirm(db: Session, opening: Opening) -> list[tuple[Involvement, Member]]:
    """Those selected whose pay is not approved yet: their hours can still be put right."""
    return list(
        db.exec(
            select(Involvement, Member)
            .join(Member, col(Member.id) == col(Involvement.member_id))
            .where(
                Involvement.opening_id == opening.id,
                col(Involvement.pay_status).in_([PayStatus.OFFERED, PayStatus.CONFIRMED]),
            )
            .order_by(col(Involvement.selected_at), col(Involvement.id))
        ).all()
    )


def _ended(turn: Turn, opening: Opening) -> list[tuple[Involvement, Member]]:
    if opening.status == Status.CANCELLED:
        raise Refusal("{title} was cancelled, so there are no hours to confirm.", title=opening.title)
    if opening.status != Status.CLOSED:
        raise Refusal(
            "{title} is still open. Hours are confirmed after it closes and the work ends.", title=opening.title
        )
    people = _to_confirm(turn.db, opening)
    if not people:
        raise Refusal("The hours for {title} are all approved already. Nothing changed.", title=opening.title)
    return people


def _fields(turn: Turn, asked: Asked) -> list[FormField]:
    _ = turn._
    opening: Opening = asked.subject
    per_session = opening.rate_unit == SESSION
    found = []
    for involvement, member in _ended(turn, opening):
        name = member.display_name[:NAME_IN_LABEL]
        if per_session:
            was = involvement.sessions_confirmed if involvement.sessions_confirmed is not None else 1
            found.append(
                FormField(
                    f"p{member.id}",
                    _("{name}: sessions attended", name=name),
                    "number",
                    minimum=0,
                    maximum=500,
                    whole=True,
                    initial=str(was),
                )
            )
            continue
        hours = involvement.hours_confirmed if involvement.hours_confirmed is not None else involvement.hours_agreed
        found.append(
            FormField(
                f"p{member.id}",
                _("{name}: hours given", name=name),
                "number",
                minimum=0,
                maximum=1000,
                initial=hours_text(hours),
                hint=_("Hours, like 6 or 2.5"),
            )
        )
    return found


def _submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    opening: Opening = asked.subject
    _ = turn._
    per_session = opening.rate_unit == SESSION
    shown = []
    owed = 0
    for involvement, member in _ended(turn, opening):
        typed = values.get(f"p{member.id}", "")
        if not typed:
            continue
        if per_session:
            involvement.sessions_confirmed = int(float(typed))
        else:
            involvement.hours_confirmed = float(typed)
        if opening.rate_minor is not None:
            involvement.amount_minor = amount_for(opening.rate_minor, typed)
            involvement.currency = opening.currency
        involvement.pay_status = PayStatus.CONFIRMED
        involvement.confirmed_at = turn.now
        turn.db.add(involvement)
        _tell_partner(turn, opening, involvement, member)
        shown.append(Field(member.display_name, (_line(_, opening, involvement),)))
        if involvement.amount_minor and not involvement.payment_declined:
            owed += involvement.amount_minor
    words = _("Thank you. The hours for {title} are confirmed, and each partner is told.", title=opening.title)
    buttons: tuple[Button, ...] = ()
    if opening.rate_minor is not None:
        words += " " + _(
            "Together: {amount}. Please check, then approve them for payment.",
            amount=money(owed, opening.currency),
        )
        buttons = (Button(_("Approve for payment"), f"opening.approve:{opening.id}", style="primary"),)
    return turn.say(words, fields=tuple(shown), buttons=buttons)


def _line(tr: Translate, opening: Opening, involvement: Involvement) -> str:
    if opening.rate_unit == SESSION:
        given = tr("Sessions: {count}.", count=involvement.sessions_confirmed)
    else:
        given = tr("Hours: {hours}.", hours=hours_text(involvement.hours_confirmed))
    if involvement.amount_minor is None:
        return given
    if involvement.payment_declined:
        return given + " " + tr("They chose not to be paid.")
    return given + " " + tr("Amount: {amount}.", amount=money(involvement.amount_minor, involvement.currency))


def _tell_partner(turn: Turn, opening: Opening, involvement: Involvement, member: Member) -> None:
    """The partner hears what was confirmed and what it comes to, with the choice not to be paid."""
    _ = translator(member.language)
    poster = turn.member.display_name
    if opening.rate_unit == SESSION:
        words = _.n(
            "{name} confirmed your time on {title}: {count} session.",
            "{name} confirmed your time on {title}: {count} sessions.",
            involvement.sessions_confirmed or 0,
            name=poster,
            title=opening.title,
        )
    else:
        words = _.n(
            "{name} confirmed your time on {title}: {hours} hour.",
            "{name} confirmed your time on {title}: {hours} hours.",
            involvement.hours_confirmed or 0,
            name=poster,
            title=opening.title,
            hours=hours_text(involvement.hours_confirmed),
        )
    words += " " + _("Thank you for your work.")
    buttons = [Button(_("Claim an expense"), f"expense.claim:{opening.id}")]
    fields: tuple[Field, ...] = ()
    if involvement.amount_minor is not None:
        amount = money(involvement.amount_minor, involvement.currency)
        if involvement.payment_declined:
            words += " " + _("You chose not to be paid, so nothing is owed. You can change your mind until it is paid.")
            buttons.insert(0, Button(_("I'd like to be paid after all"), f"opening.payment:{opening.id}:accept"))
        else:
            words += " " + _("Being paid is still your choice. You can change your mind until it is paid.")
            buttons.insert(0, Button(_("I'd rather not be paid"), f"opening.payment:{opening.id}:decline"))
        fields = (Field(_("Amount"), (amount,)),)
    assert member.id is not None
    enqueue_dm(
        turn.db,
        member.id,
        Message((words,), fields, tuple(buttons)),
        turn.now,
        dedupe_key=f"opening.hours.told:{involvement.id}:{turn.now.isoformat()}",
        due_at=send_at(member, turn.now),
    )


def confirm_typed(turn: Turn, asked: Asked) -> Reply:
    """`openings hours N`: the same form as the button in the message after the work."""
    opening: Opening = asked.subject
    _ended(turn, opening)
    return open_form(turn, f"opening.hours:{opening.id}")


def approve(turn: Turn, asked: Asked) -> Reply:
    """Approve the confirmed amounts of an opening for payment: coordinators then mark them paid."""
    opening: Opening = asked.subject
    _ = turn._
    if opening.rate_minor is None:
        raise Refusal("{title} is unpaid, so there is nothing to approve.", title=opening.title)
    done = turn.db.execute(
        update(Involvement)
        .where(col(Involvement.opening_id) == opening.id, col(Involvement.pay_status) == PayStatus.CONFIRMED)
        .values(pay_status=PayStatus.APPROVED, approved_at=turn.now)
    )
    count = done.rowcount  # type: ignore[attr-defined]
    if not count:
        waiting = turn.db.exec(
            select(Involvement.id).where(
                Involvement.opening_id == opening.id, Involvement.pay_status == PayStatus.OFFERED
            )
        ).first()
        if waiting is not None:
            raise Refusal("Please confirm the hours for {title} first. Nothing changed.", title=opening.title)
        return turn.say(_("The payments for {title} are approved already. Nothing changed.", title=opening.title))
    return turn.say(
        _(
            "Approved for payment: {count} for {title}. The coordinators mark them paid, and each partner is told.",
            count=count,
            title=opening.title,
        )
    )


PAYING = Subject(pressed, managed(NOT_PAYING))

HOURS_FORM = FormSpec(
    name="opening.hours",
    title=lambda turn: turn._("Confirm hours"),
    fields=_fields,
    submit=_submit,
    submit_label=lambda turn: turn._("Confirm"),
    roles=STAFF_ROLES,
    subject=PAYING,
    refusal=NOT_PAYING,
)

BUTTONS = (ButtonSpec("opening.approve", approve, STAFF_ROLES, PAYING, NOT_PAYING),)
