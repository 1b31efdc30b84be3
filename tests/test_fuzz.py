"""Every action, fuzzed from the action table over HTTP and its socket event.

For each binding with an input model, hypothesis writes payloads from the model's fields
and their rules: valid values, the rules' boundaries, and what an attacker would send
(wrong types, numbers past 64 bits, NaN and infinity, JSON nested too deep, lone
surrogates, control and invisible characters, long text, extra and missing fields). Each
goes to the action's API route (with a participant's or a facilitator's bearer token)
and to its socket event. Whatever is sent, the answer is a 2xx or a 4xx JSON error (an ack
with ``ok`` true, or an error other than ``internal``), nothing raises, the other board's
rows never change, and the server still answers afterwards.

One app and one board serve every example (derandomized, so CI runs the same examples
each time); ``FUZZ_EXAMPLES`` sets how many per action (500 in CI).
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import inputs
from board.extensions import db
from board.models import PHASES
from board.web.actions import BINDINGS, Binding
from tests.conftest import build_app, socket_client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
MAX = inputs.MAX_WHOLE
FUZZED = [b for b in BINDINGS if b.action.input is not None]


@dataclass
class Board:
    """The fuzzed board (its people, posts, a group, a proposal) and the one left alone."""

    code: str
    other_code: str
    other_id: int
    tokens: dict[str, str]
    #: Participants the fuzzer may mute, remove or hand a group to (not the callers).
    spares: list[int]


@dataclass
class Site:
    app: Flask
    http: FlaskClient
    board: Board
    sockets: dict[str, Any]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _made(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def _populate(http: FlaskClient) -> Board:
    """Two boards: the fuzzed one with posts, comments, a group and a proposal; another."""
    made = _made(http.post("/api/v1/boards", json={"title": "Fuzzed", "tags": ["food"]}))
    code, tokens = made["board"]["code"], {"facilitator": made["token"]}
    spares: list[int] = []
    for name in ("Aisha", "Dev", "Kemi", "Lee", "Mo"):
        joined = _made(
            http.post(f"/api/v1/boards/{code}/participants", json={"display_name": name})
        )
        if name == "Aisha":
            tokens["participant"] = joined["token"]
        else:
            spares.append(joined["participant"]["id"])
    seeded: list[int] = []
    for n, who in enumerate(("participant", "facilitator", "participant")):
        post = _made(
            http.post(
                f"/api/v1/boards/{code}/posts",
                json={
                    "op_id": f"seed-post-{n:03}",
                    "kind": ("idea", "need", "skill")[n],
                    "title": f"Seed {n}",
                },
                headers=_bearer(tokens[who]),
            )
        )["post"]["id"]
        seeded.append(post)
        _made(
            http.post(
                f"/api/v1/boards/{code}/posts/{post}/comments",
                json={"op_id": f"seed-comment-{n:03}", "body": "A seed comment"},
                headers=_bearer(tokens[who]),
            )
        )
    _made(
        http.post(
            f"/api/v1/boards/{code}/posts/{seeded[0]}/group",
            json={"op_id": "seed-group-001"},
            headers=_bearer(tokens["participant"]),
        )
    )
    _made(
        http.post(
            f"/api/v1/boards/{code}/posts/{seeded[0]}/proposal",
            json={"op_id": "seed-promote-1"},
            headers=_bearer(tokens["facilitator"]),
        )
    )
    # The view-only projector link: fuzzed as one more caller, it must be refused cleanly.
    tokens["projector"] = _made(
        http.post(f"/api/v1/boards/{code}/projector-link", headers=_bearer(tokens["facilitator"]))
    )["token"]
    other = _made(http.post("/api/v1/boards", json={"title": "Left alone"}))
    other_code = other["board"]["code"]
    someone = _made(
        http.post(f"/api/v1/boards/{other_code}/participants", json={"display_name": "Zed"})
    )
    _made(
        http.post(
            f"/api/v1/boards/{other_code}/posts",
            json={"op_id": "other-post-001", "kind": "idea", "title": "Not yours"},
            headers=_bearer(someone["token"]),
        )
    )
    with http.application.app_context():
        other_id = db.session.execute(
            sa.text("SELECT id FROM boards WHERE code = :c"), {"c": other_code}
        ).scalar_one()
    return Board(code, other_code, other_id, tokens, spares)


def _open_site(app: Flask) -> Site:
    http = app.test_client()
    board = _populate(http)
    sockets = {}
    for role, token in board.tokens.items():
        sio = socket_client(app, app.test_client())
        ack = sio.emit("subscribe", {"board": board.code, "token": token}, callback=True)
        assert ack["ok"], ack
        sockets[role] = sio
    return Site(app, http, board, sockets)


def _close(site: Site) -> None:
    for sio in site.sockets.values():
        if sio.is_connected():
            sio.disconnect()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Site]]:
    """One app for the module; its board, shared by the actions, in a one-item list."""
    app = build_app(tmp_path_factory.mktemp("fuzz"))
    shared = [_open_site(app)]
    yield shared
    _close(shared[0])
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def site(sites: list[Site]) -> Site:
    """The shared board, or fresh boards when an action took a caller off it (erase me)."""
    current = sites[0]
    for token in current.board.tokens.values():
        answer = current.http.get(
            f"/api/v1/boards/{current.board.code}/presence", headers=_bearer(token)
        )
        if answer.status_code != 200:
            _close(current)
            sites[0] = _open_site(current.app)
            break
    return sites[0]


def other_board_rows(app: Flask, board_id: int) -> list[Any]:
    """Every row that belongs to the other board, through board, post and group ids."""
    rows: list[Any] = []
    with app.app_context(), db.engine.connect() as conn:
        posts = f"SELECT id FROM posts WHERE board_id = {board_id}"
        groups = f"SELECT id FROM groups WHERE board_id = {board_id}"
        for table in db.metadata.sorted_tables:
            columns = set(table.columns.keys())
            if table.name == "boards":
                where = f"id = {board_id}"
            elif "board_id" in columns:
                where = f"board_id = {board_id}"
            elif "post_id" in columns:
                where = f"post_id IN ({posts})"
            elif "group_id" in columns:
                where = f"group_id IN ({groups})"
            else:
                continue
            order = "id" if "id" in columns else ", ".join(sorted(columns))
            query = f"SELECT * FROM {table.name} WHERE {where} ORDER BY {order}"
            rows.append((table.name, [tuple(r) for r in conn.execute(sa.text(query))]))
    return rows


def _reopen(site: Site, phase: str = PHASES[0]) -> None:
    """Undo what would stop the next action's examples reaching its service."""
    response = site.http.patch(
        f"/api/v1/boards/{site.board.code}/session",
        json={
            "op_id": f"reopen-{os.urandom(6).hex()}",
            "phase": phase,
            "locked": False,
            "premoderation": False,
            "slow_mode_seconds": 0,
        },
        headers=_bearer(site.board.tokens["facilitator"]),
    )
    assert response.status_code == 200, response.get_data(as_text=True)


