"""The layers: the domain knows nothing of HTTP requests, sockets or pages."""

from __future__ import annotations

import ast
from pathlib import Path

BOARD = Path(__file__).resolve().parent.parent / "board"
#: Modules below the transport: the domain and what it is built on.
DOMAIN = [
    *sorted((BOARD / "services").rglob("*.py")),
    *(BOARD / name for name in ("events.py", "inputs.py", "outputs.py", "models.py", "storage.py")),
]
#: What only a transport may touch.
TRANSPORT_NAMES = {"request", "session", "g", "has_request_context", "make_response", "jsonify"}


def imports_of(path: Path) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def transport_imports(paths: list[Path]) -> list[str]:
    """Each import of transport in these modules, as "file imports module.name"."""
    found = []
    for path in paths:
        for module, name in imports_of(path):
            if module.startswith(("board.web", "flask_socketio", "flask_wtf")) or (
                module == "flask" and name in TRANSPORT_NAMES
            ):
                found.append(f"{path.name} imports {module}.{name}")
    return found


def test_the_domain_imports_no_transport() -> None:
    assert transport_imports(DOMAIN) == []


def test_the_check_sees_a_request_read_and_a_page_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from flask import current_app, request\nimport board.web.pages\n")
    assert transport_imports([sneaky]) == [
        "sneaky.py imports flask.request",
        "sneaky.py imports board.web.pages.",
    ]
