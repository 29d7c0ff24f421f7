"""Run the console walk-throughs in README.md and in every docs/*.md page, and write what they
print back into the page (run by `make readme`). tests/test_console.py checks that every page
still matches."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
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


def pages() -> list[Path]:
    """Every page that may hold walk-throughs: the README, then each page in docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def walkthroughs(text: str) -> list[re.Match[str]]:
    return list(BLOCK.finditer(text))


def run(command: str) -> subprocess.CompletedProcess[str]:
    """A walk-through's command, run from the project folder as a newcomer would."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def main() -> int:
    written: dict[Path, str] = {}
    count = 0
    for page in pages():
        text = page.read_text()
        for match in reversed(walkthroughs(text)):
            done = run(match.group("command"))
            if done.returncode != 0 or done.stderr:
                where = page.relative_to(ROOT)
                print(
                    f"walk-through {match.group('name')} in {where} failed:\n{done.stderr}", file=sys.stderr
                )
                return 1  # nothing is written: no page is left half done
            text = text[: match.start("output")] + done.stdout + text[match.end("output") :]
            count += 1
        written[page] = text
    for page, text in written.items():
        if page.read_text() != text:
            page.write_text(text)
    print(f"{count} walk-throughs written in {len(written)} pages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
