"""Run a command with the system clock moved to other days, for it and every program it starts
(libfaketime, preloaded). CI uses it to run the tests that let real time in on a leap day and in
a week when the clocks change: a test that passes only on some days fails there.

    python scripts/on_another_day.py 2028-02-29T12:00 2027-03-27T23:30 -- pytest -m wallclock

Each day runs at the same time as the others (their output is shown one after the other); the
exit code is the first that was not 0. Every process of one run gets the same offset from real
time, so they agree on the time (a Slack request signed in one is fresh in another), and time
still moves on as usual.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

import libfaketime


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == 0 or argv.index("--") == len(argv) - 1:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    days = [datetime.fromisoformat(day).replace(tzinfo=UTC) for day in argv[:split]]
    command = argv[split + 1 :]
    _needs_reload, preload = libfaketime.get_reload_information()
    runs = []
    for day in days:
        offset = int((day - datetime.now(UTC)).total_seconds())
        env = {**os.environ, **preload, "FAKETIME": f"{offset:+d}", "FAKETIME_DID_REEXEC": "true"}
        output = tempfile.TemporaryFile(mode="w+")
        runs.append((day, subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT), output))
    failed = 0
    for day, process, output in runs:
        code = process.wait()
        output.seek(0)
        print(f"On {day:%A %d %B %Y, %H:%M} UTC: {' '.join(command)}", flush=True)
        print(output.read(), end="", flush=True)
        failed = failed or code
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
