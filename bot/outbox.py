"""The outbox: messages for later or for other people, and the dispatcher that sends them.

`enqueue` is called inside the transaction that makes the change, so the change and its
message are saved together or not at all. `dispatch_due` claims due rows for a while (a lease),
hands each to the sender of its platform at the pace the platform allows, and marks it sent only
after the platform accepted it: a crash in between delays a message, it never loses one. Several
dispatchers, in several processes, share the work: on PostgreSQL each claim skips rows another
has locked, and a claimed row is not claimed again until its lease runs out.

A message that fails MAX_ATTEMPTS times, or that the platform refuses for good (a channel that is
gone, a permission missing), is set aside as undelivered, with the reason; admins see and retry
them with the `outbox` command. Rate limits are waited out and never count as failures, and
hold only what they cover (`SendFailed.scope`): one target, one of the sender's scopes, or the
whole platform.

An edit carries the whole content of the message it changes, so only the newest edit of a
message goes: `enqueue_edit` lets go of older ones still waiting, and at its turn an edit with
a newer one behind it is let go (`_delivery`). Two edits of one message never race: an edit that
finds an older one being sent waits FOLLOW_WAIT, and the dispatcher sending the older claims and
sends the newest right after it (`_Run._follow`), so the newest content lands last.

A commit that queued a message due now calls what `on_queued` was given: the scheduler wakes
its dispatcher then, rather than at its next beat.

A message of use only before a moment (a reminder before the session starts) carries it in
`expires_at`; not sent by then (an outage, a long rate limit), it is let go as too late, with
why, instead of being sent late, and so is any edit of it. That is no failure: admins see how
many, apart, with nothing to try again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, Engine, and_, bindparam, delete, event, not_, or_, update
from sqlmodel import Session, col, func, select

from bot.clock import Clock
from bot.conversation import (
    CalendarEvent,
    Message,
    event_from_json,
    event_to_json,
    message_from_json,
    message_to_json,
)
from bot.members import IDS_A_READ, AccountRef, home_accounts
from storage.models import Account, Member, Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One message, addressed on one platform."""

    outbox_id: int
    platform: str
    workspace: str
    target_kind: str
    target_id: str
    message: Message
    # Set for an edit: the platform's id of the message to change, instead of sending anew.
    edit_message_id: str | None = None
    # Set for a row of the shared calendar (target_kind CALENDAR): the entry to make or change.
    # `message` is then empty. A platform without a shared calendar returns None for it.
    event: CalendarEvent | None = None
    # Set when the row was claimed before and that lease ran out: the dispatcher that had it may
    # have died in the middle of sending it, at any time since this one (when the row was made).
    # A sender that can look (Slack) checks what already went out instead of sending it twice.
    maybe_sent_since: datetime | None = None
    # The language the message was written in, for the words a sender adds around it ("Continued
    # in the next message."): its reader's, for a direct message. Empty: the service's (a channel
    # post, or a row queued before rows said it).
    language: str = ""


# An outbox row of this kind is an entry in the shared calendar of a channel's server.
CALENDAR = "calendar"


class SendFailed(Exception):
    """The platform did not take the message. It stays in the outbox and is tried again:
    after `retry_after` seconds for a rate limit, or set aside at once if `permanent` (a
    refusal that trying again will not change).

    A rate limit holds as much as it covers (`scope`): None, the whole platform (Discord's
    global limit, say); a target's id, that channel or conversation alone; any other word, what
    the sender's `scopes(delivery)` names (a Slack method with a limit of its own)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, permanent: bool = False, scope: str | None = None
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent
        self.scope = scope


@dataclass(frozen=True)
class Pace:
    """How fast a platform takes messages: `per_second` in all (after a first `burst`), and
    `per_target_per_second` into one channel or conversation (after `target_burst`)."""

    per_second: float | None = None
    burst: int = 1
    per_target_per_second: float | None = None
    target_burst: int = 1


ANY_PACE = Pace()


class Sender(Protocol):
    """A platform's sender. It may also have `pace` (a Pace: how fast the platform takes
    messages), `cost(delivery) -> int` (how many requests one delivery makes) and
    `scopes(delivery) -> set[str]` (the limits, besides its target's, that a delivery counts
    against: see SendFailed)."""

    def send(self, delivery: Delivery) -> str | None:
        """Send it; return the platform's message id if there is one; raise SendFailed."""
        ...


