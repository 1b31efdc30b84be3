"""Facilitators' powers: refused for everyone else, logged, and visible only as they should be."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_bad_input import fingerprint


@dataclass
class Room:
    code: str
    other: str
    tokens: dict[str, str]
    post: int
    other_post: int
    co_id: int
    resident_id: int = 0
    second: int = 0
    pending: int = 0


def call(client: FlaskClient, token: str, method: str, path: str, body: Any = None) -> Any:
    return client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def room(app: Flask) -> Room:
    client = app.test_client()
    made = client.post("/api/v1/boards", json={"title": "Westcliff"}).json
    other = client.post("/api/v1/boards", json={"title": "Elsewhere"}).json
    code, tokens = made["board"]["code"], {"lead": made["token"], "elsewhere": other["token"]}
    tokens["resident"] = client.post(
        f"/api/v1/boards/{code}/participants", json={"display_name": "Aisha"}
    ).json["token"]
    invited = call(
        client,
        tokens["lead"],
        "POST",
        f"/api/v1/boards/{code}/facilitators",
        {"display_name": "Sam (council)"},
    )
    assert invited.status_code == 201, invited.json
    tokens["co"] = invited.json["token"]
    projector = call(client, tokens["lead"], "POST", f"/api/v1/boards/{code}/projector-link")
    assert projector.status_code == 201, projector.json
    tokens["projector"] = projector.json["token"]
    tokens["revoked"] = call(
        client,
        tokens["lead"],
        "POST",
        f"/api/v1/boards/{code}/facilitators",
        {"display_name": "Former helper"},
    ).json["token"]
    revoked_id = call(client, tokens["revoked"], "GET", f"/api/v1/boards/{code}/snapshot").json[
        "me"
    ]["id"]
    assert (
        call(
            client,
            tokens["lead"],
            "DELETE",
            f"/api/v1/boards/{code}/facilitators/{revoked_id}",
            {"op_id": "revoke-op-0001"},
        ).status_code
        == 200
    )
    post = call(
        client,
        tokens["resident"],
        "POST",
        f"/api/v1/boards/{code}/posts",
        {"op_id": "post-op-00001", "kind": "idea", "title": "Buy my stuff cheap"},
    )
    other_post = call(
        client,
        tokens["elsewhere"],
        "POST",
        f"/api/v1/boards/{other['board']['code']}/posts",
        {"op_id": "post-op-00002", "kind": "idea", "title": "Far away"},
    )
    base = f"/api/v1/boards/{code}"
    second = call(
        client,
        tokens["resident"],
        "POST",
        f"{base}/posts",
        {"op_id": "post-op-00003", "kind": "idea", "title": "Buy my stuff cheaper"},
    )
    switch = {"op_id": "premod-on-001", "premoderation": True}
    assert call(client, tokens["lead"], "PATCH", f"{base}/session", switch).status_code == 200
    pending = call(
        client,
        tokens["resident"],
        "POST",
        f"{base}/posts",
        {"op_id": "post-op-00004", "kind": "idea", "title": "Waiting for approval"},
    )
    assert pending.json["post"]["state"] == "pending"
    switch = {"op_id": "premod-off-01", "premoderation": False}
    assert call(client, tokens["lead"], "PATCH", f"{base}/session", switch).status_code == 200
    return Room(
        code,
        other["board"]["code"],
        tokens,
        post.json["post"]["id"],
        other_post.json["post"]["id"],
        invited.json["participant"]["id"],
        resident_id=post.json["post"]["author"]["id"],
        second=second.json["post"]["id"],
        pending=pending.json["post"]["id"],
    )


ACTIONS = [
    (
        "hide",
        "POST",
        "/api/v1/boards/{code}/posts/{post}/hide",
        {"op_id": "hide-op-00001", "reason": "spam"},
    ),
    ("restore", "POST", "/api/v1/boards/{code}/posts/{post}/restore", {"op_id": "restore-op-001"}),
    ("invite", "POST", "/api/v1/boards/{code}/facilitators", {"display_name": "Extra"}),
    ("revoke", "DELETE", "/api/v1/boards/{code}/facilitators/{co_id}", {"op_id": "revoke-op-0002"}),
    ("log", "GET", "/api/v1/boards/{code}/moderation", None),
    ("log csv", "GET", "/api/v1/boards/{code}/moderation?format=csv", None),
    ("approve", "POST", "/api/v1/boards/{code}/posts/{pending}/approve", {"op_id": "approve-op-1"}),
    (
        "reject",
        "POST",
        "/api/v1/boards/{code}/posts/{pending}/reject",
        {"op_id": "reject-op-01", "reason": "off-topic"},
    ),
    (
        "merge",
        "POST",
        "/api/v1/boards/{code}/posts/{post}/merge",
        {"op_id": "merge-op-001", "into_id": "{second}"},
    ),
    ("pin", "POST", "/api/v1/boards/{code}/posts/{post}/pin", {"op_id": "pin-op-00001"}),
    (
        "mute",
        "POST",
        "/api/v1/boards/{code}/participants/{resident_id}/mute",
        {"op_id": "mute-op-0001"},
    ),
    (
        "remove",
        "DELETE",
        "/api/v1/boards/{code}/participants/{resident_id}",
        {"op_id": "remove-op-01"},
    ),
    ("people", "GET", "/api/v1/boards/{code}/participants", None),
    ("fairness", "GET", "/api/v1/boards/{code}/fairness", None),
    (
        "phase",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "phase-op-01", "phase": "discuss"},
    ),
    ("lock", "PATCH", "/api/v1/boards/{code}/session", {"op_id": "lock-op-001", "locked": True}),
    (
        "pre-moderation",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "premod-op-01", "premoderation": True},
    ),
    ("silent", "PATCH", "/api/v1/boards/{code}/session", {"op_id": "silent-op-01", "silent": True}),
    ("dots", "PATCH", "/api/v1/boards/{code}/session", {"op_id": "budget-op-01", "dot_budget": 5}),
    (
        "slow mode",
        "PATCH",
        "/api/v1/boards/{code}/session",
        {"op_id": "slow-op-0001", "slow_mode_seconds": 30},
    ),
    ("timer", "PUT", "/api/v1/boards/{code}/timer", {"op_id": "timer-op-01", "seconds": 180}),
    ("projector link", "POST", "/api/v1/boards/{code}/projector-link", None),
    (
        "stop projector link",
        "DELETE",
        "/api/v1/boards/{code}/projector-link",
        {"op_id": "stop-proj-01"},
    ),
    (
        "spotlight",
        "PUT",
        "/api/v1/boards/{code}/spotlight",
        {"op_id": "spot-op-0001", "post_id": "{post}"},
    ),
    (
        "assisted post",
        "POST",
        "/api/v1/boards/{code}/posts",
        {"op_id": "assist-op-01", "kind": "idea", "title": "Bench", "on_behalf_of": "Maureen"},
    ),
]
WHO = [
    ("a participant", "resident", "{code}", 403, "forbidden"),
    ("the view-only projector", "projector", "{code}", 403, "forbidden"),
    ("a revoked co-facilitator", "revoked", "{code}", 403, "access_revoked"),
    ("another board's facilitator", "elsewhere", "{code}", 401, "not_joined"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=[a[0] for a in ACTIONS])
@pytest.mark.parametrize("who", WHO, ids=[w[0] for w in WHO])
def test_facilitator_actions_are_refused_for_everyone_else(
    app: Flask, room: Room, action: tuple, who: tuple
) -> None:
    _name, method, path, body = action
    _label, token_of, _code, status, code = who
    client = app.test_client()
    if action[0] == "restore":  # something to restore
        assert (
            call(
                client,
                room.tokens["lead"],
                "POST",
                f"/api/v1/boards/{room.code}/posts/{room.post}/hide",
                {"op_id": "setup-hide-01", "reason": "spam"},
            ).status_code
            == 200
        )
    if body is not None:  # "{second}" in a body: that id, as a number
        body = {
            k: int(v.format(**vars(room))) if isinstance(v, str) and v[:1] == "{" else v
            for k, v in body.items()
        }
    before = fingerprint(app)
    answer = call(client, room.tokens[token_of], method, path.format(**vars(room)), body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == code
    assert fingerprint(app) == before


@pytest.mark.parametrize("action", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_facilitator_action_works_for_a_facilitator(
    app: Flask, room: Room, action: tuple
) -> None:
    """The refusals above are not an accident of a broken route: the co-facilitator may."""
    name, method, path, body = action
    client = app.test_client()
    if name == "restore":
        call(
            client,
            room.tokens["lead"],
            "POST",
            f"/api/v1/boards/{room.code}/posts/{room.post}/hide",
            {"op_id": "setup-hide-02", "reason": "spam"},
        )
    if body is not None:
        body = {
            k: int(v.format(**vars(room))) if isinstance(v, str) and v[:1] == "{" else v
            for k, v in body.items()
        }
    if name == "revoke":  # the co-facilitator cannot withdraw themself: the lead does
        answer = call(client, room.tokens["lead"], method, path.format(**vars(room)), body)
    else:
        answer = call(client, room.tokens["co"], method, path.format(**vars(room)), body)
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)


def test_a_facilitator_cannot_reach_into_another_board(app: Flask, room: Room) -> None:
    client = app.test_client()
    before = fingerprint(app)
    # Their own board's address, another board's post: not found, nothing hidden.
    answer = call(
        client,
        room.tokens["elsewhere"],
        "POST",
        f"/api/v1/boards/{room.other}/posts/{room.post}/hide",
        {"op_id": "hide-op-00009", "reason": "spam"},
    )
    assert answer.status_code == 404 and answer.json["error"]["code"] == "post_not_found"
    assert fingerprint(app) == before


def test_hidden_posts_leave_every_view_but_the_facilitators(app: Flask, room: Room) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{room.code}"
    hidden = call(
        client,
        room.tokens["co"],
        "POST",
        f"{base}/posts/{room.post}/hide",
        {"op_id": "hide-op-00002", "reason": "spam", "note": "selling"},
    )
    assert hidden.status_code == 200 and hidden.json["reason"] == "spam"
    resident_view = call(client, room.tokens["resident"], "GET", f"{base}/snapshot").json
    assert room.post not in [p["id"] for p in resident_view["posts"]]
    assert resident_view["moderation"] == {"hidden": 1, "by_reason": {"spam": 1}}
    lead_view = call(client, room.tokens["lead"], "GET", f"{base}/snapshot").json
    assert lead_view["posts"][0]["id"] == room.post
    assert lead_view["posts"][0]["hidden"]["reason"] == "spam"
    # To a participant the post is simply not there any more (its author included).
    for path, body in [
        (f"{base}/posts/{room.post}/support", {"op_id": "support-op-09"}),
        (f"{base}/posts/{room.post}/comments", {"op_id": "comment-op-9", "body": "hi"}),
    ]:
        refused = call(client, room.tokens["resident"], "POST", path, body)
        assert refused.json["error"]["code"] == "post_not_found"
    again = call(
        client,
        room.tokens["lead"],
        "POST",
        f"{base}/posts/{room.post}/hide",
        {"op_id": "hide-op-00003", "reason": "spam"},
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "already_hidden"

    restored = call(
        client,
        room.tokens["lead"],
        "POST",
        f"{base}/posts/{room.post}/restore",
        {"op_id": "restore-op-02", "note": "it was a genuine offer"},
    )
    assert restored.json["post"]["hidden"] is None
    again_view = call(client, room.tokens["resident"], "GET", f"{base}/snapshot").json
    assert room.post in [p["id"] for p in again_view["posts"]]
    replay = call(client, room.tokens["resident"], "GET", f"{base}/events?since=0").json["events"]
    assert [e["type"] for e in replay][-2:] == ["post.hidden", "post.restored"]
    assert replay[-2]["data"] == {
        "post_id": room.post,
        "reason": "spam",
        "moderation": {"hidden": 1, "by_reason": {"spam": 1}},
    }
    assert replay[-1]["data"]["moderation"] == {"hidden": 0, "by_reason": {}}

    log = call(client, room.tokens["lead"], "GET", f"{base}/moderation").json["log"]
    assert [(e["action"], e["facilitator"]["name"]) for e in log] == [
        ("invite_facilitator", "Facilitator"),
        ("projector_link", "Facilitator"),
        ("invite_facilitator", "Facilitator"),
        ("revoke_facilitator", "Facilitator"),
        ("set_premoderation", "Facilitator"),
        ("set_premoderation", "Facilitator"),
        ("hide", "Sam (council)"),
        ("restore", "Facilitator"),
    ]
    assert log[6]["reason"] == "spam" and log[6]["note"] == "selling"
    download = call(client, room.tokens["co"], "GET", f"{base}/moderation?format=csv")
    assert download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["action"] for r in rows] == [e["action"] for e in log]
    assert rows[7]["note"] == "it was a genuine offer"


def test_the_first_facilitator_cannot_be_withdrawn_and_csv_is_safe(app: Flask, room: Room) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{room.code}"
    lead_id = call(client, room.tokens["lead"], "GET", f"{base}/snapshot").json["me"]["id"]
    before = fingerprint(app)
    refused = call(
        client,
        room.tokens["co"],
        "DELETE",
        f"{base}/facilitators/{lead_id}",
        {"op_id": "revoke-op-0009"},
    )
    assert refused.status_code == 403 and fingerprint(app) == before
    call(
        client,
        room.tokens["co"],
        "POST",
        f"{base}/posts/{room.post}/hide",
        {"op_id": "hide-op-00019", "reason": "spam", "note": '=HYPERLINK("x")'},
    )
    sheet = call(client, room.tokens["co"], "GET", f"{base}/moderation?format=csv")
    assert "'=HYPERLINK" in sheet.get_data(as_text=True)


def test_a_revoked_link_opens_nothing(app: Flask, room: Room) -> None:
    page = app.test_client().get(f"/b/{room.code}/enter/{room.tokens['revoked']}")
    assert page.status_code == 404
    answer = call(
        app.test_client(), room.tokens["revoked"], "GET", f"/api/v1/boards/{room.code}/snapshot"
    )
    assert answer.status_code == 403 and answer.json["error"]["code"] == "access_revoked"


def test_a_socket_opened_before_withdrawal_can_no_longer_write(app: Flask, room: Room) -> None:
    from tests.conftest import socket_client

    sio = socket_client(app, app.test_client())
    assert sio.emit("subscribe", {"board": room.code, "token": room.tokens["co"]}, callback=True)[
        "ok"
    ]
    revoked = call(
        app.test_client(),
        room.tokens["lead"],
        "DELETE",
        f"/api/v1/boards/{room.code}/facilitators/{room.co_id}",
        {"op_id": "revoke-op-0003"},
    )
    assert revoked.status_code == 200
    before = fingerprint(app)
    ack = sio.emit(
        "post.create",
        {"board": room.code, "op_id": "late-op-00001", "kind": "idea", "title": "Still here?"},
        callback=True,
    )
    assert ack["ok"] is False and ack["error"]["code"] == "access_revoked"
    assert fingerprint(app) == before
    sio.disconnect()
