"""Rate limits against the real server, tried as a flood and a code guesser would try them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from tests.e2e.conftest import LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server at its real join, creation and miss limits; writes refill slowly (1 a
    second) so a second-long flood is measured exactly; five live connections an address."""
    folder: Path = tmp_path_factory.mktemp("limits")
    running = Server(
        folder,
        "gevent",
        BOARD_WRITE_BURST="20",
        BOARD_WRITE_RATE="1",
        BOARD_JOIN_LIMIT="600 per minute",
        BOARD_CREATE_LIMIT="30 per minute; 200 per hour",
        BOARD_CODE_MISSES="20 per minute",
        BOARD_SOCKETS_PER_ADDRESS="5",
    ).start()
    yield running
    running.stop()


def test_a_write_flood_is_slowed_and_others_still_write(limited: Server) -> None:
    made = new_board(limited)
    code = made["board"]["code"]
    flooder = LiveClient(limited, code, join(limited, code, "Flood")["token"]).connect()
    other = LiveClient(limited, code, join(limited, code, "Neighbour")["token"]).connect()
    try:
        flooder.wait_subscribed()
        other.wait_subscribed()
        started = time.monotonic()
        acks = [
            flooder.call("post.create", op_id=op(), kind="idea", title=f"Spam {n}")
            for n in range(200)
        ]
        elapsed = time.monotonic() - started
        # Every write had an answer: none went unanswered.
        assert len(acks) == 200 and all(isinstance(a, dict) and "ok" in a for a in acks)
        accepted = [a for a in acks if a["ok"]]
        refused = [a for a in acks if not a["ok"]]
        assert len(accepted) <= 20 + elapsed + 1, (len(accepted), elapsed)
        assert len(refused) >= 150
        for ack in refused:
            assert ack["error"]["code"] == "slow_down"
            assert int(ack["error"]["fields"]["retry_after"]) >= 1
        # The same board, another participant: not held up by the flood.
        for n in range(5):
            mine = other.call("post.create", op_id=op(), kind="idea", title=f"Mine {n}")
            assert mine["ok"], mine
        # Over HTTP the same bucket: a 429 that says when to come back.
        refused_http = requests.post(
            f"{limited.url}/api/v1/boards/{code}/posts",
            json={"op_id": op(), "kind": "idea", "title": "Once more"},
            headers={"Authorization": f"Bearer {flooder.token}"},
            timeout=5,
        )
        assert refused_http.status_code == 429, refused_http.text
        error = refused_http.json()["error"]
        assert error["code"] == "slow_down"
        assert refused_http.headers["Retry-After"] == error["fields"]["retry_after"]
        # Nothing half-written: the board holds exactly the accepted posts.
        snapshot = requests.get(
            f"{limited.url}/api/v1/boards/{code}/snapshot",
            headers={"Authorization": f"Bearer {other.token}"},
            timeout=5,
        ).json()
        titles = [p["title"] for p in snapshot["posts"]]
        assert sum(t.startswith("Spam") for t in titles) == len(accepted)
    finally:
        flooder.close()
        other.close()


def test_a_hall_of_300_joins_from_one_address(limited: Server) -> None:
    code = new_board(limited)["board"]["code"]
    started = time.monotonic()
    for n in range(300):
        join(limited, code, f"Phone {n}")  # each asserts a 201
    assert time.monotonic() - started < 60


def test_code_guessing_is_throttled_but_hits_never_count(limited: Server) -> None:
    made = new_board(limited, "Known")
    code, token = made["board"]["code"], made["token"]
    for _ in range(40):  # a hall looking up the right code, many times over
        assert requests.get(f"{limited.url}/api/v1/boards/{code}", timeout=5).status_code == 200
    guesses = [uuid.uuid4().hex[:6].upper() for _ in range(20)]
    for guess in guesses:
        miss = requests.get(f"{limited.url}/api/v1/boards/{guess}", timeout=5)
        assert miss.status_code == 404, miss.text
    # Over the misses: every way of asking about a code the caller has not joined waits.
    for url in (
        f"{limited.url}/api/v1/boards/ZZZZZZ",
        f"{limited.url}/api/v1/boards/{code}",
        f"{limited.url}/join?code=ZZZZZZ",
    ):
        refused = requests.get(url, timeout=5, allow_redirects=False)
        assert refused.status_code == 429, (url, refused.status_code)
        assert int(refused.headers["Retry-After"]) >= 1
    assert (
        requests.get(f"{limited.url}/api/v1/boards/ZZZZZZ", timeout=5).json()["error"]["code"]
        == "slow_down"
    )
    guesser = socketio.Client(reconnection=False)
    guesser.connect(limited.url, transports=["websocket"], wait_timeout=10)
    try:
        ack = guesser.call("subscribe", {"board": "ZZZZZZ"}, timeout=10)
        assert not ack["ok"] and ack["error"]["code"] == "slow_down", ack
        # Someone who belongs to the board (a valid token) is never held up.
        mine = guesser.call("subscribe", {"board": code, "token": token}, timeout=10)
        assert mine["ok"], mine
        headers = {"Authorization": f"Bearer {token}"}
        assert (
            requests.get(
                f"{limited.url}/api/v1/boards/{code}", headers=headers, timeout=5
            ).status_code
            == 200
        )
    finally:
        guesser.disconnect()


def test_live_connections_per_address_are_capped(limited: Server) -> None:
    held = []
    try:
        for _ in range(5):
            sio = socketio.Client(reconnection=False)
            sio.connect(limited.url, transports=["websocket"], wait_timeout=10)
            held.append(sio)
        extra = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            extra.connect(limited.url, transports=["websocket"], wait_timeout=10)
        held.pop().disconnect()
        time.sleep(0.3)  # the server forgets the closed connection
        again = socketio.Client(reconnection=False)
        again.connect(limited.url, transports=["websocket"], wait_timeout=10)
        held.append(again)
    finally:
        for sio in held:
            sio.disconnect()


def test_board_creation_is_limited_per_address(limited: Server) -> None:
    statuses = [
        requests.post(f"{limited.url}/api/v1/boards", json={"title": f"B {n}"}, timeout=5)
        for n in range(31)
    ]
    # Earlier tests made a few boards this minute too: the 31st is over the limit at the latest.
    assert statuses[0].status_code == 201
    refused = statuses[-1]
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "slow_down"
    assert int(refused.headers["Retry-After"]) >= 1
