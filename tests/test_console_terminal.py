"""The console at a real terminal (a pseudo-terminal): prompts, a button, a form, quitting."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from tests.test_console import CLOCK, clean_env

# Real programs or platform libraries run here: CI runs these tests again on other days.
pytestmark = pytest.mark.wallclock


class Terminal:
    def __init__(self, args: list[str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the real command at a terminal
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "adapters.cli", *args], clean_env())
        self.seen = ""

    def wait_for(self, text: str, within: float = 30.0) -> str:
        """Read the screen until `text` shows (a deadline for a slow machine, not a sleep)."""
        deadline = time.monotonic() + within
        while text not in self.seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed; the screen had:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096).decode()
                except OSError:
                    break
        return self.seen

    def type(self, line: str) -> None:
        self.seen = ""
        os.write(self.fd, line.encode() + b"\r")

    def close(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(pty, "fork"), reason="needs a Unix pseudo-terminal")
def test_the_console_at_a_terminal(tmp_path):
    term = Terminal(["console", "--as", "Sam", *CLOCK], tmp_path)
    term.wait_for("Type guide to start, :help for console keys, or :quit to leave.")
    term.wait_for("Sam> ")
    term.type("profile")
    term.wait_for("[2] Pause for a week")
    term.type("1")
    term.wait_for("Name [Sam]: ")
    term.type(":cancel")
    term.wait_for("Stopped. Nothing from that form was saved.")
    term.type(":quit")
    assert term.close() == 0
