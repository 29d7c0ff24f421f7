"""CSV cells that a spreadsheet would run as a formula are kept as text; numbers stay numbers."""

import pytest

from bot.sheets import safe_cell


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44 7700 900000", "'+44 7700 900000"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-0.5", "-0.5"),  # a fall in an average, in the report
        ("+2", "+2"),
        ("30.88", "30.88"),
        ("Alex", "Alex"),
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_kept_as_text(value, kept):
    assert safe_cell(value) == kept
