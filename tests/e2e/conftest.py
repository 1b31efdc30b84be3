"""The real server as a subprocess on a free port, and real Socket.IO clients for it."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from bench.server import Wsgi, free_port
from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parents[2]
ASYNC_MODES = ["gevent", "eventlet"]


def system_program(name: str, package: str) -> str:
    """A Debian program a test needs (./dev test installs it): a skip, in CI a failure."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        message = f"{name} is missing: ./dev test installs Debian's {package}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, keeping nothing on disk."""
    binary = system_program("redis-server", "redis-server")
    port = free_port()
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen(
        [binary, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis for one test (the message queue of several processes)."""
    with redis_server(tmp_path) as url:
        yield url


#: The tests' settings: heads often, and limits that run but never bite, unless a test sets
#: them (tests/e2e/test_limits.py).
TEST_SETTINGS = {
    "BOARD_HEAD_INTERVAL": "2",
    "BOARD_WRITE_BURST": "100000",
    "BOARD_JOIN_LIMIT": "100000 per minute",
    "BOARD_CREATE_LIMIT": "100000 per minute",
    "BOARD_CODE_MISSES": "100000 per minute",
}


class Server(Wsgi):
    """``python wsgi.py`` in its own folder, on its own port and database, with the tests'
    settings and ``env``'s (bench/server.py starts and stops it)."""

    def __init__(self, folder: Path, mode: str, port: int | None = None, **env: str) -> None:
        super().__init__(folder, mode, port, **{**TEST_SETTINGS, **env})
        # Servers may share a folder (and its database) or follow one another in it.
        self.log_path = folder / f"server-{mode}-{self.port}-{uuid.uuid4().hex[:6]}.log"

    def flask(self, *args: str) -> str:
        """Run ``flask --app wsgi ARGS`` in the server's environment (its database and
        settings), as an operator would; its standard output (a failure fails the test)."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def officer_token(self, name: str = "Jo Patel") -> str:
        """A council officer's API token, made by the server's own command."""
        printed = self.flask("board", "officer-token", name).split()
        tokens = [word for word in printed if word.startswith("officer-")]
        assert tokens, printed
        return tokens[-1]


@pytest.fixture(scope="module", params=ASYNC_MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One real server per async mode, shared by a module's tests."""
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    running = Server(folder, request.param).start()
    yield running
    running.stop()


def new_board(server: Server, title: str = "Westcliff 2030") -> dict[str, Any]:
    made = requests.post(f"{server.url}/api/v1/boards", json={"title": title}, timeout=5)
    assert made.status_code == 201, made.text
    return made.json()


def join(server: Server, code: str, name: str) -> dict[str, Any]:
    joined = requests.post(
        f"{server.url}/api/v1/boards/{code}/participants", json={"display_name": name}, timeout=5
    )
    assert joined.status_code == 201, joined.text
    return joined.json()


class LiveClient:
    """A Socket.IO client that keeps a board's state the way the browser does.

    On every connect it subscribes with the last seq it applied. It applies events strictly
    in seq order: older ones are duplicates and ignored, early ones wait in ``pending``, and
    a gap asks the server for the missing range (another ``subscribe`` with ``since``).
    """

    def __init__(self, server: Server, code: str, token: str, view: str | None = None) -> None:
        self.server = server
        self.code = code
        self.token = token
        self.view = view
        self.last_seq: int | None = None
        self.applied: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.replays: list[dict[str, Any]] = []
        self.pending: dict[int, dict[str, Any]] = {}
        self.resyncing = False
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("connect", self._on_connect)
        self.sio.on("event", self._on_event)
        self.sio.on("events", self._on_events)
        self.sio.on("head", self._on_head)
        self.sio.on("presence", self._on_presence)
        self.heads: list[int] = []
        self.batches: list[list[int]] = []
        self.presence: list[int] = []

    def connect(self) -> LiveClient:
        self.sio.connect(self.server.url, transports=["websocket"], wait_timeout=10)
        return self

    def _on_connect(self) -> None:
        # Subscribing from a background task: a handler must not block on its own ack.
        self.sio.start_background_task(self.subscribe)

    def subscribe(self) -> dict[str, Any]:
        request = {"board": self.code, "token": self.token, "since": self.last_seq}
        if self.view:
            request["view"] = self.view
        ack = self.sio.call("subscribe", request, timeout=10)
        assert ack["ok"], ack
        data = ack["data"]
        with self.changed:
            self.replays.append(data)
            if data["mode"] == "snapshot":
                self.last_seq = data["snapshot"]["seq"]
                self.took_snapshot(data["snapshot"])
            else:
                for envelope in data["events"]:
                    self.pending.setdefault(envelope["seq"], envelope)
            self.resyncing = False
            self._drain()
            self.changed.notify_all()
        return data

    def _on_event(self, envelope: dict[str, Any]) -> None:
        with self.changed:
            self.received.append(envelope)
            if self.last_seq is None or envelope["seq"] > self.last_seq:
                self.pending.setdefault(envelope["seq"], envelope)
            self._drain()
            self.changed.notify_all()

    def _on_events(self, batch: dict[str, Any]) -> None:
        """Several envelopes in one message (board.events.Outbox): each as if alone."""
        self.batches.append([envelope["seq"] for envelope in batch["events"]])
        for envelope in batch["events"]:
            self._on_event(envelope)

    def _on_head(self, message: dict[str, Any]) -> None:
        with self.changed:
            self.heads.append(message["seq"])
            if self.last_seq is not None and message["seq"] > self.last_seq and not self.resyncing:
                # The last event before a quiet spell was lost: catch up now.
                self.resyncing = True
                self.sio.start_background_task(self.subscribe)
            self.changed.notify_all()

    def _on_presence(self, message: dict[str, Any]) -> None:
        with self.changed:
            self.presence.append(message["count"])
            self.changed.notify_all()

    def _drain(self) -> None:
        """Apply what is next in line; on a gap, ask for the missing events once."""
        if self.last_seq is None:
            return
        for seq in [s for s in self.pending if s <= self.last_seq]:
            del self.pending[seq]
        while self.last_seq + 1 in self.pending:
            envelope = self.pending.pop(self.last_seq + 1)
            self.applied.append(envelope)
            self.last_seq = envelope["seq"]
            self.took_event(envelope)
        if self.pending and not self.resyncing:
            self.resyncing = True
            self.sio.start_background_task(self.subscribe)

    def took_snapshot(self, snapshot: dict[str, Any]) -> None:
        """A subscribe answered with a snapshot at ``snapshot["seq"]`` (under the lock)."""

    def took_event(self, envelope: dict[str, Any]) -> None:
        """The next envelope in seq order was applied (under the lock)."""

    def call(self, event: str, **payload: Any) -> dict[str, Any]:
        return self.sio.call(event, {"board": self.code, **payload}, timeout=10)

    def wait_for(self, predicate: Any, timeout: float = 5) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(
                    f"timed out; last_seq={self.last_seq} received={self.received} "
                    f"replays={self.replays}"
                )

    def wait_subscribed(self, times: int = 1) -> None:
        self.wait_for(lambda c: len(c.replays) >= times)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def clients() -> Iterator[list[LiveClient]]:
    """Clients made by a test, closed after it."""
    made: list[LiveClient] = []
    yield made
    for client in made:
        client.close()


def op() -> str:
    return uuid.uuid4().hex
