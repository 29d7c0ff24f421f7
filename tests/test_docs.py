"""The README and the pages in docs/ stay true and short: every link leads somewhere, every file
and function they name exists, the README stays a five-minute read, and the page for partners
is as plain as what the bot says. (tests/test_console.py runs their walk-throughs.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import textstat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import walkthroughs  # noqa: E402

README_AT_MOST = 15_000  # bytes; about five minutes' reading with its one walk-through
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
FENCED = re.compile(r"^```.*?^```", re.S | re.M)
FOLDERS = ("bot/", "adapters/", "storage/", "tests/", "bench/", "scripts/", "docs/")
# `name` (`path.py`), or `path.py` (`name`): a function or class said to live in a file.
NAME_THEN_FILE = re.compile(r"`([A-Za-z_][\w.]*)` \(`([\w/<>.]+\.py)`")
FILE_THEN_NAME = re.compile(r"`([\w/<>.]+\.py)` \(`([A-Za-z_][\w.]*)`\)")


def pages() -> list[Path]:
    return walkthroughs.pages()


def prose(page: Path) -> str:
    """The page without its fenced blocks (commands and what they print)."""
    return FENCED.sub("", page.read_text())


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(line.lstrip("#")) for line in prose(page).splitlines() if line.startswith("#")}


def existing(path: str) -> list[Path]:
    """The files a path names; `adapters/<platform>/render.py` names one for each platform."""
    pattern = re.sub(r"<[^>]+>", "*", path.rstrip("/"))
    return sorted(ROOT.glob(pattern))


def defines(path: str, name: str) -> bool:
    """Whether the file (each file, for `<platform>`) defines the name: `Bot.handle` is a method
    `handle` in a file with a class `Bot`."""
    *owners, last = name.split(".")
    wanted = [rf"^\s*(?:async\s+)?def {last}\b", rf"^\s*class {last}\b", rf"^{last}\s*[:=]"]
    found = existing(path)
    return bool(found) and all(
        any(re.search(p, file.read_text(), re.M) for p in wanted)
        and all(re.search(rf"^class {owner}\b", file.read_text(), re.M) for owner in owners)
        for file in found
    )


def test_every_link_leads_to_a_file_and_a_heading_that_exist():
    broken = []
    for page in pages():
        for target in LINK.findall(prose(page)):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _sep, heading = target.partition("#")
            goes_to = (page.parent / path).resolve() if path else page
            if not goes_to.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif heading and goes_to.suffix == ".md" and heading not in anchors(goes_to):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_every_file_and_function_the_pages_name_exists():
    """The code moves; the map must move with it."""
    stale = []
    for page in pages():
        text = prose(page)
        for code in CODE.findall(text):
            if code.startswith(FOLDERS) and " " not in code and not existing(code):
                stale.append(f"{page.relative_to(ROOT)}: {code}")
        pairs = NAME_THEN_FILE.findall(text) + [(n, f) for f, n in FILE_THEN_NAME.findall(text)]
        for name, path in pairs:
            if not defines(path, name):
                stale.append(f"{page.relative_to(ROOT)}: {name} in {path}")
    assert stale == []


def test_this_check_would_see_a_name_that_moved():
    assert defines("bot/core.py", "Bot.handle")
    assert defines("adapters/<platform>/translate.py", "who")  # Slack's and Discord's
    assert not defines("bot/core.py", "sign_up")
    assert not defines("bot/router.py", "Bot.route")  # a function there, but not a method of Bot
    assert not existing("bot/nowhere.py")


def test_the_readme_is_a_five_minute_read():
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_AT_MOST, f"the README is {size} bytes: move detail to a page in docs/"


def test_the_page_for_partners_is_as_plain_as_the_bot():
    """The rule of tests/test_words.py: easy to read, and no sentence over 25 words."""
    text = prose(ROOT / "docs" / "for-partners.md")
    pieces = []
    for line in text.splitlines():
        if line.startswith("|"):
            pieces += ["", *line.strip("|").split("|"), ""]  # each table cell stands alone
        else:
            pieces.append(line)
    text = re.sub(r"[`*#|]", "", "\n".join(pieces))
    sentences = []
    for block in re.split(r"\n\s*\n|\n- ", text):
        block = " ".join(block.split()).removeprefix("- ")
        sentences += [s for s in re.split(r"(?<=[.?!])\s+", block) if s and not set(s) <= set("- ")]
    assert [s for s in sentences if len(s.split()) > 25] == []
    whole = " ".join(s if s[-1] in ".?!" else s + "." for s in sentences)
    assert textstat.flesch_reading_ease(whole) >= 60
