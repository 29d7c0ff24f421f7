"""`outbox`: for admins, the messages that could not be sent, why, and trying them again.

A message is set aside after failing again and again, or at once when the platform refuses it
for a reason that will not change by itself (a channel gone, a permission missing). Once the
cause is put right, an admin tries it again; anything that changes it goes out after it.

A message of use only before a moment (a reminder before the session starts) that could not go
by then is let go as too late: shown apart, as a count, since there is nothing to try again.
"""

from __future__ import annotations

from datetime import timedelta

from bot.checks import Refusal
from bot.conversation import Button, Field, Reply
from bot.feature import Asked, ButtonSpec, CommandSpec, Feature, Verb
from bot.members import AccountRef, Role, find_account
from bot.outbox import CALENDAR, let_go, retry, undelivered
from bot.turn import Turn, number_in
from bot.words import N_, reads
from storage.models import Member, Outbox

ADMINS = (Role.ADMIN,)
# How far back the count of messages let go as too late goes.
LATE_SHOWN = timedelta(days=7)


def show(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    count, latest = undelivered(turn.db)
    late = let_go(turn.db, turn.now - LATE_SHOWN)
    too_late = (
        _(
            "Let go in the last 7 days because they were too late: {count}. Each was of use only before a moment that had passed, like a reminder for a session that had started. There is nothing to try again.",
            count=late,
        )
        if late
        else None
    )
    if not count:
        if too_late:
            return turn.say(too_late)
        return turn.say(_("Every message was sent. Nothing is waiting."))
    lead = _(
        "Messages not sent: {count}. The latest are below. Once the cause is put right, type outbox retry all, or press the button.",
        count=count,
    )
    spans = (lead, " ", too_late) if too_late else (lead,)
    fields = tuple(Field(f"#{row.id} {_to_whom(turn, row)}", (_why(turn, row),)) for row in latest)
    return turn.say(*spans, fields=fields, buttons=(Button(_("Try them all again"), "outbox.retry", "all"),))


def _to_whom(turn: Turn, row: Outbox) -> str:
    _ = turn._
    if row.target_kind == CALENDAR:
        return _("a calendar entry on {platform}", platform=row.platform)
    if row.target_kind == "channel":
        return _("to channel {channel} on {platform}", channel=row.target_id, platform=row.platform)
    account = find_account(turn.db, AccountRef(row.platform, row.workspace, row.target_id))
    member = turn.db.get(Member, account.member_id) if account else None
    name = member.display_name if member else row.target_id
    return _("to {name} on {platform}", name=name, platform=row.platform)


def _why(turn: Turn, row: Outbox) -> str:
    """Why it could not be sent, and how often it was tried: never its words, which were meant
    for someone else (a partner's alert, a check-in)."""
    return turn._("{reason}. Tries: {count}.", reason=row.last_error or "?", count=max(row.attempts, 1))


# TRANSLATORS: read, not shown: the word after "outbox retry" for every message waiting. Separate the ways with |.
_ALL = N_("all|everything")


def try_again(turn: Turn, asked: Asked) -> Reply:
    """`outbox retry all`, `outbox retry 12`, or the button (its value says which)."""
    _ = turn._
    which = (asked.value or asked.text or "all").strip().lower()
    if which == "all" or reads(which, _ALL, turn.member.language):
        count = retry(turn.db, turn.now)
        if not count:
            return turn.say(_("Every message was sent. Nothing is waiting."))
        return turn.say(_("Trying them again now. Messages: {count}.", count=count))
    number = number_in(which)
    if number is None or not retry(turn.db, turn.now, number):
        raise Refusal("Which message? Type outbox to see their numbers, or type outbox retry all.")
    return turn.say(_("Trying message #{number} again now.", number=number))


def waiting(turn: Turn) -> list[Field]:
    """For admins: how many messages could not be sent."""
    if not turn.is_(Role.ADMIN):
        return []
    count, _latest = undelivered(turn.db, limit=0)
    if not count:
        return []
    _ = turn._
    return [Field(_("Messages not sent"), (_("{count}. Type outbox to see why.", count=count),))]


FEATURE = Feature(
    "outbox",
    commands=(
        CommandSpec(
            "outbox",
            summary=N_("Shows messages that could not be sent, and why, so you can try them again."),
            example="outbox",
            roles=ADMINS,
            verbs=(
                Verb("list", show, N_("Shows messages that could not be sent, and why.")),
                Verb(
                    "retry",
                    try_again,
                    N_("Tries a message again, or all of them, once the cause is put right."),
                    ADMINS,
                    argument="which",
                    hint=N_("A number, like 12, or all"),
                    example="outbox retry all",
                ),
            ),
            default=("list",),
        ),
    ),
    buttons=(ButtonSpec("outbox.retry", try_again, ADMINS),),
    home=(waiting,),
)
