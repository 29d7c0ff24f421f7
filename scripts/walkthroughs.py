"""Run the README's console walk-throughs and write what they print back into the README
(run by `make readme`). tests/test_console.py checks that the README still matches."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(
    r"(<!-- walkthrough (?P<name>[\w-]+) -->.*?```sh\n(?P<command>.*?)```.*?```text\n)(?P<output>.*?)(```\n<!-- /walkthrough -->)",
    re.S,
)
# Settings a developer may have in their shell must not change what a newcomer would see.
SETTINGS = (
    "DATABASE_URL",
    "DATA_DIR",
    "ADMINS",
    "CONSENT_TEXT",
    "SUPPORT_CONTACTS",
    "COORDINATOR_CHANNEL",
    "ANNOUNCEMENTS_CHANNEL",
    "SLACK_BOT_TOKEN",
    "DISCORD_BOT_TOKEN",
    "DEFAULT_TIMEZONE",
    "DEFAULT_LANGUAGE",
)


def walkthroughs(text: str) -> list[re.Match[str]]:
    return list(BLOCK.finditer(text))


def run(command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def main() -> int:
    text = README.read_text()
    for match in reversed(walkthroughs(text)):
        done = run(match.group("command"))
        if done.returncode != 0 or done.stderr:
            print(f"walk-through {match.group('name')} failed:\n{done.stderr}", file=sys.stderr)
            return 1
        text = text[: match.start("output")] + done.stdout + text[match.end("output") :]
    README.write_text(text)
    print(f"{len(walkthroughs(text))} walk-throughs written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
