"""Start-up checks on the real server process: owner-only files, one process per SQLite
file, a database it can write, and an access log that names no token."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.e2e.conftest import Server, join, new_board, op

pytestmark = pytest.mark.e2e


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def exited(server: Server, timeout: float = 30) -> int:
    """The exit status of a server that should refuse to start (stopped if it did start)."""
    assert server.process is not None
    try:
        return server.process.wait(timeout)
    except subprocess.TimeoutExpired:
        server.stop()
        raise AssertionError(f"the server kept running:\n{server.output()}") from None


def test_instance_files_are_owner_only_and_loose_ones_are_fixed(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    os.chmod(instance, 0o755)
    (instance / "secret_key").write_text("a-key-someone-copied-in")
    os.chmod(instance / "secret_key", 0o644)
    server = Server(tmp_path, "gevent", BOARD_DEMO="1").start()
    try:
        # The demo board and its facilitator link are written once the server answers.
        marker = instance / "demo-board.json"
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        new_board(server)
        files = {p.name: mode(p) for p in instance.iterdir()}
    finally:
        server.stop()
    assert mode(instance) == 0o700
    assert {"secret_key", "board.sqlite3", "board.sqlite3-wal", "board.sqlite3-shm"} <= set(files)
    assert "demo-board.json" in files
    assert files == dict.fromkeys(files, 0o600), files
    assert "secret_key was open to other users; made owner-only" in server.output()


def test_a_second_process_on_the_same_sqlite_file_exits_and_the_first_keeps_serving(
    tmp_path: Path,
) -> None:
    first = Server(tmp_path, "gevent").start()
    try:
        second = Server(tmp_path, "eventlet").start(wait=False)
        assert exited(second) != 0
        assert first.process is not None
        message = (
            f"another server (process {first.process.pid}) is already using the database "
            f"{tmp_path / 'instance' / 'board.sqlite3'}"
        )
        assert message in second.output()
        assert "Traceback" not in second.output()
        # The first is untouched: it still answers and still writes.
        made = new_board(first)
        assert requests.get(f"{first.url}/b/{made['board']['code']}", timeout=5).ok
    finally:
        first.stop()
    # Once the first has stopped, the lock is free again.
    again = Server(tmp_path, "gevent").start()
    again.stop()


def test_a_read_only_database_is_refused_at_start(tmp_path: Path) -> None:
    Server(tmp_path, "gevent").start().stop()
    database = tmp_path / "instance" / "board.sqlite3"
    read_only = Server(
        tmp_path, "gevent", BOARD_DATABASE_URL=f"sqlite:///file:{database}?mode=ro&uri=true"
    ).start(wait=False)
    assert exited(read_only) != 0
    assert f"cannot write to the database {database}: it is read-only" in read_only.output()
    assert "Traceback" not in read_only.output()


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_the_access_log_has_every_request_and_no_token(tmp_path: Path, async_mode: str) -> None:
    server = Server(tmp_path, async_mode, BOARD_ACCESS_LOG="1").start()
    try:
        made = new_board(server)
        code = made["board"]["code"]
        facilitator = made["token"]
        aisha = join(server, code, "Aisha")["token"]
        entered = requests.get(
            f"{server.url}/b/{code}/enter/{facilitator}", allow_redirects=False, timeout=5
        )
        assert entered.status_code in (302, 303)
        posted = requests.post(
            f"{server.url}/api/v1/boards/{code}/posts",
            json={"op_id": op(), "kind": "idea", "title": "Benches"},
            headers={"Authorization": f"Bearer {aisha}"},
            timeout=5,
        )
        assert posted.status_code == 201
        requests.get(f"{server.url}/api/v1/boards/{code}?token={aisha}&x=1", timeout=5)
        # A newline smuggled into the path cannot start a line of its own.
        requests.get(f"{server.url}/b/{code}/%0A2026-01-01T00:00:00Z%20GET%20/forged", timeout=5)
        for transport in ("polling", "websocket"):
            sio = socketio.Client(reconnection=False)
            sio.connect(server.url, transports=[transport], wait_timeout=10)
            sio.disconnect()
        time.sleep(0.5)
    finally:
        server.stop()
    lines = [line for line in server.output().splitlines() if " GET " in line or " POST " in line]
    log = "\n".join(lines)
    assert facilitator not in server.output() and aisha not in server.output()
    assert f" GET /b/{code}/enter/[redacted] {entered.status_code} " in log
    assert f" POST /api/v1/boards/{code}/posts 201 " in log
    assert f" GET /api/v1/boards/{code}?token=[redacted]&x=1 " in log
    polling = [line for line in lines if " /socket.io/?" in line]
    assert any(" GET " in line and "EIO=4" in line for line in polling), polling
    assert any("sid=[redacted]" in line for line in polling), polling
    # A WebSocket is logged once it closes, as a 101 that lasted as long as it was open.
    assert any("transport=websocket" in line and " 101 " in line for line in polling), polling
    assert not any(line.startswith("2026-01-01") for line in lines)
    assert "%0A2026-01-01" in log
    for line in lines:
        when, method, _path, status, took = line.split(" ")
        assert when.endswith("Z") and method in {"GET", "POST"}
        assert status.isdigit() and took.endswith("ms"), line
