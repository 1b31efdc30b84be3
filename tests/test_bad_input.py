"""Bad input gets a clear 4xx JSON error or an error ack, writes nothing, and the server goes on.

One table per transport; every row is a request a confused or hostile client could send.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from board.errors import BoardError
from board.extensions import db
from board.models import Proposal
from board.services import transfer
from tests.conftest import socket_client

TABLES = tuple(t.name for t in db.metadata.sorted_tables)


def fingerprint(app: Flask) -> tuple[Any, ...]:
    """Every row of every table: any write changes it."""
    with app.app_context(), db.engine.connect() as conn:
        return tuple(
            tuple(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()))
            for t in TABLES
        )


@dataclass
class World:
    """Two boards; on the first a facilitator, Aisha with a post (a draft proposal), and Dev."""

    code: str
    other_code: str
    tokens: dict[str, str]
    aisha_post: int
    dev_post: int
    proposal: int


@pytest.fixture
def world(app: Flask, client: FlaskClient) -> World:
    made = client.post("/api/v1/boards", json={"title": "Westcliff 2030", "tags": ["food"]})
    code = made.json["board"]["code"]
    other = client.post("/api/v1/boards", json={"title": "Elsewhere"}).json["board"]["code"]
    tokens = {"facilitator": made.json["token"]}
    for name in ("Aisha", "Dev"):
        joined = client.post(f"/api/v1/boards/{code}/participants", json={"display_name": name})
        tokens[name.lower()] = joined.json["token"]
    post_ids = {}
    for name in ("aisha", "dev"):
        posted = client.post(
            f"/api/v1/boards/{code}/posts",
            json={"op_id": f"first-post-{name}", "kind": "idea", "title": f"{name}'s idea"},
            headers={"Authorization": f"Bearer {tokens[name]}"},
        )
        assert posted.status_code == 201, posted.json
        post_ids[name] = posted.json["post"]["id"]
    promoted = client.post(
        f"/api/v1/boards/{code}/posts/{post_ids['aisha']}/proposal",
        json={"op_id": "promote-aisha"},
        headers={"Authorization": f"Bearer {tokens['facilitator']}"},
    )
    assert promoted.status_code == 201, promoted.json
    proposal = promoted.json["proposal"]["id"]
    return World(code, other, tokens, post_ids["aisha"], post_ids["dev"], proposal)


@dataclass
class HttpCase:
    name: str
    method: str
    path: str
    body: Any = None
    who: str | None = "aisha"
    status: int = 422
    code: str = "invalid_input"
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Words the error message must hold.
    says: str = ""


def post_body(**changes: Any) -> dict[str, Any]:
    body = {"op_id": "a-fresh-op-id-1", "kind": "idea", "title": "A fine idea", "body": ""}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


POSTS = "/api/v1/boards/{code}/posts"
PROPOSAL = "/api/v1/boards/{code}/proposals/{proposal}"
TOO_BIG = 2**63  # one more than a 64-bit signed integer holds


def nested(depth: int, inner: str = "1") -> str:
    """JSON text of lists nested ``depth`` deep."""
    return "[" * depth + inner + "]" * depth


def contact(email: str) -> dict[str, Any]:
    return {"op_id": "contact-op-1", "name": "Sam", "email": email, "consent": True}


HTTP_CASES = [
    HttpCase("unknown board", "GET", "/api/v1/boards/ZZZZZZ", status=404, code="board_not_found"),
    HttpCase(
        "join unknown code",
        "POST",
        "/api/v1/boards/QQQQQQ/participants",
        {"display_name": "Kemi"},
        who=None,
        status=404,
        code="board_not_found",
    ),
    HttpCase(
        "post to unknown board",
        "POST",
        "/api/v1/boards/ZZZZZZ/posts",
        post_body(),
        status=404,
        code="board_not_found",
    ),
    HttpCase("empty title", "POST", POSTS, post_body(title="")),
    HttpCase("blank title", "POST", POSTS, post_body(title="   \n ")),
    HttpCase("oversize title", "POST", POSTS, post_body(title="x" * 121)),
    HttpCase("oversize body", "POST", POSTS, post_body(body="x" * 2001)),
    HttpCase("oversize tag", "POST", POSTS, post_body(tag="x" * 41)),
    HttpCase("title of wrong type", "POST", POSTS, post_body(title=5)),
    HttpCase("unknown kind", "POST", POSTS, post_body(kind="petition")),
    HttpCase("kind of wrong type", "POST", POSTS, post_body(kind=["idea"])),
    HttpCase("missing title", "POST", POSTS, post_body(title=...)),
    HttpCase("missing kind", "POST", POSTS, post_body(kind=...)),
    HttpCase("missing op id", "POST", POSTS, post_body(op_id=...)),
    HttpCase("malformed op id", "POST", POSTS, post_body(op_id="no spaces allowed")),
    HttpCase("body not an object", "POST", POSTS, ["idea"], status=400),
    HttpCase("body not JSON", "POST", POSTS, raw=b"{title: idea", status=400, code="invalid_json"),
    HttpCase(
        "body too large",
        "POST",
        POSTS,
        raw=b"x" * (300 * 1024),
        status=413,
        code="request_entity_too_large",
    ),
    HttpCase(
        "empty comment",
        "POST",
        POSTS + "/{aisha_post}/comments",
        {"op_id": "comment-op-1", "body": ""},
    ),
    HttpCase(
        "oversize comment",
        "POST",
        POSTS + "/{aisha_post}/comments",
        {"op_id": "comment-op-1", "body": "x" * 1001},
    ),
    HttpCase(
        "comment on unknown post",
        "POST",
        POSTS + "/999999/comments",
        {"op_id": "comment-op-1", "body": "hi"},
        status=404,
        code="post_not_found",
    ),
    HttpCase(
        "support unknown post",
        "POST",
        POSTS + "/999999/support",
        {"op_id": "support-op-1"},
        status=404,
        code="post_not_found",
    ),
    HttpCase("create board without title", "POST", "/api/v1/boards", {"prompt": "?"}, who=None),
    HttpCase(
        "create board with wrong kind",
        "POST",
        "/api/v1/boards",
        {"title": "T", "kind": "party"},
        who=None,
    ),
    HttpCase(
        "create board with tags not a list",
        "POST",
        "/api/v1/boards",
        {"title": "T", "tags": "food"},
        who=None,
    ),
    HttpCase(
        "join with neither name nor anonymous",
        "POST",
        "/api/v1/boards/{code}/participants",
        {},
        who=None,
    ),
    HttpCase(
        "join with anonymous not a boolean",
        "POST",
        "/api/v1/boards/{code}/participants",
        {"display_name": "Kemi", "anonymous": "yes"},
        who=None,
    ),
    HttpCase(
        "join with oversize name",
        "POST",
        "/api/v1/boards/{code}/participants",
        {"display_name": "x" * 41},
        who=None,
    ),
    HttpCase(
        "post without joining", "POST", POSTS, post_body(), who=None, status=401, code="not_joined"
    ),
    HttpCase(
        "post with a wrong token",
        "POST",
        POSTS,
        post_body(),
        who="forged",
        status=401,
        code="not_joined",
    ),
    HttpCase(
        "post on a board you have not joined",
        "POST",
        "/api/v1/boards/{other_code}/posts",
        post_body(),
        status=401,
        code="not_joined",
    ),
    HttpCase(
        "read events without joining",
        "GET",
        "/api/v1/boards/{code}/events?since=0",
        who=None,
        status=401,
        code="not_joined",
    ),
    HttpCase("events since not a number", "GET", "/api/v1/boards/{code}/events?since=abc"),
    HttpCase(
        "participant deletes another's post (a facilitator action)",
        "DELETE",
        POSTS + "/{dev_post}",
        {"op_id": "delete-op-1"},
        status=403,
        code="forbidden",
    ),
    HttpCase(
        "edit someone else's post",
        "PATCH",
        POSTS + "/{dev_post}",
        {"op_id": "edit-op-1", "title": "Mine now"},
        status=403,
        code="forbidden",
    ),
    HttpCase(
        "edit to an empty title",
        "PATCH",
        POSTS + "/{aisha_post}",
        {"op_id": "edit-op-1", "title": ""},
    ),
    HttpCase(
        "edit with a null title",
        "PATCH",
        POSTS + "/{aisha_post}",
        {"op_id": "edit-op-1", "title": None},
    ),
    HttpCase(
        "edit with a null kind",
        "PATCH",
        POSTS + "/{aisha_post}",
        {"op_id": "edit-op-1", "kind": None},
    ),
    HttpCase(
        "edit that changes nothing",
        "PATCH",
        POSTS + "/{aisha_post}",
        {"op_id": "edit-op-1", "colour": "red"},
    ),
    HttpCase(
        "events since with a non-ASCII digit",
        "GET",
        "/api/v1/boards/{code}/events?since=\u00b2",
    ),
    HttpCase(
        "events since ahead of the board",
        "GET",
        "/api/v1/boards/{code}/events?since=999",
        status=410,
        code="snapshot_required",
    ),
    HttpCase(
        "op id reused for another action",
        "POST",
        POSTS + "/{aisha_post}/comments",
        {"op_id": "first-post-aisha", "body": "hello"},
        status=409,
        code="op_id_reused",
    ),
    HttpCase(
        "cookie write without CSRF token",
        "POST",
        POSTS,
        post_body(),
        who="cookie",
        status=400,
        code="csrf_failed",
    ),
    HttpCase(
        "dot budget out of range",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "session-op-01", "dot_budget": 99},
        who="facilitator",
    ),
    HttpCase(
        "unknown phase",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "session-op-02", "phase": "party"},
        who="facilitator",
    ),
    HttpCase(
        "session setting of wrong type",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "session-op-03", "locked": "yes"},
        who="facilitator",
    ),
    HttpCase(
        "timer too long",
        "PUT",
        "/api/v1/boards/{code}/timer",
        {"op_id": "timer-op-001", "seconds": 99999},
        who="facilitator",
    ),
    HttpCase(
        "spotlight on a post that does not exist",
        "PUT",
        "/api/v1/boards/{code}/spotlight",
        {"op_id": "spot-op-0001", "post_id": 99999},
        who="facilitator",
        status=404,
        code="post_not_found",
    ),
    HttpCase(
        "report with an unknown reason",
        "POST",
        "/api/v1/boards/{code}/posts/{dev_post}/reports",
        {"op_id": "report-op-01", "reason": "boring"},
    ),
    HttpCase(
        "reporting your own post",
        "POST",
        "/api/v1/boards/{code}/posts/{aisha_post}/reports",
        {"op_id": "report-op-02", "reason": "spam"},
    ),
    HttpCase(
        "a dot while gathering",
        "POST",
        "/api/v1/boards/{code}/posts/{dev_post}/dots",
        {"op_id": "dot-op-00001"},
        status=409,
        code="not_prioritising",
    ),
    HttpCase(
        "merge into a post that does not exist",
        "POST",
        "/api/v1/boards/{code}/posts/{dev_post}/merge",
        {"op_id": "merge-op-001", "into_id": 99999},
        who="facilitator",
        status=404,
        code="post_not_found",
    ),
    HttpCase(
        "an import without an administrator's token",
        "POST",
        "/api/v1/boards/import",
        raw=b"{not json",
        who=None,
        status=401,
        code="admin_token_required",
    ),
    HttpCase(
        "promote a post that does not exist",
        "POST",
        "/api/v1/boards/{code}/posts/99999/proposal",
        {"op_id": "promote-op-1"},
        status=404,
        code="post_not_found",
    ),
    HttpCase("unknown API route", "GET", "/api/v1/nothing-here", status=404, code="not_found"),
    # Hostile values: each was a 500 (or was let through) before its rule refused it.
    HttpCase(
        "path id beyond a 64-bit integer",
        "POST",
        POSTS + f"/{TOO_BIG}/support",
        {"op_id": "support-op-9"},
        status=404,
        code="not_found",
    ),
    HttpCase(
        "path id of 5,000 digits",
        "DELETE",
        POSTS + "/" + "9" * 5000,
        {"op_id": "delete-op-9"},
        status=404,
        code="not_found",
    ),
    HttpCase(
        "spotlight id beyond a 64-bit integer",
        "PUT",
        "/api/v1/boards/{code}/spotlight",
        {"op_id": "spot-op-0009", "post_id": TOO_BIG},
        who="facilitator",
        says="9223372036854775807",
    ),
    HttpCase(
        "offer id beyond a 64-bit integer",
        "POST",
        POSTS + "/{dev_post}/helpers",
        {"op_id": "link-op-0009", "offer_id": TOO_BIG},
    ),
    HttpCase(
        "merge target beyond a 64-bit integer",
        "POST",
        POSTS + "/{dev_post}/merge",
        {"op_id": "merge-op-009", "into_id": TOO_BIG},
        who="facilitator",
    ),
    HttpCase(
        "events since beyond a 64-bit integer",
        "GET",
        "/api/v1/boards/{code}/events?since=" + str(TOO_BIG),
    ),
    HttpCase(
        "events since of 5,000 digits", "GET", "/api/v1/boards/{code}/events?since=" + "9" * 5000
    ),
    HttpCase(
        "a lone surrogate in a title",
        "POST",
        POSTS,
        raw=b'{"op_id": "a-fresh-op-id-1", "kind": "idea", "title": "Bus \\ud800 stop"}',
        says="lone surrogate",
    ),
    HttpCase(
        "a lone surrogate in a comment",
        "POST",
        POSTS + "/{aisha_post}/comments",
        raw=b'{"op_id": "comment-op-9", "body": "\\udfff"}',
        says="lone surrogate",
    ),
    HttpCase(
        "a lone surrogate in a display name",
        "POST",
        "/api/v1/boards/{code}/participants",
        raw=b'{"display_name": "Kemi \\ud83d"}',
        who=None,
    ),
    HttpCase(
        "a lone surrogate in a board title",
        "POST",
        "/api/v1/boards",
        raw=b'{"title": "\\udc00"}',
        who=None,
    ),
    HttpCase(
        "a body nested 1,000 deep",
        "POST",
        POSTS,
        raw=nested(1000).encode(),
        status=400,
        code="invalid_json",
        says="nested too deeply",
    ),
    HttpCase(
        "a field nested 40 deep",
        "POST",
        POSTS,
        raw=b'{"op_id": "a-fresh-op-id-1", "kind": "idea", "title": ' + nested(40).encode() + b"}",
        status=400,
        code="invalid_json",
        says="nested too deeply",
    ),
    HttpCase(
        "an object nested 5,000 deep",
        "PATCH",
        "/api/v1/boards/{code}/session",
        raw=b'{"a":' * 5000 + b"1" + b"}" * 5000,
        who="facilitator",
        status=400,
        code="invalid_json",
    ),
    HttpCase(
        "latitude NaN",
        "PATCH",
        PROPOSAL,
        raw=b'{"op_id": "prop-op-0001", "latitude": NaN}',
        who="facilitator",
        says="degrees",
    ),
    HttpCase(
        "longitude Infinity",
        "PATCH",
        PROPOSAL,
        raw=b'{"op_id": "prop-op-0002", "longitude": -Infinity}',
        who="facilitator",
    ),
    HttpCase(
        "an amount of 1e400 (infinity)",
        "PATCH",
        PROPOSAL,
        raw=b'{"op_id": "prop-op-0003", "amount_gbp": 1e400}',
        who="facilitator",
    ),
    HttpCase(
        "an amount and a latitude of 400 digits (past any float)",
        "PATCH",
        PROPOSAL,
        raw=b'{"op_id": "prop-op-0004", "amount_gbp": 1'
        + b"0" * 400
        + b', "latitude": 1'
        + b"0" * 400
        + b"}",
        who="facilitator",
        says="degrees",
    ),
    HttpCase(
        "an email adding a copy to a mailto link",
        "POST",
        PROPOSAL + "/contact",
        contact("sam@example.org?cc=all%40council.example"),
        who="facilitator",
        says="email address",
    ),
    HttpCase(
        "an email adding a subject",
        "POST",
        PROPOSAL + "/contact",
        contact("sam@example.org&subject=Urgent"),
        who="facilitator",
    ),
    HttpCase(
        "an email with a percent-encoded address",
        "POST",
        PROPOSAL + "/contact",
        contact("boss%40council.example@example.org"),
        who="facilitator",
    ),
    HttpCase(
        "two emails with a comma",
        "POST",
        PROPOSAL + "/contact",
        contact("sam@example.org,council.example"),
        who="facilitator",
    ),
    HttpCase(
        "wrong method", "PUT", "/api/v1/boards/{code}", {}, status=405, code="method_not_allowed"
    ),
]


@pytest.mark.parametrize("case", HTTP_CASES, ids=lambda c: c.name)
def test_http_bad_input(app: Flask, client: FlaskClient, world: World, case: HttpCase) -> None:
    path = case.path.format(**vars(world))
    headers = dict(case.headers)
    caller = client
    if case.who == "cookie":
        pass  # ``client`` holds the cookie of whoever joined last (Dev): no CSRF header sent
    elif case.who == "forged":
        headers["Authorization"] = "Bearer forged-token-forged-token"
        caller = app.test_client()
    elif case.who is not None:
        headers["Authorization"] = f"Bearer {world.tokens[case.who]}"
        caller = app.test_client()
    else:
        caller = app.test_client()
    before = fingerprint(app)
    kwargs: dict[str, Any] = {"headers": headers}
    if case.raw is not None:
        kwargs.update(data=case.raw, content_type="application/json")
    elif case.body is not None:
        kwargs["json"] = case.body
    response = caller.open(path, method=case.method, **kwargs)

    assert response.status_code == case.status, response.get_data(as_text=True)
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == case.code
    assert isinstance(error["message"], str) and len(error["message"]) > 5
    assert case.says in error["message"]
    assert fingerprint(app) == before, "a refused request wrote something"
    # The server keeps serving: a valid request right after works.
    assert client.get(f"/api/v1/boards/{world.code}").status_code == 200


@dataclass
class SocketCase:
    name: str
    event: str
    payload: Any
    code: str
    subscribed: bool = True
    #: The payload as JSON text, sent as a client would (too deep for this test client's
    #: encoder); ``payload`` is then unused.
    raw: str | None = None
    says: str = ""


def sp(**changes: Any) -> dict[str, Any]:
    """A post.create payload with changes (``...`` removes a field)."""
    payload = {"board": "{code}", **post_body(), **changes}
    return {k: v for k, v in payload.items() if v is not ...}


SOCKET_CASES = [
    SocketCase("unknown event name", "post.explode", {"board": "{code}"}, "unknown_event"),
    SocketCase("payload not an object", "post.create", "an idea", "invalid_input"),
    SocketCase("payload missing", "post.create", None, "invalid_input"),
    SocketCase("write before subscribing", "post.create", sp(), "not_joined", subscribed=False),
    SocketCase(
        "write to a board not subscribed", "post.create", sp(board="{other_code}"), "not_joined"
    ),
    SocketCase("write to an unknown board", "post.create", sp(board="ZZZZZZ"), "board_not_found"),
    SocketCase("board missing", "post.create", sp(board=...), "invalid_input"),
    SocketCase("board of wrong type", "post.create", sp(board=7), "invalid_input"),
    SocketCase("empty title", "post.create", sp(title=""), "invalid_input"),
    SocketCase("oversize title", "post.create", sp(title="x" * 121), "invalid_input"),
    SocketCase("oversize body", "post.create", sp(body="y" * 2001), "invalid_input"),
    SocketCase("wrong kind", "post.create", sp(kind="rant"), "invalid_input"),
    SocketCase("title of wrong type", "post.create", sp(title={"t": 1}), "invalid_input"),
    SocketCase("missing op id", "post.create", sp(op_id=...), "invalid_input"),
    SocketCase(
        "post id of wrong type",
        "support.toggle",
        {"board": "{code}", "op_id": "support-op-2", "post_id": "1"},
        "invalid_input",
    ),
    SocketCase(
        "support unknown post",
        "support.toggle",
        {"board": "{code}", "op_id": "support-op-2", "post_id": 999999},
        "post_not_found",
    ),
    SocketCase(
        "empty comment",
        "comment.create",
        {"board": "{code}", "op_id": "comment-op-2", "post_id": "{aisha_post}", "body": ""},
        "invalid_input",
    ),
    SocketCase(
        "delete another's post (a facilitator action)",
        "post.delete",
        {"board": "{code}", "op_id": "delete-op-2", "post_id": "{dev_post}"},
        "forbidden",
    ),
    SocketCase(
        "edit someone else's post",
        "post.update",
        {"board": "{code}", "op_id": "edit-op-2", "post_id": "{dev_post}", "title": "Mine"},
        "forbidden",
    ),
    SocketCase(
        "edit with a null title",
        "post.update",
        {"board": "{code}", "op_id": "edit-op-3", "post_id": "{aisha_post}", "title": None},
        "invalid_input",
    ),
    SocketCase(
        "link someone else's post as your offer",
        "link.create",
        {
            "board": "{code}",
            "op_id": "link-op-01",
            "post_id": "{dev_post}",
            "offer_id": "{dev_post}",
        },
        "forbidden",
    ),
    SocketCase(
        "link help to an unknown post",
        "link.create",
        {"board": "{code}", "op_id": "link-op-02", "post_id": 999999},
        "post_not_found",
    ),
    SocketCase(
        "remove an unknown link",
        "link.remove",
        {"board": "{code}", "op_id": "link-op-03", "link_id": 999999},
        "link_not_found",
    ),
    SocketCase(
        "join the group of an unknown post",
        "group.join",
        {"board": "{code}", "op_id": "group-op-01", "post_id": 999999},
        "post_not_found",
    ),
    SocketCase(
        "leave an unknown group",
        "group.leave",
        {"board": "{code}", "op_id": "group-op-02", "group_id": 999999},
        "group_not_found",
    ),
    SocketCase(
        "hand over with no member named",
        "group.hand_over",
        {"board": "{code}", "op_id": "group-op-03", "group_id": 1},
        "invalid_input",
    ),
    SocketCase(
        "group message too long",
        "group.message",
        {"board": "{code}", "op_id": "group-op-04", "group_id": 1, "body": "x" * 1001},
        "invalid_input",
    ),
    SocketCase(
        "a participant hides a post (a facilitator action)",
        "post.hide",
        {"board": "{code}", "op_id": "hide-op-0001", "post_id": "{dev_post}", "reason": "spam"},
        "forbidden",
    ),
    SocketCase(
        "hide with an unknown reason",
        "post.hide",
        {"board": "{code}", "op_id": "hide-op-0002", "post_id": "{dev_post}", "reason": "boring"},
        "invalid_input",
    ),
    SocketCase(
        "a participant restores a post (a facilitator action)",
        "post.restore",
        {"board": "{code}", "op_id": "hide-op-0003", "post_id": "{dev_post}"},
        "forbidden",
    ),
    SocketCase(
        "subscribe to an unknown board",
        "subscribe",
        {"board": "ZZZZZZ"},
        "board_not_found",
        subscribed=False,
    ),
    SocketCase(
        "subscribe with a forged token",
        "subscribe",
        {"board": "{code}", "token": "forged-token-forged"},
        "not_joined",
        subscribed=False,
    ),
    SocketCase(
        "subscribe with since of wrong type",
        "subscribe",
        {"board": "{code}", "since": "ten"},
        "invalid_input",
        subscribed=False,
    ),
    SocketCase(
        "a dot with a post id of wrong type",
        "dot.place",
        {"board": "{code}", "op_id": "dot-op-00002", "post_id": "x"},
        "invalid_input",
    ),
    SocketCase(
        "a dot while gathering",
        "dot.place",
        {"board": "{code}", "op_id": "dot-op-00003", "post_id": "{dev_post}"},
        "not_prioritising",
    ),
    SocketCase(
        "a participant changing the phase",
        "session.update",
        {"board": "{code}", "op_id": "phase-op-001", "phase": "closed"},
        "forbidden",
    ),
    SocketCase(
        "an unknown phase",
        "session.update",
        {"board": "{code}", "op_id": "phase-op-002", "phase": "party"},
        "invalid_input",
    ),
    SocketCase(
        "a negative timer",
        "timer.set",
        {"board": "{code}", "op_id": "timer-op-002", "seconds": -5},
        "invalid_input",
    ),
    SocketCase(
        "a participant approving",
        "post.approve",
        {"board": "{code}", "op_id": "approve-op-1", "post_id": "{dev_post}"},
        "forbidden",
    ),
    SocketCase(
        "a merge without a target",
        "post.merge",
        {"board": "{code}", "op_id": "merge-op-002", "post_id": "{dev_post}"},
        "invalid_input",
    ),
    SocketCase(
        "a report with an unknown reason",
        "post.report",
        {"board": "{code}", "op_id": "report-op-03", "post_id": "{dev_post}", "reason": "meh"},
        "invalid_input",
    ),
    SocketCase(
        "subscribe with an unknown view",
        "subscribe",
        {"board": "{code}", "view": "secret"},
        "invalid_input",
        subscribed=False,
    ),
    SocketCase(
        "subscribe with a negative since",
        "subscribe",
        {"board": "{code}", "since": -1},
        "invalid_input",
        subscribed=False,
    ),
    # Hostile values: each was an ``internal`` ack, or no ack at all, before.
    SocketCase(
        "post id beyond a 64-bit integer",
        "support.toggle",
        {"board": "{code}", "op_id": "support-op-9", "post_id": TOO_BIG},
        "invalid_input",
        says="9223372036854775807",
    ),
    SocketCase(
        "group id beyond a 64-bit integer",
        "group.leave",
        {"board": "{code}", "op_id": "group-op-09", "group_id": TOO_BIG},
        "invalid_input",
    ),
    SocketCase(
        "subscribe since beyond a 64-bit integer",
        "subscribe",
        {"board": "{code}", "since": TOO_BIG},
        "invalid_input",
        subscribed=False,
    ),
    SocketCase(
        "a lone surrogate in a title",
        "post.create",
        sp(title="Bus \ud800 stop"),
        "invalid_input",
        says="lone surrogate",
    ),
    SocketCase(
        "a lone surrogate in a comment",
        "comment.create",
        {"board": "{code}", "op_id": "comment-op-9", "post_id": "{aisha_post}", "body": "\udfff"},
        "invalid_input",
    ),
    SocketCase(
        "a lone surrogate in a token",
        "subscribe",
        {"board": "{code}", "token": "forged-\ud800-token"},
        "invalid_input",
        subscribed=False,
    ),
    SocketCase(
        "a post id NaN",
        "support.toggle",
        {"board": "{code}", "op_id": "support-op-8", "post_id": float("nan")},
        "invalid_input",
    ),
    SocketCase(
        "a field nested 40 deep",
        "post.create",
        None,
        "invalid_input",
        raw='{"board": "{code}", "op_id": "nest-op-01", "kind": "idea", "title": '
        + nested(40)
        + "}",
        says="nested too deeply",
    ),
    SocketCase(
        "a payload nested 1,000 deep",
        "post.create",
        None,
        "invalid_input",
        raw=nested(1000),
        says="nested too deeply",
    ),
    SocketCase(
        "an object nested 5,000 deep",
        "comment.create",
        None,
        "invalid_input",
        raw='{"a":' * 5000 + "1" + "}" * 5000,
    ),
    SocketCase(
        "an unknown event nested 1,000 deep",
        "post.explode",
        None,
        "unknown_event",
        raw=nested(1000),
    ),
]


def emit_raw(sio: Any, event: str, payload: str) -> Any:
    """Send an event whose payload is JSON text, as a browser's client would, and its ack."""
    sio.callback_counter += 1
    packet = f"2{sio.callback_counter}[{json.dumps(event)},{payload}]"
    sio.socketio.server._handle_eio_message(sio.eio_sid, packet)
    ack, sio.acks = sio.acks, None
    return None if ack is None else ack["args"][0]


