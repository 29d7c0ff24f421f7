"""Who a command names: a platform mention, an @handle, or a name.

Names are not unique and anyone can change theirs, so a name may fit someone other than the
person meant. A name that fits several members, or a member who took it in the last 7 days, is
asked about, never acted on: the question shows each one's account as their platform shows it,
and its buttons carry the member's id. A mention, or an @handle (a user id on the platform the
command came from), is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.checks import Refusal
from bot.conversation import Button, Command, Field, Mention, Message, Span
from bot.members import AccountRef, find_account, member_for, member_with_user_id, members_called
from bot.turn import Turn
from storage.models import Account, Member

RECENT = timedelta(days=7)  # a name taken lately may be borrowed from someone about to join
_PLATFORMS = {"slack": "Slack", "discord": "Discord"}


@dataclass(frozen=True)
class Unsure:
    """The members a name could mean when choosing alone is not safe: several, or one who took
    the name lately. Oldest member first."""

    name: str
    members: tuple[Member, ...]


def named_person(turn: Turn, name: str, welcome: bool = False) -> Member | Unsure | None:
    """The member a command names, an `Unsure` to ask about, or None if nobody fits.

    A mention is exact. Of someone who never wrote to the bot, it makes them a member when
    `welcome` (a role given to someone new: they see the notice at their first message), and is
    refused otherwise.
    """
    event = turn.event
    mentions = event.mentions if isinstance(event, Command) else ()
    if mentions:
        account = find_account(turn.db, mentions[0])
        if account is None and welcome:
            seen_as = name.strip().removeprefix("@").strip()
            settings = turn.settings
            member, _account = member_for(
                turn.db, mentions[0], seen_as, settings.default_timezone, settings.default_language, turn.now
            )
            return member
        if account is None:
            raise Refusal(
                "{name} hasn't talked to me yet. Ask them to send me a message first.",
                name=name[:80] or "They",
            )
        return turn.db.get_one(Member, account.member_id)
    handle = name.strip().startswith("@")
    typed = name.strip().removeprefix("@").strip()
    by_handle = member_with_user_id(turn.db, turn.account, typed)
    if handle and by_handle is not None:
        return by_handle
    # A bare word may be someone's user id and someone else's name; an @word that is nobody's
    # handle is read as a name.
    fits = {m.id: m for m in members_called(turn.db, typed)}
    if by_handle is not None:
        fits[by_handle.id] = by_handle
    if not fits:
        return None
    if len(fits) == 1:
        [only] = fits.values()
        if (by_handle is not None and only.id == by_handle.id) or not renamed_lately(turn, only):
            return only
    return Unsure(typed, tuple(sorted(fits.values(), key=lambda m: m.id or 0)))


def renamed_lately(turn: Turn, member: Member) -> bool:
    return member.name_changed_at is not None and member.name_changed_at > turn.now - RECENT


def which_one(turn: Turn, unsure: Unsure, action: str, value: str) -> Message:
    """The question: who each one is, with a button each (`action:<member id>`, `value`) that
    does what the command asked. Its handler checks again that the presser may do it."""
    _ = turn._
    if len(unsure.members) == 1:
        [member] = unsure.members
        lead = _(
            "{name} changed their name {ago}. Is this who you mean?",
            name=member.display_name,
            ago=_ago(turn, member),
        )
        field = Field(member.display_name, accounts(turn, member))
        return Message((lead,), (field,), (Button(_("Yes, this person"), f"{action}:{member.id}", value),))
    lead = _.n(
        "There is {count} person called {name}. Which one do you mean?",
        "There are {count} people called {name}. Which one do you mean?",
        len(unsure.members),
        name=unsure.name[:80],
    )
    fields, buttons = [], []
    for number, member in enumerate(unsure.members, 1):
        label = _("Number {number}", number=number)
        about: list[Span] = [member.display_name, ", ", *accounts(turn, member)]
        if renamed_lately(turn, member):
            about += [", ", _("changed their name {ago}", ago=_ago(turn, member))]
        fields.append(Field(label, tuple(about)))
        buttons.append(Button(label, f"{action}:{member.id}", value))
    return Message((lead,), tuple(fields), tuple(buttons))


def accounts(turn: Turn, member: Member) -> tuple[Span, ...]:
    """Each of a member's accounts as its platform shows it, then the platform: "@sam.b (Slack)"."""
    spans: list[Span] = []
    rows = turn.db.exec(select(Account).where(Account.member_id == member.id).order_by(col(Account.id)))
    for account in rows:
        if spans:
            spans.append(", ")
        ref = AccountRef(account.platform, account.workspace, account.user_id)
        spans += [
            Mention(ref, f"@{account.user_id}"),
            f" ({_PLATFORMS.get(account.platform, account.platform)})",
        ]
    return tuple(spans)


def _ago(turn: Turn, member: Member) -> str:
    """When their name changed, in days as the reader counts them in their own zone."""
    assert member.name_changed_at is not None
    zone = ZoneInfo(turn.member.timezone)
    days = (turn.now.astimezone(zone).date() - member.name_changed_at.astimezone(zone).date()).days
    if days <= 0:
        return turn._("today")
    if days == 1:
        return turn._("yesterday")
    return turn._.n("{days} day ago", "{days} days ago", days, days=days)
