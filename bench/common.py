"""Shared by the benchmark scripts: where the repository is, the BENCHMARKS.md writer, the machine
and revision a figure was measured on, fresh databases, percentiles, and seeding a community.

The seed writes rows straight into the tables in big batches (SQLAlchemy core `insert` with lists
of dicts), not through `Bot.handle`, but each row is made the way the core makes it: members with
their account, partner role and consent already shown; sessions announced in the channel, with
their sign-ups and the `taken` counter to match; openings announced, with interest and, once
closed, selections; a weekly check-in with its runs, each partner's prompt at their own local time
(the core's own `send_time`), the DM that sent it, answers, reminders and alerts.

The scripts are run as `.venv/bin/python bench/<name>.py`: Python puts bench/ first on the path,
so they import this module as `common`, and importing it puts the repository root on the path
too (for the fakes in tests/).
"""

from __future__ import annotations

import fcntl
import functools
import json
import math
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import Session as OrmSession

from bot.checkins.delivery import send_time
from bot.checkins.words import prompt_message
from bot.conversation import Message, Who, message_to_json
from bot.members import AccountRef
from bot.notify import channel_reader
from bot.openings.words import fields as opening_fields
from bot.openings.words import interest_buttons
from bot.sessions.notices import announce
from bot.sessions.words import announcement as session_announcement
from bot.settings import Settings
from storage.db import make_engine
from storage.models import (
    Account,
    CheckIn,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    Involvement,
    Member,
    MemberInterest,
    MemberRole,
    Opening,
    OpeningInterest,
    Outbox,
    SessionSignup,
    WellbeingSession,
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the scripts use the fakes in tests/
    sys.path.insert(0, str(ROOT))
BENCHMARKS = ROOT / "BENCHMARKS.md"
# The order sections take in BENCHMARKS.md when a script writes its section for the first time.
SECTION_ORDER = ["latency", "fanout", "rush", "reminders", "contention", "overhead", "memory", "report"]
PG_URL = (
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The bot's notion of "now" in every benchmark that runs the core in this process (a FakeClock).
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday, as in tests/conftest.py
TEAM = "T1"  # the Slack workspace of tests/slack_fakes.py
ANNOUNCEMENTS = f"slack:{TEAM}/CANNOUNCE"
COORDINATORS = f"slack:{TEAM}/CCOORD"
BATCH = 10_000


# ---- BENCHMARKS.md ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One target and how this run did: a row of the summary at the top of BENCHMARKS.md. `key`
    orders and names the row (a letter, as the targets were first listed); `result` is the
    figures that decide it, in a sentence."""

    key: str
    target: str
    result: str
    met: bool

    def line(self) -> str:
        """The visible sentence in the section, and a hidden copy the summary is built from."""
        word = "**met**" if self.met else "**missed**"
        hidden = json.dumps(
            {"key": self.key, "target": self.target, "result": self.result, "met": self.met,
             "when": datetime.now(UTC).strftime("%Y-%m-%d"), "commit": revision()},
            ensure_ascii=False,
        )
        return f"- {self.target}: {word}. {self.result}\n<!-- summary {hidden} -->"


def write_section(name: str, body: str, verdicts: Sequence[Verdict] = ()) -> None:
    """Put `body` between this script's markers in BENCHMARKS.md, leaving every other section as
    it is. A section not there yet goes where SECTION_ORDER puts it. `verdicts` are written at
    the section's end under "Targets", and the summary at the top is then built again from the
    verdicts of every section: nobody edits the summary by hand."""
    if verdicts:
        body = body.rstrip() + "\n\n### Targets\n\n" + "\n".join(v.line() for v in verdicts)
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    BENCHMARKS.touch()
    with BENCHMARKS.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # two scripts finishing at once must not lose a section
        current = handle.read() or _HEADER
        if start in current and end in current:
            before, rest = current.split(start, 1)
            after = rest.split(end, 1)[1]
            updated = before + block + after
        else:
            later = [
                s for s in SECTION_ORDER[SECTION_ORDER.index(name) + 1 :] if f"<!-- bench:{s} -->" in current
            ]
            if later:
                marker = f"<!-- bench:{later[0]} -->"
                before, after = current.split(marker, 1)
                updated = before + block + "\n\n" + marker + after
            else:
                updated = current.rstrip("\n") + "\n\n" + block + "\n"
        handle.seek(0)
        handle.write(summarised(updated))
        handle.truncate()


_SUMMARY_START, _SUMMARY_END = "<!-- summary-table -->", "<!-- /summary-table -->"


def summarised(document: str) -> str:
    """`document` with its summary table made again from the hidden verdict lines of its sections
    (the table goes after the header, before the first section, the first time)."""
    rows = []
    for found in re.finditer(r"<!-- summary (\{.*?\}) -->", document):
        rows.append(json.loads(found.group(1)))
    rows.sort(key=lambda row: row["key"])
    table = [
        _SUMMARY_START,
        "## Summary",
        "",
        "Built by the scripts from the targets at the end of each section below; each row says when and at "
        "which commit it was measured (see that section for the machine and its load).",
        "",
        "| | Target | Result | Measured |",
        "|---|---|---|---|",
    ]
    for row in rows:
        word = "**met**" if row["met"] else "**missed**"
        cells = [row["key"], row["target"], f"{word}. {row['result']}", f"{row['when']}, {row['commit']}"]
        table.append("| " + " | ".join(cell.replace("|", "/").replace("\n", " ") for cell in cells) + " |")
    table.append(_SUMMARY_END)
    block = "\n".join(table)
    if _SUMMARY_START in document and _SUMMARY_END in document:
        before, rest = document.split(_SUMMARY_START, 1)
        return before + block + rest.split(_SUMMARY_END, 1)[1]
    first = re.search(r"^<!-- bench:", document, re.MULTILINE)
    if first is None:
        return document.rstrip("\n") + "\n\n" + block + "\n"
    return document[: first.start()] + block + "\n\n" + document[first.start() :]


_HEADER = """# Benchmarks

Figures measured by the scripts in `bench/`. Each script writes only its own section, between
`<!-- bench:NAME -->` markers, so they can be run in any order; each section says on which
machine, on which date and at which commit it was measured. Run them from a fresh clone after
`make install-test`, with PostgreSQL reachable at `postgresql+psycopg://postgres@127.0.0.1:5432/test`
(or at `BENCH_DATABASE_URL`). A script that has a target ends its section with it, met or
missed, and rebuilds the summary table below from the targets of every section: the table is not
written by hand.
"""


# ---- where and when -----------------------------------------------------------------------------


@functools.cache
def revision() -> str:
    """The commit measured: read once, when a script first asks (before it measures: see the
    end of this module), so a commit made while a long run goes on is not taken for the code
    it measured."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    # The figures written so far in this run are not a change to what is measured.
    changed = [line for line in git("status", "--porcelain").splitlines() if not line.endswith(BENCHMARKS.name)]
    return commit + (" + uncommitted changes" if changed else "")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return math.nan


def postgres_version(url: str = PG_URL) -> str:
    try:
        engine = make_engine(url)
        with engine.connect() as connection:
            found = str(connection.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
        return found.split()[0]
    except Exception as problem:  # noqa: BLE001 - only shown in the header
        return f"not reachable ({type(problem).__name__})"


def machine(databases: Iterable[str] = ("sqlite", "postgresql"), libraries: Sequence[str] = ()) -> str:
    """The lines every section starts with: machine, software, date and commit."""
    parts = [
        f"SQLite {sqlite3.sqlite_version}" if db == "sqlite" else f"PostgreSQL {postgres_version()}"
        for db in databases
    ]
    libs = ", ".join(f"{name} {version(name)}" for name in ("SQLAlchemy", *libraries))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- Machine: {cpu_model()}, {os.cpu_count()} cores, {ram_gib():.1f} GiB RAM; "
            f"{platform.system()} {platform.release()}",
            f"- Software: Python {platform.python_version()}; {'; '.join(parts) or 'no database'}; {libs}",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {revision()}; "
            f"load average when the section was written: {load}",
        ]
    )


# ---- figures ----------------------------------------------------------------------------------


def cpu_stall() -> float:
    """Microseconds so far in which some runnable task waited for a CPU (Linux PSI), or NaN."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return math.nan
    return float(first.rsplit("total=", 1)[1])


def reference_work() -> int:
    """A fixed piece of pure Python work (a few ms here): timed beside the real work, its spread
    shows how much of a tail the machine itself adds (this VM's CPU is shared; stolen time is
    not reported to it, so it shows up as ordinary CPU time)."""
    total = 0
    for number in range(60_000):
        total += number * number
    return total


class Stall:
    """How much of a stretch of time something on the machine waited for a CPU: with other work
    on the machine, tail latencies grow with it."""

    def __enter__(self) -> Stall:
        self.began, self.stalled = time.perf_counter(), cpu_stall()
        self.share = math.nan
        return self

    def __exit__(self, *_exc: object) -> None:
        elapsed = time.perf_counter() - self.began
        self.share = (cpu_stall() - self.stalled) / 1e6 / elapsed if elapsed > 0 else math.nan


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolated between the closest ranks (as numpy's default)."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds * 1000 < 100 else f"{seconds * 1000:.0f}"


# ---- databases ------------------------------------------------------------------------------------


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database: a new SQLite file in `folder`, or a new PostgreSQL schema
    (dropped afterwards), reached as tests/conftest.py does with search_path in the URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database {kind!r}: use sqlite or postgresql")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as problem:
        admin.dispose()
        raise SystemExit(
            f"PostgreSQL is not reachable at {PG_URL} ({problem.__class__.__name__}). Start it "
            "(pg_ctlcluster --skip-systemctl-redirect <version> main start) or set BENCH_DATABASE_URL."
        ) from problem
    try:
        separator = "&" if "?" in PG_URL else "?"
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settings(**overrides: Any) -> Settings:
    """A deployment as it would be configured: Slack, with announcements and coordinators' channels."""
    values: dict[str, Any] = {
        "admins": f"slack:{TEAM}/{slack_user(1)}",
        "default_timezone": "Europe/London",
        "announcements_channel": ANNOUNCEMENTS,
        "coordinator_channel": COORDINATORS,
        **overrides,
    }
    return Settings(_env_file=None, **values)


# ---- the community --------------------------------------------------------------------------------

FIRST = "Ada Alex Amir Ana Ben Cora Dev Eli Fatima Gus Hana Ivan Jo Kai Lou Maya Nia Omar Priya Quinn Ravi Sam Tess Uma Yusuf Zoe".split()
LAST = "Adams Baker Chen Davies Evans Fischer Green Hughes Iqbal Jones Khan Lewis Morgan Nowak Owen Patel Roberts Singh Taylor Walsh Wright Young".split()
ZONES = [
    ("Europe/London", 70),
    ("Europe/Dublin", 8),
    ("America/Toronto", 8),
    ("Asia/Kolkata", 7),
    ("Australia/Sydney", 7),
]
TAGS = [
    "pain",
    "research",
    "diabetes",
    "mental health",
    "cancer",
    "carers",
    "digital",
    "youth",
    "heart",
    "kidney",
]
QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "scale",
        "text": "How are you feeling this week?",
        "labels": ["awful", "poor", "okay", "good", "great"],
    },
    {"kind": "yesno", "text": "Did you sleep well?"},
]
SCALE_WEIGHTS = [5, 15, 35, 30, 15]  # how partners answer 1..5
ANSWER_RATE = 0.7  # of the prompts sent in a closed run, answered in full
OPEN_RUN_ANSWERED = 0.3  # of the prompts of the run still open, answered by the time we measure
CHECKIN_WINDOW = 48 * 60


