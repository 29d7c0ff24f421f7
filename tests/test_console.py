"""The console as a person uses it: piped scripts through the real `partnerbot` command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from storage.db import make_engine
from storage.models import CheckIn, Member, MemberInterest, Opening, WellbeingSession
from tests.conftest import START

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import walkthroughs  # noqa: E402

SETTINGS = ("DATABASE_URL", "DATA_DIR", "ADMINS", "CONSENT_TEXT", "SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN")
# The console's clock in these tests: what they show never depends on the day they run.
CLOCK = ("--clock", START.strftime("%Y-%m-%dT%H:%M"))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**env, **extra}


def partnerbot(args: list[str], stdin: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command; a console starts at the tests' fixed time unless told another."""
    if args[:1] == ["console"] and "--clock" not in args:
        args = [*args, *CLOCK]
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(**env),
        timeout=120,
    )


def script(*lines: str) -> str:
    return "\n".join(lines) + "\n"


# Each job's page holds its walk-throughs; the README keeps one short one.
PAGES_WITH_WALKTHROUGHS = ("README.md", "docs/checkins.md", "docs/openings.md", "docs/sessions.md")


def walkthroughs_by_page() -> dict[str, list[str]]:
    """The walk-throughs' names on every page `make readme` runs: README.md and docs/*.md."""
    return {
        page.relative_to(ROOT).as_posix(): [
            b.group("name") for b in walkthroughs.walkthroughs(page.read_text())
        ]
        for page in walkthroughs.pages()
    }


def test_the_readme_and_each_job_page_have_walkthroughs():
    found = walkthroughs_by_page()
    for page in PAGES_WITH_WALKTHROUGHS:
        assert found.get(page), f"{page} has a walk-through between <!-- walkthrough NAME --> markers"
    names = [name for on_page in found.values() for name in on_page]
    assert len(names) == len(set(names)), f"each walk-through has a name of its own: {names}"


