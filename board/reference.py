"""docs/API.md's reference tables, rendered from the code that they describe.

Each table is a *region* of the document between ``<!-- reference:NAME -->`` and
``<!-- /reference:NAME -->``: the actions (board.web.actions and each service's
declaration), their input fields (board.inputs' rules), the board events (board.events),
the error codes (every ``BoardError`` in board/, and Werkzeug's), and every route of the
app. ``flask --app wsgi board docs`` rewrites the regions; ``--check`` says whether the
committed ones are stale. The output depends on the code only: table order or sorted, no
timestamps.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotated_types import Ge
from flask import Flask
from pydantic import BaseModel
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from board import events, outputs
from board.services.commands import Who
from board.web.actions import API_PREFIX, BINDINGS, BY_NAME, Binding

PACKAGE = Path(__file__).resolve().parent
API_DOC = PACKAGE.parent / "docs" / "API.md"

#: Werkzeug's errors that reach clients under /api, in our error shape.
WERKZEUG_ERRORS: tuple[type[HTTPException], ...] = (
    NotFound,
    MethodNotAllowed,
    RequestEntityTooLarge,
    InternalServerError,
)

#: Modules whose errors are the server's own commands', never a client's.
SERVER_ONLY = frozenset({"cli.py", "demo.py"})

WHO: dict[Who, str] = {
    "anyone": "anyone",
    "participant": "participant",
    "facilitator": "facilitators",
    "officer": "officer token",
    "admin": "administrator token",
}


# -- Markdown helpers -----------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text fit for one table cell: one line, pipes escaped, RST literals as Markdown."""
    text = " ".join(text.split())
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return text.replace("|", "\\|")


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _path(path: str) -> str:
    """A Flask rule as the docs write it: ``/b/<code>/posts/<int:post_id>`` -> ``{post_id}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def _path_ids(path: str) -> list[tuple[str, str]]:
    """The ids in a Flask rule, with their converters (``int`` or ``string``)."""
    return [
        (name, converter or "string")
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", path)
        if name != "code"
    ]


def _docstring(obj: Any) -> str:
    return inspect.getdoc(obj) or ""


# -- (a) actions ----------------------------------------------------------------------------


def _takes_op_id(binding: Binding) -> bool:
    model = binding.action.input
    return model is not None and "op_id" in model.model_fields


def actions_table() -> str:
    """One row per action, in the action table's order."""
    rows = []
    for b in BINDINGS:
        a = b.action
        http = ""
        if b.http:
            http = f"`{b.http.method} {_path(API_PREFIX + b.http.path)}`"
            if b.http.status != 200:
                http += f" ({b.http.status})"
        rows.append(
            (
                f"`{a.name}`",
                WHO[a.who],
                f"`{b.socket}`" if b.socket else "",
                http,
                f"`POST {_path(b.form.path)}`" if b.form else "",
                "yes" if _takes_op_id(b) else "",
                _cell(a.summary),
            )
        )
    return _table(
        ("action", "who may", "Socket.IO event", "HTTP", "form", "op id", "what it does"), rows
    )


# -- (b) input fields -----------------------------------------------------------------------


def _where(binding: Binding, field: str) -> str:
    """Where a field travels over HTTP (over Socket.IO every field is in the payload)."""
    if binding.http is None:
        return "form" if binding.form else "payload"
    if field in {name for name, _ in _path_ids(binding.http.path)}:
        return "path"
    return "query" if binding.http.method == "GET" else "body"


def fields_table() -> str:
    """Each action's fields, and the ids of its route, in the action table's order."""
    rows = []
    for b in BINDINGS:
        model = b.action.input
        rules = model.rules() if model is not None else {}
        path = (b.http.path if b.http else b.form.path if b.form else "") or ""
        ids = [(name, conv) for name, conv in _path_ids(path) if name not in rules]
        if not rules and not ids:
            continue
        name = f"`{b.name}`"
        if model is not None and model.partial:
            name += " (an edit: only the fields sent change)"
        first = True
        for field, conv in ids:
            words = "whole number, 1 or more" if conv == "int" else "text"
            rows.append((name if first else "", f"`{field}`", "path", "yes", words))
            first = False
        for field, rule in rules.items():
            rows.append(
                (
                    name if first else "",
                    f"`{field}`",
                    _where(b, field),
                    "yes" if rule.required else "no",
                    _cell(rule.describe()),
                )
            )
            first = False
    return _table(("action", "field", "over HTTP", "required", "rule"), rows)


