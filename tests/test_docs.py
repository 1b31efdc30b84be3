"""docs/API.md names every route, socket event, board event type, error code and setting.

Most of these are now guaranteed by its generated reference tables (tests/test_reference.py
keeps them current); these checks stay as a net under the hand-written parts too.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from board import events, reference
from board.extensions import socketio

ROOT = Path(__file__).resolve().parent.parent
API_DOC = (ROOT / "docs" / "API.md").read_text()
README = (ROOT / "README.md").read_text()


def test_every_api_route_is_documented(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        documented = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert f"{method} {documented}" in API_DOC, f"{method} {documented} is undocumented"


def test_every_page_route_is_documented(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static")):
            continue
        documented = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert f"`{documented}`" in API_DOC or f" {documented}`" in API_DOC, documented


def test_every_socket_event_is_documented(app: Flask) -> None:
    names = {name for name, _handler, _ns in socketio.handlers} - {"*", "connect", "disconnect"}
    assert {"subscribe", "post.create", "support.toggle"} <= names
    for name in names | {"event", "presence", "head"}:
        assert f"`{name}`" in API_DOC, f"socket event {name} is undocumented"


def test_every_board_event_type_is_documented() -> None:
    for name in events.EVENT_TYPES:
        assert f"`{name}`" in API_DOC, f"board event {name} is undocumented"


def test_every_error_code_is_documented() -> None:
    # Every BoardError made in board/ and every helper call that makes one, and Werkzeug's.
    codes = reference.error_codes()
    assert {"board_not_found", "post_not_found", "forbidden", "not_joined"} <= codes
    assert {"not_found", "method_not_allowed", "request_entity_too_large", "internal"} <= codes
    for code in codes:
        assert f"`{code}`" in API_DOC, f"error code {code} is undocumented"


def test_every_setting_is_in_the_readme() -> None:
    sources = "\n".join(p.read_text() for p in [*(ROOT / "board").rglob("*.py"), ROOT / "wsgi.py"])
    for name in set(re.findall(r'"(BOARD_[A-Z_]+)"', sources)):
        assert f"`{name}`" in README, f"setting {name} is missing from the README"