# Values ---------------------------------------------------------------------------------

HUGE = [MAX, MAX + 1, 2**64, -(2**63) - 1, 10**30, -1, 0]
NASTY_TEXT = [
    "\ud800",
    "bus \udfff stop",
    "\ud83d",
    "\x00\x01\x07\x1b[2J",
    "\u202eevil\u202c",
    "\u200b=1+1",
    "\uff1dcmd|'/c calc'!A1",
    '=HYPERLINK("http://x")',
    "'; DROP TABLE posts; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "%s%n%x",
    "../../etc/passwd",
    "a@b.org?bcc=c@d.org",
    "\r\n\r\n",
    " ",
    "",
]


def nest(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


#: Hypothesis favours the first of a choice and the smallest of a range (its own Random
#: too); structural choices (which field is bad, which is missing) are made evenly by a
#: Random seeded from a drawn number.
chance = st.integers(0, 2**64).map(random.Random)


def pick(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of ``values``, evenly."""
    return chance.map(lambda r: r.choice(values))


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True once in ``n``, evenly."""
    return chance.map(lambda r: r.randrange(n) == 0)


strange_chars = st.characters(categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Co", "Lo", "So", "Nd"))
hostile_text = st.one_of(
    pick(NASTY_TEXT),
    st.text(strange_chars, max_size=12),
    pick([1, 2, 3]).map(lambda n: "x" * (n * 4001)),
)
junk: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    pick(HUGE),
    st.floats(),
    pick([float("nan"), float("inf"), float("-inf"), 1e308, -0.0]),
    hostile_text,
    st.integers(33, 50).map(nest),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


#: Fresh op ids (so writes go through), now and then one already used.
OP_IDS = st.tuples(one_in(10), pick(["seed-post-000", "fuzz-op-0001"])).map(
    lambda t: t[1] if t[0] else uuid.uuid4().hex
)
#: Ids of rows that exist on the board (or soon will); hypothesis favours the first few.
IDS = pick(range(1, 13))


def valid(name: str, rule: inputs.Rule, spares: list[int]) -> st.SearchStrategy[Any]:
    """Values the rule accepts, its own boundaries included."""
    if isinstance(rule, inputs.Text):
        top = rule.max
        return st.one_of(
            st.text(min_size=max(rule.min, 1), max_size=min(top, 30)).filter(
                lambda t: len(t.split()) > 0
            ),
            st.just("x" * top),
        )
    if isinstance(rule, inputs.Choice | inputs.Choices):
        one = pick(rule.options)
        return st.lists(one, max_size=4) if isinstance(rule, inputs.Choices) else one
    if isinstance(rule, inputs.Flag):
        return st.booleans()
    if isinstance(rule, inputs.Whole):
        if name == "participant_id":  # not the callers: they must stay on the board
            return pick(spares)
        if name.endswith("_id"):
            return IDS
        top = MAX if rule.max is None else rule.max
        return st.one_of(st.integers(rule.min, top), pick([rule.min, top]))
    if isinstance(rule, inputs.OpId):
        return OP_IDS
    if isinstance(rule, inputs.Tags):
        return st.lists(st.text("abcdef ", min_size=1, max_size=40), max_size=5)
    if isinstance(rule, inputs.Money):
        return st.one_of(st.integers(0, 10**8), pick([0, 0.01, 12.5, 1e8]))
    if isinstance(rule, inputs.Coordinate):
        edge = rule.limit
        return st.one_of(st.floats(-edge, edge), pick([edge, -edge, 0]))
    if isinstance(rule, inputs.Email):
        return pick(["sam@example.org", "o'brien+board@council.example.gov.uk"])
    if isinstance(rule, inputs.IsoDate):
        return st.dates().map(lambda d: d.isoformat())
    if isinstance(rule, inputs.Url):
        return pick(["https://example.org/minutes", ""])
    if isinstance(rule, inputs.Cursor):
        return pick(["n5", "n9223372036854775807", "s0-3", "s2-1", ""])
    raise AssertionError(f"no strategy for {type(rule).__name__}: add one")


def invalid(rule: inputs.Rule) -> st.SearchStrategy[Any]:
    """Values just past the rule's edges, or what it must not let through."""
    if isinstance(rule, inputs.Text):
        return st.one_of(
            pick(["x" * (rule.max + 1), "x" * max(rule.min - 1, 0), "  \n "]),
            pick(["\ud800", "Bus \udfff stop", "\ud83d!", "ok\udc00"]),
            st.text(strange_chars, min_size=1, max_size=12),
        )
    if isinstance(rule, inputs.Whole):
        top = MAX if rule.max is None else rule.max
        return pick([rule.min - 1, top + 1, MAX + 1, 1.5, "1", "9" * 5000])
    if isinstance(rule, inputs.OpId):
        return pick(["short", "a" * 65, "has space in it", "\u0661" * 8])
    if isinstance(rule, inputs.Money):
        return pick([1e8 + 1, 0.001, -0.01])
    if isinstance(rule, inputs.Coordinate):
        return pick([rule.limit + 1e-9, -rule.limit - 1])
    if isinstance(rule, inputs.Email):
        return st.one_of(st.emails(), pick(["a@b", "a@b.org?cc=x@y.org", "a b@c.org", "@x.org"]))
    if isinstance(rule, inputs.IsoDate):
        return pick(["2026-02-30", "02/03/2026", "2026-1-1"])
    if isinstance(rule, inputs.Url):
        return pick(["javascript:alert(1)", "http://", "ftp://x.org"])
    if isinstance(rule, inputs.Cursor):
        return pick(["n", "s1", "n-1", "x5", "n" + "9" * 19, "s1-" + "9" * 20, "s1-2-3"])
    if isinstance(rule, inputs.Tags):
        return st.lists(st.text(max_size=45), min_size=21, max_size=22)
    return junk


@st.composite
def payloads(draw: st.DrawFn, model: type[inputs.Input], spares: list[int]) -> Any:
    """A payload for the model: all valid (a third), one field hostile (a third), or every
    field either (the rest); some fields missing, sometimes an extra one."""
    rnd = draw(chance)
    if rnd.randrange(25) == 0:
        return draw(junk)  # not an object at all
    rules = model.rules()
    mode = rnd.choice(("valid", "one bad", "chaos"))
    bad = rnd.choice(sorted(rules)) if mode == "one bad" and rules else None
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        if rnd.randrange(8) == 0:
            continue
        if mode == "valid" or (mode == "one bad" and name != bad):
            out[name] = draw(valid(name, rule, spares))
        elif mode == "one bad":
            out[name] = draw(st.one_of(invalid(rule), junk))
        else:
            out[name] = draw(st.one_of(valid(name, rule, spares), invalid(rule), junk))
    if rnd.randrange(8) == 0:
        out[draw(st.one_of(st.text(max_size=8), hostile_text))] = draw(junk)
    return out


PATH_PARAM = re.compile(r"<(?:int:)?(\w+)>")


def path_of(binding: Binding, board: Board, ids: dict[str, str]) -> str:
    assert binding.http is not None
    return "/api/v1" + PATH_PARAM.sub(
        lambda m: board.code if m.group(1) == "code" else ids[m.group(1)], binding.http.path
    )


def query_of(payload: Any) -> str:
    """A read's payload as a query string, bytes and all (broken UTF-8 included)."""
    if not isinstance(payload, dict):
        return ""
    parts = []
    for key, value in payload.items():
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(
            quote(str(key).encode("utf-8", "surrogatepass"))
            + "="
            + quote(text.encode("utf-8", "surrogatepass"))
        )
    return "&".join(parts)


def assert_http_answer(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.is_json, response.get_data(as_text=True)[:300]
        error = response.json["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), error


def assert_ack(ack: Any) -> None:
    assert isinstance(ack, dict), ack
    if ack["ok"] is True:
        assert "data" in ack
    else:
        assert ack["ok"] is False and ack["error"]["code"] != "internal", ack


@pytest.mark.parametrize("binding", FUZZED, ids=lambda b: b.name)
def test_fuzz(site: Site, binding: Binding) -> None:
    model = binding.action.input
    assert model is not None
    board = site.board
    before = other_board_rows(site.app, board.other_id)
    path_ids = PATH_PARAM.findall(binding.http.path) if binding.http else []
    odd = pick([str(MAX + 1), "9" * 30, "0" * 25 + "1", "-1", "1e3", "%F0", "0"])
    people = pick(board.spares).map(str)
    path_values = {
        n: st.tuples(one_in(8), odd, people if n == "participant_id" else IDS.map(str)).map(
            lambda t: t[1] if t[0] else t[2]
        )
        for n in path_ids
        if n != "code"
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        payload=payloads(model, board.spares),
        role=pick(sorted(board.tokens)),
        ids=st.fixed_dictionaries(path_values),
        on_other_board=one_in(20),
    )
    def run(payload: Any, role: str, ids: dict[str, str], on_other_board: bool) -> None:
        if binding.http is not None:
            headers = _bearer(board.tokens[role])
            path = path_of(binding, board, ids)
            if on_other_board and binding.action.who != "anyone":
                path = path.replace(board.code, board.other_code)
            if binding.http.method == "GET":
                response = site.http.get(f"{path}?{query_of(payload)}", headers=headers)
            else:
                response = site.http.open(
                    path,
                    method=binding.http.method,
                    data=json.dumps(payload),
                    content_type="application/json",
                    headers=headers,
                )
            assert_http_answer(response)
        if binding.socket is not None:
            sio = site.sockets[role]
            sent = payload
            if isinstance(payload, dict):
                where = board.other_code if on_other_board else board.code
                sent = {"board": where, **payload}
            assert_ack(sio.emit(binding.socket, sent, callback=True))
            sio.get_received()  # the board's events: not what this test reads

    _reopen(site, "prioritise" if binding.name.startswith("dot.") else PHASES[0])
    run()
    if (
        site.http.get(
            f"/api/v1/boards/{board.code}/presence", headers=_bearer(board.tokens["facilitator"])
        ).status_code
        == 200
    ):
        _reopen(site)

    assert other_board_rows(site.app, board.other_id) == before, "another board changed"
    health = site.http.get(f"/api/v1/boards/{board.code}")
    assert health.status_code == 200, health.get_data(as_text=True)
    for role, sio in site.sockets.items():
        ack = sio.emit(
            "subscribe", {"board": board.code, "token": board.tokens[role]}, callback=True
        )
        assert ack["ok"] or ack["error"]["code"] in ("not_joined", "forbidden"), ack
