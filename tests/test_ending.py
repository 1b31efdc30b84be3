"""Ending a workshop well, and the view-only projector link.

Closing stops the timer and ends the spotlight (one ``session.changed`` for every screen);
a group's proposal work goes on after closing while the board's posts stay read-only; the
projector link shows the board as nobody and is refused every action, over HTTP and the
socket, exactly as a participant without the right is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from board import events
from board.access_log import redacted_path
from board.errors import BoardError
from board.extensions import db
from board.services import Actor, boards, posts, projector, workshop
from board.web.actions import BINDINGS
from board.web.presence import Presence
from tests.conftest import actor_of, join, new_board, op, socket_client
from tests.test_bad_input import fingerprint
from tests.test_proposals import Demo, bearer, ok, promote_repair_cafe
from tests.test_proposals import demo as demo

PATH_ID = re.compile(r"<(?:int:)?(\w+)>")


@pytest.fixture
def any_ctx(any_db_app: Flask) -> Iterator[Flask]:
    """An app context on SQLite, then on PostgreSQL."""
    with any_db_app.app_context():
        yield any_db_app


# -- closing --------------------------------------------------------------------------------


def test_closing_stops_the_timer_and_ends_the_spotlight_for_everyone(
    any_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(events, "publish", lambda message, rooms=None: sent.append(message))
    lead = actor_of(new_board())
    code = boards.snapshot(lead)["board"]["code"]
    aisha = actor_of(join(code, "Aisha"))
    post = posts.create_post(aisha, op(), "idea", "Repair café")["post"]
    workshop.set_timer(lead, op(), 300)
    workshop.spotlight(lead, op(), post["id"])
    sent.clear()

    answer = workshop.update_session(lead, op(), phase="closed")

    assert answer["changed"] == ["phase", "timer", "spotlight_post_id"]
    assert answer["session"]["timer"] is None and answer["session"]["spotlight_post_id"] is None
    # One event, after the commit, that every screen already applies.
    assert [m["type"] for m in sent] == ["session.changed"]
    assert sent[0]["data"]["changed"] == ["phase", "timer", "spotlight_post_id"]
    assert sent[0]["data"]["session"]["timer"] is None
    for viewer in (aisha, lead, Actor.projector(lead.board_id)):
        session = boards.snapshot(viewer)["session"]
        assert (session["phase"], session["timer"], session["spotlight_post_id"]) == (
            "closed",
            None,
            None,
        )
    # Nothing left to stop: closing again, or after a plain phase change, changes no more.
    workshop.update_session(lead, op(), phase="discuss")
    again = workshop.update_session(lead, op(), phase="closed")
    assert again["changed"] == ["phase"]


def test_after_closing_the_group_promotes_and_submits_but_posts_stay_read_only(
    app: Flask, demo: Demo
) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    closed = {"op_id": "close-0001", "phase": "closed"}
    ok(client.patch(f"{base}/session", json=closed, headers=bearer(demo.lead)))

    made = promote_repair_cafe(client, demo)  # promote, name, shape, name a contact
    submitted = ok(
        client.post(
            f"{base}/proposals/{made['id']}/submit",
            json={"op_id": "submit-0001"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    assert submitted["proposal"]["state"] == "submitted"

    # The board itself: read-only for residents.
    post = client.post(
        f"{base}/posts",
        json={"op_id": "late-post-01", "kind": "idea", "title": "One more"},
        headers=bearer(demo.tokens["Dev"]),
    )
    assert post.status_code == 423 and post.json["error"]["code"] == "board_closed"
    support = client.post(
        f"{base}/posts/{made['idea_id']}/support",
        json={"op_id": "late-support"},
        headers=bearer(demo.tokens["Dev"]),
    )
    assert support.status_code == 423 and support.json["error"]["code"] == "board_closed"
    # Closing is not a pass for everyone: a resident outside the group still may not steer.
    steer = client.post(
        f"{base}/proposals/{made['id']}/withdraw",
        json={"op_id": "withdraw-dev"},
        headers=bearer(demo.tokens["Dev"]),
    )
    assert steer.status_code == 403 and steer.json["error"]["code"] == "forbidden"


def test_a_locked_board_still_pauses_proposal_work(app: Flask, demo: Demo) -> None:
    """Only the end of the session lets proposals go on: a pause is a pause."""
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    ok(
        client.patch(
            f"{base}/session",
            json={"op_id": "lock-0001", "locked": True},
            headers=bearer(demo.lead),
        )
    )
    snapshot = ok(client.get(f"{base}/snapshot", headers=bearer(demo.lead)))
    cafe = next(p["id"] for p in snapshot["posts"] if p["title"].startswith("Repair café"))
    refused = client.post(
        f"{base}/posts/{cafe}/proposal",
        json={"op_id": "promote-locked"},
        headers=bearer(demo.tokens["Aisha"]),
    )
    assert refused.status_code == 423 and refused.json["error"]["code"] == "board_locked"


# -- the projector link: the service ---------------------------------------------------------


def test_the_projector_link_is_nobody_and_may_do_nothing(any_ctx: Flask) -> None:
    lead_entry = new_board()
    lead = actor_of(lead_entry)
    code = lead_entry.board_code
    aisha = actor_of(join(code, "Aisha"))
    post = posts.create_post(aisha, op(), "idea", "Repair café")["post"]
    with pytest.raises(BoardError) as caught:
        projector.make_projector_link(aisha)
    assert caught.value.code == "forbidden"

    made = projector.make_projector_link(lead)
    screen = boards.identify(db.session, code, made.token)
    assert screen == Actor.projector(lead.board_id)
    assert screen.view_only and screen.public_view

    shown = boards.snapshot(screen)
    assert [p["title"] for p in shown["posts"]] == ["Repair café"]
    assert shown["participants"] == 2  # the facilitator and Aisha: the projector is nobody
    assert "staff" not in shown
    assert boards.events_since(screen, 0) is not None

    for refused_call in (
        lambda: posts.create_post(screen, op(), "idea", "From the projector"),
        lambda: posts.toggle_support(screen, op(), post["id"]),
        lambda: workshop.update_session(screen, op(), phase="closed"),
        lambda: workshop.set_timer(screen, op(), 60),
        lambda: projector.make_projector_link(screen),
    ):
        with pytest.raises(BoardError) as caught:
            refused_call()
        assert (caught.value.code, caught.value.status) == ("forbidden", 403)

    # A new link stops the old one; stopping ends the new one.
    newer = projector.make_projector_link(lead)
    with pytest.raises(BoardError) as caught:
        boards.identify(db.session, code, made.token)
    assert caught.value.code == "not_joined"
    projector.stop_projector_link(lead, op())
    with pytest.raises(BoardError):
        boards.identify(db.session, code, newer.token)
    with pytest.raises(BoardError) as caught:
        projector.stop_projector_link(lead, op())
    assert caught.value.code == "no_projector_link"


# -- the projector link over HTTP and the socket ------------------------------------------


def _projector_token(client: FlaskClient, code: str, lead: str) -> str:
    made = ok(client.post(f"/api/v1/boards/{code}/projector-link", headers=bearer(lead)), 201)
    assert made["projector_url"].endswith(f"/b/{code}/projector/{made['token']}")
    return str(made["token"])


def _sample(path: str, ids: dict[str, Any]) -> str:
    return PATH_ID.sub(lambda m: str(ids.get(m.group(1), 1)), path)


def test_every_write_route_refuses_the_projector_as_a_participant_without_the_right(
    app: Flask, demo: Demo
) -> None:
    """Walk the action table: every write over the API answers 403 forbidden and changes
    nothing; every read answers without a server error."""
    client = app.test_client()
    token = _projector_token(client, demo.code, demo.lead)
    made = promote_repair_cafe(client, demo)
    snapshot = ok(client.get(f"/api/v1/boards/{demo.code}/snapshot", headers=bearer(demo.lead)))
    ids = {
        "code": demo.code,
        "post_id": made["idea_id"],
        "proposal_id": made["id"],
        "group_id": snapshot["groups"][0]["id"],
        "participant_id": snapshot["me"]["id"],
        "link_id": 1,
    }
    before = fingerprint(app)
    writes = 0
    for binding in BINDINGS:
        http = binding.http
        if http is None or binding.action.who in ("anyone", "officer", "admin"):
            continue
        path = "/api/v1" + _sample(http.path, ids)
        if not binding.action.writes:
            answer = client.get(path, headers=bearer(token))
            assert answer.status_code < 500, (binding.name, answer.get_data(as_text=True))
            continue
        body = {"op_id": f"projector-{writes:04d}"}
        answer = client.open(path, method=http.method, json=body, headers=bearer(token))
        assert answer.status_code == 403, (binding.name, answer.get_data(as_text=True))
        assert answer.json["error"]["code"] == "forbidden", binding.name
        writes += 1
    assert writes > 30  # the walk reached every kind of write
    assert fingerprint(app) == before, "the projector changed something"
    # What it is for, it may: the board, its events, its results, who is here.
    for path in ("snapshot", "events?since=0", "results", "presence", "posts"):
        ok(client.get(f"/api/v1/boards/{demo.code}/{path}", headers=bearer(token)))


def test_every_socket_event_refuses_the_projector_and_presence_does_not_count_it(
    app: Flask,
) -> None:
    client = app.test_client()
    made = client.post("/api/v1/boards", json={"title": "Westcliff"}).json
    code = made["board"]["code"]
    token = _projector_token(client, code, made["token"])
    resident = client.post(f"/api/v1/boards/{code}/participants", json={"display_name": "Aisha"})
    post = ok(
        client.post(
            f"/api/v1/boards/{code}/posts",
            json={"op_id": "post-op-0001", "kind": "idea", "title": "Repair café"},
            headers=bearer(resident.json["token"]),
        ),
        201,
    )["post"]

    lead_socket = socket_client(app)
    here = lead_socket.emit("subscribe", {"board": code, "token": made["token"]}, callback=True)
    assert here["ok"] and here["data"]["presence"] == 1
    screen = socket_client(app)
    ack = screen.emit("subscribe", {"board": code, "token": token, "view": "public"}, callback=True)
    assert ack["ok"], ack
    assert ack["data"]["presence"] == 1  # the projector is not "here"
    assert ack["data"]["snapshot"]["participants"] == 2  # nor among those who joined
    with app.app_context():
        assert boards.joined(code) == 2

    before = fingerprint(app)
    refused = 0
    for binding in BINDINGS:
        if binding.socket is None or binding.socket in ("subscribe", "unsubscribe"):
            continue
        payload: dict[str, Any] = {"board": code}
        if binding.action.writes:
            payload |= {"op_id": f"screen-op-{refused:04d}", "post_id": post["id"]}
        answer = screen.emit(binding.socket, payload, callback=True)
        if binding.action.writes:
            assert not answer["ok"], binding.socket
            assert answer["error"]["code"] == "forbidden", (binding.socket, answer)
            refused += 1
        else:  # reading the board's posts is what the projector does
            assert answer["ok"], (binding.socket, answer)
    assert refused > 20
    assert fingerprint(app) == before
    # Still connected and still not counted; leaving changes no count either.
    assert screen.emit("unsubscribe", {"board": code}, callback=True)["ok"]
    again = lead_socket.emit("subscribe", {"board": code, "token": made["token"]}, callback=True)
    assert again["data"]["presence"] == 1


def test_the_projector_page_opens_by_its_link_only(app: Flask) -> None:
    client = app.test_client()
    made = client.post("/api/v1/boards", json={"title": "Westcliff"}).json
    code = made["board"]["code"]
    token = _projector_token(client, code, made["token"])
    resident = client.post(f"/api/v1/boards/{code}/participants", json={"display_name": "Aisha"})

    fresh = app.test_client()
    page = fresh.get(f"/b/{code}/projector/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert f'data-token="{token}"' in html
    found = re.search(r'id="board-snapshot">(.*?)</script>', html, re.S)
    assert found and json.loads(found.group(1))["participants"] == 2
    # It signs nobody in: the board itself still asks this browser to join.
    assert fresh.get(f"/b/{code}").status_code == 302
    assert fresh.get(f"/b/{code}/projector").status_code == 302
    # Pasted into /enter/, it goes to the projector and signs in nobody.
    entered = fresh.get(f"/b/{code}/enter/{token}")
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith(f"/b/{code}/projector/{token}")
    # A person's own token, a wrong one, or another board's code open no projector here.
    for path in (
        f"/b/{code}/projector/{resident.json['token']}",
        f"/b/{code}/projector/{made['token']}",
        f"/b/{code}/projector/not-the-token",
    ):
        assert fresh.get(path).status_code == 404, path
    # The link is a credential: the access log never writes it.
    assert redacted_path(f"/b/{code}/projector/{token}") == f"/b/{code}/projector/[redacted]"


def test_the_console_shows_a_new_projector_link_once_with_its_qr_code(app: Flask) -> None:
    api = app.test_client()
    made = api.post("/api/v1/boards", json={"title": "Westcliff"}).json
    code = made["board"]["code"]
    browser = app.test_client()
    browser.get(f"/b/{code}/enter/{made['token']}")
    console = browser.get(f"/b/{code}/facilitate").get_data(as_text=True)
    assert "Make a projector link" in console and "new-projector-link" not in console
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', console)
    assert csrf
    answer = browser.post(f"/b/{code}/projector-link", data={"csrf_token": csrf.group(1)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#projector")
    shown = browser.get(f"/b/{code}/facilitate").get_data(as_text=True)
    link = re.search(
        r'id="new-projector-link" class="new-link-url" readonly value="([^"]+)"', shown
    )
    assert link and f"/b/{code}/projector/" in link.group(1)
    assert '<svg role="img" aria-label="QR code of the projector link"' in shown
    assert app.test_client().get(link.group(1).split("board.test", 1)[1]).status_code == 200
    # Shown once: the next visit says a link is in use, and offers to stop it.
    later = browser.get(f"/b/{code}/facilitate").get_data(as_text=True)
    assert "new-projector-link" not in later and "A projector link is in use." in later
    assert "Stop the projector link" in later


def test_a_watching_socket_keeps_the_heartbeat_but_is_never_counted() -> None:
    """The projector link alone on a board still gets its `head` every few seconds."""
    seen = Presence()
    assert seen.watch("ABCDEF", "screen") == 0
    assert seen.boards() == ["ABCDEF"] and seen.count("ABCDEF") == 0
    assert seen.add("ABCDEF", "phone", 7) == 1
    assert seen.watch("ABCDEF", "screen-2") == 1
    assert seen.remove("screen") == {}  # nobody left
    assert seen.leave("ABCDEF", "screen-2") is None
    assert seen.remove("phone") == {"ABCDEF": 0}
    assert seen.boards() == []