def channel_of(plan: Plan) -> AccountRef:
    """The announcements channel on the community's first platform (as a target, its id in user_id)."""
    if plan.platforms[0] == "slack":
        return AccountRef("slack", TEAM, ANNOUNCEMENTS.rsplit("/", 1)[1])
    return AccountRef(plan.platforms[0], "", "announcements")


def slack_user(member_id: int) -> str:
    return f"U{member_id:09d}"


def discord_user(member_id: int) -> str:
    return str(10**17 + member_id)


def account_of(member_id: int, platform_name: str = "slack") -> AccountRef:
    if platform_name == "slack":
        return AccountRef("slack", TEAM, slack_user(member_id))
    if platform_name == "discord":
        return AccountRef("discord", "", discord_user(member_id))
    raise ValueError(platform_name)


@dataclass(frozen=True)
class Plan:
    members: int
    sessions: int = 500
    openings: int = 300
    answers: int = 200_000
    platforms: tuple[str, ...] = ("slack",)
    seed: int = 2026


@dataclass
class Community:
    """What the seed made, for picking realistic actions (and who may take them)."""

    plan: Plan
    now: datetime
    names: list[str] = field(default_factory=list)  # by member id - 1
    zones: list[str] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    paused: set[int] = field(default_factory=set)
    sessions_open: list[int] = field(default_factory=list)  # upcoming, open to partners
    signed_up: set[tuple[int, int]] = field(default_factory=set)  # (session, member)
    openings_open: list[int] = field(default_factory=list)
    interested: set[tuple[int, int]] = field(default_factory=set)  # (opening, member)
    prompt_of: dict[int, int] = field(default_factory=dict)  # member -> prompt in the open run
    unanswered: list[int] = field(default_factory=list)  # members whose open prompt has no answer
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def who(self, member_id: int, platform_name: str = "slack") -> Who:
        return Who(account_of(member_id, platform_name), self.names[member_id - 1], self.zones[member_id - 1])

    @property
    def partners(self) -> list[int]:
        """Members who are partners and nothing more (staff and coordinators act differently)."""
        special = set(self.coordinators) | set(self.staff)
        return [m for m in range(1, self.plan.members + 1) if m not in special]

    def describe(self) -> str:
        counts = ", ".join(f"{table} {count:,}" for table, count in self.rows.items())
        return f"{counts} (seeded in {self.seconds:.0f} s)"


