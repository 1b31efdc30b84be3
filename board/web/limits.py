"""Rate limits by address: joins, board creation, code guessing and live connections.

A hall of phones shares the venue's one public address, so nothing here locks out an
address for what one phone does: joins and creation allow a hall's worth a minute
(Flask-Limiter, shared by the API and the forms); code guessing counts only lookups of
codes no board has, and while an address is over its misses a lookup is refused unless
the caller already belongs to that board. Each participant's writes have their own bucket
(board.services.limits). Counts live in memory, or in the Redis that ``BOARD_MESSAGE_QUEUE``
names when several processes serve the board; live connections are counted per process.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import limits
from flask import Flask, Response, current_app, jsonify, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.strategies import MovingWindowRateLimiter

from board.errors import BoardError
from board.services import boards
from board.web.identity import bearer_token, current_actor, remembered_id

#: Endpoints that join a board, and those that make one, each sharing one count per address.
JOINS = ("api.join", "pages.join_board")
CREATES = ("api.create_board", "pages.create_board", "api.import_board")
#: The one lookup by a typed code that names no board in its path.
TYPED_CODE = "pages.join_by_code"

_lock = threading.Lock()
#: Live connections: sid -> address, and how many each address holds (this process).
_sockets: dict[str, str] = {}
_per_address: dict[str, int] = {}


def storage_uri(config: Any) -> str:
    """Memory for one process; the message queue's Redis when several share the board."""
    queue = str(config.get("BOARD_MESSAGE_QUEUE") or "")
    return queue if queue.startswith(("redis://", "rediss://", "unix://")) else "memory://"


class Guard:
    """One app's limits: Flask-Limiter for routes, a moving window for code misses."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.enabled = bool(config.get("BOARD_RATE_LIMITS", True))
        for name in ("BOARD_JOIN_LIMIT", "BOARD_CREATE_LIMIT", "BOARD_CODE_MISSES"):
            try:
                limits.parse_many(str(config[name]))
            except ValueError as exc:
                raise RuntimeError(f"{name} must read like '20 per minute': {exc}") from exc
        self.limiter = Limiter(
            get_remote_address,
            app=app,
            storage_uri=storage_uri(config),
            strategy="moving-window",
            enabled=self.enabled,
            key_prefix="board",
        )
        self.misses = limits.parse_many(str(config["BOARD_CODE_MISSES"]))
        # A disabled limiter makes no storage: the misses' window keeps its own then (unused).
        store = self.limiter.storage if self.enabled else limits.storage.MemoryStorage()
        self.window = MovingWindowRateLimiter(store)

    def guessing(self, address: str) -> float:
        """Seconds until this address may look codes up again (0: it may now)."""
        if not self.enabled:
            return 0.0
        waits = [
            self.window.get_window_stats(item, "code-miss", address).reset_time - time.time()
            for item in self.misses
            if not self.window.test(item, "code-miss", address)
        ]
        return max([0.0, *waits])

    def missed(self, address: str) -> None:
        if self.enabled:
            for item in self.misses:
                self.window.hit(item, "code-miss", address)


def guard() -> Guard:
    found: Guard = current_app.extensions["board_limits"]
    return found


def slow_down(seconds: float, message: str) -> BoardError:
    wait = max(1, math.ceil(seconds))
    return BoardError("slow_down", message.format(seconds=wait), 429, {"retry_after": str(wait)})


GUESSING = "Too many board codes that do not exist: try again in {seconds} seconds."
BUSY = "Too many requests from your network: try again in {seconds} seconds."


def refusal(error: BoardError) -> Response:
    """A 429 with Retry-After: JSON under /api, a short page elsewhere."""
    if request.path.startswith("/api/"):
        response = jsonify(error=error.to_dict())
    else:
        response = Response(error.message, mimetype="text/plain")
    response.status_code = error.status
    response.headers["Retry-After"] = error.fields["retry_after"]
    return response


def _looked_up() -> str | None:
    """The board code this request looks up, if it names one."""
    if request.endpoint == TYPED_CODE:
        return boards.normalise_code(request.args.get("code", ""))
    code = (request.view_args or {}).get("code")
    return code if isinstance(code, str) else None


def _token_opens(code: str, token: str | None) -> bool:
    """Whether a token is one of this board's (whoever holds one knows the code)."""
    if token is None:
        return False
    try:
        current_actor(code, token)
    except BoardError:
        return False
    return True


def _names_no_board(code: str) -> bool:
    try:
        boards.board_info(code)
    except BoardError:
        return True
    return False


def _before() -> Response | None:
    code = _looked_up()
    token = bearer_token()
    if code is None or (token is None and remembered_id(code) is not None):
        return None  # someone who already joined this board is never held up
    wait = guard().guessing(get_remote_address())
    if wait > 0 and not _token_opens(code, token):
        return refusal(slow_down(wait, GUESSING))
    return None


def _after(response: Response) -> Response:
    code = _looked_up()
    if code is not None and response.status_code == 404 and _names_no_board(code):
        guard().missed(get_remote_address())
    return response


def lookup_failed(error: BoardError) -> None:
    """A live connection's lookup failed: count a miss, or hide the answer while guessing."""
    address = get_remote_address()
    wait = guard().guessing(address)
    if wait > 0:
        raise slow_down(wait, GUESSING) from error
    if error.code == "board_not_found":
        guard().missed(address)


def connected(sid: str) -> None:
    """Count a new live connection, or refuse it when its address holds too many."""
    address = get_remote_address()
    cap = int(current_app.config["BOARD_SOCKETS_PER_ADDRESS"])
    with _lock:
        held = _per_address.get(address, 0)
        if current_app.config.get("BOARD_RATE_LIMITS", True) and held >= cap:
            raise ConnectionRefusedError(
                {"code": "too_many_connections", "message": BUSY.format(seconds=10)}
            )
        _sockets[sid] = address
        _per_address[address] = held + 1


def disconnected(sid: str) -> None:
    with _lock:
        address = _sockets.pop(sid, None)
        if address is None:
            return
        left = _per_address.get(address, 1) - 1
        if left > 0:
            _per_address[address] = left
        else:
            _per_address.pop(address, None)


def _limited(limiter: Limiter, view: Callable[..., Any], value: str, scope: str) -> Any:
    """The view under a limit shared by ``scope``, with a name of its own for the limiter."""

    @functools.wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    # Generated views share one name; the limiter tells its routes apart by name.
    limited.__name__ = limited.__qualname__ = f"limited_{scope}_{id(view)}"
    return limiter.shared_limit(value, scope=scope)(limited)


def _breached(error: RateLimitExceeded) -> Response:
    current = guard().limiter.current_limit
    wait = current.reset_at - time.time() if current is not None else 60
    return refusal(slow_down(wait, BUSY))


def init_app(app: Flask) -> None:
    """Bind the limits to the app, after its routes are registered."""
    limits_of = Guard(app)
    app.extensions["board_limits"] = limits_of
    for endpoints, setting, scope in (
        (JOINS, "BOARD_JOIN_LIMIT", "join"),
        (CREATES, "BOARD_CREATE_LIMIT", "create"),
    ):
        for endpoint in endpoints:
            view = app.view_functions[endpoint]
            app.view_functions[endpoint] = _limited(
                limits_of.limiter, view, str(app.config[setting]), scope
            )
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(RateLimitExceeded, _breached)
