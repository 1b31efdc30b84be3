"""Hostile input against the real server: each gets a clear refusal, and the server goes on."""

from __future__ import annotations

import json
import threading
from typing import Any

import requests

from tests.e2e.conftest import LiveClient, Server, new_board, op


def raw_call(client: LiveClient, event: str, payload: str, timeout: float = 10) -> Any:
    """Send an event whose payload is JSON text, as a browser would, and wait for its ack.

    The Python client cannot encode a payload nested 1,000 deep itself (its encoder
    recurses), so the packet is written here.
    """
    answered = threading.Event()
    acks: list[Any] = []

    def on_ack(*args: Any) -> None:
        acks.append(args[0] if args else None)
        answered.set()

    ack_id = client.sio._generate_ack_id("/", on_ack)
    client.sio.eio.send(f"2{ack_id}[{json.dumps(event)},{payload}]")
    assert answered.wait(timeout), f"no ack for {event} within {timeout}s"
    return acks[0]


def test_a_socket_payload_too_deep_to_decode_still_gets_its_ack(
    server: Server, clients: list[LiveClient]
) -> None:
    made = new_board(server)
    client = LiveClient(server, made["board"]["code"], made["token"]).connect()
    clients.append(client)
    client.wait_subscribed()
    deep = "[" * 1000 + "]" * 1000
    for event in ("post.create", "comment.create"):
        ack = raw_call(client, event, deep)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_input", ack
        assert "nested too deeply" in ack["error"]["message"]
    unknown = raw_call(client, "post.explode", deep)
    assert unknown["error"]["code"] == "unknown_event", unknown
    # The connection is still good for real work.
    fine = client.call("post.create", op_id=op(), kind="idea", title="Still here")
    assert fine["ok"], fine


def test_hostile_http_bodies_and_paths_are_4xx_json(server: Server) -> None:
    made = new_board(server)
    code, auth = made["board"]["code"], {"Authorization": f"Bearer {made['token']}"}
    posts = f"{server.url}/api/v1/boards/{code}/posts"
    send = {"headers": {**auth, "Content-Type": "application/json"}, "timeout": 10}
    deep = requests.post(posts, data="[" * 1000 + "]" * 1000, **send)
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "invalid_json"
    lone = requests.post(
        posts, data=b'{"op_id": "lone-surrogate-1", "kind": "idea", "title": "\\ud800"}', **send
    )
    assert lone.status_code == 422 and "lone surrogate" in lone.json()["error"]["message"]
    huge = requests.delete(f"{posts}/{2**63}", json={"op_id": op()}, headers=auth, timeout=10)
    assert huge.status_code == 404 and huge.json()["error"]["code"] == "not_found"
    assert requests.get(f"{server.url}/api/v1/boards/{code}", timeout=10).status_code == 200