class _Writer:
    """Rows for one table, inserted in batches as they are made."""

    def __init__(self, connection: Any, model: Any, rows: dict[str, int], *after: _Writer) -> None:
        self.connection = connection
        self.table = model.__table__
        self.pending: list[dict[str, Any]] = []
        self.rows = rows
        self.next_id = 1
        # Tables these rows refer to: their pending rows go in first.
        self.after = after
        rows.setdefault(self.table.name, 0)

    def add(self, **row: Any) -> int:
        row["id"] = self.next_id
        self.next_id += 1
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        for other in self.after:
            other.flush()
        if self.pending:
            self.connection.execute(insert(self.table), self.pending)
            self.rows[self.table.name] += len(self.pending)
            self.pending = []


def seed(engine: Engine, plan: Plan, now: datetime, live: bool = False) -> Community:
    """A community of `plan.members`, as the core would have made it up to `now`.

    `live`: for a bot that runs on real time (its scheduler ticks while we measure), the check-in
    counts as edited just now, so its scheduled work finds nothing new to send.
    """
    started = time.perf_counter()
    rng = random.Random(plan.seed)
    made = Community(plan, now)
    config = settings()
    reader = channel_reader(config, now)
    with engine.begin() as connection:
        outbox = _Writer(connection, Outbox, made.rows)
        members = _members(connection, made, rng, plan, now)
        _sessions(connection, outbox, made, rng, plan, now, reader)
        _openings(connection, outbox, made, rng, plan, now, reader)
        _checkins(connection, outbox, made, rng, plan, now, members, live)
        outbox.flush()
    _after_bulk_load(engine)
    made.seconds = time.perf_counter() - started
    return made