def enqueue_dm(
    db: Session,
    member_id: int,
    message: Message,
    now: datetime,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Outbox | None:
    """Queue a direct message to a member, on the platform they used most recently.

    Returns None if the member has no account to reach, has left (`leave`: nothing goes to them
    until they write again), or if `dedupe_key` was queued before. `expires_at` as for `enqueue`.
    """
    queued = enqueue_dms(db, [(member_id, message, dedupe_key)], now, due_at, expires_at)
    return queued[0] if queued else None


def enqueue_dms(
    db: Session,
    messages: Sequence[tuple[int, Message, str | None]],
    now: datetime,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> list[Outbox]:
    """enqueue_dm for many members at once, each (member id, message, dedupe key): the same
    rules, with everyone's accounts and the keys queued before read in a few reads, and one
    write for all (a message to every coordinator is a handful of statements, not hundreds).
    Returns the rows queued, in the order asked."""
    readers = {m: db.get(Member, m) for m, _message, _key in messages}
    staying = [m for m, reader in readers.items() if _reachable(reader)]
    homes = home_accounts(db, staying)
    keys = [key for _m, _message, key in messages if key is not None]
    taken = _queued_before(db, keys)
    rows = []
    for member_id, message, key in messages:
        home = homes.get(member_id)
        if home is None or key in taken:
            continue
        if key is not None:
            taken.add(key)  # asked twice in one call: queued once
        reader = readers[member_id]
        language = reader.language if reader is not None else ""  # what the message is written in
        rows.append(
            _row(
                home.platform, home.workspace, "dm", home.user_id, message, now, key, due_at, None, expires_at, language
            )
        )
    _add(db, rows, now)
    return rows


def _reachable(member: Member | None) -> bool:
    return member is not None and member.left_at is None


def _queued_before(db: Session, keys: Sequence[str]) -> set[str]:
    """Those of these dedupe keys that a row has already, IDS_A_READ at a time."""
    found: set[str] = set()
    for start in range(0, len(keys), IDS_A_READ):
        chunk = list(keys[start : start + IDS_A_READ])
        found.update(db.exec(_KEYS_QUEUED, params={"keys": chunk}))
    return found


def direct_messages(db: Session, member_id: int) -> list[tuple[str, str, str]]:
    """Where their direct messages go: each account's platform, workspace and user id."""
    rows = db.exec(select(Account).where(Account.member_id == member_id))
    return [(a.platform, a.workspace, a.user_id) for a in rows]


def drop_unsent(db: Session, member_id: int) -> None:
    """Every direct message to them not sent yet, on any of their accounts, is let go."""
    for platform, workspace, user_id in direct_messages(db, member_id):
        db.execute(
            delete(Outbox).where(
                col(Outbox.platform) == platform,
                col(Outbox.workspace) == workspace,
                col(Outbox.target_kind) == "dm",
                col(Outbox.target_id) == user_id,
                col(Outbox.sent_at).is_(None),
            )
        )


def enqueue(
    db: Session,
    platform: str,
    workspace: str,
    target_kind: str,
    target_id: str,
    message: Message | CalendarEvent,
    now: datetime,
    dedupe_key: str | None = None,
    due_at: datetime | None = None,
    *,
    edit_of: int | None = None,
    expires_at: datetime | None = None,
    language: str = "",
) -> Outbox | None:
    """Queue a message (see the module's words). With `expires_at`, it is of use only before
    then (a reminder, before the session starts): not sent by then, it is let go, not sent late.
    `language`: the one it is written in, when that is its reader's (see Delivery.language)."""
    if dedupe_key is not None and _queued_before(db, [dedupe_key]):
        return None
    row = _row(
        platform, workspace, target_kind, target_id, message, now, dedupe_key, due_at, edit_of, expires_at, language
    )
    _add(db, [row], now)
    return row


def _row(
    platform: str,
    workspace: str,
    target_kind: str,
    target_id: str,
    message: Message | CalendarEvent,
    now: datetime,
    dedupe_key: str | None,
    due_at: datetime | None,
    edit_of: int | None,
    expires_at: datetime | None,
    language: str = "",
) -> Outbox:
    body = event_to_json(message) if isinstance(message, CalendarEvent) else message_to_json(message)
    if language and not isinstance(message, CalendarEvent):
        body["language"] = language
    return Outbox(
        platform=platform,
        workspace=workspace,
        target_kind=target_kind,
        target_id=target_id,
        body=body,
        dedupe_key=dedupe_key,
        created_at=now,
        due_at=due_at or now,
        edit_of=edit_of,
        expires_at=expires_at,
    )


def _add(db: Session, rows: Sequence[Outbox], now: datetime) -> None:
    """Write the new rows (each gets its id); the dispatcher is woken once this is committed if
    one is due now (`on_queued`)."""
    if not rows:
        return
    db.add_all(rows)
    db.flush()
    if any(row.due_at <= now for row in rows):
        db.info[_QUEUED] = True


def enqueue_channel(
    db: Session,
    channel: AccountRef,
    message: Message,
    now: datetime,
    dedupe_key: str | None = None,
    expires_at: datetime | None = None,
) -> Outbox | None:
    """Queue a post in a channel (its id in `channel.user_id`)."""
    return enqueue(
        db,
        channel.platform,
        channel.workspace,
        "channel",
        channel.user_id,
        message,
        now,
        dedupe_key,
        expires_at=expires_at,
    )


def enqueue_event(
    db: Session, channel: AccountRef, event: CalendarEvent, now: datetime, dedupe_key: str
) -> Outbox | None:
    """Queue an entry in the shared calendar of the server that holds `channel`; change it
    later with `enqueue_edit`."""
    return enqueue(
        db, channel.platform, channel.workspace, CALENDAR, channel.user_id, event, now, dedupe_key
    )


def enqueue_edit(
    db: Session,
    original_id: int,
    message: Message | CalendarEvent,
    now: datetime,
    dedupe_key: str | None = None,
) -> Outbox | None:
    """Queue a change to a message (or calendar entry) queued before: a live count, "closed",
    a new time. Each edit carries the whole content, so only the newest is worth sending: older
    edits of the message still waiting are let go here (marked sent, with no platform id), and
    one that is being sent right now is followed by this one (see `_delivery`). An edit goes
    after the original has been sent; if the original went out with nothing to change (a
    platform without a calendar), the edit is let go. `dedupe_key` as for `enqueue`: an edit
    let go keeps its key, so the same change is not queued again."""
    where = db.exec(_WHERE_IT_WENT, params={"original": original_id}).first()
    if where is None:
        return None
    platform, workspace, target_kind, target_id = where
    # A direct message is edited in the language it was written in (Delivery.language); a
    # channel post, the edit of every sign-up, is in the service's: nothing more to read.
    language = (db.exec(_LANGUAGE_OF, params={"original": original_id}).first() or "") if target_kind == "dm" else ""
    row = enqueue(
        db, platform, workspace, target_kind, target_id, message, now, dedupe_key, edit_of=original_id, language=language
    )
    if row is not None:
        db.execute(_LET_GO_OLDER, {"original": original_id, "newer": row.id, "now": now})
    return row


RETRY_BASE = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=15)
# How long a claimed row is left to its dispatcher: longer than any one send can take (the
# senders give up after 120 seconds), so a row is claimed again only if its dispatcher died.
LEASE = timedelta(minutes=3)
CLAIM_BATCH = 10
# An edit that finds an older edit of its message being sent waits this long at most: the
# dispatcher sending the older one sends it right after (see `_Run._follow`); this is in case
# that dispatcher dies first.
FOLLOW_WAIT = timedelta(seconds=1)
# Rows let go as too late in one dispatch; after a long outage the rest go in the next ones.
EXPIRE_BATCH = 500
MAX_ATTEMPTS = 8  # about 20 minutes of backing off, then set aside for an admin


class Pacer:
    """Token buckets in real time: one per platform, one per platform and target, and what each
    platform asked us to wait for, as wide as the limit it hit (the whole platform, one target,
    or one of the sender's scopes). A dispatcher keeps one for as long as it runs (the scheduler
    does); with several processes, each keeps its own (see docs/operations.md)."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.monotonic = monotonic
        self.sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], tuple[float, float]] = {}  # key -> (tokens, when)
        # (platform, scope) -> not before (the bot's clock); scope None: the whole platform.
        self._held: dict[tuple[str, str | None], datetime] = {}
        # When the soonest target that was refused a turn (`take`) has one again, in real time.
        self._next_turn: float | None = None

    def hold(self, platform: str, until: datetime, scope: str | None = None) -> None:
        """A platform said "wait" (a 429): nothing more goes to it, or to `scope` of it, before
        `until`."""
        with self._lock:
            key = (platform, scope)
            self._held[key] = max(until, self._held.get(key, until))

    def held(self, platform: str, now: datetime, scopes: Iterable[str] = ()) -> bool:
        """Whether the whole platform waits, or any of `scopes` of it."""
        return self.held_until(platform, now, scopes) is not None

    def held_until(self, platform: str, now: datetime, scopes: Iterable[str] = ()) -> datetime | None:
        """Until when the whole platform, or the longest held of `scopes`, waits; None if free."""
        with self._lock:
            ends = [self._held.get((platform, scope), now) for scope in (None, *scopes)]
        latest = max(ends)
        return latest if latest > now else None

    def held_scopes(self, platform: str, now: datetime) -> set[str]:
        """The parts of a platform that wait (targets, the sender's scopes), not the whole."""
        with self._lock:
            return {s for (p, s), until in self._held.items() if p == platform and s is not None and until > now}

    def take(self, platform: str, target: str, pace: Pace, cost: int = 1) -> bool:
        """One send's turn, `cost` requests to the platform. Waits (briefly) for the platform's
        overall pace; returns False, taking nothing, if this target has had its share for now
        (send to others meanwhile)."""
        while True:
            with self._lock:
                now = self.monotonic()
                if pace.per_target_per_second:
                    share = self._tokens((platform, target), pace.per_target_per_second, pace.target_burst, now)
                    if share < 1:
                        turn = now + (1 - share) / pace.per_target_per_second
                        self._next_turn = turn if self._next_turn is None else min(self._next_turn, turn)
                        return False
                wait = 0.0
                if pace.per_second:
                    need = min(cost, pace.burst)
                    tokens = self._tokens((platform,), pace.per_second, pace.burst, now)
                    wait = (need - tokens) / pace.per_second if tokens < need else 0.0
                if wait <= 0:
                    if pace.per_second:
                        self._spend((platform,), now, cost)
                    if pace.per_target_per_second:
                        self._spend((platform, target), now, 1)
                    return True
            self.sleep(wait)

    def next_turn(self) -> float | None:
        """Seconds until a target that had had its share (a message waits for it) has its turn
        again, or None; asking forgets it (the next refusal says it again)."""
        with self._lock:
            turn, self._next_turn = self._next_turn, None
            return None if turn is None else max(0.0, turn - self.monotonic())

    def _tokens(self, key: tuple[str, ...], rate: float, burst: int, now: float) -> float:
        tokens, when = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - when) * rate)
        self._buckets[key] = (tokens, now)
        return tokens

    def _spend(self, key: tuple[str, ...], now: float, cost: int) -> None:
        tokens, _when = self._buckets[key]
        self._buckets[key] = (tokens - cost, now)


