"""Socket.IO handlers: thin, sharing the services with the HTTP API.

Every client event gets an ack: ``{"ok": true, "data": ...}`` or
``{"ok": false, "error": {"code", "message"}}``. Board events reach clients only through
``board.events``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_socketio import join_room, leave_room

from board import events, inputs
from board.errors import BoardError, forbidden, not_joined
from board.extensions import socketio
from board.hostile import TOO_DEEP, TOO_DEEP_MESSAGE, too_deep
from board.models import utcnow
from board.services import Actor, boards
from board.services.rules import VIEW_ONLY
from board.storage import read_snapshot
from board.web import limits
from board.web.actions import BINDINGS, Binding, Handlers
from board.web.identity import current_actor
from board.web.presence import presence

log = logging.getLogger(__name__)

_lock = threading.Lock()
# sid -> {board code -> actor}: what each connection subscribed to, as whom.
_subscribed: dict[str, dict[str, Actor]] = {}
_heartbeat_started = False
#: Boards with a presence update on its way (see _presence_changed).
_presence_due: set[str] = set()
#: Seconds a board's presence update waits, gathering the changes in between.
PRESENCE_EVERY = 0.5

#: This transport's own handlers, by action name (the rest are generic).
HANDLERS = Handlers()
Handler = Callable[[dict[str, Any]], dict[str, Any]]
#: ``subscribe``'s ``view``: "public" shows what everyone sees (the projector).
VIEWS = ("public", "own")


def _sid() -> str:
    """This connection's Socket.IO session id (Flask-SocketIO sets it on the request)."""
    sid: str = request.sid  # type: ignore[attr-defined]
    return sid


def _error_ack(error: BoardError) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict()}