# -- (c) board events -----------------------------------------------------------------------

#: The output models as the docs' Objects section names them, where not just "…Out".
SHAPE_NAMES = {
    "ProposalPublicOut": "Proposal (public shape)",
    "ModerationSummaryOut": "Summary",
}


def _literal_names() -> dict[tuple[Any, ...], str]:
    """board.outputs' named word sets, by their words: ``ModerationReason`` -> "reason"."""
    found: dict[tuple[Any, ...], str] = {}
    for name, value in vars(outputs).items():
        if typing.get_origin(value) is typing.Literal:
            words = re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()
            found[typing.get_args(value)] = words
    return found


def _type_words(annotation: Any, metadata: Iterable[Any] = ()) -> str:
    """A data field's wire type as the docs write it (Post, id, n, text, [Post, ...])."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_words(args[0], annotation.__metadata__)
    # A pydantic FieldInfo in the metadata carries the constraints (ge=1) in its own.
    metadata = [inner for m in metadata for inner in (getattr(m, "metadata", None) or [m])]
    if origin in (typing.Union, types.UnionType):
        parts = [_type_words(a) for a in args if a is not type(None)]
        if type(None) in args:
            parts.append("null")
        return " | ".join(parts)
    if origin is typing.Literal:
        named = _literal_names().get(args)
        return named or " | ".join(f'"{a}"' for a in args)
    if origin is list:
        return f"[{_type_words(args[0])}, ...]"
    if origin is dict:
        return f"{{{_type_words(args[0])}: {_type_words(args[1])}, ...}}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        name = annotation.__name__
        return SHAPE_NAMES.get(name, name.removesuffix("Out"))
    if annotation is bool:
        return "bool"
    if annotation is int:
        low = [m.ge for m in metadata if isinstance(m, Ge)]
        return "id" if low == [1] else "n"
    if annotation is str:
        return "text"
    raise TypeError(f"no words for the event field type {annotation!r}")


def _data_shape(cls: type[events.Event]) -> str:
    fields = cls.Data.model_fields
    inner = ", ".join(
        f'"{name}": {_type_words(info.annotation, info.metadata)}' for name, info in fields.items()
    )
    return _cell(f"`{{{inner}}}`")


def _record_sites() -> dict[str, set[bool]]:
    """For each event class name: whether each ``events.record`` of it names an audience."""
    sites: dict[str, set[bool]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            made: dict[str, set[str]] = {}
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    made.setdefault(target.id, set()).update(_event_classes(value))
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and _called(node) == "record"):
                    continue
                if len(node.args) < 3:
                    continue
                event = node.args[2]
                classes = _event_classes(event)
                if isinstance(event, ast.Name):
                    classes |= made.get(event.id, set())
                audience = node.args[3] if len(node.args) > 3 else None
                for kw in node.keywords:
                    if kw.arg == "audience":
                        audience = kw.value
                private = audience is not None and not (
                    isinstance(audience, ast.Constant) and audience.value is None
                )
                for name in classes:
                    sites.setdefault(name, set()).add(private)
    return sites


def _event_classes(node: ast.AST) -> set[str]:
    """The event classes an expression may construct (``events.X(...)``, either branch)."""
    if isinstance(node, ast.IfExp):
        return _event_classes(node.body) | _event_classes(node.orelse)
    if isinstance(node, ast.Call):
        name = _called(node)
        if name in {cls.__name__ for cls in events.EVENT_TYPES.values()}:
            return {name}
    return set()


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _receivers(cls: type[events.Event], sites: dict[str, set[bool]]) -> str:
    """Who gets an event in full: its docstring's "Private (…)", else what its writes pass."""
    said = re.search(r"Private \(([^)]*)\)( while [^.]*)?", " ".join(_docstring(cls).split()))
    if said:
        who = said.group(1)
        return f"**private** ({who}){said.group(2) or ''}"
    kinds = sites.get(cls.__name__, set())
    if not kinds:
        raise LookupError(f"no events.record of {cls.__name__} in board/")
    if True in kinds:
        return "everyone, or [private](#private-events)"
    return "everyone"


