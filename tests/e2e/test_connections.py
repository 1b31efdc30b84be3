"""Presence, the head heartbeat and the listener's capacity, against the real server."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e


def test_presence_counts_people_not_tabs(server: Server, clients: list[LiveClient]) -> None:
    code = new_board(server)["board"]["code"]
    aisha_token = join(server, code, "Aisha")["token"]
    watcher = LiveClient(server, code, join(server, code, "Watcher")["token"]).connect()
    clients.append(watcher)
    watcher.wait_subscribed()
    watcher.wait_for(lambda c: c.presence[-1:] == [1])
    phone = LiveClient(server, code, aisha_token).connect()
    tablet = LiveClient(server, code, aisha_token).connect()  # same person, second device
    clients += [phone, tablet]
    phone.wait_subscribed()
    tablet.wait_subscribed()
    watcher.wait_for(lambda c: c.presence[-1:] == [2])
    auth = {"Authorization": f"Bearer {aisha_token}"}
    presence_url = f"{server.url}/api/v1/boards/{code}/presence"
    assert requests.get(presence_url, headers=auth, timeout=5).json() == {"count": 2}
    phone.close()
    tablet.close()
    watcher.wait_for(lambda c: c.presence[-1:] == [1])


def test_websocket_compression_is_not_negotiated(server: Server) -> None:
    """permessage-deflate (eventlet would agree to it) costs a compression per recipient."""
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            assert chunk, answer
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101"), head
    assert "sec-websocket-extensions" not in head


def test_presence_says_how_many_joined_without_a_board_event(
    server: Server, clients: list[LiveClient]
) -> None:
    """Joining moves no seq; the head count of the board comes with ``presence``."""
    code = new_board(server)["board"]["code"]
    watcher = LiveClient(server, code, join(server, code, "Watcher")["token"]).connect()
    clients.append(watcher)
    watcher.wait_subscribed()
    seen: list[dict[str, int]] = []
    watcher.sio.on("presence", seen.append)
    newcomer = LiveClient(server, code, join(server, code, "Newcomer")["token"]).connect()
    clients.append(newcomer)
    newcomer.wait_subscribed()
    deadline = time.monotonic() + 10
    while not any(m.get("participants") == 3 for m in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {"board": code, "count": 2, "participants": 3} in seen  # facilitator + two
    assert watcher.last_seq == 0 and watcher.received == []


def test_head_heartbeat_lets_a_client_notice_a_lost_last_event(
    server: Server, clients: list[LiveClient]
) -> None:
    code = new_board(server)["board"]["code"]
    phone = LiveClient(server, code, join(server, code, "Phone")["token"]).connect()
    clients.append(phone)
    phone.wait_subscribed()
    # Simulate losing the next broadcast: the phone stops listening to events for a moment.
    phone.sio.handlers["/"].pop("event")
    token = join(server, code, "Writer")["token"]
    made = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts",
        json={"op_id": op(), "kind": "idea", "title": "Sent while deaf"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert made.status_code == 201
    head = requests.get(f"{server.url}/api/v1/boards/{code}", timeout=5).json()["board"]["seq"]
    # Within one heartbeat (2 s here) the phone learns the head and catches up by replay.
    phone.wait_for(lambda c: c.last_seq == head, timeout=8)
    assert phone.applied[-1]["data"]["post"]["title"] == "Sent while deaf"
    assert phone.heads and max(phone.heads) >= head


def test_more_than_1024_connections_are_served(server: Server) -> None:
    """eventlet's default would stop at 1024 connections; a big hall needs more."""
    idle: list[socket.socket] = []
    try:
        for _ in range(1100):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        time.sleep(0.5)  # let the server accept them all
        started = time.monotonic()
        response = requests.get(f"{server.url}/api/v1/boards/ABCDEF", timeout=10)
        assert response.status_code == 404
        assert time.monotonic() - started < 5
    finally:
        for conn in idle:
            conn.close()


def test_live_connections_only_from_our_own_pages(server: Server) -> None:
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    own = requests.get(handshake, headers={"Origin": server.url}, timeout=5)
    assert own.status_code == 200 and own.text.startswith("0{")
    foreign = requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=5)
    assert foreign.status_code == 400
    # Scripts and apps send no Origin: they hold a token, not a cookie a site could ride on.
    assert requests.get(handshake, timeout=5).status_code == 200


def test_connections_that_send_nothing_are_closed_not_held(tmp_path: Path) -> None:
    """300 half-open connections from one address were held for ever: now each has a few
    seconds to send its request (gevent), while a live WebSocket stays open."""
    running = Server(tmp_path, "gevent", BOARD_HEADER_TIMEOUT="1").start()
    try:
        address = ("127.0.0.1", running.port)
        silent = [socket.create_connection(address, timeout=5) for _ in range(300)]
        code = new_board(running)["board"]["code"]
        token = join(running, code, "Aisha")["token"]
        live = LiveClient(running, code, token).connect()
        time.sleep(2.5)
        closed = 0
        for conn in silent:
            conn.settimeout(0.05)  # closed already, or it never will be
            try:
                # A closed connection reads as end of file (or the 400 sent on the timeout).
                data = conn.recv(1024)
                closed += data == b"" or data.startswith(b"HTTP/1.1 400")
            except (TimeoutError, ConnectionResetError):
                pass
            finally:
                conn.close()
        assert closed == 300
        assert live.sio.connected  # the head deadline never touches a live connection
        live.close()
    finally:
        running.stop()
