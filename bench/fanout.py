"""Fan-out: one check-in to 10,000 partners, delivered through the real outbox dispatcher and
the real Discord sender (discord.py) to a local fake Discord that allows 50 requests a second
(Discord's global limit, a second's worth at once) and answers 2% of requests with a 429 anyway.

The community is seeded as in bench/common.py, every member on Discord and none paused or in
quiet hours (so all 10,000 are due at once). A coordinator sends the check-in "now" through the
core's entry point, which queues the first batch of direct messages with the turn; the
scheduler's work queues the rest in batches. One process's beat (the scheduled work, then the
dispatcher with its four sends in flight and one Pacer kept throughout) runs until every partner's
row is sent. Each partner's prompt costs three requests: opening the conversation, then two
messages (the lead, then the question with its answer buttons, so a screen reader reads them in
order).

Reported: the time the coordinator's turn took, the time to deliver all, the rate of requests
Discord accepted as a share of its limit, partners reached a second, 429s seen, duplicates (the
same message twice in one conversation) and losses (a partner with none, or a row not marked
sent).

Target: at least 90% of the allowed rate, 0 duplicates, 0 lost.

Run (about 12 minutes):
    .venv/bin/python bench/fanout.py
A quick run:
    .venv/bin/python bench/fanout.py --members 1000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import common
from sqlalchemy import text, update
from sqlmodel import Session, col, func, select

from adapters.discord.sender import DiscordSender
from bot.conversation import Command, FormSubmit
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.scheduling import Scheduler
from storage.db import make_engine, migrate
from storage.models import Member, Outbox
from tests.clock import FakeClock
from tests.discord_fakes import DiscordWorld

LIMIT = 50.0  # requests a second, as Discord's global limit
BEAT = 5.0  # seconds between the scheduler's beats, as by default (a fan-out keeps going between them)
RANDOM_429 = 0.02


def send_checkin(bot: Bot, community: common.Community) -> tuple[float, str]:
    """A coordinator sends a one-off check-in to every partner, through the core. Returns the
    seconds the turn took and what the coordinator was told."""
    coordinator = community.who(community.coordinators[0], "discord")
    page = bot.handle(Command(coordinator, "checkin", "new")).form
    assert page is not None
    started = time.perf_counter()
    bot.handle(
        FormSubmit(
            coordinator,
            page.form_id,
            {
                "name": "Winter wellbeing",
                "questions": "How are you this week? | awful, poor, okay, good, great",
                "schedule": "now",
                "audience": "",
                "window": "48",
            },
        )
    )
    last = bot.handle(
        FormSubmit(coordinator, page.form_id, {"visibility": "totals", "alert_level": ""}, page=2)
    )
    return time.perf_counter() - started, last.plain()


def measure(members: int, database: str, folder: Path) -> dict[str, object]:
    with common.fresh_database(database, folder) as url:
        engine = make_engine(url)
        migrate(engine)
        plan = common.Plan(members=members, sessions=0, openings=0, answers=0, platforms=("discord",))
        community = common.seed(engine, plan, common.START)
        with engine.begin() as connection:  # everyone due now: none paused, none in quiet hours
            connection.execute(
                update(Member).values(quiet_start=None, quiet_end=None, paused_until=None, checkins_off=False)
            )
            connection.execute(text("UPDATE checkin SET paused = true"))  # the seeded weekly one rests
            already = connection.execute(select(func.max(Outbox.id))).scalar() or 0
            connection.execute(update(Outbox).values(sent_at=common.START))
        bot = Bot(
            engine,
            common.settings(admins="", announcements_channel="", coordinator_channel=""),
            FakeClock(common.START),
            EVERY_FEATURE,
        )
        turn_seconds, told = send_checkin(bot, community)

        world = DiscordWorld(bot, guild_id=None)
        world.fake.limit_per_second = LIMIT
        world.fake.random_429 = RANDOM_429
        world.fake.forget()
        world.fake.accepted = world.fake.limited = 0
        sender = DiscordSender(world.adapter.poster, world.loop.loop, LIMIT)
        # The process's own beat, as `partnerbot run` has it: the scheduled work (which queues
        # the rest of the fan-out in batches) and the dispatcher, each in its own thread.
        scheduler = Scheduler(bot, {"discord": sender}, BEAT)
        started = time.perf_counter()
        before = -1
        try:
            scheduler.start()
            while True:
                time.sleep(BEAT)  # the beat's threads do the work; this only watches
                with Session(engine) as session:
                    waiting = session.exec(
                        select(func.count()).where(
                            col(Outbox.sent_at).is_(None), col(Outbox.dead_at).is_(None)
                        )
                    ).one()
                    queued = session.exec(select(func.count()).where(col(Outbox.id) > already)).one()
                if not waiting and queued == before:  # all sent, and the scheduler queued no more
                    break
                before = queued
            scheduler.shutdown(wait=True)
            seconds = time.perf_counter() - started
            accepted, limited = world.fake.accepted, world.fake.limited
            per_partner = Counter(
                channel for channel, messages in world.fake.messages.items() for _m in messages
            )
            repeated = {
                channel: max(Counter(m["content"] for m in messages).values()) > 1
                for channel, messages in world.fake.messages.items()
            }
            dm_of = dict(world.fake.dm_of)
        finally:
            world.close()
        with Session(engine) as session:
            rows = session.exec(select(Outbox).where(col(Outbox.id) > already)).all()
        engine.dispose()
    users = {row.target_id for row in rows}
    # A delivery is one or more messages (the lead, then each question with its answers); a
    # duplicate is the same message twice in one conversation.
    got = {user: per_partner.get(dm_of.get(user, ""), 0) for user in users}
    twice = {user for user in users if repeated.get(dm_of.get(user, ""), False)}
    return {
        "database": database,
        "members": members,
        "queued": queued,
        "told": told,
        "turn_seconds": turn_seconds,
        "seconds": seconds,
        "accepted": accepted,
        "limited": limited,
        "rate": accepted / seconds,
        "messages_per_second": len([u for u, n in got.items() if n]) / seconds,
        "duplicates": len(twice),
        "lost": sum(1 for n in got.values() if n == 0) + sum(1 for r in rows if r.sent_at is None),
        "dead": sum(1 for r in rows if r.dead_at is not None),
    }


def report(results: list[dict[str, object]]) -> tuple[str, list[common.Verdict]]:
    lines = [
        "## b. Fan-out: one check-in to 10,000 partners at Discord's pace",
        "",
        common.machine([str(r["database"]) for r in results], ["discord.py"]),
        "",
        "`.venv/bin/python bench/fanout.py`. A local fake Discord allows 50 requests a second "
        "(a second's worth at once) and answers 2% of requests with a 429 anyway; one dispatcher "
        "sends through the real Discord sender (discord.py, which waits out each 429 and sends again). "
        "Each partner's prompt is three requests: opening the conversation, then two messages (the lead, "
        "then the question with its answer buttons).",
        "",
        "| database | partners | queued | coordinator's turn | time to deliver all | requests accepted a second | share of the limit | partners reached a second | 429s | duplicates | lost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        share = float(r["rate"]) / LIMIT  # type: ignore[arg-type]
        lines.append(
            f"| {r['database']} | {r['members']:,} | {r['queued']:,} | {float(r['turn_seconds']):.1f} s "  # type: ignore[arg-type]
            f"| {float(r['seconds']):.0f} s | {float(r['rate']):.1f} | {share:.0%} "  # type: ignore[arg-type]
            f"| {float(r['messages_per_second']):.1f} | {r['limited']:,} | {r['duplicates']} | {r['lost']} |"  # type: ignore[arg-type]
        )
    lines.append("")
    met = all(float(r["rate"]) / LIMIT >= 0.9 and r["duplicates"] == 0 and r["lost"] == 0 for r in results)  # type: ignore[arg-type]
    verdict = common.Verdict(
        "b",
        f"one check-in to {max(int(r['members']) for r in results):,} partners at {LIMIT:.0f} requests a second "  # type: ignore[call-overload]
        "with 429s: at least 90% of the rate, 0 duplicates, 0 lost",
        "; ".join(
            f"{r['database']}: {float(r['rate']) / LIMIT:.0%} of the limit, {r['duplicates']} duplicates, "  # type: ignore[arg-type]
            f"{r['lost']} lost, {float(r['seconds']):.0f} s"  # type: ignore[arg-type]
            for r in results
        )
        + ".",
        met,
    )
    lines.append(f'The coordinator was told: "{results[0]["told"]}"')
    return "\n".join(lines), [verdict]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite", help="sqlite and/or postgresql")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for database in args.databases.split(","):
            results.append(measure(args.members, database.strip(), Path(folder)))
    body, verdicts = report(results)
    print(body)
    if not args.no_write:
        common.write_section("fanout", body, verdicts)
        print(f"wrote the fanout section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
