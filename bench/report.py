"""The coordinators' report: how long `report last 12 months` takes, end to end through
`Bot.handle` (the counting in the database, every chart drawn as a PNG, the CSV written), for a
community of 10,000 members with a year of weekly check-ins (about 52 closed runs, each sent to
every partner, seven in ten answering), 300 wellbeing sessions and 200 openings with their
sign-ups, interest and selections.

The data are written straight into the tables by bench/common.py's seed, as the core would have
made them. The report is asked for several times in a row by a coordinator; the first answer
includes warming up (imports, fonts), and the section gives the first and the slowest of the rest.

Target: an answer within 5 s on SQLite at 10,000 members.

Run:
    .venv/bin/python bench/report.py
    .venv/bin/python bench/report.py --databases sqlite,postgresql --no-write
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import common

from bot.conversation import Command, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from storage.db import make_engine, migrate
from tests.clock import FakeClock

TARGET_SECONDS = 5.0
WEEKS = 52


def measure(members: int, database: str, folder: Path, repeats: int) -> dict[str, object]:
    with common.fresh_database(database, folder) as url:
        engine = make_engine(url)
        migrate(engine)
        # Enough answers for about a year of weekly runs (each partner: every question answered).
        answers = math.ceil(members * common.ANSWER_RATE * len(common.QUESTIONS) * WEEKS)
        plan = common.Plan(members=members, sessions=300, openings=200, answers=answers)
        made = common.seed(engine, plan, common.START)
        coordinator = made.coordinators[0]
        bot = Bot(engine, common.settings(), FakeClock(common.START), EVERY_FEATURE)
        who = Who(common.account_of(coordinator), made.names[coordinator - 1])
        seconds = []
        reply = None
        for _ in range(repeats):
            started = time.perf_counter()
            reply = bot.handle(Command(who, "report", "last 12 months"))
            seconds.append(time.perf_counter() - started)
        engine.dispose()
    assert reply is not None
    files = [f for m in reply.messages for f in m.files]
    charts = [f for f in files if f.mime == "image/png"]
    assert charts, reply.plain()
    return {
        "database": database,
        "members": members,
        "rows": made.rows,
        "seeded": made.seconds,
        "first": seconds[0],
        "slowest": max(seconds[1:] or seconds),
        "charts": len(charts),
        "csv_lines": sum(str(f.content).count("\n") for f in files if f.mime == "text/csv"),
        "said": reply.plain().splitlines()[1] if len(reply.plain().splitlines()) > 1 else reply.plain(),
    }


def report(results: list[dict[str, object]], repeats: int) -> tuple[str, list[common.Verdict]]:
    databases = [str(r["database"]) for r in results]
    lines = [
        "## Report: `report last 12 months` for 10,000 members (bench/report.py)",
        "",
        common.machine(databases, ("matplotlib",)),
        "",
        "A coordinator asks for a year's report through `Bot.handle`: counting in the database, every "
        f"chart drawn, the CSV written. Asked {repeats} times in a row; \"first\" includes warming up.",
        "",
        "| database | members | check-in runs | check-in answers | first | slowest after | charts | CSV rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows = r["rows"]
        assert isinstance(rows, dict)
        lines.append(
            f"| {r['database']} | {r['members']:,} | {rows.get('checkin_run', 0):,} | {rows.get('checkin_answer', 0):,} "
            f"| {float(r['first']):.2f} s | {float(r['slowest']):.2f} s | {r['charts']} | {int(r['csv_lines']) - 1:,} |"  # type: ignore[arg-type]
        )
    lines.append("")
    met = all(max(float(r["first"]), float(r["slowest"])) < TARGET_SECONDS for r in results)  # type: ignore[arg-type]
    verdict = common.Verdict(
        "f",
        f"`report last 12 months` at {max(int(r['members']) for r in results):,} members within "  # type: ignore[call-overload]
        f"{TARGET_SECONDS:.0f} s, the first answer included",
        "; ".join(f"{r['database']}: first {float(r['first']):.1f} s, slowest {float(r['slowest']):.1f} s" for r in results)  # type: ignore[arg-type]
        + ".",
        met,
    )
    lines.append(f'The report began: "{results[0]["said"]}"')
    return "\n".join(lines), [verdict]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite", help="sqlite and/or postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for database in args.databases.split(","):
            results.append(measure(args.members, database.strip(), Path(folder), args.repeats))
    body, verdicts = report(results, args.repeats)
    print(body)
    if not args.no_write:
        common.write_section("report", body, verdicts)
        print(f"wrote the report section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
