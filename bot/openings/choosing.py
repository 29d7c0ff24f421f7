"""Choosing fairly: who is interested, least involved first, and selecting up to the number of
places. A selection records the involvement and tells the partner the next steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Reply
from bot.feature import Asked, FormSpec, Subject
from bot.openings.fairness import LATELY, Record, records
from bot.openings.notices import refresh_announcement
from bot.openings.queries import filled, interested, pressed
from bot.openings.rules import NOT_CHOOSING, STAFF_ROLES, Status, hours_text, managed, send_at, still_open
from bot.openings.words import pay_summary, selected_message, unselected_message
from bot.outbox import enqueue_dm
from bot.turn import Turn, number_in
from bot.words import translator
from storage.models import Involvement, Member, Opening, OpeningInterest, Outbox


@dataclass
class Candidate:
    interest: OpeningInterest
    member: Member
    lately: int  # selections in other openings in the last six months
    last: datetime | None  # their latest selection in another opening, ever
    hours: float = 0.0  # the hours of those selections in the last six months


def candidates(db: Session, opening: Opening, now: datetime, by_time: bool = False) -> list[Candidate]:
    """Everyone still interested. Least involved first: fewest selections lately, then those
    never selected, then those selected longest ago, then who said so first."""
    people = interested(db, opening.id)
    counted = records(db, now - LATELY, now, (m.id for _i, m in people), leaving_out=opening.id)
    found = []
    for interest, member in people:
        record = counted.get(member.id, Record())
        found.append(Candidate(interest, member, record.selected, record.last, record.hours))
    if by_time:
        return found
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda c: (c.lately, c.last or never))


def _describe(turn: Turn, candidate: Candidate) -> Field:
    """One interested person as staff see them: how often they were selected, and their words."""
    _ = turn._
    name = candidate.member.display_name
    if candidate.interest.selected_at is not None:
        label = _("{name}, selected for this one", name=name)
    else:
        label = name
    # Said once: never selected says more than "not in the last 6 months".
    if candidate.last is None and candidate.interest.selected_at is None:
        parts = [_("Never selected before.")]
    elif candidate.lately == 0:
        parts = [_("Not selected in the last 6 months.")]
    else:
        parts = [_selections(turn, candidate.lately, candidate.hours)]
    interest = candidate.interest
    if interest.availability:
        parts.append(_("Availability: {text}", text=interest.availability))
    if interest.access_needs:
        parts.append(_("Access needs: {text}", text=interest.access_needs))
    if interest.note:
        parts.append(_("Note: {note}", note=interest.note))
    return Field(label, (" ".join(p if p.endswith(".") else p + "." for p in parts),))


def _selections(turn: Turn, count: int, hours: float) -> str:
    """What the fairness report counts for one person: selections and hours, the last 6 months."""
    _ = turn._
    shown = hours_text(round(hours, 2))
    if hours <= 0:
        return _.n("Selected once in the last 6 months.", "Selected {count} times in the last 6 months.", count)
    if hours == 1:
        return _.n(
            "Selected once in the last 6 months, for 1 hour.",
            "Selected {count} times in the last 6 months, for 1 hour.",
            count,
        )
    return _.n(
        "Selected once in the last 6 months, for {hours} hours.",
        "Selected {count} times in the last 6 months, for {hours} hours.",
        count,
        hours=shown,
    )


def review_typed(turn: Turn, asked: Asked) -> Reply:
    """`openings review 1`, or `openings review 1 by date`."""
    return review(turn, asked.subject, by_time=asked.rest.lower() in ("by date", "by time"))


def review_pressed(turn: Turn, asked: Asked) -> Reply:
    return review(turn, asked.subject)


def review(turn: Turn, opening: Opening, by_time: bool = False) -> Reply:
    _ = turn._
    found = candidates(turn.db, opening, turn.now, by_time)
    taken = filled(turn.db, opening.id)
    if not found:
        return turn.say(_("Nobody has said they're interested in {title} yet.", title=opening.title))
    if by_time:
        lead = _("Who is interested in {title}, in the order they said so.", title=opening.title)
    else:
        lead = _("Who is interested in {title}, least involved first.", title=opening.title)
    lead += " " + _("Places filled: {filled} of {places}.", filled=taken, places=opening.seats)
    buttons: list[Button] = []
    if opening.status == Status.OPEN and turn.now < opening.closes_at:
        # Until it closes, a choice can be undone; the person is told kindly.
        buttons += [
            Button(
                _("Un-select {name}", name=c.member.display_name),
                f"opening.unselect:{opening.id}:{c.member.id}",
            )
            for c in found
            if c.interest.selected_at is not None
        ]
        if taken < opening.seats:
            buttons += [
                Button(
                    _("Select {name}", name=c.member.display_name),
                    f"opening.select:{opening.id}:{c.member.id}",
                )
                for c in found
                if c.interest.selected_at is None
            ]
        else:
            lead += " " + _("All places are filled. Close it to thank the others.")
            buttons.append(Button(_("Close now"), f"opening.close:{opening.id}"))
    shown = tuple(_describe(turn, c) for c in found)
    return turn.say(lead, fields=shown, buttons=tuple(buttons))


# ---- selecting: a small form for the next steps ---------------------------------------------


def _chosen(turn: Turn, asked: Asked) -> tuple[Opening, OpeningInterest, Member]:
    """The opening (the router has checked it is theirs to choose for) and the partner a
    Select button names after it, if they can still be chosen."""
    opening: Opening = asked.subject
    still_open(opening, turn.now)
    found = {c.member.id: c for c in candidates(turn.db, opening, turn.now, by_time=True)}
    member_id = number_in(asked.text.partition(":")[2])
    candidate = found.get(member_id) if member_id is not None else None
    if candidate is None:
        raise Refusal(
            "That person is no longer interested in {title}. Type openings review {number} to see who is.",
            title=opening.title,
            number=opening.id,
        )
    if candidate.interest.selected_at is not None:
        raise Refusal(
            "{name} is already selected for {title}. Nothing changed.",
            name=candidate.member.display_name,
            title=opening.title,
        )
    if filled(turn.db, opening.id) >= opening.seats:
        raise Refusal.n(
            "The only place in {title} is filled. Nothing changed.",
            "All {count} places in {title} are filled. Nothing changed.",
            opening.seats,
            title=opening.title,
        )
    return opening, candidate.interest, candidate.member


def _select_fields(turn: Turn, asked: Asked) -> list[FormField]:
    _ = turn._
    _opening, _interest, member = _chosen(turn, asked)
    return [
        FormField(
            "next_steps",
            _("Next steps for {name}", name=member.display_name),
            "long",
            max_length=1500,
            hint=_("For example: the first meeting, and who to contact"),
        ),
        FormField(
            "hours",
            _("Hours agreed"),
            "number",
            required=False,
            minimum=0,
            maximum=1000,
            hint=_("Leave empty if not agreed yet"),
        ),
    ]


def _select_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    opening, interest, member = _chosen(turn, asked)
    # Hold the opening while counting, so two people choosing at once cannot overfill it.
    turn.db.exec(
        select(Opening)
        .where(Opening.id == opening.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    taken = filled(turn.db, opening.id)
    if taken >= opening.seats:
        raise Refusal.n(
            "The only place in {title} is filled. Nothing changed.",
            "All {count} places in {title} are filled. Nothing changed.",
            opening.seats,
            title=opening.title,
        )
    claimed = turn.db.execute(
        update(OpeningInterest)
        .where(col(OpeningInterest.id) == interest.id)
        .where(col(OpeningInterest.selected_at).is_(None), col(OpeningInterest.withdrawn_at).is_(None))
        .values(selected_at=turn.now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal(
            "That person is no longer interested in {title}. Type openings review {number} to see who is.",
            title=opening.title,
            number=opening.id,
        )
    assert opening.id is not None and member.id is not None
    involvement = Involvement(
        member_id=member.id,
        opening_id=opening.id,
        selected_at=turn.now,
        hours_agreed=float(values["hours"]) if values.get("hours") else None,
        payment_offered=pay_summary(translator("en"), opening)[:200],
        next_steps=values["next_steps"],
    )
    turn.db.add(involvement)
    turn.db.flush()
    enqueue_dm(
        turn.db,
        member.id,
        selected_message(opening, involvement, member, turn.member.display_name),
        turn.now,
        dedupe_key=_selected_key(opening, involvement),
        due_at=send_at(member, turn.now),
    )
    refresh_announcement(turn.db, turn.settings, opening, turn.now)
    _ = turn._
    taken += 1
    words = _(
        "Selected {name} for {title}. I have sent them the next steps.",
        name=member.display_name,
        title=opening.title,
    )
    words += " " + _("Places filled: {filled} of {places}.", filled=taken, places=opening.seats)
    if taken < opening.seats:
        return turn.say(words, buttons=(Button(_("Who is interested"), f"opening.review:{opening.id}"),))
    words += " " + _("All places are filled. Close it to thank the others.")
    return turn.say(words, buttons=(Button(_("Close now"), f"opening.close:{opening.id}"),))


def _selected_key(opening: Opening, involvement: Involvement) -> str:
    """The good news, once per selection (un-selecting frees the key, see `unselect`)."""
    return f"opening.selected:{opening.id}:{involvement.member_id}"


def unselect(turn: Turn, asked: Asked) -> Reply:
    """Un-select someone before the opening closes: asked once, then the place is free again
    and they are told kindly. They stay on the list of people interested."""
    opening: Opening = asked.subject
    _ = turn._
    if opening.status != Status.OPEN or turn.now >= opening.closes_at:
        raise Refusal(
            "{title} has closed, so the choice is final here. If plans have changed, please tell them yourself.",
            title=opening.title,
        )
    member_id = number_in(asked.text.partition(":")[2])
    found = {c.member.id: c for c in candidates(turn.db, opening, turn.now, by_time=True)}
    candidate = found.get(member_id) if member_id is not None else None
    if candidate is None or candidate.interest.selected_at is None:
        raise Refusal(
            "That person is not selected for {title}. Nothing changed.", title=opening.title
        )
    member = candidate.member
    if asked.value != "yes":
        return turn.say(
            _(
                "Un-select {name} from {title}? The place is free again, and I will tell them kindly.",
                name=member.display_name,
                title=opening.title,
            ),
            buttons=(
                Button(
                    _("Yes, un-select {name}", name=member.display_name),
                    f"opening.unselect:{opening.id}:{member.id}",
                    value="yes",
                    style="danger",
                ),
                Button(_("No, keep them"), f"opening.review:{opening.id}"),
            ),
        )
    claimed = turn.db.execute(
        update(OpeningInterest)
        .where(col(OpeningInterest.id) == candidate.interest.id, col(OpeningInterest.selected_at).is_not(None))
        .values(selected_at=None)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Refusal("That changed a moment ago. Please press the button again.")
    involvement = turn.db.exec(
        select(Involvement).where(Involvement.opening_id == opening.id, Involvement.member_id == member.id)
    ).one()
    good_news = turn.db.exec(select(Outbox).where(Outbox.dedupe_key == _selected_key(opening, involvement))).first()
    told = good_news is None or good_news.sent_at is not None
    if good_news is not None and good_news.sent_at is None:
        turn.db.delete(good_news)  # not sent yet: they never heard, so there is nothing to undo
    else:
        assert member.id is not None
        sent = good_news.id if good_news is not None else 0
        if good_news is not None:  # chosen again later, they hear the good news again
            good_news.dedupe_key = f"{good_news.dedupe_key}:undone:{sent}"
            turn.db.add(good_news)
        enqueue_dm(
            turn.db,
            member.id,
            unselected_message(opening, member, turn.member.display_name),
            turn.now,
            dedupe_key=f"opening.unselected:{opening.id}:{member.id}:{sent}",
            due_at=send_at(member, turn.now),
        )
    turn.db.delete(involvement)
    turn.db.flush()
    refresh_announcement(turn.db, turn.settings, opening, turn.now)
    words = _("{name} is no longer selected for {title}.", name=member.display_name, title=opening.title)
    if told:
        words += " " + _("I have told them kindly.")
    words += " " + _(
        "Places filled: {filled} of {places}.", filled=filled(turn.db, opening.id), places=opening.seats
    )
    return turn.say(words, buttons=(Button(_("Who is interested"), f"opening.review:{opening.id}"),))


SELECT_FORM = FormSpec(
    name="opening.select",
    title=lambda turn: turn._("Select a partner"),
    fields=_select_fields,
    submit=_select_submit,
    submit_label=lambda turn: turn._("Select"),
    roles=STAFF_ROLES,
    subject=Subject(pressed, managed(NOT_CHOOSING)),
    refusal=NOT_CHOOSING,
)