def events_table() -> str:
    """One row per board event type, in board.events' order."""
    sites = _record_sites()
    rows = [
        (f"`{type_}`", _receivers(cls, sites), _data_shape(cls), _cell(_docstring(cls)))
        for type_, cls in events.EVENT_TYPES.items()
    ]
    return _table(("`type`", "who receives it", "`data`", "meaning"), rows)


# -- (d) error codes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    """One place a BoardError is made."""

    code: str
    status: int
    message: str
    #: The action whose service or handler makes it, else None.
    action: str | None
    module: str


def _literal(node: ast.AST | None) -> str | None:
    """A message as written: f-string parts as "…", concatenations joined."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(v.value) if isinstance(v, ast.Constant) else "…" for v in node.values
        ).strip()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _error_parts(call: ast.Call) -> tuple[str, ast.AST | None, int] | None:
    """A BoardError call's code, message and status, when the code is a literal."""
    if _called(call) != "BoardError" or not call.args:
        return None
    code = call.args[0]
    if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
        return None
    message = call.args[1] if len(call.args) > 1 else None
    status: ast.AST | None = call.args[2] if len(call.args) > 2 else None
    for kw in call.keywords:
        if kw.arg == "message":
            message = kw.value
        if kw.arg == "status":
            status = kw.value
    number = status.value if isinstance(status, ast.Constant) else 400
    return code.value, message, int(number) if isinstance(number, int) else 400