def fill(value: Any, world: World) -> Any:
    """Put the world's codes and ids into a case's payload."""
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        filled = value.format(**vars(world))
        return int(filled) if filled.isdigit() else filled
    return value


@pytest.mark.parametrize("case", SOCKET_CASES, ids=lambda c: c.name)
def test_socket_bad_input(app: Flask, world: World, case: SocketCase) -> None:
    sio = socket_client(app, app.test_client())
    assert sio.is_connected()
    if case.subscribed:
        ack = sio.emit(
            "subscribe", {"board": world.code, "token": world.tokens["aisha"]}, callback=True
        )
        assert ack["ok"], ack
    before = fingerprint(app)
    if case.raw is not None:
        ack = emit_raw(sio, case.event, case.raw.replace("{code}", world.code))
    else:
        args = () if case.payload is None else (fill(case.payload, world),)
        ack = sio.emit(case.event, *args, callback=True)

    assert ack is not None, "no ack came"
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == case.code, ack
    assert len(ack["error"]["message"]) > 5
    assert case.says in ack["error"]["message"], ack
    assert fingerprint(app) == before, "a refused event wrote something"
    # The connection survives and still works.
    assert sio.is_connected()
    ok = sio.emit("subscribe", {"board": world.code, "token": world.tokens["dev"]}, callback=True)
    assert ok["ok"], ok
    sio.disconnect()


