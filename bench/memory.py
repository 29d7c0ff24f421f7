"""Memory: the resident memory of the real `partnerbot run` serving a community of 10,000 members.

The database is seeded as for bench/latency.py (10,000 members, 500 sessions, 300 openings,
200,000 check-in answers), but on real time, because `partnerbot run` uses the system clock; the
check-in counts as edited at the moment of seeding, so its scheduled work has nothing new to send.
Then `.venv/bin/partnerbot run` starts, configured by environment variables only (in an empty
folder, so no .env is read), in Slack HTTP mode, against the fake Slack Web API of
tests/slack_fakes.py running in this process. Signed requests, as Slack sends them, drive a few
hundred interactions (typed `/profile`, "Sign up" on sessions, "I'm interested" on openings and
the form it opens, answers to the open check-in), and the bot's scheduler runs its ticks
(check-ins, sessions, openings, the outbox dispatcher sending to the fake Slack) meanwhile and for
a few ticks after. Its memory is read from /proc/<pid>/status: VmHWM (peak resident set) and
VmRSS (resident now), sampled every 50 ms throughout. The same run with an empty database gives
the bot's own baseline.

Target: peak RSS <= 150 MB serving 10,000 members.

Run:
    .venv/bin/python bench/memory.py
Options: --databases sqlite,postgresql (default both), --members 10000, --interactions 100 (of
each kind).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common

from storage.db import make_engine, migrate

PARTNERBOT = common.ROOT / ".venv" / "bin" / "partnerbot"
TARGET_MB = 150.0
TICK = 5.0  # DISPATCH_INTERVAL_SECONDS, the default


def status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB (MiB)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


class Sampler(threading.Thread):
    """Reads a process's resident memory every 50 ms, noting the largest seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.largest = 0.0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.largest = max(self.largest, status(self.pid)["VmRSS"])
            except (OSError, KeyError):
                return
            time.sleep(0.05)


@dataclass
class Run:
    database: str
    members: int
    seeded: str
    started: dict[str, float] = field(default_factory=dict)  # once listening
    after: dict[str, float] = field(default_factory=dict)  # after the interactions and ticks
    sampled_peak: float = 0.0
    interactions: dict[str, int] = field(default_factory=dict)
    odd: int = 0
    seconds: float = 0.0
    sent: int = 0  # what the outbox dispatcher sent to the fake Slack meanwhile
    exit_code: int | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"partnerbot run stopped (exit {process.returncode}) before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("partnerbot run did not listen in time")


def measure(database: str, members: int, per_kind: int) -> Run:
    from tests.slack_fakes import BOT_TOKEN, SECRET, FakeSlack, LoopThread, SignedRequests

    with tempfile.TemporaryDirectory() as folder, common.fresh_database(database, Path(folder)) as url:
        engine = make_engine(url)
        migrate(engine)
        community = None
        if members:
            print(f"{database}, {members:,} members: seeding ...", flush=True)
            community = common.seed(engine, common.Plan(members), datetime.now(UTC), live=True)
            print(f"  {community.describe()}", flush=True)
        engine.dispose()
        result = Run(database, members, community.describe() if community else "an empty database")
        loop = LoopThread()
        fake = FakeSlack()
        loop.run(fake.start())
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
        env.update(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            SLACK_HOST="127.0.0.1",
            SLACK_PORT=str(port),
            ADMINS=f"slack:{common.TEAM}/{common.slack_user(1)}",
            ANNOUNCEMENTS_CHANNEL=common.ANNOUNCEMENTS,
            COORDINATOR_CHANNEL=common.COORDINATORS,
            DEFAULT_TIMEZONE="Europe/London",
            DISPATCH_INTERVAL_SECONDS=str(TICK),
            LOG_LEVEL="WARNING",
        )
        log = Path(folder) / "partnerbot.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(PARTNERBOT), "run"], cwd=folder, env=env, stdout=output, stderr=output
            )
            try:
                wait_for_port(port, process)
                began = time.perf_counter()
                sampler = Sampler(process.pid)
                sampler.start()
                time.sleep(1)
                result.started = status(process.pid)
                if community is not None:
                    drive(SignedRequests(port, fake), fake, community, per_kind, result)
                # A few scheduler ticks after the last interaction: the outbox goes out.
                time.sleep(3 * TICK)
                result.after = status(process.pid)
                sampler.halt.set()
                sampler.join()
                result.sampled_peak = sampler.largest
                result.seconds = time.perf_counter() - began
                result.sent = len(
                    [c for c in fake.calls if c.method in ("chat.postMessage", "chat.update") and c.ok]
                )
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    result.exit_code = process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    result.exit_code = process.wait()
                loop.run(fake.stop())
                loop.close()
        problems = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
        if problems:
            print(
                f"  the bot logged {len(problems)} tracebacks; its log:\n{log.read_text()[-3000:]}",
                flush=True,
            )
        return result


