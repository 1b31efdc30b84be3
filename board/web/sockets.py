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
from board.errors import BoardError, not_joined
from board.extensions import socketio
from board.models import utcnow
from board.services import Actor, boards, groups, links, moderation, posts, workshop
from board.storage import read_snapshot
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

Handler = Callable[[dict[str, Any]], dict[str, Any]]
#: ``subscribe``'s ``view``: "public" shows what everyone sees (the projector).
VIEWS = ("public", "own")


def _error_ack(error: BoardError) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict()}


def client_event(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a client event; turn its result or error into the ack."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapped(payload: Any = None, *_extra: Any) -> dict[str, Any]:
            try:
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
        actor = _subscribed.get(request.sid, {}).get(code)
    if actor is None:
        with read_snapshot() as session:
            boards.board_by_code(session, code)  # unknown board says so first
        raise not_joined()
    return actor


@client_event("subscribe")
def subscribe(payload: dict[str, Any]) -> dict[str, Any]:
    """Join a board's live feed; catch up from ``since`` or start from a snapshot."""
    code = _board_code(payload)
    since = inputs.parse(payload, {"since": inputs.Whole(0, required=False)})["since"]
    token = payload.get("token")
    if token is not None and not isinstance(token, str):
        raise BoardError("invalid_input", "Token must be text.", 422, {"token": "must be text"})
    view = inputs.parse(payload, {"view": inputs.Choice(VIEWS, required=False)})["view"]
    actor = current_actor(code, token)
    if view == "public":
        actor = dataclasses.replace(actor, public_view=True)
    # Join the rooms before reading, so no event falls between the read and the first emit.
    join_room(events.room(code))
    if not actor.public_view:
        join_room(events.person_room(code, actor.participant_id))
    with _lock:
        _subscribed.setdefault(request.sid, {})[code] = actor
    before = presence.count(code)
    count = presence.add(code, request.sid, actor.participant_id)
    if count != before:  # a resync from someone already here changes nothing
        _presence_changed(code)
    _start_heartbeat()
    replay = boards.events_since(actor, since) if since is not None else None
    now = events.iso(utcnow())
    if replay is None:
        snapshot = boards.snapshot(actor)
        return {"mode": "snapshot", "snapshot": snapshot, "presence": count, "server_time": now}
    return {"mode": "events", "events": replay, "presence": count, "server_time": now}


@client_event("unsubscribe")
def unsubscribe(payload: dict[str, Any]) -> dict[str, Any]:
    """Leave a board's live feed."""
    code = _board_code(payload)
    actor = _subscriber(payload)
    leave_room(events.room(code))
    leave_room(events.person_room(code, actor.participant_id))
    with _lock:
        _subscribed.get(request.sid, {}).pop(code, None)
    if presence.leave(code, request.sid) is not None:
        _presence_changed(code)
    return {"board": code}


@client_event("post.create")
def create_post(payload: dict[str, Any]) -> dict[str, Any]:
    """Add a post."""
    actor = _subscriber(payload)
    return posts.create_post(actor, **inputs.parse(payload, inputs.NEW_POST))


@client_event("post.update")
def update_post(payload: dict[str, Any]) -> dict[str, Any]:
    """Edit your own post."""
    actor = _subscriber(payload)
    fields = inputs.parse(payload, inputs.EDIT_POST, partial=True)
    op_id, post_id = fields.pop("op_id"), fields.pop("post_id")
    return posts.update_post(actor, op_id, post_id, fields)


@client_event("post.delete")
def delete_post(payload: dict[str, Any]) -> dict[str, Any]:
    """Delete your own post (facilitators: any post)."""
    actor = _subscriber(payload)
    return posts.delete_post(actor, **inputs.parse(payload, inputs.POST_REF))


@client_event("support.toggle")
def toggle_support(payload: dict[str, Any]) -> dict[str, Any]:
    """Support a post, or withdraw your support."""
    actor = _subscriber(payload)
    return posts.toggle_support(actor, **inputs.parse(payload, inputs.POST_REF))


@client_event("comment.create")
def add_comment(payload: dict[str, Any]) -> dict[str, Any]:
    """Comment on a post."""
    actor = _subscriber(payload)
    return posts.add_comment(actor, **inputs.parse(payload, inputs.NEW_COMMENT))


@client_event("link.create")
def link_help(payload: dict[str, Any]) -> dict[str, Any]:
    """Say "I can help" on an idea or need, with one of your offers or just yourself."""
    actor = _subscriber(payload)
    return links.link_help(actor, **inputs.parse(payload, inputs.LINK))


@client_event("link.remove")
def unlink_help(payload: dict[str, Any]) -> dict[str, Any]:
    """Withdraw an offer of help."""
    actor = _subscriber(payload)
    return links.unlink_help(actor, **inputs.parse(payload, inputs.UNLINK))


@client_event("group.join")
def join_group(payload: dict[str, Any]) -> dict[str, Any]:
    """Say "I'm in" on an idea."""
    actor = _subscriber(payload)
    return groups.join_group(actor, **inputs.parse(payload, inputs.GROUP_JOIN))


@client_event("group.leave")
def leave_group(payload: dict[str, Any]) -> dict[str, Any]:
    """Leave a group."""
    actor = _subscriber(payload)
    return groups.leave_group(actor, **inputs.parse(payload, inputs.GROUP_REF))


@client_event("group.hand_over")
def hand_over(payload: dict[str, Any]) -> dict[str, Any]:
    """Hand coordination to another member."""
    actor = _subscriber(payload)
    return groups.hand_over(actor, **inputs.parse(payload, inputs.HAND_OVER))


@client_event("group.rename")
def rename_group(payload: dict[str, Any]) -> dict[str, Any]:
    """Name the group (coordinator only)."""
    actor = _subscriber(payload)
    return groups.rename_group(actor, **inputs.parse(payload, inputs.GROUP_RENAME))


@client_event("group.message")
def post_group_message(payload: dict[str, Any]) -> dict[str, Any]:
    """Write in a group's thread."""
    actor = _subscriber(payload)
    return groups.post_message(actor, **inputs.parse(payload, inputs.GROUP_MESSAGE))


@client_event("post.hide")
def hide_post(payload: dict[str, Any]) -> dict[str, Any]:
    """Hide a post, with a reason (facilitators only)."""
    actor = _subscriber(payload)
    return moderation.hide_post(actor, **inputs.parse(payload, inputs.MODERATE))


@client_event("post.restore")
def restore_post(payload: dict[str, Any]) -> dict[str, Any]:
    """Show a hidden post again (facilitators only)."""
    actor = _subscriber(payload)
    return moderation.restore_post(actor, **inputs.parse(payload, inputs.RESTORE))


def _action_event(name: str, action: Callable[..., dict[str, Any]], spec: Any) -> None:
    """A write whose handler only parses: the service checks who may do it and when."""

    def handler(payload: dict[str, Any]) -> dict[str, Any]:
        actor = _subscriber(payload)
        return action(actor, **inputs.parse(payload, spec, partial=spec is inputs.SESSION))

    handler.__name__ = handler.__qualname__ = name.replace(".", "_")
    handler.__doc__ = action.__doc__
    client_event(name)(handler)


for _name, _action, _spec in (
    ("post.approve", moderation.approve_post, inputs.APPROVE),
    ("post.reject", moderation.reject_post, inputs.REJECT),
    ("post.merge", moderation.merge_posts, inputs.MERGE),
    ("post.pin", moderation.pin_post, inputs.PIN),
    ("post.report", moderation.report_post, inputs.REPORT),
    ("participant.mute", moderation.mute_participant, inputs.MUTE),
    ("participant.remove", moderation.remove_participant, inputs.REMOVE_PARTICIPANT),
    ("session.update", workshop.update_session, inputs.SESSION),
    ("timer.set", workshop.set_timer, inputs.TIMER),
    ("spotlight.set", workshop.spotlight, inputs.SPOTLIGHT),
    ("dot.place", workshop.place_dot, inputs.DOT),
    ("dot.take_back", workshop.take_back_dot, inputs.DOT),
):
    _action_event(_name, _action, _spec)


@socketio.on("*")
def unknown_event(name: str, *_args: Any) -> dict[str, Any]:
    """Any event this server does not know: refused with an ack, connection kept."""
    return _error_ack(BoardError("unknown_event", f"Unknown event {name!r}.", 400))


@socketio.on("disconnect")
def disconnect(*_args: Any) -> None:
    """Forget the connection and tell its boards the new head count."""
    with _lock:
        _subscribed.pop(request.sid, None)
    for code in presence.remove(request.sid):
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
    socketio.start_background_task(_send_presence, code)


def _send_presence(code: str) -> None:
    socketio.sleep(PRESENCE_EVERY)
    with _lock:
        _presence_due.discard(code)
    # Read after the flag is cleared: a change from now on schedules its own update.
    events.publish_presence(code, presence.count(code))


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