def test_an_import_with_a_latitude_nan_is_refused(app: Flask, world: World) -> None:
    facilitator = {"Authorization": f"Bearer {world.tokens['facilitator']}"}
    exported = app.test_client().get(f"/api/v1/boards/{world.code}/export", headers=facilitator)
    assert exported.status_code == 200
    document = exported.json
    assert document["proposals"], "the export holds the draft proposal"
    for value in ("NaN", "Infinity", "-Infinity"):
        document["proposals"][0]["latitude"] = "@@"
        text = json.dumps(document).replace('"@@"', value)
        before = fingerprint(app)
        with app.app_context(), pytest.raises(BoardError) as refused:
            transfer.import_json(text)
        assert refused.value.status == 422 and refused.value.code == "invalid_import"
        assert "latitude" in refused.value.message, refused.value.message
        assert fingerprint(app) == before


def test_a_stored_email_cannot_add_to_the_mailto_link(app: Flask, world: World) -> None:
    """An address stored before the rule (or by hand) is quoted into one recipient."""
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal)
        assert proposal is not None
        proposal.contact_name, proposal.contact_consent = "Sam", True
        proposal.contact_email = 'sam@example.org?bcc=all@council.example&body="hi"'
        db.session.commit()
    browser = app.test_client()
    assert browser.get(f"/b/{world.code}/enter/{world.tokens['facilitator']}").status_code < 400
    page = browser.get(f"/b/{world.code}/proposals/{world.proposal}/paper")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="mailto:sam@example.org%3Fbcc%3Dall@council.example%26body%3D%22hi%22"' in html
    assert "mailto:sam@example.org?" not in html


