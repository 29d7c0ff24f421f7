"""Members, their platform accounts, roles, consent and preferences."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import CursorResult, bindparam, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from bot.words import N_, Translate
from storage.models import Account, Member, MemberInterest, MemberRole, Outbox


@dataclass(frozen=True)
class AccountRef:
    """Who someone is on one platform: ('slack', 'T1', 'U2'), ('discord', '', '123')."""

    platform: str
    workspace: str
    user_id: str


class Role(StrEnum):
    PARTNER = "partner"
    STAFF = "staff"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ROLE_ORDER = [Role.PARTNER, Role.STAFF, Role.COORDINATOR, Role.ADMIN]

_NAMES = {
    Role.PARTNER: (N_("partner"), N_("partners")),
    Role.STAFF: (N_("staff"), N_("staff")),
    Role.COORDINATOR: (N_("coordinator"), N_("coordinators")),
    Role.ADMIN: (N_("admin"), N_("admins")),
}


def role_name(_: Translate, role: Role) -> str:
    return _(_NAMES[role][0])


def role_name_plural(_: Translate, role: Role) -> str:
    return _(_NAMES[role][1])


def role_from(word: str) -> Role | None:
    wanted = word.strip().lower().rstrip("s")
    for role, (one, many) in _NAMES.items():
        if wanted in (role.value, one, many.rstrip("s")):
            return role
    return None


def find_account(db: Session, ref: AccountRef) -> Account | None:
    return db.exec(
        select(Account).where(
            Account.platform == ref.platform,
            Account.workspace == ref.workspace,
            Account.user_id == ref.user_id,
        )
    ).first()


# Built once, with the account as parameters: every turn asks it, and building a statement costs
# more than running it (so too _INTERESTS_OF, _ACCOUNTS_OF and _WENT_AND_REFUSED below).
_KNOWN_MEMBER = (
    select(Account, Member, MemberRole.role)
    .join(Member, col(Member.id) == col(Account.member_id))
    .outerjoin(MemberRole, col(MemberRole.member_id) == col(Member.id))
    .where(
        col(Account.platform) == bindparam("platform"),
        col(Account.workspace) == bindparam("workspace"),
        col(Account.user_id) == bindparam("user_id"),
    )
)


def known_member(db: Session, ref: AccountRef) -> tuple[Account, Member, set[Role]] | None:
    """The account, its member and the member's roles, in one query (a row for each role): what
    every turn of someone known starts with. None for an account new to us."""
    where = {"platform": ref.platform, "workspace": ref.workspace, "user_id": ref.user_id}
    rows = db.exec(_KNOWN_MEMBER, params=where).all()
    if not rows:
        return None
    account, member, _role = rows[0]
    return account, member, {Role(role) for _a, _m, role in rows if role is not None}


def member_for(
    db: Session, ref: AccountRef, display_name: str, zone: str, language: str, now: datetime
) -> tuple[Member, Account]:
    """The member behind an account, made on first contact (as a partner).

    Two first messages at once from one new account must not make two members: the unique
    (platform, workspace, user_id) decides, and the loser reads the winner's row.
    """
    account = find_account(db, ref)
    if account is None:
        try:
            with db.begin_nested():
                member = Member(
                    display_name=(display_name or ref.user_id)[:80],
                    timezone=zone,
                    language=language,
                    created_at=now,
                )
                db.add(member)
                db.flush()
                assert member.id is not None
                account = Account(
                    member_id=member.id,
                    platform=ref.platform,
                    workspace=ref.workspace,
                    user_id=ref.user_id,
                    display_name=(display_name or ref.user_id)[:80],
                )
                db.add(account)
                db.add(MemberRole(member_id=member.id, role=Role.PARTNER, granted_at=now))
                db.flush()
        except IntegrityError:
            account = find_account(db, ref)
            if account is None:
                raise
    seen(account, display_name, now)
    member = db.get(Member, account.member_id)
    assert member is not None
    return member, account


# How stale `last_seen_at` may be before an interaction writes it again. Written on every turn it
# made most turns writers, for one thing read: which of a member's accounts was used most recently
# (accounts_of). That order is now right to within these minutes.
SEEN_EVERY = timedelta(minutes=5)


def seen(account: Account, display_name: str, now: datetime) -> None:
    """Note that an account acted now, and the name the platform gives it. Changes the row only
    when there is something to say: a name that changed, or a last seen older than SEEN_EVERY."""
    if account.last_seen_at is None or account.last_seen_at <= now - SEEN_EVERY:
        account.last_seen_at = now
    if display_name and account.display_name != display_name[:80]:
        account.display_name = display_name[:80]


def roles_of(db: Session, member_id: int) -> set[Role]:
    rows = db.exec(select(MemberRole.role).where(MemberRole.member_id == member_id))
    return {Role(r) for r in rows}



def grant(db: Session, member_id: int, role: Role, by: int | None, now: datetime) -> bool:
    """Give a role. False if they already had it (nothing changes)."""
    if role in roles_of(db, member_id):
        return False
    db.add(MemberRole(member_id=member_id, role=role, granted_by=by, granted_at=now))
    db.flush()
    return True


def revoke(db: Session, member_id: int, role: Role) -> bool:
    """Take a role away. False if they did not have it."""
    result = db.exec(
        delete(MemberRole).where(col(MemberRole.member_id) == member_id, col(MemberRole.role) == role)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def lock_admins(db: Session) -> set[int]:
    """Who the admins are, their rows locked until this transaction ends: two changes to who is
    an admin then happen one after the other, so "the last admin stays" holds even when two
    admins remove each other at once. (On PostgreSQL; SQLite's write transactions already do.)"""
    rows = db.exec(
        select(MemberRole.member_id)
        .where(MemberRole.role == Role.ADMIN)
        .order_by(col(MemberRole.id))
        .with_for_update()
    )
    return set(rows)


def members_with_role(db: Session, role: Role) -> list[Member]:
    return list(
        db.exec(
            select(Member)
            .join(MemberRole, col(MemberRole.member_id) == col(Member.id))
            .where(MemberRole.role == role)
            .order_by(col(Member.display_name))
        )
    )


_INTERESTS_OF = select(MemberInterest.tag).where(col(MemberInterest.member_id) == bindparam("member_id"))


def plain_read(db: Session) -> Callable[..., CursorResult[Any]]:
    """`execute` on the session's connection, for reads of plain values (no objects): it skips the
    ORM's work on results, about half of a small read. What the session holds is written first,
    as the ORM's own reads do."""
    db.flush()
    return db.connection().execute


def interests_of(db: Session, member_id: int) -> list[str]:
    return sorted(plain_read(db)(_INTERESTS_OF, {"member_id": member_id}).scalars())


def set_interests(db: Session, member_id: int, tags: Iterable[str]) -> None:
    db.exec(delete(MemberInterest).where(col(MemberInterest.member_id) == member_id))
    for tag in tags:
        db.add(MemberInterest(member_id=member_id, tag=tag))
    db.flush()


class Reach(NamedTuple):
    """Where one of a member's accounts is: what a message to it needs."""

    id: int
    platform: str
    workspace: str
    user_id: str


# Built once, as _KNOWN_MEMBER: read on every profile and every direct message.
_ACCOUNTS_OF = (
    select(Account.id, Account.platform, Account.workspace, Account.user_id)
    .where(col(Account.member_id) == bindparam("member_id"))
    .order_by(col(Account.last_seen_at).desc().nulls_last(), col(Account.id))
)


def accounts_of(db: Session, member_id: int | None) -> list[Reach]:
    """Where a member's accounts are, the one used most recently first (to within SEEN_EVERY)."""
    return [Reach(*row) for row in plain_read(db)(_ACCOUNTS_OF, {"member_id": member_id})]


def platforms_of(db: Session, member_id: int | None, accounts: list[Reach] | None = None) -> list[str]:
    """The platforms a member has accounts on, the one used most recently first. `accounts`: their
    accounts as accounts_of gave them, for a caller that has read them already."""
    if accounts is None:
        accounts = accounts_of(db, member_id)
    return list(dict.fromkeys(a.platform for a in accounts))


_PLATFORMS = {"slack": N_("Slack"), "discord": N_("Discord"), "console": N_("the console")}


def platform_name(_: Translate, platform: str) -> str:
    """Slack, Discord, the console: as people say it."""
    return _(_PLATFORMS[platform]) if platform in _PLATFORMS else platform


def home_account(db: Session, member_id: int, accounts: list[Reach] | None = None) -> Reach | None:
    """Where to reach a member: an account on the platform they chose for messages (`profile`),
    else the one they used most recently. An account that can't receive (the last direct message
    to it was set aside as undeliverable) is passed over for another that can. `accounts`: their
    accounts as accounts_of gave them, for a caller that has read them already (left as given)."""
    if accounts is None:
        accounts = accounts_of(db, member_id)
    return _home(db, member_id, accounts) if accounts else None


# Every account of several members, each member's most recent first (as _ACCOUNTS_OF).
_ACCOUNTS_OF_MEMBERS = (
    select(Account.member_id, Account.id, Account.platform, Account.workspace, Account.user_id)
    .where(col(Account.member_id).in_(bindparam("member_ids", expanding=True)))
    .order_by(col(Account.last_seen_at).desc().nulls_last(), col(Account.id))
)
# Ids (or keys) asked about in one read: well under any database's limit on parameters.
IDS_A_READ = 500


def home_accounts(db: Session, member_ids: Sequence[int]) -> dict[int, Reach]:
    """home_account for many members at once (a message to every coordinator): their accounts in
    one read for each IDS_A_READ. Members with no account are left out."""
    accounts: dict[int, list[Reach]] = {}
    read = plain_read(db)
    for start in range(0, len(member_ids), IDS_A_READ):
        chunk = list(member_ids[start : start + IDS_A_READ])
        for member_id, *where in read(_ACCOUNTS_OF_MEMBERS, {"member_ids": chunk}):
            accounts.setdefault(member_id, []).append(Reach(*where))
    return {member_id: _home(db, member_id, theirs) for member_id, theirs in accounts.items()}


def _home(db: Session, member_id: int, accounts: list[Reach]) -> Reach:
    """home_account's choice among a member's accounts (at least one), most recent first."""
    if len(accounts) == 1:
        return accounts[0]
    member = db.get(Member, member_id)
    chosen = member.dm_platform if member is not None else None
    # sorted, not sort: stable (most recent first on each side), and the caller's list stays as it was
    ordered = sorted(accounts, key=lambda a: a.platform != chosen)
    for account in ordered:
        if _receives(db, account):
            return account
    return ordered[0]


# The direct messages to one account, by the ix_outbox_target index. Built once: asked on every
# profile and every direct message to someone with two accounts, and building a statement costs
# more than running it.
_TO_ACCOUNT = (
    col(Outbox.platform) == bindparam("platform"),
    col(Outbox.workspace) == bindparam("workspace"),
    col(Outbox.target_kind) == "dm",
    col(Outbox.target_id) == bindparam("user_id"),
)
# When the last one was given up on (a row given up on counts from when it was sent, if it ever
# was, as in _LAST_TO_ACCOUNT): by the ix_outbox_refused index of only such rows, so the common
# answer (never) is one look. Then, only if there was one, when the last one went.
_REFUSED = select(
    func.max(func.coalesce(col(Outbox.sent_at), col(Outbox.dead_at)))
).where(*_TO_ACCOUNT, col(Outbox.dead_at).is_not(None))
_WENT = select(func.max(col(Outbox.sent_at))).where(*_TO_ACCOUNT, col(Outbox.dead_at).is_(None))
# The last one that went or was given up on, the later row first at the same moment.
_LAST_TO_ACCOUNT = (
    select(Outbox.id, Outbox.dead_at)
    .where(*_TO_ACCOUNT)
    .where(or_(col(Outbox.sent_at).is_not(None), col(Outbox.dead_at).is_not(None)))
    .order_by(func.coalesce(col(Outbox.sent_at), col(Outbox.dead_at)).desc(), col(Outbox.id).desc())
    .limit(1)
)


def _receives(db: Session, account: Reach) -> bool:
    """Whether the last direct message that went to this account, or was given up on, went."""
    where = {"platform": account.platform, "workspace": account.workspace, "user_id": account.user_id}
    read = plain_read(db)
    refused = read(_REFUSED, where).scalar()
    if refused is None:
        return True
    went = read(_WENT, where).scalar()
    if went is None or went != refused:
        return went is not None and went > refused
    # One went and one was given up on at the same moment (rare): the later row decides.
    last = read(_LAST_TO_ACCOUNT, where).first()
    return last is None or last[1] is None


def name_key(name: str) -> str:
    """A name as it is compared: case, spacing and other forms of one letter (a full-width Ｓ is
    S) aside, so "Priya  PATEL" and "priya patel" are one name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def members_called(db: Session, name: str, other_than: int | None = None) -> list[Member]:
    """Members whose name is `name` (see name_key), oldest first."""
    wanted = name_key(name)
    # Compared here rather than in SQL: SQLite's lower() knows only ASCII letters.
    rows = db.exec(select(Member.id, Member.display_name).order_by(col(Member.id))).all()
    ids = [i for i, shown in rows if name_key(shown) == wanted and i != other_than]
    return [db.get_one(Member, i) for i in ids]


def member_with_user_id(db: Session, place: AccountRef, user_id: str) -> Member | None:
    """The member behind a user id (its handle; case ignored) on the platform and workspace of
    `place`, if any."""
    return db.exec(
        select(Member)
        .join(Account, col(Account.member_id) == col(Member.id))
        .where(Account.platform == place.platform, Account.workspace == place.workspace)
        .where(func.lower(Account.user_id) == user_id.strip().lower())
    ).first()
