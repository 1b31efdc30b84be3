"""The bare Flask-SocketIO relay: the app's protocol on the app's stack, with no app.

    python bench/relay_flask.py --port PORT --capture CAPTURE.json [--async-mode gevent]

The same minimal relay as bench/node/relay_node.mjs (read its header for what it answers),
on the stack the app runs on: Flask, Flask-SocketIO with ``async_mode`` explicit, gevent
with gevent-websocket's handler (or eventlet), the standard library monkey-patched before
anything else is imported, the same listen backlog, TCP_NODELAY and ping settings as wsgi.py. No
database, no checks beyond the token, no op-id memory: what the app spends above this
relay is the app's own cost.
"""

import sys


def _async_mode() -> str:
    """``--async-mode`` from argv, read before anything is imported (patching comes first)."""
    if "--async-mode" in sys.argv:
        return sys.argv[sys.argv.index("--async-mode") + 1]
    return "gevent"


ASYNC_MODE = _async_mode()
if ASYNC_MODE == "eventlet":
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet warns about its own deprecation
        import eventlet

    eventlet.monkey_patch()
else:
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import base64  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from flask import Flask, Response, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

PRESENCE_EVERY = 0.5
LOG_KEEP = 2000
REPLAY_MAX = 500
LISTEN_BACKLOG = 2048
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Room:
    """One board: its seq, its event log (in memory), its tokens and its connections."""

    seq: int
    log: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    participants: int = 1
    sids: set[str] = field(default_factory=set)
    presence_due: bool = False


def iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Relay:
    """The relay's state and handlers, bound to one Flask app and its SocketIO."""

    def __init__(self, capture: dict[str, Any]) -> None:
        self.capture = capture
        self.rooms: dict[str, Room] = {}
        self.boards_of: dict[str, set[str]] = {}  # sid -> board codes
        self.lock = threading.Lock()
        self.app = Flask(__name__)
        self.socketio = SocketIO(self.app, async_mode=ASYNC_MODE, ping_interval=20, ping_timeout=20)
        self._routes()
        self._events()

    # ------------------------------------------------------------ HTTP

    def _entry(self, template: dict[str, Any], code: str, token: str) -> dict[str, Any]:
        made = copy.deepcopy(template)
        if "board" in made:
            made["board"]["code"] = code
        made["token"] = token
        made["enter_url"] = f"{request.host_url}b/{code}/enter/{token}"
        return made

    def _routes(self) -> None:
        app = self.app

        @app.get("/")
        def index() -> Any:
            return jsonify(relay="flask", async_mode=ASYNC_MODE)

        @app.post("/api/v1/boards")
        def create() -> Any:
            code = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
            token = secrets.token_urlsafe(24)
            with self.lock:
                self.rooms[code] = Room(seq=self.capture["created_seq"], tokens={token})
            return jsonify(self._entry(self.capture["create_entry"], code, token)), 201

        @app.post("/api/v1/boards/<code>/participants")
        def join(code: str) -> Any:
            room = self.rooms.get(code)
            if room is None:
                return jsonify(error={"code": "board_not_found", "message": "No such board."}), 404
            token = secrets.token_urlsafe(24)
            with self.lock:
                room.tokens.add(token)
                room.participants += 1
            joined = self.capture.get("joined")
            if joined:
                self.record(code, room, joined["type"], joined["data"])
            return jsonify(self._entry(self.capture["join_entry"], code, token)), 201

        @app.get("/b/<code>")
        def page(code: str) -> Response:
            return self._fixed(self.capture.get("page"))

        @app.get("/api/v1/boards/<code>/snapshot")
        def snapshot(code: str) -> Response:
            return self._fixed(self.capture.get("snapshot_http"))

    @staticmethod
    def _fixed(captured: dict[str, Any] | None) -> Response:
        if not captured:
            return Response('{"error":{"code":"not_captured"}}', 404, mimetype="application/json")
        return Response(base64.b64decode(captured["body_b64"]), 200, headers=captured["headers"])

    # ------------------------------------------------------------ Socket.IO

    def record(self, code: str, room: Room, kind: str, data: Any) -> int:
        """Append an envelope to the room's log and broadcast it: the room's next seq."""
        with self.lock:
            room.seq += 1
            envelope = {"board": code, "seq": room.seq, "type": kind, "data": data, "at": iso()}
            room.log.append(envelope)
            if len(room.log) > LOG_KEEP + 99:
                del room.log[: len(room.log) - LOG_KEEP]
        self.socketio.emit("event", envelope, to=f"board:{code}")
        return envelope["seq"]

    def presence_changed(self, code: str) -> None:
        room = self.rooms.get(code)
        if room is None:
            return
        with self.lock:
            if room.presence_due:
                return
            room.presence_due = True
        self.socketio.start_background_task(self._send_presence, code, room)

    def _send_presence(self, code: str, room: Room) -> None:
        self.socketio.sleep(PRESENCE_EVERY)  # type: ignore[arg-type]
        with self.lock:
            room.presence_due = False
            message = {"board": code, "count": len(room.sids), "participants": room.participants}
        self.socketio.emit("presence", message, to=f"board:{code}")

    def subscribe(self, sid: str, payload: Any) -> dict[str, Any]:
        code = payload.get("board") if isinstance(payload, dict) else None
        room = self.rooms.get(code) if isinstance(code, str) else None
        if room is None:
            return {"ok": False, "error": {"code": "board_not_found", "message": "No such board."}}
        if payload.get("token") not in room.tokens:
            return {"ok": False, "error": {"code": "not_joined", "message": "Join first."}}
        join_room(f"board:{code}")
        with self.lock:
            room.sids.add(sid)
            self.boards_of.setdefault(sid, set()).add(code)
            presence = len(room.sids)
            since = payload.get("since")
            first = room.log[0]["seq"] if room.log else room.seq + 1
            replay = (
                isinstance(since, int)
                and first - 1 <= since <= room.seq
                and room.seq - since <= REPLAY_MAX
            )
            events = room.log[len(room.log) - (room.seq - since) :] if replay else None
            seq = room.seq
        self.presence_changed(code)
        if events is not None:
            data = {"mode": "events", "events": events, "presence": presence, "server_time": iso()}
            return {"ok": True, "data": data}
        snapshot = {**self.capture["snapshot"], "seq": seq, "server_time": iso()}
        data = {"mode": "snapshot", "snapshot": snapshot, "presence": presence}
        return {"ok": True, "data": {**data, "server_time": iso()}}

    def write(self, sid: str, name: str, payload: Any) -> dict[str, Any]:
        template = self.capture["writes"].get(name)
        if template is None:
            return {"ok": False, "error": {"code": "unknown_event", "message": f"{name!r}?"}}
        code = payload.get("board") if isinstance(payload, dict) else None
        room = self.rooms.get(code) if isinstance(code, str) else None
        if room is None or code not in self.boards_of.get(sid, ()):
            return {"ok": False, "error": {"code": "not_joined", "message": "Subscribe first."}}
        seq = self.record(code, room, template["type"], template["data"])
        return {"ok": True, "data": {**template["ack"], "seq": seq}}

    def _events(self) -> None:
        socketio = self.socketio

        @socketio.on("subscribe")
        def on_subscribe(payload: Any = None) -> dict[str, Any]:
            return self.subscribe(request.sid, payload)  # type: ignore[attr-defined]

        @socketio.on("*")
        def on_write(name: str, payload: Any = None, *_extra: Any) -> dict[str, Any]:
            return self.write(request.sid, name, payload)  # type: ignore[attr-defined]

        @socketio.on("disconnect")
        def on_disconnect(*_args: Any) -> None:
            sid = request.sid  # type: ignore[attr-defined]
            with self.lock:
                codes = self.boards_of.pop(sid, set())
                for code in codes:
                    self.rooms[code].sids.discard(sid)
            for code in codes:
                self.presence_changed(code)


def serve(app: Flask, port: int) -> None:
    """Serve as wsgi.py does: its own listener with the same backlog, the same server."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as wsgi.py and Node do
    listener.bind(("127.0.0.1", port))
    listener.listen(LISTEN_BACKLOG)
    print(f"relay_flask ({ASYNC_MODE}) listening on {listener.getsockname()[1]}", flush=True)
    if ASYNC_MODE == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(listener, app, max_size=20000, log_output=False, debug=False)
    else:
        from gevent.pywsgi import WSGIServer
        from geventwebsocket.handler import WebSocketHandler

        WSGIServer(listener, app, handler_class=WebSocketHandler, log=None).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--capture", type=Path, required=True)
    parser.add_argument("--async-mode", choices=("gevent", "eventlet"), default="gevent")
    args = parser.parse_args()
    relay = Relay(json.loads(args.capture.read_text()))
    serve(relay.app, args.port)


if __name__ == "__main__":
    main()