FORMULAS = ["=1+1", "\uff1dHYPERLINK(1)", "\ufe62cmd", "\uff0d2", "\uff20SUM(1)"]
HIDDEN_FORMULAS = ["\u200b=1+1", "\ufeff+1", "\u200d\u2060@SUM(1)", " \u200e\uff1d1"]


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would read the cell as a formula (no leading quote)."""
    visible = cell
    while visible and (visible[0].isspace() or unicodedata.category(visible[0]) == "Cf"):
        visible = visible[1:]
    first = unicodedata.normalize("NFKC", visible[:1])
    return not cell.startswith("'") and first in ("=", "+", "-", "@")


def test_every_csv_export_quotes_formulas_however_they_are_written(
    app: Flask, world: World
) -> None:
    facilitator = {"Authorization": f"Bearer {world.tokens['facilitator']}"}
    api = app.test_client()
    hostile = FORMULAS + HIDDEN_FORMULAS
    for n, text in enumerate(hostile):
        made = api.post(
            f"/api/v1/boards/{world.code}/posts",
            json={"op_id": f"formula-op-{n:02}", "kind": "idea", "title": text, "body": text},
            headers=facilitator,
        )
        assert made.status_code == 201, made.json
        post = made.json["post"]["id"]
        promoted = api.post(
            f"/api/v1/boards/{world.code}/posts/{post}/proposal",
            json={"op_id": f"formula-promote-{n:02}"},
            headers=facilitator,
        )
        assert promoted.status_code == 201, promoted.json
        hidden = api.post(
            f"/api/v1/boards/{world.code}/posts/{post}/hide",
            json={"op_id": f"formula-hide-{n:02}", "reason": "spam", "note": text},
            headers=facilitator,
        )
        assert hidden.status_code == 200, hidden.json
    exports = {
        "board": f"/api/v1/boards/{world.code}/export?format=csv",
        "moderation log": f"/api/v1/boards/{world.code}/moderation?format=csv",
        "proposals": f"/api/v1/boards/{world.code}/proposals?format=csv",
    }
    for name, url in exports.items():
        sheet = api.get(url, headers=facilitator)
        assert sheet.status_code == 200, (name, sheet.get_data(as_text=True)[:200])
        cells = [
            cell for row in csv.reader(io.StringIO(sheet.get_data(as_text=True))) for cell in row
        ]
        assert any(cell.lstrip("'") in hostile for cell in cells), f"{name}: no hostile cell"
        assert not [c for c in cells if runs_as_formula(c)], f"{name} runs formulas"
