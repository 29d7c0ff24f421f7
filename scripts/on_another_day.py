"""Run a command with the system clock moved to another day, for it and every program it starts
(libfaketime, preloaded). CI uses it to run the tests that let real time in on a leap day and in
a week when the clocks change: a test that passes only on some days fails there.

    python scripts/on_another_day.py 2028-02-29T12:00 -- pytest -m wallclock

Every process gets the same offset from real time, so they agree with each other on the time
(a Slack request signed in one is fresh in another), and time still moves on as usual.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import libfaketime


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    day = datetime.fromisoformat(argv[0]).replace(tzinfo=UTC)
    offset = int((day - datetime.now(UTC)).total_seconds())
    _needs_reload, preload = libfaketime.get_reload_information()
    env = {**os.environ, **preload, "FAKETIME": f"{offset:+d}", "FAKETIME_DID_REEXEC": "true"}
    print(f"Running on {day:%A %d %B %Y, %H:%M} UTC: {' '.join(argv[2:])}", flush=True)
    os.execvpe(argv[2], argv[2:], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