@pytest.mark.parametrize(
    ("page", "name"), [(page, name) for page, names in walkthroughs_by_page().items() for name in names]
)
def test_walkthroughs_run_exactly_as_written(page, name):
    """Every walk-through in README.md and docs/*.md prints what the page shows."""
    (block,) = [b for b in walkthroughs.walkthroughs((ROOT / page).read_text()) if b.group("name") == name]
    done = walkthroughs.run(block.group("command"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == block.group("output"), f"walk-through {name} in {page}: run `make readme`"


def test_buttons_by_number_and_label_and_a_form_field_by_field(tmp_path):
    done = partnerbot(
        ["console", "--as", "Priya"],
        script(
            "profile",
            "2",
            "profile",
            "Resume messages",
            "profile edit",
            "Priya S",
            "Pacific/Auckland",
            "",
            "",
            "",
            "",
            "",  # how I hear of openings: kept as it was
            "profile",
        ),
        tmp_path,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "Priya> 2\nMessages are paused until Thursday 3 December" in out
    assert "Welcome back. Messages are on again." in out
    assert "Edit your profile (1/2)" in out and "Edit your profile (2/2)" in out
    assert "Saved. Here is your profile now." in out
    assert "Time zone:       Pacific/Auckland" in out
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'partnerbot.db'}")
    with Session(engine) as session:
        member = session.exec(select(Member)).one()
    assert (member.display_name, member.timezone, member.paused_until) == (
        "Priya S",
        "Pacific/Auckland",
        None,
    )


def test_a_form_can_be_cancelled_and_nothing_is_saved(tmp_path):
    done = partnerbot(
        ["console", "--as", "Priya"],
        script("profile edit", "Someone Else", ":cancel", "profile"),
        tmp_path,
    )
    assert "Stopped. Nothing from that form was saved." in done.stdout
    assert "Name:            Priya" in done.stdout
    assert "Someone Else" not in done.stdout.rsplit("Priya> profile", 1)[1]


def test_bad_input_gets_a_kind_message_and_never_a_traceback(tmp_path):
    done = partnerbot(
        ["console", "--as", "Priya"],
        script(
            "dance",
            "profiel",
            "profile timezone Mars/Base",
            "profile pause banana",
            "profile name " + "x" * 81,
            "profile interests @here",
            "roles grant Priya admin",
            "7",
        ),
        tmp_path,
    )
    out = done.stdout
    assert "I don't know 'dance'. Type guide to see what you can do." in out
    assert "Did you mean profile?" in out
    assert "I don't know the time zone 'Mars/Base'." in out
    assert "I couldn't read 'banana' as a date and time." in out
    assert "Yours has 81. Please make it shorter." in out
    assert "Please leave out @everyone, @here and group mentions." in out
    assert "Only coordinators and admins can change roles." in out
    assert "Traceback" not in out + done.stderr
    assert done.returncode == 0


def test_as_switches_people_and_messages_for_others_are_shown(tmp_path):
    done = partnerbot(
        ["console", "--as", "Ada"],
        script(":as Bob", "profile", ":as Ada", "roles grant bob coordinator", ":as Bob", "guide"),
        tmp_path,
        ADMINS="console:ada",
    )
    out = done.stdout
    assert "Done. Bob now has the coordinator role. I have let them know." in out
    assert "--- message for bob ---\nAda gave you the coordinator role." in out
    # Bob's guide now shows what a coordinator can do.
    assert out.rsplit("Bob> guide", 1)[1].count("roles grant:") == 1


def test_demo_starts_with_a_small_community_and_something_to_try(tmp_path):
    done = partnerbot(["console", "--demo"], script(":as alex", "4", "sessions", ":as sam", "roles"), tmp_path)
    out = done.stdout
    assert "Demo community ready: Sam, Jo, Alex, Priya." in out
    assert "To try it first, type :as alex and press 4 to answer the check-in." in out
    assert "Wellbeing session: Chair yoga. Press Sign up to take a place." in out
    assert "New opening: Online booking working group." in out
    assert "--- message for alex ---\nA new opening matches your interests (online booking)" in out
    assert "alex> 4\nSaved: good." in out
    assert "#1 Chair yoga" in out
    assert "Coordinators: Sam" in out and "Staff:        Jo" in out
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'partnerbot.db'}")
    with Session(engine) as session:
        assert len(session.exec(select(Member)).all()) == 4
        assert len(session.exec(select(MemberInterest)).all()) == 7
        counts = [len(session.exec(select(t)).all()) for t in (WellbeingSession, Opening, CheckIn)]
    assert counts == [1, 1, 1]
    # Started again on the same data, nothing doubles.
    again = partnerbot(["console", "--demo"], script(":as priya", "profile"), tmp_path)
    assert "Time zone:       America/Toronto" in again.stdout
    with Session(engine) as session:
        assert len(session.exec(select(Member)).all()) == 4
        assert [len(session.exec(select(t)).all()) for t in (WellbeingSession, Opening, CheckIn)] == [1, 1, 1]


def test_run_without_a_platform_says_so_and_starts_the_console(tmp_path):
    done = partnerbot(["run"], script("guide"), tmp_path)
    assert "No chat platform is connected, so I am starting the console." in done.stdout
    assert "Here is what you can do." in done.stdout


def test_run_never_prints_a_secret(tmp_path):
    # Nothing listens there: Slack and Discord connect in tests/test_slack.py and test_discord.py.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/api/v10"
    done = partnerbot(
        ["run"],
        script("guide"),
        tmp_path,
        DISCORD_BOT_TOKEN="discord-top-secret",
        DISCORD_API_URL=closed,
        LOG_LEVEL="DEBUG",
    )
    assert f"I could not reach Discord at {closed}. Please check DISCORD_API_URL." in done.stdout
    assert done.returncode == 1
    assert "top-secret" not in done.stdout + done.stderr


def test_settings_from_a_dotenv_file_and_a_bad_setting_explained(tmp_path):
    (tmp_path / ".env").write_text("ADMINS=console:zed\nDEFAULT_TIMEZONE=America/Toronto\n")
    done = partnerbot(["console", "--as", "Zed"], script("roles", "profile"), tmp_path)
    assert "Admins:       Zed" in done.stdout
    assert "Time zone:       America/Toronto" in done.stdout

    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Mars/Base\n")
    bad = partnerbot(["console"], script("guide"), tmp_path)
    assert bad.returncode == 2
    assert "Please check your settings" in bad.stderr and "Mars/Base" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_migrate_makes_the_database_file(tmp_path):
    done = partnerbot(["migrate"], "", tmp_path)
    assert done.returncode == 0
    assert "The database is up to date." in done.stdout
    assert (tmp_path / "data" / "partnerbot.db").exists()
