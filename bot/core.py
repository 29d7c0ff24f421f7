"""The one entry point: an event goes in, the reply to give now comes out.

Everything a turn changes, and every message it queues for later or for other people, is
saved in one transaction, or nothing is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col

from bot.checks import Refusal, is_time_zone, without_controls
from bot.clock import Clock
from bot.conversation import ButtonPress, Command, Event, FormSubmit, Message, Option, Reply, Who
from bot.feature import Feature, Features
from bot.heartbeat import renewed_by
from bot.members import (
    AccountRef,
    Role,
    find_account,
    grant,
    known_member,
    member_for,
    revoke,
    roles_of,
    seen,
)
from bot.mydata.leaving import come_back
from bot.privacy import notice
from bot.router import route
from bot.settings import Settings
from bot.turn import MAX_SUGGESTIONS, Turn
from bot.words import translator
from storage.db import reads_first, write_lock_missed
from storage.models import Account, Member, SeenEvent

log = logging.getLogger(__name__)

SEEN_FOR = timedelta(days=1)  # platforms send an event again within minutes, not days


def forget_seen_events(engine: Engine, _settings: Settings, now: datetime) -> None:
    with Session(engine) as db:
        db.execute(delete(SeenEvent).where(col(SeenEvent.seen_at) < now - SEEN_FOR))
        db.commit()


class Bot:
    """The bot, built from the features it has (bot/features.py lists them all)."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock, features: Sequence[Feature]) -> None:
        self.engine = engine
        # The same database, for transactions that take SQLite's write lock only if they write.
        self.reading_first = reads_first(engine)
        self.settings = settings
        self.clock = clock
        self.features = Features(features)

    def handle(self, event: Event) -> Reply:
        """Answer one event. Never raises: a problem becomes a short, kind message."""
        consent = None
        event = typed_words_only(event)
        try:
            known = self._known_turn(event)
            if known is not None:
                reply = known
            else:
                consent = self._first_contact(event)
                with Session(self.engine) as db:
                    turn = self._turn(db, event)
                    reply = in_their_language(route(turn), turn)
                    db.commit()
        except Refusal as refusal:
            reply = self._refusal_reply(event.who, refusal)
        except Exception:
            log.exception("could not handle %s", type(event).__name__)
            language = self._language_of(event.who)
            _ = translator(language)
            sorry = _(
                "Sorry, something went wrong on our side. Nothing was saved. Please try again in a minute."
            )
            reply = Reply(messages=(Message((sorry,)),), language=language)
        if consent is not None:
            reply = replace(reply, messages=(consent, *reply.messages))
        return reply

    def first_time(self, platform: str, event_id: str) -> bool:
        """Whether a platform event is new. One the platform sends again (because it thinks we
        missed it) is not, whichever process handled it. Remembered for a day."""
        try:
            with Session(self.engine) as db:
                db.add(SeenEvent(platform=platform, event_id=event_id[:100], seen_at=self.clock.now()))
                db.commit()
            return True
        except IntegrityError:
            return False
        except Exception:  # better to answer twice than not at all
            log.exception("could not note event %s", event_id)
            return True

    def suggest(self, who: Who, argument: str, typed: str) -> list[Option]:
        """Suggestions for what someone is typing after a verb (Discord's autocomplete), e.g.
        sessions they may join. Reads only: someone new is not made a member by typing."""
        suggester = self.features.suggestions.get(argument)
        if suggester is None:
            return []
        try:
            with Session(self.reading_first) as db:
                turn = self._reader(db, who)
                return suggester(turn, without_controls(typed).strip()[:100])[:MAX_SUGGESTIONS]
        except Exception:
            log.exception("could not suggest %s", argument)
            return []

    def _reader(self, db: Session, who: Who) -> Turn:
        """A turn to read with: the member if known, else someone new as they would be made."""
        account = find_account(db, who.account)
        if account is not None:
            member = db.get_one(Member, account.member_id)
            roles = roles_of(db, account.member_id)
        else:
            member = Member(
                display_name=who.display_name,
                timezone=self._zone_of(who),
                language=self.settings.default_language,
                created_at=self.clock.now(),
            )
            account = Account(member_id=0, platform=who.account.platform, user_id=who.account.user_id)
            roles = {Role.PARTNER}
        event = Command(who, "")
        return Turn(db, member, account, roles, self.clock.now(), self.settings, event, self.features)

    def tick(self, still_leads: Callable[[], bool] = lambda: True) -> None:
        """Do the scheduled work that is due now (the scheduler calls this; so does the console).

        `still_leads` is asked after each step, and between the batches of a long one
        (bot/heartbeat.py): the scheduler renews its heartbeat there, and if this process lost
        the lead meanwhile the rest is left to the new leader."""
        now = self.clock.now()
        with renewed_by(still_leads):
            for job in (*self.features.scheduled, forget_seen_events):
                try:
                    job(self.engine, self.settings, now)
                except Exception:  # one feature's trouble must not stop the others
                    log.exception("scheduled work %s failed", job.__qualname__)
                if not still_leads():
                    return

    def prepare_local_member(self, who: Who, role: Role | None) -> None:
        """For the console only (a local trial): make the member and give them a role at once.
        Someone new given another role is not also a partner, so "Sam, a coordinator" is just that.

        On Slack and Discord roles come only from ADMINS and the roles command.
        """
        now = self.clock.now()
        with Session(self.engine) as db:
            member, _account = member_for(
                db,
                who.account,
                who.display_name,
                self.settings.default_timezone,
                self.settings.default_language,
                now,
            )
            if role is not None and member.id is not None:
                fresh = member.consent_shown_at is None and roles_of(db, member.id) == {Role.PARTNER}
                grant(db, member.id, role, None, now)
                if fresh and role is not Role.PARTNER:
                    revoke(db, member.id, Role.PARTNER)
            db.commit()

    # -- first contact -----------------------------------------------------------------------

    def _first_contact(self, event: Event) -> Message | None:
        """Make the member if they are new; say once what we keep and why, and record it. Someone
        who left and writes again is welcome back (bot/mydata/leaving.py)."""
        who = event.who
        now = self.clock.now()
        with Session(self.engine) as db:
            zone = self._zone_of(who)
            member, _account = member_for(
                db,
                who.account,
                who.display_name,
                zone,
                self.settings.default_language,
                now,
            )
            self._apply_configured_admin(db, who.account, member.id)
            if member.consent_shown_at is not None:
                back = come_back(db, member, event, now)
                db.commit()
                return back
            member.consent_shown_at = now
            db.add(member)
            db.commit()
            return notice(self.settings, member.language)

    def _zone_of(self, who: Who) -> str:
        """The zone the platform knows for someone new, if it is a real one; else the service's."""
        return who.timezone if is_time_zone(who.timezone) else self.settings.default_timezone

    def _apply_configured_admin(self, db: Session, ref: AccountRef, member_id: int | None) -> None:
        if member_id is None or ref not in self.settings.admin_accounts():
            return
        try:
            with db.begin_nested():
                grant(db, member_id, Role.ADMIN, None, self.clock.now())
        except IntegrityError:
            pass  # two first messages at once: the other one already made them admin

    # -- one turn ----------------------------------------------------------------------------

    def _known_turn(self, event: Event) -> Reply | None:
        """The turn of someone we know who has had the consent message (nearly every event), in
        one transaction: the account, the member, the bookkeeping (last seen, name, configured
        admin) and what they asked, committed once. None when the turn is not that (an account
        new to us, consent not shown yet, someone coming back): the caller takes the first-contact
        path.

        On SQLite the transaction first runs without the write lock (storage/db.py, reads_first),
        so a turn that only reads never holds up a writer; if another writer got in between its
        reads and its first write, it is run again from the start with the lock.
        """
        for engine in (self.reading_first, self.engine):
            try:
                with Session(engine) as db:
                    turn = self._known(db, event)
                    if turn is None:
                        return None
                    reply = in_their_language(route(turn), turn)
                    db.commit()
                    return reply
            except OperationalError as problem:
                if engine is self.engine or not write_lock_missed(problem):
                    raise
                log.info("a turn met another writer on its first write; running it again")
        raise AssertionError("unreachable: the second try has the write lock")

    def _known(self, db: Session, event: Event) -> Turn | None:
        """The turn for a known member, with first contact's bookkeeping done in `db`; None when
        first contact has more to do."""
        who, now = event.who, self.clock.now()
        known = known_member(db, who.account)
        if known is None:
            return None
        account, member, roles = known
        if member.consent_shown_at is None or member.left_at is not None:
            return None
        seen(account, who.display_name, now)
        if Role.ADMIN not in roles and who.account in self.settings.admin_accounts():
            self._apply_configured_admin(db, who.account, member.id)
            roles = roles_of(db, account.member_id)
        return Turn(db, member, account, roles, now, self.settings, event, self.features)

    def _turn(self, db: Session, event: Event) -> Turn:
        account = find_account(db, event.who.account)
        assert account is not None, "first contact makes the account"
        member = db.get_one(Member, account.member_id)
        return Turn(
            db=db,
            member=member,
            account=account,
            roles=roles_of(db, account.member_id),
            now=self.clock.now(),
            settings=self.settings,
            event=event,
            features=self.features,
        )

    def _language_of(self, who: Who) -> str:
        """The language of whoever acted, after a turn went wrong: the service's if even that
        cannot be read (the database may be what went wrong)."""
        try:
            with Session(self.reading_first) as db:
                account = find_account(db, who.account)
                member = db.get(Member, account.member_id) if account else None
                return member.language if member else self.settings.default_language
        except Exception:
            log.exception("could not read the language of someone a turn failed for")
            return self.settings.default_language

    def _refusal_reply(self, who: Who, refusal: Refusal) -> Reply:
        with Session(self.reading_first) as db:
            account = find_account(db, who.account)
            member = db.get(Member, account.member_id) if account else None
            language = member.language if member else self.settings.default_language
        _ = translator(language)
        return Reply(messages=(Message((refusal.words(_),)),), refused=True, language=language)


def in_their_language(reply: Reply, turn: Turn) -> Reply:
    """The reply, saying which language the adapter's own words around it are to be in: the
    member's, as this turn leaves it (`profile language fr` is answered in French)."""
    return replace(reply, language=turn.member.language)


def typed_words_only(event: Event) -> Event:
    """The event with control characters taken out of everything a person typed or a platform
    passed on (a NUL would end in a database error on PostgreSQL; forms clean their answers too)."""
    who = replace(event.who, display_name=without_controls(event.who.display_name))
    if isinstance(event, Command):
        return replace(event, who=who, name=without_controls(event.name), text=without_controls(event.text))
    if isinstance(event, ButtonPress):
        return replace(
            event, who=who, action_id=without_controls(event.action_id), value=without_controls(event.value)
        )
    if isinstance(event, FormSubmit):
        values = {without_controls(k): without_controls(v) for k, v in event.values.items()}
        return replace(event, who=who, form_id=without_controls(event.form_id), values=values)
    return replace(event, who=who)