def _members(connection: Any, made: Community, rng: random.Random, plan: Plan, now: datetime) -> list[Member]:
    """Members with their accounts, roles and interests; returned as (unsaved) objects, for the
    core's own functions that work out when someone's check-in goes out."""
    people = _Writer(connection, Member, made.rows)
    accounts, roles, interests = (
        _Writer(connection, model, made.rows, people) for model in (Account, MemberRole, MemberInterest)
    )
    zones = [z for z, _w in ZONES]
    weights = [w for _z, w in ZONES]
    coordinators = max(3, plan.members // 500)
    staff = max(5, plan.members // 100)
    made.coordinators = list(range(2, 2 + coordinators))
    made.staff = list(range(2 + coordinators, 2 + coordinators + staff))
    objects = []
    for member_id in range(1, plan.members + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        zone = rng.choices(zones, weights)[0]
        created = now - timedelta(days=rng.uniform(30, 730))
        quiet = (22 * 60, 8 * 60) if rng.random() < 0.3 else (None, None)
        paused_until = now + timedelta(days=rng.randint(1, 14)) if rng.random() < 0.01 else None
        row = {
            "display_name": name,
            "timezone": zone,
            "language": "en",
            "quiet_start": quiet[0],
            "quiet_end": quiet[1],
            "paused_until": paused_until,
            "checkins_paused_until": None,
            "checkins_off": rng.random() < 0.02,
            "consent_shown_at": created,
            "consent_given_at": created,
            "created_at": created,
        }
        people.add(**row)
        objects.append(Member(id=member_id, **row))
        made.names.append(name)
        made.zones.append(zone)
        if paused_until is not None or row["checkins_off"]:
            made.paused.add(member_id)
        for platform_name in plan.platforms:
            ref = account_of(member_id, platform_name)
            accounts.add(
                member_id=member_id,
                platform=ref.platform,
                workspace=ref.workspace,
                user_id=ref.user_id,
                display_name=name,
                last_seen_at=now - timedelta(days=rng.uniform(0, 60)),
            )
        roles.add(member_id=member_id, role="partner", granted_by=None, granted_at=created)
        if member_id == 1:
            roles.add(member_id=member_id, role="admin", granted_by=None, granted_at=created)
        if member_id in made.coordinators:
            roles.add(member_id=member_id, role="coordinator", granted_by=1, granted_at=created)
        elif member_id in made.staff:
            roles.add(member_id=member_id, role="staff", granted_by=1, granted_at=created)
        for tag in rng.sample(TAGS, rng.choices([0, 1, 2, 3], [40, 30, 20, 10])[0]):
            interests.add(member_id=member_id, tag=tag)
    for writer in (people, accounts, roles, interests):
        writer.flush()
    return objects


def _sent(
    outbox: _Writer,
    target: AccountRef,
    target_kind: str,
    body: dict[str, Any],
    at: datetime,
    key: str | None,
    edit_of: int | None = None,
) -> int:
    """A message to `target` (a member's account, or a channel) that the dispatcher sent a second
    after it was queued."""
    return outbox.add(
        platform=target.platform,
        workspace=target.workspace,
        target_kind=target_kind,
        target_id=target.user_id,
        body=body,
        dedupe_key=key,
        created_at=at,
        due_at=at,
        sent_at=at + timedelta(seconds=1),
        attempts=0,
        last_error=None,
        platform_message_id=f"{int(at.timestamp())}.{outbox.next_id:06d}",
        edit_of=edit_of,
    )


def _sessions(
    connection: Any,
    outbox: _Writer,
    made: Community,
    rng: random.Random,
    plan: Plan,
    now: datetime,
    reader: Member,
) -> None:
    """Sessions: three in ten are over (full, attendance marked), the rest to come within two
    months, about half full. Each was announced in the channel, and each sign-up edited that post."""
    sessions = _Writer(connection, WellbeingSession, made.rows, outbox)
    signups = _Writer(connection, SessionSignup, made.rows, sessions)
    partners = made.partners
    channel = channel_of(plan)
    for number in range(plan.sessions):
        session_id = number + 1
        past = number < plan.sessions * 3 // 10
        starts = (
            now - timedelta(days=rng.uniform(3, 180)) if past else now + timedelta(days=rng.uniform(2, 60))
        ).replace(hour=rng.randint(9, 19), minute=0, second=0, microsecond=0)
        created = starts - timedelta(days=rng.uniform(7, 30))
        capacity = rng.choice([8, 10, 12, 15, 20, 25, 30])
        audience = rng.choices(["partners", "everyone", "staff"], [85, 10, 5])[0]
        target = WellbeingSession(
            id=session_id,
            series_id=None,
            title=rng.choice(["Chair yoga", "Mindful walk", "Art club", "Peer support circle", "Breathing"]),
            description="A gentle hour together. No experience needed; cameras optional.",
            facilitator_id=None,
            facilitator_name=rng.choice(["Maya Patel", "Tess Walsh", ""]),
            starts_at=starts,
            duration_minutes=rng.choice([45, 60, 90]),
            zone="Europe/London",
            place=rng.choice(["Room 2, Community Centre", "https://meet.example.org/wellbeing"]),
            capacity=capacity,
            taken=0,
            signup_closes_at=starts,
            audience=audience,
            reminders=[1440, 60],
            status="scheduled",
            created_by=made.coordinators[number % len(made.coordinators)],
            created_at=created,
            announcement_id=None,
            sequence=0,
        )
        if past:
            confirmed = capacity
            waiting = rng.randint(0, 5)
        else:
            confirmed = rng.randint(0, capacity // 2)
            waiting = 0
        people = rng.sample(partners, confirmed + waiting)
        body = message_to_json(session_announcement(target, 0, reader, created))
        target.announcement_id = _sent(
            outbox, channel, "channel", body, created, f"session.announce:{session_id}"
        )
        target.taken = confirmed
        row = target.model_dump()
        row["reminders"] = list(target.reminders)
        sessions.add(**{k: v for k, v in row.items() if k != "id"})
        for position, member_id in enumerate(people):
            signed = created + timedelta(hours=1 + position)
            is_confirmed = position < confirmed
            signups.add(
                session_id=session_id,
                member_id=member_id,
                status="confirmed" if is_confirmed else "waitlisted",
                note="",
                created_at=signed,
                confirmed_at=signed if is_confirmed else None,
                cancelled_at=None,
                attended=(rng.random() < 0.85) if past and is_confirmed else None,
            )
            made.signed_up.add((session_id, member_id))
            _sent(outbox, channel, "channel", body, signed, None, edit_of=target.announcement_id)
        if not past and audience != "staff":
            made.sessions_open.append(session_id)
    sessions.flush()
    signups.flush()


def add_session(engine: Engine, now: datetime, capacity: int, created_by: int) -> int:
    """One more session, in a week, that nobody has signed up for yet, posted in the channel by
    the core's own `announce` (and marked sent, as the dispatcher would have)."""
    starts = (now + timedelta(days=7)).replace(hour=14, minute=0, second=0, microsecond=0)
    target = WellbeingSession(
        title="Chair yoga",
        description="A gentle hour together. No experience needed; cameras optional.",
        facilitator_name="Maya Patel",
        starts_at=starts,
        duration_minutes=60,
        zone="Europe/London",
        place="Room 2, Community Centre",
        capacity=capacity,
        signup_closes_at=starts,
        audience="partners",
        reminders=[1440, 60],
        created_by=created_by,
        created_at=now,
    )
    with OrmSession(engine) as session:
        session.add(target)
        session.flush()
        announce(session, settings(), target, now)
        post = session.get_one(Outbox, target.announcement_id)
        post.sent_at, post.platform_message_id = now, f"{int(now.timestamp())}.999999"
        session.add(post)
        session.commit()
        assert target.id is not None
        return target.id


def _openings(
    connection: Any,
    outbox: _Writer,
    made: Community,
    rng: random.Random,
    plan: Plan,
    now: datetime,
    reader: Member,
) -> None:
    """Openings: four in ten open (closing within a month), the rest closed with their selections."""
    openings = _Writer(connection, Opening, made.rows, outbox)
    interests = _Writer(connection, OpeningInterest, made.rows, openings)
    involvements = _Writer(connection, Involvement, made.rows, openings)
    partners = made.partners
    posters = made.staff + made.coordinators
    channel = channel_of(plan)
    pending: list[tuple[int, list[int], bool, int, datetime]] = []
    for number in range(plan.openings):
        opening_id = number + 1
        is_open = number >= plan.openings * 6 // 10
        closes = (
            now + timedelta(days=rng.uniform(3, 30)) if is_open else now - timedelta(days=rng.uniform(1, 365))
        )
        created = closes - timedelta(days=rng.uniform(7, 28))
        kind = rng.choice(["remote", "in_person", "hybrid"])
        places = rng.randint(1, 5)
        target = Opening(
            id=opening_id,
            title=rng.choice(
                [
                    "Online booking working group",
                    "Research panel",
                    "Patient leaflet review",
                    "Interview panel",
                ]
            ),
            team=rng.choice(["Digital services", "Research office", "Patient experience"]),
            involves="Read the drafts, come to the meetings and say what would make things easier for patients. "
            * 2,
            commitment=rng.choice(["2 hours a month", "one afternoon", "4 meetings"]),
            dates=rng.choice(["December to March", "ongoing", "spring"]),
            place_kind=kind,
            place="" if kind == "remote" else "Main hospital, room 4",
            seats=places,
            payment="£25 an hour plus travel",
            access="Captions, step-free rooms, breaks",
            tags=sorted(rng.sample(TAGS, rng.randint(1, 2))),
            closes_at=closes,
            status="open" if is_open else rng.choices(["closed", "cancelled"], [95, 5])[0],
            posted_by=posters[number % len(posters)],
            created_at=created,
            closed_at=None if is_open else closes,
        )
        message = Message(
            (f"New opening: {target.title}.",),
            opening_fields(target, reader, 0),
            interest_buttons(reader, target),
            private=False,
        )
        target.announcement_id = _sent(
            outbox, channel, "channel", message_to_json(message), created, f"opening.post:{opening_id}"
        )
        row = target.model_dump()
        row["tags"] = list(target.tags)
        openings.add(**{k: v for k, v in row.items() if k != "id"})
        people = rng.sample(partners, rng.randint(0, 30) if is_open else rng.randint(5, 40))
        pending.append((opening_id, people, is_open and target.status == "open", places, created))
        if is_open:
            made.openings_open.append(opening_id)
    openings.flush()
    for opening_id, people, is_open, places, created in pending:
        for position, member_id in enumerate(people):
            said = created + timedelta(hours=2 + position)
            selected = said + timedelta(days=7) if not is_open and position < places else None
            interests.add(
                opening_id=opening_id,
                member_id=member_id,
                availability=rng.choice(["", "weekday mornings", "any evening"]),
                access_needs=rng.choice(["", "", "step-free access, please"]),
                note="",
                created_at=said,
                withdrawn_at=said + timedelta(days=1) if rng.random() < 0.05 and selected is None else None,
                selected_at=selected,
            )
            made.interested.add((opening_id, member_id))
            if selected is not None:
                involvements.add(
                    member_id=member_id,
                    opening_id=opening_id,
                    selected_at=selected,
                    hours_agreed=rng.choice([None, 2.0, 6.0]),
                    payment_offered="£25 an hour plus travel",
                    payment_declined=rng.random() < 0.1,
                    next_steps="We will email the papers a week before.",
                )
    interests.flush()
    involvements.flush()


def _checkins(
    connection: Any,
    outbox: _Writer,
    made: Community,
    rng: random.Random,
    plan: Plan,
    now: datetime,
    members: list[Member],
    live: bool,
) -> None:
    """A weekly check-in at 10:00 in each partner's own zone. The latest run went out yesterday
    and is still open; closed runs before it, one a week, hold answers until there are
    `plan.answers` answers in all (counting those already given in the open run)."""
    checkins = _Writer(connection, CheckIn, made.rows)
    runs = _Writer(connection, CheckInRun, made.rows, checkins)
    prompts = _Writer(connection, CheckInPrompt, made.rows, runs)
    answers = _Writer(connection, CheckInAnswer, made.rows, prompts)
    latest = (now - timedelta(days=1)).date()
    # Everyone is a partner (staff and coordinators too), so everyone gets the check-in, unless
    # they have paused.
    asked = sum(1 for m in members if m.id not in made.paused)
    per_run_closed = asked * ANSWER_RATE * len(QUESTIONS)
    open_answers = round(asked * OPEN_RUN_ANSWERED) * len(QUESTIONS)
    closed_runs = max(0, math.ceil((plan.answers - open_answers) / per_run_closed))
    # Answered a little more often than the average needs, so the last closed run reaches the
    # exact count (and stops there) whatever the dice say; the open run then takes the rest.
    closed_rate = min(
        1.0, (plan.answers - open_answers) / max(1, closed_runs * asked * len(QUESTIONS)) * 1.05
    )
    begun = datetime.combine(latest - timedelta(weeks=closed_runs + 1), datetime.min.time(), UTC)
    checkin = CheckIn(
        id=1,
        name="Weekly wellbeing check-in",
        questions=QUESTIONS,
        schedule="weekly",
        weekdays=str(latest.weekday()),
        every_days=None,
        anchor=begun.date().isoformat(),
        local_time=600,
        fixed_zone="",
        window_minutes=CHECKIN_WINDOW,
        visibility="named",
        alert_level=1,
        audience_tags=[],
        paused=False,
        active_since=now if live else begun,
        deleted_at=None,
        created_by=made.coordinators[0],
        created_at=begun,
    )
    row = checkin.model_dump()
    row["questions"], row["audience_tags"] = QUESTIONS, []
    checkins.add(**{k: v for k, v in row.items() if k != "id"})
    checkins.flush()
    written = 0
    for number in range(closed_runs, -1, -1):  # the oldest first; number 0 is the open run
        period = latest - timedelta(weeks=number)
        is_open = number == 0
        budget = plan.answers - written - (0 if is_open else open_answers)
        rate = OPEN_RUN_ANSWERED if is_open else closed_rate
        written += _run(
            runs, prompts, answers, outbox, made, rng, checkin, period, members, now, is_open, budget, rate
        )
    for writer in (runs, prompts, answers):
        writer.flush()


def _run(
    runs: _Writer,
    prompts: _Writer,
    answers: _Writer,
    outbox: _Writer,
    made: Community,
    rng: random.Random,
    checkin: CheckIn,
    period: date,
    members: list[Member],
    now: datetime,
    is_open: bool,
    budget: int,
    rate: float,
) -> int:
    """One run and each partner's prompt in it; returns how many answers it holds."""
    window = timedelta(minutes=CHECKIN_WINDOW)
    probe = CheckInRun(
        checkin_id=1, period=period.isoformat(), name=checkin.name, questions=QUESTIONS, created_at=now
    )
    due = {m.id: send_time(checkin, probe, m) for m in members}  # the core's own rule
    created = min(due.values())
    last_close = max(due.values()) + window
    run_id = runs.add(
        checkin_id=1,
        period=period.isoformat(),
        name=checkin.name,
        questions=QUESTIONS,
        visibility="named",
        alert_level=1,
        window_minutes=CHECKIN_WINDOW,
        created_at=created,
        closed_at=None if is_open else last_close,
    )
    probe.id = run_id
    reader = members[0]
    body = message_to_json(
        prompt_message(
            probe,
            CheckInPrompt(
                id=0,
                run_id=run_id,
                member_id=1,
                status="sent",
                send_at=created,
                closes_at=created + window,
                remind_at=created + window / 2,
            ),
            reader,
            created,
        )
    )
    written = 0
    # In the open run, exactly the answers still wanted, from partners picked at random.
    open_to = sorted(
        m.id for m in members if m.id is not None and m.id not in made.paused and due[m.id] <= now
    )
    chosen = (
        set(rng.sample(open_to, min(len(open_to), max(0, budget) // len(QUESTIONS)))) if is_open else set()
    )
    for member in members:
        assert member.id is not None
        at = due[member.id]
        if is_open and at > now:
            continue  # not sent yet
        sent = member.id not in made.paused
        closes, remind_at = at + window, at + window / 2
        if is_open:
            answered = sent and member.id in chosen
        else:
            answered = sent and written < budget and rng.random() < rate
        reminded = remind_at if sent and not answered and remind_at <= now else None
        low = answered and rng.choices(range(1, 6), SCALE_WEIGHTS)[0] == 1
        prompt_id = prompts.add(
            run_id=run_id,
            member_id=member.id,
            status="sent" if sent else "paused",
            send_at=at,
            closes_at=closes,
            remind_at=remind_at,
            reminded_at=reminded,
            skipped_at=at + timedelta(hours=3) if sent and not answered and rng.random() < 0.1 else None,
            alerted_at=at + timedelta(hours=1) if low else None,
            note="",
            answered_anonymously=[],
        )
        if sent:
            user = account_of(member.id, made.plan.platforms[0])
            _sent(outbox, user, "dm", body, at, f"checkin.prompt:{prompt_id}")
            if reminded is not None:
                _sent(outbox, user, "dm", body, reminded, f"checkin.remind:{prompt_id}")
        if answered:
            when = at + timedelta(minutes=rng.uniform(1, 600))
            scale = "1" if low else str(rng.choices(range(2, 6), SCALE_WEIGHTS[1:])[0])
            answers.add(prompt_id=prompt_id, position=0, value=scale, answered_at=when)
            answers.add(prompt_id=prompt_id, position=1, value=rng.choice(["yes", "no"]), answered_at=when)
            written += len(QUESTIONS)
        if is_open and sent and closes > now:
            made.prompt_of[member.id] = prompt_id
            if not answered:
                made.unanswered.append(member.id)
    return written


def _after_bulk_load(engine: Engine) -> None:
    """PostgreSQL: move each id sequence past the ids written, then vacuum and gather planner
    statistics (as autovacuum would soon after a load this size). SQLite: nothing (it has no autovacuum-analyze;
    a real deployment's SQLite file has no statistics either)."""
    if engine.dialect.name != "postgresql":
        return
    tables = [
        m.__table__.name
        for m in (
            Member,
            Account,
            MemberRole,
            MemberInterest,
            Outbox,
            CheckIn,
            CheckInRun,
            CheckInPrompt,
            CheckInAnswer,
            Opening,
            OpeningInterest,
            Involvement,
            WellbeingSession,
            SessionSignup,
        )
    ]
    with engine.begin() as connection:
        for table in tables:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
                )
            )
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            connection.execute(text(f"VACUUM ANALYZE {table}"))


revision()  # at import, before anything is measured
