"""Reading a board file reads each field as live input reads it (no database needed).

tests/test_transfer.py refuses one bad field at a time in a real export; these pin what
the checks take from board.inputs that no export holds: text trimmed as a form trims it, a
blank optional field read as none, an address or email the forms would refuse.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from board import inputs
from board.errors import BoardError
from board.services.transfer import FORMAT, VERSION
from board.services.transfer.checks import check

WHEN = "2026-11-02T09:30:00Z"

PROPOSAL: dict[str, Any] = {
    "id": 1,
    "idea_id": 1,
    "group_id": None,
    "reference": "CG-ABCDEF-1",
    "state": "draft",
    "title": "Repair café",
    "short_summary": "",
    "summary": "",
    "what_we_want": "",
    "asks": [],
    "amount_pence": None,
    "ask_details": "",
    "involved": "",
    "ward": "",
    "address": "",
    "latitude": None,
    "longitude": None,
    "capital_pence": None,
    "revenue_pence": None,
    "cost_notes": "",
    "options": "",
    "reasons": "",
    "risks": "",
    "legal": "",
    "benefits": "",
    "left_out": "",
    "route": None,
    "contact_id": None,
    "contact_name": "",
    "contact_email": "",
    "contact_consent": False,
    "created_by_id": 1,
    "created_at": WHEN,
    "updated_at": None,
    "decision": None,
    "decision_date": None,
    "decision_maker": "",
    "decision_reasons": "",
    "conditions": "",
    "alternatives_rejected": "",
    "minutes_url": "",
    "transitions": [],
}

DOCUMENT: dict[str, Any] = {
    "format": FORMAT,
    "version": VERSION,
    "board": {
        "code": "ABCDEF",
        "title": "Westcliff 2030",
        "prompt": "",
        "kind": "workshop",
        "tags": ["food"],
        "created_at": WHEN,
        "phase": "gather",
        "locked": False,
        "premoderation": False,
        "silent": False,
        "dot_budget": 5,
        "dots_hidden": False,
        "report_threshold": 3,
        "slow_mode_seconds": 0,
        "spotlight_post_id": None,
        "timer_ends_at": None,
        "timer_seconds": None,
    },
    "participants": [
        {
            "id": 1,
            "display_name": "Sam",
            "anonymous": False,
            "role": "facilitator",
            "token_hash": "0" * 64,
            "created_at": WHEN,
            "revoked_at": None,
            "muted_at": None,
        }
    ],
    "posts": [
        {
            "id": 1,
            "author_id": 1,
            "kind": "idea",
            "title": "Repair café",
            "body": "Once a month.",
            "tag": "food",
            "availability": None,
            "state": "visible",
            "rejected_reason": None,
            "hidden_at": None,
            "hidden_reason": None,
            "pinned_at": None,
            "on_behalf_of": None,
            "merged": False,
            "merged_into_id": None,
            "created_at": WHEN,
            "updated_at": None,
        }
    ],
    "supports": [],
    "dots": [],
    "reports": [],
    "comments": [],
    "links": [],
    "groups": [],
    "proposals": [PROPOSAL],
    "moderation_log": [],
}


def changed(table: str, field: str, value: Any) -> dict[str, Any]:
    """The document with one field of the first row of ``table`` (or of ``board``) set."""
    doc = copy.deepcopy(DOCUMENT)
    row = doc[table] if table == "board" else doc[table][0]
    row[field] = value
    return doc


def test_the_document_checks() -> None:
    checked = check(copy.deepcopy(DOCUMENT))
    assert checked.code == "ABCDEF"
    assert checked.posts[1]["title"] == "Repair café"
    assert checked.posts[1]["created_at"] == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert checked.proposals[0][0]["contact_email"] == ""


@pytest.mark.parametrize(
    ("table", "field", "given", "read"),
    [
        ("posts", "title", "  Repair \t café  ", "Repair café"),
        ("posts", "body", "Once a month.\r\nBring a kettle.\n\n", "Once a month.\nBring a kettle."),
        ("posts", "tag", "", None),
        ("posts", "availability", "   ", None),
        ("participants", "display_name", " Sam  Jones ", "Sam Jones"),
        ("board", "tags", ["food", " food ", "arts"], ["food", "arts"]),
        ("proposals", "ward", " Westcliff ", "Westcliff"),
    ],
)
def test_text_is_read_as_a_form_reads_it(table: str, field: str, given: Any, read: Any) -> None:
    checked = check(changed(table, field, given))
    rows = {
        "board": checked.board,
        "posts": checked.posts[1],
        "participants": checked.participants[1],
        "proposals": checked.proposals[0][0],
    }
    assert rows[table][field] == read


@pytest.mark.parametrize(
    ("table", "field", "value", "problem"),
    [
        ("posts", "title", "   ", "must not be empty"),
        ("posts", "title", "x" * inputs.NEW_POST["title"].max + "x", "characters or fewer"),
        ("proposals", "contact_email", "wren at example", "must be an email address"),
        ("proposals", "minutes_url", "ftp://example.org/minutes", "http:// or https://"),
        ("proposals", "latitude", math.nan, "must be a finite number"),
        ("proposals", "longitude", -180.5, "degrees from -180 to 180"),
        ("proposals", "decision_date", "2026-02-30", "YYYY-MM-DD"),
        ("board", "slow_mode_seconds", inputs.SESSION["slow_mode_seconds"].max + 1, "from 0"),
        ("board", "timer_seconds", -1, "whole number"),
        ("moderation_log", "post_id", "7", "whole number"),
    ],
)
def test_values_a_form_refuses_are_refused(
    table: str, field: str, value: Any, problem: str
) -> None:
    doc = changed(table, field, value) if table != "moderation_log" else _logged(field, value)
    with pytest.raises(BoardError) as refused:
        check(doc)
    assert refused.value.code == "invalid_import"
    [(where, said)] = refused.value.fields.items()
    assert where.endswith(f".{field}") and problem in said, (where, said)


def _logged(field: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOCUMENT)
    entry = {
        "actor_id": 1,
        "action": "hide",
        "post_id": None,
        "participant_id": None,
        "reason": None,
        "note": "",
        "created_at": WHEN,
    }
    doc["moderation_log"] = [{**entry, field: value}]
    return doc
