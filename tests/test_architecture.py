"""The core stays free of platforms; secrets never show."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("slack_bolt", "slack_sdk", "discord", "adapters")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_and_storage_import_no_platform_library_and_no_adapter():
    offenders = []
    for folder in ("bot", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in imported_modules(path):
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_this_check_would_see_a_platform_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from slack_bolt import App\nimport discord.ext\n")
    assert imported_modules(sample) == {"slack_bolt", "discord.ext"}


def test_secrets_do_not_show_in_settings_text():
    settings = Settings(
        _env_file=None, slack_bot_token="xoxb-very-secret", discord_bot_token="discord-very-secret"
    )
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "very-secret" not in shown


def test_every_bench_script_still_imports():
    """bench/ runs outside the tests: a name moved in bot/ must not break it unseen."""
    done = subprocess.run(
        [sys.executable, "-c", "import common, contention, fanout, latency, memory, overhead, reminders, report"],
        cwd=ROOT / "bench",
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_bot_starts_without_reading_the_chart_library():
    """matplotlib takes about a second to import: it is read when the first chart is drawn."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, adapters.cli, bot.features; print('matplotlib' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