def _action_of(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The action a function declares (``@board_write("x")``) or answers (``handles("x")``)."""
    for deco in fn.decorator_list:
        if (
            isinstance(deco, ast.Call)
            and _called(deco) in {"board_write", "board_read", "declared", "handles"}
            and deco.args
            and isinstance(deco.args[0], ast.Constant)
            and deco.args[0].value in BY_NAME
        ):
            return str(deco.args[0].value)
    return None


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def raised() -> list[Raised]:
    """Every BoardError made in board/ with a literal code, and every call of a helper that
    returns one (``forbidden("...")``), in file and line order."""
    trees = {
        path: ast.parse(path.read_text(), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in SERVER_ONLY
    }
    # Helpers whose whole job is one BoardError: their calls are raises of its code.
    helpers: dict[str, tuple[str, int, str | None, int | None]] = {}
    bodies: set[int] = set()
    for tree in trees.values():
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            ret = fn.body[-1]
            if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Call):
                parts = _error_parts(ret.value)
                if parts:
                    bodies.add(id(ret.value))
                    code, message, status = parts
                    params = [a.arg for a in fn.args.args]
                    index = (
                        params.index(message.id)
                        if isinstance(message, ast.Name) and message.id in params
                        else None
                    )
                    helpers[fn.name] = (code, status, _literal(message), index)
    found: list[tuple[int, int, Raised]] = []
    for number, (path, tree) in enumerate(trees.items()):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        owner: dict[int, str | None] = {}
        for fn in _functions(tree):
            action = _action_of(fn)
            for node in ast.walk(fn):
                if action or id(node) not in owner:
                    owner[id(node)] = action
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in bodies:
                continue
            action = owner.get(id(node))
            parts = _error_parts(node)
            if parts:
                code, message, status = parts
                text = _literal(message)
                found.append(
                    (number, node.lineno, Raised(code, status, text or "", action, module))
                )
            elif _called(node) in helpers:
                code, status, text, index = helpers[_called(node)]
                if index is not None:
                    given = node.args[index] if len(node.args) > index else None
                    text = _literal(given)
                found.append(
                    (number, node.lineno, Raised(code, status, text or "", action, module))
                )
    return [r for _, _, r in sorted(found, key=lambda f: (f[0], f[1]))]


def errors_table() -> str:
    """One row per code and status, by status then code; Werkzeug's own at the end."""
    by_key: dict[tuple[int, str], list[Raised]] = {}
    for r in raised():
        by_key.setdefault((r.status, r.code), []).append(r)
    rows = []
    for (status, code), places in sorted(by_key.items()):
        actions = sorted({f"`{p.action}`" for p in places if p.action})
        modules = sorted({p.module for p in places if not p.action})
        where = ", ".join(actions + modules)
        message = next((p.message for p in places if p.message), "")
        rows.append((f"`{code}`", str(status), where, _cell(message)))
    from board import http_error_body

    for error in WERKZEUG_ERRORS:
        body = http_error_body(error())
        status = error.code or 500
        werkzeug = f"Werkzeug (`{error.__name__}`)"
        rows.append((f"`{body['code']}`", str(status), werkzeug, _cell(body["message"])))
    return _table(("code", "HTTP", "raised by", "message (the first in the code)"), rows)


def error_codes() -> set[str]:
    """Every error code a client may receive."""
    from board import http_error_body

    return {r.code for r in raised()} | {http_error_body(e())["code"] for e in WERKZEUG_ERRORS}


# -- (e) routes -----------------------------------------------------------------------------


def _route_actions() -> dict[tuple[str, str], str]:
    """(method, Flask rule) -> action name, for every route the action table declares."""
    bound: dict[tuple[str, str], str] = {}
    for b in BINDINGS:
        if b.http:
            bound[(b.http.method, API_PREFIX + b.http.path)] = b.name
        if b.form:
            bound[("POST", b.form.path)] = b.name
    return bound


def routes_table(app: Flask) -> str:
    """Every route of the app, by path then method, with the action or view it runs."""
    bound = _route_actions()
    rows = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            name = bound.get((method, rule.rule))
            if name:
                what = f"`{name}`: {BY_NAME[name].action.summary}"
            elif rule.endpoint == "static":
                what = "The static files: CSS, JavaScript modules, vendored libraries, icons."
            else:
                what = _docstring(view).split("\n\n")[0]
            if not what:
                raise LookupError(f"{method} {rule.rule}: its view has no docstring")
            rows.append((_path(rule.rule), method, _cell(what)))
    rows.sort()
    return _table(("method", "path", "what it is"), [(f"`{m}`", f"`{p}`", w) for p, m, w in rows])


# -- regions --------------------------------------------------------------------------------

REGIONS: dict[str, Callable[[Flask], str]] = {
    "actions": lambda app: actions_table(),
    "fields": lambda app: fields_table(),
    "events": lambda app: events_table(),
    "errors": lambda app: errors_table(),
    "routes": routes_table,
}


def _region(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- reference:{name} -->\n)(.*?)(<!-- /reference:{name} -->)", re.DOTALL)


def render(app: Flask) -> dict[str, str]:
    """Every region's text, by name."""
    return {name: make(app) for name, make in REGIONS.items()}


def rewrite(text: str, app: Flask) -> str:
    """``text`` with every region replaced by what the code says now."""
    for name, table in render(app).items():
        pattern = _region(name)
        if len(pattern.findall(text)) != 1:
            raise ValueError(f"docs/API.md needs exactly one region {name!r}")
        text = pattern.sub(_filled(table), text)
    return text


def _filled(table: str) -> Callable[[re.Match[str]], str]:
    """A region's replacement: its markers around ``table`` (taken as it is, no escapes)."""
    return lambda match: match.group(1) + table + "\n" + match.group(3)


def regions(text: str) -> dict[str, str]:
    """The regions' text as the document has them, by name."""
    found = {}
    for name in REGIONS:
        match = _region(name).search(text)
        if match:
            found[name] = match.group(2).removesuffix("\n")
    return found
