"""Cells for every CSV the board writes: text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

from typing import Any


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
