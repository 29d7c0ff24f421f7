"""`link` and `unlink`: one person's accounts on several platforms become one member, with one
profile, and can be made separate again.

`link` gives a one-time code; `link CODE`, typed on the other account, merges the member who
typed it into the member who asked for it (bot/linking/merging.py). Only a hash of the code is
kept, and it works once, for ten minutes. Wrong codes are counted in the database, per account.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, delete, func, select

from bot.checks import Refusal
from bot.conversation import Message, Reply
from bot.feature import Asked
from bot.linking import words
from bot.linking.merging import CONSENT, SETTINGS, merge, older
from bot.linking.rules import (
    KEPT_FOR,
    LIFETIME,
    MAX_WRONG,
    WRONG_WINDOW,
    code_hash,
    looks_like_a_code,
    new_code,
    read_code,
)
from bot.members import Reach, Role, accounts_of, interests_of, platform_name, roles_of, set_interests
from bot.outbox import enqueue
from bot.profile import profile_view
from bot.settings import Settings
from bot.turn import Turn
from bot.words import translator
from storage.models import Account, LinkCode, LinkTry, Member, MemberRole


def give_code(turn: Turn, _asked: Asked) -> Reply:
    """`link`: a new code, which replaces any this member had not used."""
    member_id = turn.member.id
    turn.db.execute(
        delete(LinkCode).where(col(LinkCode.member_id) == member_id, col(LinkCode.used_at).is_(None))
    )
    code = new_code()
    turn.db.add(LinkCode(member_id=member_id, code_hash=code_hash(code), created_at=turn.now))  # type: ignore[arg-type]
    turn.db.flush()
    return turn.say(turn._(words.CODE_BEFORE), " ", turn._(words.CODE_GIVEN, code=code))


def use_code(turn: Turn, asked: Asked) -> Reply:
    """`link K7P-4QD`, typed on the other account."""
    typed = read_code(asked.text)
    if not typed:
        raise Refusal(words.NOT_A_CODE)
    if _wrong_lately(turn) >= MAX_WRONG:
        raise Refusal(words.TOO_MANY)
    found = _code(turn.db, typed) if looks_like_a_code(typed) else None
    if found is None:
        # Counted, and saved: this is not a refusal, so the try stays when the turn ends.
        turn.db.add(LinkTry(account_id=turn.account.id, tried_at=turn.now))  # type: ignore[arg-type]
        return turn.say(turn._(words.WRONG))
    if found.member_id == turn.member.id:
        raise Refusal(words.ALREADY if len(accounts_of(turn.db, turn.member.id)) > 1 else words.OWN)
    if found.used_at is not None:
        raise Refusal(words.USED)
    if turn.now >= found.created_at + LIFETIME:
        raise Refusal(words.OLD)
    # Once only, even when two accounts type it at the same moment.
    taken = turn.db.execute(
        update(LinkCode)
        .where(col(LinkCode.id) == found.id, col(LinkCode.used_at).is_(None))
        .values(used_at=turn.now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal(words.USED)
    into = turn.db.get_one(Member, found.member_id)
    kept = older(into, turn.member)
    kept_on = accounts_of(turn.db, kept.id)[0].platform
    asked_on = accounts_of(turn.db, into.id)
    merge(turn.db, turn.settings, into, turn.member, turn.now)
    _tell(turn, into, asked_on, found)
    now_one = replace(
        turn,
        member=into,
        account=turn.db.get_one(Account, turn.account.id),
        roles=roles_of(turn.db, found.member_id),
    )
    _ = now_one._
    lead = f"{_(words.LINKED)} {_(words.KEPT, platform=platform_name(_, kept_on))}"
    return profile_view(now_one, lead)


def _tell(turn: Turn, into: Member, accounts: list[Reach], code: LinkCode) -> None:
    """The accounts that asked for the code hear that another was linked to them: a code seen
    by someone else would otherwise join a stranger's account to theirs unnoticed."""
    _ = translator(into.language)
    said = Message((_(words.TOLD, platform=platform_name(_, turn.account.platform)),))
    for account in accounts:
        key = f"link.told:{code.id}:{account.id}"
        enqueue(
            turn.db, account.platform, account.workspace, "dm", account.user_id, said, turn.now, key, language=into.language
        )


def unlink(turn: Turn, _asked: Asked) -> Reply:
    """`unlink`: the account typed from becomes a member of its own again, with a copy of the
    settings and the partner role. Everything that happened stays with the member it was."""
    old = turn.member
    accounts = accounts_of(turn.db, old.id)
    if len(accounts) < 2:
        raise Refusal(words.ONLY_ONE)
    # The profile's settings and the answer to the notice; not where messages go (one account
    # now) nor when the name last changed (a new member has not changed it).
    kept = [name for name in SETTINGS if name not in ("name_changed_at", "dm_platform")]
    copied = {name: getattr(old, name) for name in (*kept, *CONSENT)}
    alone = Member(**copied, created_at=turn.now)
    turn.db.add(alone)
    turn.db.flush()
    assert alone.id is not None and old.id is not None
    account = turn.account
    account.member_id = alone.id
    turn.db.add(account)
    turn.db.add(MemberRole(member_id=alone.id, role=Role.PARTNER, granted_at=turn.now))
    set_interests(turn.db, alone.id, interests_of(turn.db, old.id))
    staying = [a for a in accounts if a.id != account.id]
    if old.dm_platform and all(a.platform != old.dm_platform for a in staying):
        old.dm_platform = None
        turn.db.add(old)
    turn.db.flush()
    on_its_own = replace(turn, member=alone, roles={Role.PARTNER})
    _ = on_its_own._
    history = _(words.HISTORY_STAYS, platform=platform_name(_, staying[0].platform))
    return on_its_own.say(_(words.UNLINKED), " ", history)


def forget_old(engine: Engine, _settings: Settings, now: datetime) -> None:
    """Codes and wrong tries are kept for a day, no longer."""
    with Session(engine) as db:
        db.execute(delete(LinkCode).where(col(LinkCode.created_at) < now - KEPT_FOR))
        db.execute(delete(LinkTry).where(col(LinkTry.tried_at) < now - KEPT_FOR))
        db.commit()


def _code(db: Session, typed: str) -> LinkCode | None:
    return db.exec(
        select(LinkCode).where(LinkCode.code_hash == code_hash(typed)).order_by(col(LinkCode.id).desc())
    ).first()


def _wrong_lately(turn: Turn) -> int:
    return turn.db.exec(
        select(func.count())
        .select_from(LinkTry)
        .where(LinkTry.account_id == turn.account.id, col(LinkTry.tried_at) > turn.now - WRONG_WINDOW)
    ).one()
