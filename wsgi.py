import os

ASYNC_MODE = os.environ.get("BOARD_ASYNC_MODE", "gevent").strip().lower()
if ASYNC_MODE == "eventlet":
    # psycopg's C wait function would block eventlet's whole hub; use the selector one.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    import warnings

    with warnings.catch_warnings():
        # eventlet warns about its own deprecation on import (a Warning, not a
        # DeprecationWarning); it is a documented, chosen alternative here.
        warnings.simplefilter("ignore")
        import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

# Every file the server or a `flask --app wsgi` command makes (the database, its -wal and
# -shm, the secret key, the demo's facilitator link, an export) is its owner's alone.
os.umask(0o077)

"""The server entry point: the only module that knows about gevent or eventlet.

Run ``./dev run``; it applies pending migrations, creates the demo board once, and
serves on BOARD_HOST:BOARD_PORT (default 127.0.0.1:5000).
"""

import contextlib
import errno
import gc
import resource
import socket
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade

from board import create_app, storage
from board.access_log import AccessLog
from board.extensions import db

#: Room for a QR-code join rush: the kernel queues this many connections before accept().
LISTEN_BACKLOG = 2048
#: eventlet's default caps a server at 1024 connections; a big hall needs more.
MAX_CONNECTIONS = 20000
#: Seconds a connection has to send its request line and headers (gevent). A phone on slow
#: 3G sends them in one go; a connection that opens and sends nothing is closed, not held.
HEADER_TIMEOUT = float(os.environ.get("BOARD_HEADER_TIMEOUT") or 20)


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind the listening socket, refusing a port that is already taken.

    SO_REUSEADDR only lets us rebind over TIME_WAIT leftovers. We never set SO_REUSEPORT:
    with it a second server on the same port silently takes half of the phones.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # No Nagle delay on the accepted connections (Linux copies this to each): a response
    # written in two parts otherwise waits for the client's delayed ACK, 40 ms on every
    # page and snapshot (docs/PERFORMANCE.md). Node's servers set the same.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise SystemExit(
                f"Common Ground: port {port} on {host} is already in use "
                "(is another server running?). Stop it or set BOARD_PORT."
            ) from exc
        raise SystemExit(f"Common Ground: cannot listen on {host}:{port}: {exc}") from exc
    listener.listen(LISTEN_BACKLOG)
    return listener


#: The collector's thresholds (Python's default: 700, 10, 10): a young collection after
#: 10,000 new objects rather than 700, so the older generations are reached far less often.
GC_THRESHOLDS = (10_000, 10, 10)


def serve(app: Flask, listener: socket.socket) -> None:
    """Serve the app on the listener with the chosen async mode until interrupted."""
    # Our own access log for both servers: theirs would write tokens in URLs verbatim (and
    # gevent-websocket's handler sends its lines to a logger nobody configured).
    served: Any = AccessLog(app, sys.stderr) if os.environ.get("BOARD_ACCESS_LOG") == "1" else app
    if ASYNC_MODE == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(
            listener, served, max_size=MAX_CONNECTIONS, log_output=False, debug=False
        )
    elif ASYNC_MODE == "gevent":
        from gevent.pywsgi import WSGIServer

        WSGIServer(listener, served, handler_class=timed_handler(), log=None).serve_forever()
    else:
        raise SystemExit("Common Ground: BOARD_ASYNC_MODE=threading is for tests only.")


def timed_handler() -> Any:
    """gevent-websocket's handler, with a deadline for each request's line and headers.

    Only the request's head is timed: a long poll or a WebSocket stays open as long as it
    lives (engine.io's pings close the dead ones).
    """
    from geventwebsocket.handler import WebSocketHandler

    class TimedHandler(WebSocketHandler):
        def read_requestline(self) -> str:
            self.socket.settimeout(HEADER_TIMEOUT)
            line: str = super().read_requestline()
            return line

        def read_request(self, raw_requestline: str) -> Any:
            try:
                return super().read_request(raw_requestline)
            finally:
                self.socket.settimeout(None)

    return TimedHandler


def raise_open_file_limit() -> None:
    """Every phone is an open socket: lift the soft file limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def check_storage(app: Flask) -> None:
    """Owner-only files, one process per SQLite file, and a database we can write: or exit."""
    database = storage.sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    for path in storage.secure_files(Path(app.instance_path), database):
        print(f"Common Ground: {path} was open to other users; made owner-only.", flush=True)
    if database is not None:
        storage.hold_database_lock(database)
    with app.app_context():
        storage.check_writable(db.engine)


def main() -> None:
    """Bind first (fail fast on a busy port), check storage, migrate, seed the demo, serve."""
    raise_open_file_limit()
    host = os.environ.get("BOARD_HOST", "127.0.0.1")
    port = int(os.environ.get("BOARD_PORT", "5000"))
    listener = bind_listener(host, port)
    app = create_app()
    check_storage(app)
    shown_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    base_url = (os.environ.get("BOARD_PUBLIC_URL") or "").rstrip("/") or (
        f"http://{shown_host if ':' not in shown_host else f'[{shown_host}]'}:{port}"
    )
    with app.app_context():
        upgrade()
        print(f"Common Ground ({ASYNC_MODE}) serving at {base_url}", flush=True)
        if os.environ.get("BOARD_DEMO", "1") != "0":
            from board.demo import ensure_demo_board

            print(ensure_demo_board(base_url).describe(), flush=True)
    if app.config.get("BOARD_WEBHOOK_URL"):
        # Sends what the outbox holds, including deliveries left pending by the last run.
        from board.extensions import socketio
        from board.services.webhooks import run_sender

        interval = min(1.0, app.config["BOARD_WEBHOOK_BACKOFF"])
        socketio.start_background_task(run_sender, app, socketio.sleep, interval)
    # What start-up made (modules, the app, its caches) lives as long as the process: out of
    # the collector's way. And collections come less often: each full one walks every
    # object that 2000 connections hold (100-200 ms, every phone's delivery waiting), and
    # with Python's default thresholds they came about every second at 2000 phones
    # (docs/PERFORMANCE.md, "The garbage collector").
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    with contextlib.suppress(KeyboardInterrupt):
        serve(app, listener)


if __name__ == "__main__":
    main()
