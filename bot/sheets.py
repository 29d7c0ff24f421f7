"""CSV files people open in a spreadsheet: exports, `mywork`, `mydata`, `report`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.words import Translate

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: str) -> str:
    """A name like "=SUM(A1)" would run as a formula in a spreadsheet; a quote keeps it text.
    A plain number ("-0.5") is left as it is, so it stays a number."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def header(columns: Mapping[str, str], language: str, _: Translate) -> list[str]:
    """A CSV file's first row. In English, each column's stable key ("hours_agreed"): the same
    in every language, for the programs that read the file. In another language, the column's
    name in it, then the key in brackets: "Heures convenues (hours_agreed)". So the key is always
    the whole header or the word in brackets at its end (docs/paid-work.md)."""
    if language == "en":
        return list(columns)
    return [f"{_(name)} ({key})" for key, name in columns.items()]
