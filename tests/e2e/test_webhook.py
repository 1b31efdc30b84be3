"""The council webhook against the real server: signed, retried, once per key, and pending
deliveries survive a restart."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import ASYNC_MODES, Server, free_port, join, new_board, op

pytestmark = pytest.mark.e2e
SECRET = "council-shared-secret"


class Receiver:
    """A council endpoint on loopback that refuses the first ``failures`` requests."""

    def __init__(self, port: int, failures: int = 0) -> None:
        self.port = port
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        self.accepted: dict[str, int] = {}  # idempotency key -> times accepted
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.requests.append({"headers": headers, "body": body})
                    fail = receiver.failures > 0
                    if fail:
                        receiver.failures -= 1
                    else:
                        key = headers["idempotency-key"]
                        receiver.accepted[key] = receiver.accepted.get(key, 0) + 1
                self.send_response(500 if fail else 204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_accepted(self, keys: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.accepted) >= keys:
                    return
            time.sleep(0.05)
        raise AssertionError(f"only {self.accepted} accepted; requests: {len(self.requests)}")


def verify(request: dict[str, Any]) -> dict[str, Any]:
    """What a council's receiver does: check the signature, then read the body."""
    headers, body = request["headers"], request["body"]
    signed = headers["x-commonground-timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-commonground-signature"], expected)
    assert abs(time.time() - int(headers["x-commonground-timestamp"])) < 300
    return json.loads(body)


def submitted_proposal(server: Server) -> tuple[str, str, int]:
    """A board where Aisha's group submits a complete proposal; (code, lead token, id)."""
    made = new_board(server)
    code, lead = made["board"]["code"], made["token"]
    base = f"{server.url}/api/v1/boards/{code}"
    aisha = {"Authorization": f"Bearer {join(server, code, 'Aisha')['token']}"}
    idea = requests.post(
        f"{base}/posts",
        json={"op_id": op(), "kind": "idea", "title": "Repair café"},
        headers=aisha,
        timeout=5,
    ).json()["post"]["id"]
    assert requests.post(
        f"{base}/posts/{idea}/group", json={"op_id": op()}, headers=aisha, timeout=5
    ).ok
    proposal = requests.post(
        f"{base}/posts/{idea}/proposal", json={"op_id": op()}, headers=aisha, timeout=5
    ).json()["proposal"]["id"]
    shaped = requests.patch(
        f"{base}/proposals/{proposal}",
        json={
            "op_id": op(),
            "short_summary": "A monthly repair café",
            "asks": ["officer_time"],
            "route": "ward_panel",
            "what_we_want": "Fix things together once a month",
            "options": "Do nothing, or run it monthly",
        },
        headers=aisha,
        timeout=5,
    )
    assert shaped.ok, shaped.text
    contact = requests.post(
        f"{base}/proposals/{proposal}/contact",
        json={"op_id": op(), "name": "Aisha", "email": "aisha@example.org", "consent": True},
        headers=aisha,
        timeout=5,
    )
    assert contact.ok, contact.text
    sent = requests.post(
        f"{base}/proposals/{proposal}/submit", json={"op_id": op()}, headers=aisha, timeout=5
    )
    assert sent.ok, sent.text
    return code, lead, proposal


def webhook_env(port: int) -> dict[str, str]:
    return {
        "BOARD_WEBHOOK_URL": f"http://127.0.0.1:{port}/hooks/common-ground",
        "BOARD_WEBHOOK_SECRET": SECRET,
        "BOARD_WEBHOOK_BACKOFF": "0.2",
    }


@pytest.fixture(params=ASYNC_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_a_failing_receiver_gets_each_delivery_once_signed(mode: str, folder: Path) -> None:
    port = free_port()
    server = Server(folder, mode, **webhook_env(port))
    with Receiver(port, failures=2) as receiver:
        server.start()
        try:
            code, lead, _proposal = submitted_proposal(server)
            receiver.wait_accepted(1)
            log = requests.get(
                f"{server.url}/api/v1/boards/{code}/webhooks",
                headers={"Authorization": f"Bearer {lead}"},
                timeout=5,
            ).json()
            time.sleep(1.5)  # give a wrong resend the chance to happen
        finally:
            server.stop()
    assert len(receiver.requests) == 3  # two refusals, then delivered, then nothing more
    assert list(receiver.accepted.values()) == [1]
    keys = {r["headers"]["idempotency-key"] for r in receiver.requests}
    assert len(keys) == 1  # the retries carry the same key
    body = verify(receiver.requests[-1])
    assert body["event"] == "proposal.submitted"
    assert body["proposal"]["lifecycle"]["state"] == "submitted"
    assert receiver.requests[-1]["headers"]["x-commonground-event"] == "proposal.submitted"
    [entry] = log["deliveries"]
    assert entry["delivered"] and entry["attempts"] == 3 and entry["last_status"] == 204


def test_deliveries_pending_at_a_restart_are_sent_after_it(mode: str, folder: Path) -> None:
    port = free_port()  # nothing listens here yet: every attempt fails
    first = Server(folder, mode, **webhook_env(port)).start()
    try:
        code, lead, _proposal = submitted_proposal(first)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            log = requests.get(
                f"{first.url}/api/v1/boards/{code}/webhooks",
                headers={"Authorization": f"Bearer {lead}"},
                timeout=5,
            ).json()
            if log["deliveries"] and log["deliveries"][0]["attempts"] >= 1:
                break
            time.sleep(0.1)
        assert not log["deliveries"][0]["delivered"] and log["deliveries"][0]["last_error"]
    finally:
        first.stop()
    with Receiver(port) as receiver:
        second = Server(folder, mode, **webhook_env(port)).start()
        try:
            receiver.wait_accepted(1)
        finally:
            second.stop()
    body = verify(receiver.requests[0])
    assert body["proposal"]["lifecycle"]["state"] == "submitted"
    assert list(receiver.accepted.values()) == [1]
