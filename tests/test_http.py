"""The JSON API and the pages, on their happy paths (bad input: test_bad_input.py)."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient

from board.web import sockets
from tests.conftest import socket_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def test_api_round_trip_with_bearer_tokens(app: Flask, client: FlaskClient) -> None:
    made = client.post(
        "/api/v1/boards",
        json={"title": "Westcliff 2030", "prompt": "Ideas?", "kind": "neighbourhood"},
    )
    assert made.status_code == 201
    code = made.json["board"]["code"]
    assert made.json["participant"]["role"] == "facilitator"
    assert made.json["enter_url"].endswith(f"/b/{code}/enter/{made.json['token']}")

    api = app.test_client()
    joined = api.post(f"/api/v1/boards/{code.lower()}/participants", json={"anonymous": True})
    assert joined.status_code == 201 and joined.json["participant"]["name"] is None
    auth = {"Authorization": f"Bearer {joined.json['token']}"}
    body = {"op_id": "op-create-0001", "kind": "tool", "title": "Ladder", "tag": "green spaces"}
    created = api.post(f"/api/v1/boards/{code}/posts", json=body, headers=auth)
    assert created.status_code == 201
    again = api.post(f"/api/v1/boards/{code}/posts", json=body, headers=auth)
    assert again.json == created.json
    post_id = created.json["post"]["id"]
    base = f"/api/v1/boards/{code}/posts/{post_id}"
    assert api.post(f"{base}/support", json={"op_id": "op-support-01"}, headers=auth).json == {
        "post_id": post_id,
        "supported": True,
        "count": 1,
        "seq": 2,
    }
    comment = api.post(
        f"{base}/comments", json={"op_id": "op-comment-1", "body": "Yes"}, headers=auth
    )
    assert comment.status_code == 201 and comment.json["comment"]["body"] == "Yes"
    edited = api.patch(base, json={"op_id": "op-edit-0001", "tag": None}, headers=auth)
    assert edited.json["post"]["tag"] is None and edited.json["post"]["title"] == "Ladder"

    snapshot = api.get(f"/api/v1/boards/{code}/snapshot", headers=auth).json
    assert snapshot["seq"] == 4
    assert snapshot["posts"][0]["comments"][0]["body"] == "Yes"
    replay = api.get(f"/api/v1/boards/{code}/events?since=0", headers=auth).json["events"]
    assert [(e["seq"], e["type"]) for e in replay] == [
        (1, "post.created"),
        (2, "support.changed"),
        (3, "comment.created"),
        (4, "post.updated"),
    ]
    deleted = api.delete(base, json={"op_id": "op-delete-01"}, headers=auth)
    assert deleted.json == {"post_id": post_id, "deleted": True, "seq": 5}
    assert api.get(f"/api/v1/boards/{code}/presence", headers=auth).json == {"count": 0}


def test_cookie_writes_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    code = client.post("/api/v1/boards", json={"title": "T"}).json["board"]["code"]
    page = client.get(f"/b/{code}")
    token = csrf_from(page.get_data(as_text=True))
    body = {"op_id": "cookie-op-0001", "kind": "idea", "title": "By cookie"}
    ok = client.post(f"/api/v1/boards/{code}/posts", json=body, headers={"X-CSRFToken": token})
    assert ok.status_code == 201, ok.json


def test_pages_create_join_post_without_javascript(app: Flask) -> None:
    facilitator = app.test_client()
    home = facilitator.get("/")
    assert home.status_code == 200
    created = facilitator.post(
        "/boards",
        data={
            "csrf_token": csrf_from(home.get_data(as_text=True)),
            "title": "Westcliff 2030",
            "prompt": "What would make our streets better?",
            "kind": "workshop",
            "tags": "food, arts",
            "facilitator_name": "Sam",
        },
    )
    assert created.status_code == 302
    code = created.headers["Location"].rsplit("/", 1)[-1]
    board_page = facilitator.get(f"/b/{code}").get_data(as_text=True)
    assert "Your facilitator link" in board_page
    link = re.search(rf'href="(http://board.test/b/{code}/enter/[^"]+)"', board_page).group(1)
    # The link is shown once; following it on another device signs in as the facilitator.
    assert "Your facilitator link" not in facilitator.get(f"/b/{code}").get_data(as_text=True)
    laptop = app.test_client()
    assert laptop.get(link.removeprefix("http://board.test")).status_code == 302
    assert 'data-role="facilitator"' in laptop.get(f"/b/{code}").get_data(as_text=True)

    phone = app.test_client()
    assert phone.get(f"/join?code={code.lower()}").headers["Location"].endswith(f"/b/{code}/join")
    assert phone.get(f"/b/{code}").headers["Location"].endswith(f"/b/{code}/join")
    join_page = phone.get(f"/b/{code}/join").get_data(as_text=True)
    joined = phone.post(
        f"/b/{code}/join",
        data={"csrf_token": csrf_from(join_page), "display_name": "Aisha"},
    )
    assert joined.status_code == 302
    page = phone.get(f"/b/{code}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "op_id": re.search(r'name="op_id" value="([^"]+)"', page).group(1),
        "kind": "idea",
        "title": "Repair café <in the shoe shop>",
        "body": "",
        "tag": "food",
    }
    assert phone.post(f"/b/{code}/posts", data=form).status_code == 302
    assert phone.post(f"/b/{code}/posts", data=form).status_code == 302  # double tap
    page = phone.get(f"/b/{code}").get_data(as_text=True)
    assert page.count("Repair café &lt;in the shoe shop&gt;</h3>") == 1
    assert "<in the shoe shop>" not in page.split('id="board-snapshot"')[0]

    refused = phone.post(f"/b/{code}/posts", data={**form, "op_id": "another-op-01", "title": ""})
    # Refused: the board again (422), the composer saying why by the title, words kept.
    assert refused.status_code == 422
    said = refused.get_data(as_text=True)
    assert '<p id="post-title-error" class="field-error">Write a title' in said
    assert 'aria-invalid="true" autofocus' in said
    assert "<option selected>food</option>" in said


def test_pages_refuse_forms_without_csrf(app: Flask, client: FlaskClient) -> None:
    response = client.post("/boards", data={"title": "No token"})
    assert response.status_code == 400


def test_unknown_board_pages_are_404(client: FlaskClient) -> None:
    assert client.get("/b/ZZZZZZ").status_code == 404
    assert client.get("/b/ZZZZZZ/join").status_code == 404
    assert client.get("/join?code=ZZZZZZ").status_code == 404


def test_socket_uses_the_page_cookie(app: Flask, client: FlaskClient) -> None:
    code = client.post("/api/v1/boards", json={"title": "T"}).json["board"]["code"]
    sio = socket_client(app, client)
    ack = sio.emit("subscribe", {"board": code}, callback=True)
    assert ack["ok"] and ack["data"]["mode"] == "snapshot"
    assert ack["data"]["snapshot"]["me"]["role"] == "facilitator"
    created = sio.emit(
        "post.create",
        {"board": code, "op_id": "socket-op-0001", "kind": "need", "title": "A lift"},
        callback=True,
    )
    assert created["ok"]
    received = [m for m in sio.get_received() if m["name"] == "event"]
    assert [m["args"][0]["type"] for m in received] == ["post.created"]
    assert received[0]["args"][0]["data"]["post"] == created["data"]["post"]
    sio.disconnect()


def test_json_body_is_read_whatever_the_content_type(app: Flask, client: FlaskClient) -> None:
    made = client.post(
        "/api/v1/boards", data='{"title": "Plain text JSON"}', content_type="text/plain"
    )
    assert made.status_code == 201, made.json
    assert made.json["board"]["title"] == "Plain text JSON"


def test_presence_follows_subscribe_unsubscribe_and_disconnect(app: Flask) -> None:
    http = app.test_client()
    code = http.post("/api/v1/boards", json={"title": "T"}).json["board"]["code"]
    watcher = socket_client(app, http)
    assert watcher.emit("subscribe", {"board": code}, callback=True)["ok"]
    joined = http.post(f"/api/v1/boards/{code}/participants", json={"display_name": "A"})
    token = joined.json["token"]
    phone = socket_client(app, app.test_client())
    time.sleep(sockets.PRESENCE_EVERY + 0.3)
    watcher.get_received()

    def counts() -> list[int]:
        """The presence updates sent once the changes so far have settled."""
        time.sleep(sockets.PRESENCE_EVERY + 0.3)
        return [m["args"][0]["count"] for m in watcher.get_received() if m["name"] == "presence"]

    def subscribe(**extra: int) -> None:
        ack = phone.emit("subscribe", {"board": code, "token": token, **extra}, callback=True)
        assert ack["ok"], ack

    subscribe()
    assert counts() == [2]
    subscribe(since=0)  # a resync from someone already here is not news
    assert counts() == []
    assert phone.emit("unsubscribe", {"board": code}, callback=True)["ok"]
    assert counts() == [1]
    subscribe()
    assert counts() == [2]
    tab = socket_client(app, app.test_client())  # the same person in a second tab
    assert tab.emit("subscribe", {"board": code, "token": token}, callback=True)["ok"]
    tab.disconnect()
    assert counts() == []
    phone.disconnect()
    assert counts() == [1]
    # A rush of people joining at once is one update, not one per person.
    rush = []
    for n in range(5):
        person = http.post(f"/api/v1/boards/{code}/participants", json={"display_name": f"P{n}"})
        rush.append(socket_client(app, app.test_client()))
        ack = rush[-1].emit(
            "subscribe", {"board": code, "token": person.json["token"]}, callback=True
        )
        assert ack["ok"], ack
    rushed = counts()
    assert rushed[-1] == 6 and len(rushed) <= 2, rushed  # not five updates
    for client in rush:
        client.disconnect()
    watcher.disconnect()
