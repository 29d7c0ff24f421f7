"""CSV files people open in a spreadsheet: exports, `mywork`, `mydata`, `report`."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: str) -> str:
    """A name like "=SUM(A1)" would run as a formula in a spreadsheet; a quote keeps it text.
    A plain number ("-0.5") is left as it is, so it stays a number."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value
