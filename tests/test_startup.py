"""When the bot cannot start (no database server, no such database, a folder it cannot write,
a file another program holds), the real `partnerbot` command says what is wrong and what to set
in one line, exits with an error code within 10 seconds, and shows a traceback only with --debug.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.conftest import PG_URL
from tests.test_console import clean_env


def partnerbot(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The command as a person types it, ended with nothing typed. 30 s is a bound against a hang, not a test of speed (CI runs it on a loaded machine under libfaketime)."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input="",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(**env),
        timeout=30,
    )


def says_only(done: subprocess.CompletedProcess[str], sentence: str) -> None:
    """The sentence, an error code, and no traceback."""
    shown = done.stdout + done.stderr
    assert sentence in shown, shown
    assert done.returncode != 0
    assert "Traceback" not in shown


def with_traceback(done: subprocess.CompletedProcess[str], sentence: str) -> None:
    shown = done.stdout + done.stderr
    assert sentence in shown and "Traceback (most recent call last):" in shown, shown
    assert done.returncode != 0


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_database_server_that_does_not_answer(tmp_path):
    port = closed_port()
    url = f"postgresql+psycopg://partnerbot:very-secret-password@127.0.0.1:{port}/partnerbot"
    sentence = f"I could not connect to the database at 127.0.0.1:{port}. Please check DATABASE_URL."

    done = partnerbot(["run"], tmp_path, DATABASE_URL=url)
    says_only(done, sentence)
    assert "very-secret-password" not in done.stdout + done.stderr

    debugged = partnerbot(["--debug", "migrate"], tmp_path, DATABASE_URL=url)
    with_traceback(debugged, sentence)
    assert "Connection refused" in debugged.stderr  # a refused connection keeps its words
    assert "very-secret-password" not in debugged.stdout + debugged.stderr


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_a_database_that_does_not_exist(tmp_path):
    name = f"nope_{uuid.uuid4().hex[:8]}"
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    host = make_url(PG_URL).host
    sentence = f"The database '{name}' does not exist on {host}. Create it, or check DATABASE_URL."

    says_only(partnerbot(["migrate"], tmp_path, DATABASE_URL=url), sentence)
    with_traceback(partnerbot(["console", "--debug"], tmp_path, DATABASE_URL=url), sentence)


def test_a_data_dir_that_cannot_be_written(tmp_path):
    # Under a file, no folder can be made: not even by root, as tests may run.
    (tmp_path / "a-file").write_text("not a folder")
    data_dir = tmp_path / "a-file" / "data"
    sentence = f"I can't write to {data_dir}. Please set DATA_DIR to a folder I can write to."

    says_only(partnerbot(["console"], tmp_path, DATA_DIR=str(data_dir)), sentence)
    with_traceback(partnerbot(["run", "--debug"], tmp_path, DATA_DIR=str(data_dir)), sentence)


def test_a_database_file_another_program_holds(tmp_path):
    assert partnerbot(["migrate"], tmp_path).returncode == 0
    path = tmp_path / "data" / "partnerbot.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    sentence = (
        f"The database file {path} is in use by another program (perhaps another partnerbot). "
        "Stop it, or set DATA_DIR to another folder."
    )
    try:
        says_only(partnerbot(["run"], tmp_path), sentence)
        with_traceback(partnerbot(["--debug", "migrate"], tmp_path), sentence)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once it is let go, the bot starts.
    assert partnerbot(["migrate"], tmp_path).returncode == 0
