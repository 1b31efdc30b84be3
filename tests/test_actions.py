"""The action table: every way in is declared once, and every write takes the one write path."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from board.errors import BoardError
from board.extensions import socketio
from board.inputs import Input, NewPost
from board.services import posts
from board.services.commands import Action
from board.web.actions import BINDINGS, BY_NAME, unbound
from tests.conftest import actor_of, join, new_board, op

SERVICES = Path(__file__).resolve().parent.parent / "board" / "services"


def socket_events() -> set[str]:
    return {name for name, _handler, _ns in socketio.handlers}


def test_every_route_and_socket_event_is_declared(app: Flask) -> None:
    assert unbound(app, socket_events()) == []


def test_an_undeclared_route_or_event_is_caught(app: Flask) -> None:
    app.add_url_rule(
        "/api/v1/boards/<code>/sneaky", "sneaky_api", lambda code: "", methods=["POST"]
    )
    app.add_url_rule("/b/<code>/sneaky", "sneaky_form", lambda code: "", methods=["POST"])
    found = unbound(app, socket_events() | {"post.sneak"})
    assert found == [
        "POST /api/v1/boards/<code>/sneaky",
        "form POST /b/<code>/sneaky",
        "socket post.sneak",
    ]


def test_each_action_is_declared_once_with_what_it_takes() -> None:
    names = [binding.name for binding in BINDINGS]
    assert len(names) == len(set(names)), "an action is bound twice"
    assert len(BY_NAME) == len(BINDINGS)
    for binding in BINDINGS:
        action = binding.action
        assert isinstance(action, Action)
        assert action.summary, f"{action.name} has no summary (the service's docstring)"
        assert action.who in ("anyone", "participant", "facilitator", "officer", "admin")
        if binding.socket and binding.service is not None:
            # The generic socket handler parses with the input model.
            assert action.input is not None and issubclass(action.input, Input), action.name
        assert binding.socket or binding.http or binding.form, f"{action.name} is unbound"


def test_every_op_id_write_takes_the_one_write_path() -> None:
    for binding in BINDINGS:
        model = binding.action.input
        if binding.service is None or model is None or "op_id" not in model.model_fields:
            continue
        # board_write wraps the body (functools.wraps keeps it as __wrapped__).
        assert hasattr(binding.service, "__wrapped__"), f"{binding.name} bypasses the write path"


def test_no_service_builds_its_own_fingerprint_or_perform_closure() -> None:
    for path in SERVICES.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                nested = [n for n in ast.walk(node) if isinstance(n, ast.FunctionDef)]
                assert not any(n.name == "perform" for n in nested[1:]), f"{path.name}: perform"
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "once":
                pytest.fail(f"{path.name}:{node.lineno} calls once() by hand")
        if path.name != "commands.py":
            text = path.read_text()
            assert "request_hash" not in text, f"{path.name} fingerprints a request itself"


def test_the_fingerprint_is_the_validated_input(ctx: Flask) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    same = op()
    first = posts.create_post(aisha, same, "idea", "  Repair   café ")
    # The same request, spelt differently but equal once validated, is a retry.
    again = posts.create_post(
        aisha, NewPost.parse({"op_id": same, "kind": "idea", "title": "Repair café"})
    )
    assert again == first
    # Any validated field that differs is a different request.
    with pytest.raises(BoardError) as refused:
        posts.create_post(aisha, same, "idea", "Repair café", tag="repairs")
    assert refused.value.code == "op_id_reused"


def test_undeclared_fields_are_refused(ctx: Flask) -> None:
    with pytest.raises(BoardError) as refused:
        NewPost.parse({"op_id": op(), "kind": "idea", "title": "Hi", "colour": "red"})
    assert refused.value.status == 422
    assert refused.value.fields == {"colour": "is not a field of this action"}
