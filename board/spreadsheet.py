"""Cells for every CSV the board writes: text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import unicodedata
from typing import Any

#: What starts a formula (or, for tab and line breaks, a cell that can turn into one).
FORMULA_STARTS = frozenset("=+-@\t\r\n")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is written as plain text (a leading ').

    Spreadsheets read the full-width and small forms of = + - @ (U+FF1D, U+FE62...) as
    those, and skip invisible characters (zero-width spaces, joiners, direction marks, a
    byte-order mark) and spaces before them, so those count as the start of a formula too.
    """
    if not isinstance(value, str) or value == "":
        return value
    if value[0] in FORMULA_STARTS:
        return "'" + value
    for char in value:
        if char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp", "Cc"):
            continue
        if unicodedata.normalize("NFKC", char) in FORMULA_STARTS:
            return "'" + value
        break
    return value
