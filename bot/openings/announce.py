"""How an opening reads (in the announcements channel, in a message to a partner, in full), and
announcing it: the channel post, kept up to date by edits, and a message to each partner whose
interests match."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from bot.conversation import Button, Field, Message, Span, fill
from bot.members import Role
from bot.notify import channel_reader
from bot.openings.queries import filled
from bot.openings.rules import Status, is_paused, send_at
from bot.outbox import enqueue_channel, enqueue_dm, enqueue_edit
from bot.settings import Settings
from bot.turn import moment_for
from bot.words import Translate, translator
from storage.models import Member, MemberInterest, MemberRole, Opening, Outbox


def where(_: Translate, opening: Opening) -> str:
    if opening.place_kind == "in_person":
        return _("In person at {place}", place=opening.place)
    if opening.place_kind == "hybrid":
        return _("Hybrid: online, or in person at {place}", place=opening.place)
    return _("Remote")


def seats_taken(_: Translate, opening: Opening, taken: int) -> str:
    if taken == 0:
        return str(opening.seats)
    return _("{filled} of {places} filled", filled=taken, places=opening.seats)


def fields(
    opening: Opening, reader: Member, taken: int, full: bool = False, closing: bool = True
) -> tuple[Field, ...]:
    """What a partner needs to decide. `full` adds the rest: when, access support, interests.
    `closing` adds when it closes."""
    _ = translator(reader.language)
    shown = [
        Field(_("Team"), (opening.team,)),
        Field(_("What it involves"), (opening.involves,)),
        Field(_("Time commitment"), (opening.commitment,)),
    ]
    if full:
        shown.append(Field(_("When"), (opening.dates,)))
    shown += [
        Field(_("Where"), (where(_, opening),)),
        Field(_("Places"), (seats_taken(_, opening, taken),)),
        Field(_("Payment and expenses"), (opening.payment,)),
    ]
    if full:
        shown.append(Field(_("Access support"), (opening.access or _("Ask the person who posted it"),)))
        if opening.tags:
            shown.append(Field(_("Interests"), (", ".join(opening.tags),)))
    if closing:
        shown.append(Field(_("Closes"), (moment_for(reader, opening.closes_at),)))
    return tuple(shown)


def interest_buttons(reader: Member, opening: Opening) -> tuple[Button, ...]:
    _ = translator(reader.language)
    return (
        Button(_("I'm interested"), f"opening.interested:{opening.id}", style="primary"),
        Button(_("More details"), f"opening.details:{opening.id}"),
    )


def announcement(db: Session, settings: Settings, opening: Opening, now: datetime) -> Message:
    """The channel post as things stand: open, full, closed or cancelled."""
    reader = channel_reader(settings, now)
    _ = translator(reader.language)
    taken = filled(db, opening.id)
    buttons: tuple[Button, ...] = ()
    if opening.status == Status.CANCELLED:
        text = _("Cancelled: {title}. Sorry, this opening is not going ahead.", title=opening.title)
    elif opening.status == Status.CLOSED:
        text = _("Closed: {title}. Thank you to everyone who said they were interested.", title=opening.title)
    elif taken >= opening.seats:
        text = _("{title}: all places are now filled. Thank you, everyone.", title=opening.title)
        buttons = interest_buttons(reader, opening)[1:]
    else:
        text = _("New opening: {title}.", title=opening.title)
        buttons = interest_buttons(reader, opening)
    still = opening.status == Status.OPEN
    return Message((text,), fields(opening, reader, taken, closing=still), buttons, private=False)


def invitation(opening: Opening, reader: Member, matched: list[str]) -> Message:
    _ = translator(reader.language)
    words: tuple[Span, ...] = (
        _(
            "A new opening matches your interests ({tags}): {title}.",
            tags=", ".join(matched),
            title=opening.title,
        ),
        " ",
        _("To change your interests, type profile interests."),
    )
    return Message(words, fields(opening, reader, 0), interest_buttons(reader, opening))


def announce(db: Session, settings: Settings, opening: Opening, now: datetime) -> int:
    """Post it in the announcements channel, if one is set, and invite the partners whose
    interests match. Returns how many partners were invited."""
    assert opening.id is not None
    channel = settings.announcements()
    if channel is not None:
        post = enqueue_channel(
            db, channel, announcement(db, settings, opening, now), now, f"opening.post:{opening.id}"
        )
        if post is not None:
            opening.announcement_id = post.id
            db.add(opening)
    return invite_matching(db, opening, now)


def invite_matching(db: Session, opening: Opening, now: datetime) -> int:
    """A message to each partner with a matching interest who has not paused, once per opening;
    someone in quiet hours gets it when those end, unless it has closed by then."""
    if not opening.tags:
        return 0
    partners = select(MemberRole.member_id).where(MemberRole.role == Role.PARTNER)
    rows = db.exec(
        select(Member, MemberInterest.tag)
        .join(MemberInterest, col(MemberInterest.member_id) == col(Member.id))
        .where(col(MemberInterest.tag).in_(opening.tags), col(Member.id).in_(partners))
        .where(col(Member.id) != opening.posted_by)
        .order_by(col(Member.id), col(MemberInterest.tag))
    ).all()
    matches: dict[int, tuple[Member, list[str]]] = {}
    for member, tag in rows:
        assert member.id is not None
        matches.setdefault(member.id, (member, []))[1].append(tag)
    invited = 0
    for member_id, (member, tags) in matches.items():
        due = send_at(member, now)
        if is_paused(member, now) or due >= opening.closes_at:
            continue
        queued = enqueue_dm(
            db,
            member_id,
            invitation(opening, member, tags),
            now,
            dedupe_key=f"opening.invite:{opening.id}:{member_id}",
            due_at=due,
        )
        invited += queued is not None
    return invited


def drop_unsent_invitations(db: Session, opening_id: int | None) -> None:
    """An invitation still waiting for someone's quiet hours to end is no use once it has closed."""
    db.exec(
        delete(Outbox).where(
            col(Outbox.dedupe_key).startswith(f"opening.invite:{opening_id}:"), col(Outbox.sent_at).is_(None)
        )
    )


def refresh_announcement(db: Session, settings: Settings, opening: Opening, now: datetime) -> None:
    """Edit the channel post to show how things stand now (places filled, closed, cancelled)."""
    if opening.announcement_id is not None:
        enqueue_edit(db, opening.announcement_id, announcement(db, settings, opening, now), now)


def closes_words(reader: Member, opening: Opening) -> tuple[Span, ...]:
    _ = translator(reader.language)
    return fill(_("It closes {when}."), when=moment_for(reader, opening.closes_at))