def dispatch_due(
    engine: Engine,
    senders: Mapping[str, Sender],
    clock: Clock,
    limit: int = 100,
    pacer: Pacer | None = None,
    workers: int = 1,
) -> int:
    """Send what is due on the platforms we have senders for, at most `limit` rows. Returns how
    many were sent. No transaction is open while a platform is being called. Pass the same
    `pacer` each time, so the pace holds from one call to the next. With several `workers`, that
    many sends are in flight at once, so one waiting out a short rate limit holds up no other."""
    run = _Run(engine, senders, clock, pacer or Pacer(), limit)
    run.let_go_late()
    if workers <= 1:
        run.work()
        return run.sent
    threads = [threading.Thread(target=run.work, name=f"outbox-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run.sent


@dataclass
class _Run:
    """One dispatch: what its workers share."""

    engine: Engine
    senders: Mapping[str, Sender]
    clock: Clock
    pacer: Pacer
    limit: int
    sent: int = 0
    taken: int = 0  # rows claimed so far, of `limit`
    busy: set[tuple[str, str]] = field(default_factory=set)  # targets that had their share for now
    lock: threading.Lock = field(default_factory=threading.Lock)

    def let_go_late(self) -> None:
        """Once a dispatch, before its claims: rows whose moment has passed are let go (the
        claims leave them meanwhile, so one that passes during a long dispatch waits for the
        next)."""
        try:
            with Session(self.engine) as db:
                _let_go_late(db, self.clock.now())
                db.commit()
        except Exception:  # the database is away, say: the next beat tries again
            log.exception("letting go of what came too late failed; the next beat tries again")

    def work(self) -> None:
        try:
            self._work()
        except Exception:  # the database is away, say: what was claimed goes when its lease ends
            log.exception("sending from the outbox stopped; the next beat goes on")

    def _work(self) -> None:
        while True:
            now = self.clock.now()
            platforms = [p for p in self.senders if not self.pacer.held(p, now)]
            with self.lock:
                count = min(CLAIM_BATCH, self.limit - self.taken)
                self.taken += count
                busy = set(self.busy)
            # A target a rate limit holds is left like a busy one; other scopes, in `_deliver`.
            busy |= {(p, scope) for p in platforms for scope in self.pacer.held_scopes(p, now)}
            if not platforms or count <= 0:
                return
            claimed, unreadable = _claim(self.engine, platforms, busy, self.clock, count)
            with self.lock:
                self.taken -= count - len(claimed) - len(unreadable)
            for row_id, platform, failure in unreadable:  # an admin will see why
                _failed(self.engine, self.clock, self.pacer, row_id, platform, failure)
            if not claimed and not unreadable:
                return
            for item in claimed:
                delivery = item if isinstance(item, Delivery) else self._edit(item)
                if delivery is None:
                    continue
                if self._count(_deliver(self.engine, self.senders, self.clock, self.pacer, delivery)):
                    if delivery.edit_message_id is not None:
                        self._follow(delivery.outbox_id)

    def _count(self, outcome: int | tuple[str, str]) -> bool:
        """Counts what `_deliver` did; True if it was sent."""
        with self.lock:
            if isinstance(outcome, tuple):
                self.busy.add(outcome)
            else:
                self.sent += outcome
        return outcome == 1

    def _follow(self, row_id: int) -> None:
        """An edit of the same message that came while this one was being sent, and waited for
        it (see `_delivery`), goes right after it: the newest content lands last."""
        while (newer := _claim_newer_edit(self.engine, row_id, self.clock)) is not None:
            delivery = self._edit(newer)
            if delivery is None or not self._count(
                _deliver(self.engine, self.senders, self.clock, self.pacer, delivery)
            ):
                return
            row_id = newer

    def _edit(self, row_id: int) -> Delivery | None:
        """An edit is read when its turn comes, after what came before it in the batch (most
        often the very message it changes) has gone."""
        try:
            with Session(self.engine) as db:
                row = db.get_one(Outbox, row_id)
                delivery = _delivery(db, row, self.clock.now())
                db.commit()  # saves the wait of an edit that waits, or one let go
                return delivery
        except Exception as failure:  # a row that cannot be read back
            _failed(self.engine, self.clock, self.pacer, row_id, "", failure)
            return None


def _claim(
    engine: Engine, platforms: list[str], busy: set[tuple[str, str]], clock: Clock, count: int
) -> tuple[list[Delivery | int], list[tuple[int, str, Exception]]]:
    """Due rows for these platforms, claimed for LEASE, oldest first, as what to send, or the
    row id of an edit, read when its turn comes (and those that cannot be read). On PostgreSQL
    rows that another dispatcher is claiming right now are skipped, not waited for. One short
    transaction for the whole batch."""
    now = clock.now()
    query = (
        select(Outbox)
        .where(_waiting(), Outbox.due_at <= now, col(Outbox.platform).in_(platforms))
        .where(or_(col(Outbox.expires_at).is_(None), col(Outbox.expires_at) > now))
        .where(or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now))
    )
    for platform, target in busy:
        query = query.where(not_(and_(Outbox.platform == platform, Outbox.target_id == target)))
    claimed: list[Delivery | int] = []
    unreadable: list[tuple[int, str, Exception]] = []
    with Session(engine) as db:
        rows = db.exec(
            query.order_by(col(Outbox.due_at), col(Outbox.id)).limit(count).with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            assert row.id is not None
            reclaimed = row.claimed_until is not None  # its lease ran out: it may have gone out
            row.claimed_until = now + LEASE
            db.add(row)
            if row.edit_of is not None:
                claimed.append(row.id)
                continue
            try:
                delivery = _delivery(db, row, now)
            except Exception as failure:  # a row that cannot be read back
                unreadable.append((row.id, row.platform, failure))
                continue
            if delivery is not None:
                claimed.append(replace(delivery, maybe_sent_since=row.created_at) if reclaimed else delivery)
        db.commit()
    return claimed, unreadable


def _waiting() -> ColumnElement[bool]:
    """Not sent, not set aside, not let go: still to be sent."""
    return and_(col(Outbox.sent_at).is_(None), col(Outbox.dead_at).is_(None), col(Outbox.expired_at).is_(None))


# Built once, with parameters: a sign-up queues an edit of its session's post every time, and
# building a statement costs more than running it.
_KEYS_QUEUED = select(Outbox.dedupe_key).where(col(Outbox.dedupe_key).in_(bindparam("keys", expanding=True)))
# Where the original went, not its body: an announcement's JSON can be long.
_WHERE_IT_WENT = select(Outbox.platform, Outbox.workspace, Outbox.target_kind, Outbox.target_id).where(
    col(Outbox.id) == bindparam("original")
)
_LANGUAGE_OF = select(col(Outbox.body)["language"].as_string()).where(col(Outbox.id) == bindparam("original"))
# The older edits of one message still waiting, and not being sent right now, are let go.
_LET_GO_OLDER = (
    update(Outbox)
    .where(col(Outbox.edit_of) == bindparam("original"), col(Outbox.id) < bindparam("newer"))
    .where(_waiting())
    .where(or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < bindparam("now")))
    .values(sent_at=bindparam("now"), claimed_until=None)
    .execution_options(synchronize_session=False)
)


def _let_go_late(db: Session, now: datetime) -> None:
    """Rows whose moment has passed are let go, due or not, on any platform: whatever is sent
    now would come too late. A row being sent right now (claimed) is left to its dispatcher."""
    late = db.exec(
        select(Outbox)
        .where(_waiting(), col(Outbox.expires_at) <= now)
        .where(or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now))
        .order_by(col(Outbox.id))
        .limit(EXPIRE_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for row in late:
        assert row.expires_at is not None
        _too_late(db, row, now, f"Too late: of use only until {row.expires_at:%Y-%m-%d %H:%M} UTC")


def _too_late(db: Session, row: Outbox, now: datetime, reason: str) -> None:
    """Let it go, with why; what held it up before (a failing platform), if anything, is kept."""
    if row.last_error:
        reason = f"{reason}. Before that: {row.last_error}"
    row.expired_at, row.claimed_until, row.last_error = now, None, reason[:500]
    db.add(row)
    log.info("outbox %s let go: %s", row.id, reason[:500])


def _deliver(
    engine: Engine, senders: Mapping[str, Sender], clock: Clock, pacer: Pacer, delivery: Delivery
) -> int | tuple[str, str]:
    """Send one claimed row. Returns 1 if sent, 0 if not (yet), or its (platform, target) if
    that target must wait for its share of the pace."""
    row_id, platform = delivery.outbox_id, delivery.platform
    sender = senders[platform]
    now = clock.now()
    scopes = {delivery.target_id, *(sender.scopes(delivery) if hasattr(sender, "scopes") else ())}
    until = pacer.held_until(platform, now, scopes)
    if until is not None:  # a 429 came meanwhile: leave it for later
        if pacer.held(platform, now):
            _settle(engine, row_id, claimed_until=None)
        else:  # held for a part of the platform, this one's: it cannot go before then
            _settle(engine, row_id, claimed_until=None, due_at=until)
        return 0
    # A sender may say how many requests a delivery takes (opening a conversation, parts...).
    cost = sender.cost(delivery) if hasattr(sender, "cost") else 1
    if not pacer.take(platform, delivery.target_id, getattr(sender, "pace", ANY_PACE), cost):
        _settle(engine, row_id, claimed_until=None)
        return (platform, delivery.target_id)
    try:
        message_id = sender.send(delivery)
    except Exception as failure:  # a platform refusal, or a bug in a sender: try later
        _failed(engine, clock, pacer, row_id, platform, failure)
        return 0
    _settle(engine, row_id, sent_at=clock.now(), platform_message_id=message_id, claimed_until=None)
    return 1


def _delivery(db: Session, row: Outbox, now: datetime) -> Delivery | None:
    """What to send for `row`; None, with the row changed, if it is an edit that must wait
    (for its original, or for an older edit of it being sent right now) or that is let go
    (nothing to change, a newer edit carries the whole content, or its original was let go
    as too late)."""
    assert row.id is not None
    edit_message_id = None
    if row.edit_of is not None:
        original = db.get(Outbox, row.edit_of)
        if original is not None and original.expired_at is not None:
            _too_late(db, row, now, "Too late: the message it changes was let go as too late")
            return None
        newer = db.exec(
            select(Outbox.id)
            .where(Outbox.edit_of == row.edit_of, col(Outbox.id) > row.id, col(Outbox.dead_at).is_(None))
        ).first()
        gone_as_nothing = original is not None and original.sent_at is not None and not original.platform_message_id
        if gone_as_nothing or newer is not None:
            # It went out as nothing the platform can change (no calendar there), or a newer
            # edit, sent or waiting, shows the message as it is now: this one would undo it.
            row.sent_at, row.claimed_until = now, None
            db.add(row)
            return None
        if original is None or original.platform_message_id is None:
            # The message to change has not gone out yet.
            wait = RETRY_MAX if original is not None and original.dead_at is not None else RETRY_BASE
            row.due_at, row.claimed_until = now + wait, None
            db.add(row)
            return None
        in_flight = db.exec(
            select(Outbox.id)
            .where(Outbox.edit_of == row.edit_of, col(Outbox.id) < row.id)
            .where(_waiting(), col(Outbox.claimed_until) >= now)
        ).first()
        if in_flight is not None:
            # An older edit is being sent right now: its dispatcher sends this one right after
            # (`_Run._follow`), so the older cannot land last; FOLLOW_WAIT in case it dies.
            row.due_at, row.claimed_until = now + FOLLOW_WAIT, None
            db.add(row)
            return None
        edit_message_id = original.platform_message_id
    calendar = row.target_kind == CALENDAR
    return Delivery(
        row.id,
        row.platform,
        row.workspace,
        row.target_kind,
        row.target_id,
        Message(()) if calendar else message_from_json(row.body),
        edit_message_id,
        event_from_json(row.body) if calendar else None,
        language="" if calendar else str(row.body.get("language", "")),
    )


def _claim_newer_edit(engine: Engine, row_id: int, clock: Clock) -> int | None:
    """The newest edit of the message edit `row_id` changed, queued after it and waiting for it
    (not claimed by another dispatcher), claimed for LEASE; None if there is none."""
    now = clock.now()
    with Session(engine) as db:
        original = db.exec(select(Outbox.edit_of).where(Outbox.id == row_id)).one()
        newer = db.exec(
            select(Outbox)
            .where(Outbox.edit_of == original, col(Outbox.id) > row_id)
            .where(_waiting())
            .where(or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now))
            .where(Outbox.due_at <= now + FOLLOW_WAIT)  # not one waiting out a failure
            .order_by(col(Outbox.id).desc())
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if newer is None:
            return None
        newer.claimed_until = now + LEASE
        db.add(newer)
        db.commit()
        return newer.id


def _failed(
    engine: Engine, clock: Clock, pacer: Pacer, row_id: int, platform: str, failure: Exception
) -> None:
    """Try again later: after the platform's wait for a rate limit (not counted as a failure),
    else backing off; set aside after MAX_ATTEMPTS failures, or at once for a lasting refusal."""
    now = clock.now()
    with Session(engine) as db:
        row = db.get_one(Outbox, row_id)
        row.last_error = str(failure)[:500]
        row.claimed_until = None
        if isinstance(failure, SendFailed) and failure.retry_after is not None:
            row.due_at = now + timedelta(seconds=failure.retry_after)
            pacer.hold(platform, row.due_at, failure.scope)
        else:
            row.attempts += 1
            row.due_at = now + min(RETRY_BASE * 2 ** (row.attempts - 1), RETRY_MAX)
            if row.attempts >= MAX_ATTEMPTS or (isinstance(failure, SendFailed) and failure.permanent):
                row.dead_at = now
        db.add(row)
        db.commit()
        attempts, dead = row.attempts, row.dead_at is not None
    log.warning(
        "outbox %s not sent (attempt %s%s): %s",
        row_id,
        attempts,
        ", set aside for an admin" if dead else "",
        failure,
        # The error itself, not "the one being handled": a row that could not be read back is
        # reported outside the except that caught it. The log hides its words: they may quote it.
        exc_info=None if isinstance(failure, SendFailed) else failure,
    )


def _settle(engine: Engine, row_id: int, **values: object) -> None:
    with Session(engine) as db:
        db.execute(update(Outbox).where(col(Outbox.id) == row_id).values(**values))
        db.commit()


# ---- waking the dispatcher -----------------------------------------------------------------------

# Marks a database session that queued a message due now, until it commits or rolls back.
_QUEUED = "outbox.queued"
_wakers: list[Callable[[], None]] = []


def on_queued(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` after each commit, in this process, that queued a message due now: the
    scheduler then sends it at once rather than at its next beat (a live count, a DM). Returns
    what stops it."""
    _wakers.append(wake)
    return lambda: _wakers.remove(wake)


@event.listens_for(Session, "after_commit")
def _committed(db: Session) -> None:
    if db.info.pop(_QUEUED, False):
        for wake in list(_wakers):
            wake()


@event.listens_for(Session, "after_rollback")
def _rolled_back(db: Session) -> None:
    db.info.pop(_QUEUED, None)


# ---- what was not delivered ---------------------------------------------------------------------


def undelivered(db: Session, limit: int = 10) -> tuple[int, list[Outbox]]:
    """How many messages are set aside, and the latest `limit` of them."""
    count = db.exec(select(func.count()).where(col(Outbox.dead_at).is_not(None))).one()
    rows = db.exec(
        select(Outbox)
        .where(col(Outbox.dead_at).is_not(None))
        .order_by(col(Outbox.dead_at).desc(), col(Outbox.id).desc())
        .limit(limit)
    ).all()
    return count, list(rows)


def let_go(db: Session, since: datetime) -> int:
    """How many messages were let go as too late since then (not failures: nothing to retry)."""
    return db.exec(select(func.count()).where(col(Outbox.expired_at) > since)).one()


def expire_unsent(db: Session, key_prefix: str, when: datetime) -> None:
    """Messages not sent yet whose dedupe key starts with `key_prefix` are of use only until
    `when`: now, when an opening closes early or a session moves or is cancelled; the new
    closing time, when an opening's changes. Call it in the transaction that makes the change."""
    db.execute(
        update(Outbox)
        .where(col(Outbox.dedupe_key).startswith(key_prefix, autoescape=True))
        .where(col(Outbox.sent_at).is_(None), col(Outbox.expired_at).is_(None))
        .values(expires_at=when)
        .execution_options(synchronize_session=False)
    )


def retry(db: Session, now: datetime, row_id: int | None = None) -> int:
    """Put set-aside messages (one, or all) back in the queue, due now, with their edits."""
    query = select(Outbox).where(col(Outbox.dead_at).is_not(None))
    if row_id is not None:
        query = query.where(Outbox.id == row_id)
    rows = db.exec(query).all()
    for row in rows:
        row.dead_at, row.attempts, row.due_at, row.claimed_until = None, 0, now, None
        db.add(row)
    ids = [row.id for row in rows]
    if ids:
        db.execute(
            update(Outbox)
            .where(col(Outbox.edit_of).in_(ids), _waiting())
            .values(due_at=now)
        )
    db.flush()
    return len(rows)