def drive(slack: Any, fake: Any, community: common.Community, per_kind: int, result: Run) -> None:
    """`per_kind` of each interaction, the kinds in turn, each by a different member."""
    rng = random.Random(7)
    partners = community.partners
    rng.shuffle(partners)
    answering = list(community.unanswered)
    rng.shuffle(answering)
    sessions = list(community.sessions_open)
    openings = list(community.openings_open)
    counts = {"profile": 0, "sign-up": 0, "interest": 0, "interest, form sent": 0, "check-in answer": 0}

    def done(kind: str, answer: Any) -> None:
        counts[kind] += 1
        result.odd += answer.status != 200

    for number in range(per_kind):
        member = partners[number]
        done("profile", slack.slash(common.slack_user(member), "/profile")[0])
        session = sessions[number % len(sessions)]
        signer = partners[per_kind + number]
        button = {"action_id": f"session.signup:{session}", "type": "button", "value": ""}
        done("sign-up", slack.press(common.slack_user(signer), button)[0])
        opening = openings[number % len(openings)]
        keen = partners[2 * per_kind + number]
        if (opening, keen) not in community.interested:
            button = {"action_id": f"opening.interested:{opening}", "type": "button", "value": ""}
            answer, key = slack.press(common.slack_user(keen), button)
            done("interest", answer)
            view = opened(fake, f"trigger-{key}")
            if view is not None:
                done(
                    "interest, form sent",
                    slack.submit(common.slack_user(keen), view, {"availability": "mornings"}),
                )
            else:
                result.odd += 1
        if number < len(answering):
            member = answering[number]
            value = str(rng.choices(range(1, 6), common.SCALE_WEIGHTS)[0])
            action = f"checkin.answer:{community.prompt_of[member]}:0:{value}"
            done(
                "check-in answer",
                slack.press(common.slack_user(member), {"action_id": action, "type": "button", "value": ""})[
                    0
                ],
            )
    result.interactions = counts


def opened(fake: Any, trigger: str, seconds: float = 5) -> dict[str, Any] | None:
    """The modal the bot opened with this trigger (it opens it just after its ack)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for call in reversed(fake.calls):
            if call.method == "views.open" and call.ok and call.args.get("trigger_id") == trigger:
                return dict(call.args["view"])
        time.sleep(0.01)
    return None


def report(runs: list[Run], per_kind: int, databases: list[str]) -> tuple[str, list[common.Verdict]]:
    lines = [
        "## Memory (`bench/memory.py`)",
        "",
        "Command: `.venv/bin/python bench/memory.py`"
        + (f" (here with `--interactions {per_kind}`)" if per_kind != 100 else ""),
        "",
        common.machine(databases),
        "",
        "Resident memory of the real `partnerbot run` (Slack HTTP mode, configured by environment variables, "
        "scheduler ticking every 5 s) against the fake Slack of tests/, read from /proc/<pid>/status: VmHWM is "
        "the peak resident set of the whole run, VmRSS the resident set at a moment. With members, it served "
        f"about {per_kind} of each interaction (typed `/profile`, Sign up, I'm interested and its form, a check-in "
        "answer) from different members, as signed Slack requests, then three more scheduler ticks. MB = MiB.",
        "",
        "| Database | Community | RSS once listening | RSS at the end | Peak (VmHWM) | Interactions | Sent by the outbox "
        "| Non-200 answers |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        who = f"{run.members:,} members" if run.members else "empty"
        lines.append(
            f"| {run.database} | {who} | {run.started.get('VmRSS', 0):.1f} MB | {run.after.get('VmRSS', 0):.1f} MB | "
            f"{run.after.get('VmHWM', 0):.1f} MB | {sum(run.interactions.values())} | {run.sent} | {run.odd} |"
        )
    served = [r for r in runs if r.members]
    peaks = {r.database: r.after.get("VmHWM", 0) for r in served}
    stops = [f"{r.database} stopped with exit code {r.exit_code} on SIGTERM" for r in served if r.exit_code not in (0, None)]
    verdict = common.Verdict(
        "e",
        f"peak RSS <= {TARGET_MB:.0f} MB serving {max((r.members for r in served), default=0):,} members",
        "; ".join(f"{database} {peak:.1f} MB" for database, peak in peaks.items()) + "." + "".join(f" ({s})" for s in stops),
        bool(peaks) and all(peak <= TARGET_MB for peak in peaks.values()),
    )
    lines += ["", "### Data", ""]
    lines += [f"- {r.database}: {r.seeded}" for r in runs if r.members]
    return "\n".join(lines), [verdict]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100, help="of each kind")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    databases = args.databases.split(",")
    runs = []
    for database in databases:
        for members in (0, args.members):
            run = measure(database, members, args.interactions)
            print(
                f"  {database}, {members:,} members: RSS {run.after.get('VmRSS', 0):.0f} MB, "
                f"peak {run.after.get('VmHWM', 0):.0f} MB",
                flush=True,
            )
            runs.append(run)
    body, verdicts = report(runs, args.interactions, databases)
    if args.no_write:
        print(body)
    else:
        common.write_section("memory", body, verdicts)
        print(f"wrote the memory section of {common.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