def client_event(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a client event; turn its result or error into the ack."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapped(payload: Any = None, *_extra: Any) -> dict[str, Any]:
            try:
                if payload is TOO_DEEP or too_deep(payload):
                    raise BoardError("invalid_input", TOO_DEEP_MESSAGE, 400)
                if not isinstance(payload, dict):
                    raise BoardError("invalid_input", "Send a JSON object as the payload.", 400)
                return {"ok": True, "data": handler(payload)}
            except BoardError as error:
                return _error_ack(error)
            except Exception:
                log.exception("socket event %s failed", name)
                return _error_ack(BoardError("internal", "Something went wrong on our side.", 500))

        socketio.on_event(name, wrapped)
        return wrapped

    return register


def _board_code(payload: dict[str, Any]) -> str:
    code = payload.get("board")
    if not isinstance(code, str) or not code.strip():
        raise BoardError(
            "invalid_input", "Board is required.", 422, {"board": "is required (a join code)"}
        )
    return boards.normalise_code(code)


def _subscriber(payload: dict[str, Any]) -> Actor:
    """The actor this connection subscribed as on the payload's board, or not_joined."""
    code = _board_code(payload)
    with _lock:
        actor = _subscribed.get(_sid(), {}).get(code)
    if actor is None:
        try:
            with read_snapshot() as session:
                boards.board_by_code(session, code)  # unknown board says so first
            raise not_joined()
        except BoardError as error:
            limits.lookup_failed(error)
            raise
    return actor


@HANDLERS.handles("board.subscribe")
def subscribe(payload: dict[str, Any]) -> dict[str, Any]:
    """Join a board's live feed; catch up from ``since`` or start from a snapshot."""
    code = _board_code(payload)
    asked = inputs.Subscribe.parse({k: v for k, v in payload.items() if k != "board"})
    since, view = asked.since, asked.view
    try:
        actor = current_actor(code, asked.token)
    except BoardError as error:
        limits.lookup_failed(error)  # code guessing waits; a known board never counts
        raise
    if view == "public":
        actor = dataclasses.replace(actor, public_view=True)
    # Join the rooms before reading, so no event falls between the read and the first emit.
    join_room(events.room(code))
    if not actor.public_view:
        join_room(events.person_room(code, actor.participant_id))
    with _lock:
        _subscribed.setdefault(_sid(), {})[code] = actor
    if actor.view_only:  # the projector link is nobody: it is not "here"
        count = presence.watch(code, _sid())
    else:
        before = presence.count(code)
        count = presence.add(code, _sid(), actor.participant_id)
        if count != before:  # a resync from someone already here changes nothing
            _presence_changed(code)
    _start_heartbeat()
    replay = boards.events_since(actor, since) if since is not None else None
    now = events.iso(utcnow())
    if replay is None:
        snapshot = boards.snapshot(actor)
        return {"mode": "snapshot", "snapshot": snapshot, "presence": count, "server_time": now}
    return {"mode": "events", "events": replay, "presence": count, "server_time": now}


@HANDLERS.handles("board.unsubscribe")
def unsubscribe(payload: dict[str, Any]) -> dict[str, Any]:
    """Leave a board's live feed."""
    code = _board_code(payload)
    actor = _subscriber(payload)
    leave_room(events.room(code))
    if not actor.public_view:
        leave_room(events.person_room(code, actor.participant_id))
    with _lock:
        _subscribed.get(_sid(), {}).pop(code, None)
    if presence.leave(code, _sid()) is not None:
        _presence_changed(code)
    return {"board": code}


def _generic(binding: Binding) -> Handler:
    """Run the binding's action as the connection's subscriber on the payload's board."""
    action, service = binding.action, binding.service
    assert action.input is not None and service is not None
    model = action.input

    def handler(payload: dict[str, Any]) -> dict[str, Any]:
        actor = _subscriber(payload)
        if action.writes and actor.view_only:
            raise forbidden(VIEW_ONLY)  # whatever it sends: the projector link takes no action
        result: dict[str, Any] = service(actor, model.parse(_without_board(payload)))
        return result

    handler.__doc__ = action.summary
    return handler


def _without_board(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name != "board"}


for _binding in BINDINGS:
    if _binding.socket is not None:
        client_event(_binding.socket)(HANDLERS.get(_binding.name) or _generic(_binding))


@socketio.on("*")
def unknown_event(name: str, *_args: Any) -> dict[str, Any]:
    """Any event this server does not know: refused with an ack, connection kept."""
    return _error_ack(BoardError("unknown_event", f"Unknown event {name!r}.", 400))


@socketio.on("connect")
def connect(*_args: Any) -> None:
    """Count the connection against its address; refused once the address holds too many."""
    limits.connected(_sid())


@socketio.on("disconnect")
def disconnect(*_args: Any) -> None:
    """Forget the connection and tell its boards the new head count."""
    limits.disconnected(_sid())
    with _lock:
        _subscribed.pop(_sid(), None)
    for code in presence.remove(_sid()):
        _presence_changed(code)


def _presence_changed(code: str) -> None:
    """Tell the board its new head count soon, once for every change in the meantime.

    A QR-code rush of N people joining would otherwise send N²/2 presence messages
    (docs/PERFORMANCE.md measured 45,000 for 300 phones); one update per PRESENCE_EVERY
    per board sends at most a few.
    """
    with _lock:
        if code in _presence_due:
            return
        _presence_due.add(code)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_send_presence, app, code)


def _send_presence(app: Any, code: str) -> None:
    socketio.sleep(PRESENCE_EVERY)  # type: ignore[arg-type]  # seconds; floats work
    with _lock:
        _presence_due.discard(code)
    # Read after the flag is cleared: a change from now on schedules its own update.
    try:
        with app.app_context():
            joined = boards.joined(code)
    except BoardError:
        return  # the board was deleted in the meantime
    events.publish_presence(code, presence.count(code), joined)


def _start_heartbeat() -> None:
    global _heartbeat_started
    with _lock:
        if _heartbeat_started:
            return
        _heartbeat_started = True
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_heartbeat, app)


def _heartbeat(app: Any) -> None:
    """Every few seconds, tell each live board its head seq (a lost last event shows up)."""
    interval = app.config["BOARD_HEAD_INTERVAL"]
    while True:
        socketio.sleep(interval)
        for code in presence.boards():
            try:
                with app.app_context():
                    events.publish_head(code, boards.head(code))
            except Exception:
                log.exception("heartbeat for board %s failed", code)
