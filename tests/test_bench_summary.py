"""BENCHMARKS.md's summary is built by the bench scripts from the targets that end each section,
never by hand: a section written again changes its rows and leaves the others."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def common(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import common as bench_common  # bench/common.py, as the scripts import it

    monkeypatch.setattr(bench_common, "BENCHMARKS", tmp_path / "BENCHMARKS.md")
    monkeypatch.setattr(bench_common, "revision", lambda: "abc1234")
    yield bench_common
    sys.modules.pop("common", None)


def summary_rows(text: str) -> list[str]:
    table = text.split("<!-- summary-table -->", 1)[1].split("<!-- /summary-table -->", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| |")]


def test_the_summary_is_rebuilt_from_every_sections_targets(common):
    Verdict = common.Verdict
    common.write_section("memory", "## Memory\n\nfigures", [Verdict("e", "peak <= 150 MB", "139 MB.", True)])
    common.write_section("latency", "## Latency\n\nfigures", [Verdict("a", "p99 <= 25 ms", "37.2 ms.", False)])
    text = common.BENCHMARKS.read_text()
    assert [row.split(" | ")[0:3] for row in summary_rows(text)] == [
        ["| a", "p99 <= 25 ms", "**missed**. 37.2 ms."],
        ["| e", "peak <= 150 MB", "**met**. 139 MB."],
    ]
    assert text.index("<!-- summary-table -->") < text.index("<!-- bench:latency -->") < text.index("<!-- bench:memory -->")
    # The section shows its target too, for a reader who jumps straight to it.
    assert "- p99 <= 25 ms: **missed**. 37.2 ms." in text.split("<!-- bench:latency -->")[1]

    common.write_section("latency", "## Latency\n\nnew figures", [Verdict("a", "p99 <= 25 ms", "14.0 ms.", True)])
    text = common.BENCHMARKS.read_text()
    rows = summary_rows(text)
    assert len(rows) == 2
    assert rows[0].startswith("| a | p99 <= 25 ms | **met**. 14.0 ms. |") and "abc1234" in rows[0]
    assert "37.2" not in text
    assert text.count("<!-- summary-table -->") == 1


def test_a_pipe_in_a_result_does_not_break_the_table(common):
    common.write_section("report", "## Report", [common.Verdict("f", "within 5 s", "a | b", True)])
    [row] = summary_rows(common.BENCHMARKS.read_text())
    assert row.count(" | ") == 3
