"""The access log (BOARD_ACCESS_LOG=1): one line per request on stderr, with secrets redacted.

A line reads ``2026-12-02T09:14:03Z GET /b/KX7Q2M/enter/[redacted] 302 4.1ms``. Tokens in
a path (after ``/enter/`` and ``/projector/``) and in a query (``token=``, the Socket.IO
session ``sid=``) are replaced by ``[redacted]``; headers, Authorization and Cookie
included, are never written, and neither is the client's address. A path is written
percent-encoded, so a request cannot add a line of its own with an encoded newline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import parse_qsl, quote, urlencode

REDACTED = "[redacted]"
#: Path segments whose next segment is a credential: ``/b/<code>/enter/<token>``,
#: ``/b/<code>/projector/<token>``.
SECRET_AFTER = frozenset({"enter", "projector"})
#: Query keys whose values are credentials.
SECRET_KEYS = frozenset({"token", "sid", "access_token"})
#: What stays readable in a path: RFC 3986's unreserved and sub-delimiter characters.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"

StartResponse = Callable[..., Any]


def redacted_path(path: str) -> str:
    """The path with each segment after ``/enter/`` (or ``/projector/``) replaced,
    percent-encoded."""
    segments = path.split("/")
    for index in range(1, len(segments)):
        if segments[index - 1] in SECRET_AFTER and segments[index]:
            segments[index] = REDACTED
    return quote("/".join(segments), safe=_PATH_SAFE + "[]")


def redacted_query(query: str) -> str:
    """The query string with credential values replaced (kept, when there are none)."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key.lower() in SECRET_KEYS for key, _ in pairs):
        return quote(query, safe="=&%+" + _PATH_SAFE)
    return urlencode(
        [(key, REDACTED if key.lower() in SECRET_KEYS else value) for key, value in pairs],
        safe="[]",
    )


def request_line(environ: dict[str, Any], status: str, seconds: float) -> str:
    """One log line: when, method, redacted path and query, status, duration."""
    method = quote(str(environ.get("REQUEST_METHOD", "-")), safe="")
    path = redacted_path(str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "")))
    query = redacted_query(str(environ.get("QUERY_STRING", "")))
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = f"{path}?{query}" if query else path
    return f"{when} {method} {target} {status} {seconds * 1000:.1f}ms\n"


class AccessLog:
    """WSGI middleware that writes a line once each response has been sent (or failed)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: IO[str]) -> None:
        self.app = app
        self.stream = stream

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def start(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        def done() -> None:
            self.write(request_line(environ, status[0], time.perf_counter() - started))

        try:
            body = self.app(environ, start)
        except BaseException:
            status[0] = "500"
            done()
            raise
        upgraded = environ.get("HTTP_UPGRADE", "").lower() == "websocket" and status[0] == "-"
        if upgraded or environ.get("wsgi.websocket") is not None:
            # The app returns once the WebSocket has closed (gevent-websocket's handler
            # answered the upgrade itself, eventlet's has the app answer it without
            # start_response), and neither server closes what it returns then.
            status[0] = "101"
            done()
            return body
        return _Logged(body, done)

    def write(self, line: str) -> None:
        try:
            self.stream.write(line)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or full stderr must not fail the request


class _Logged:
    """The response body, passed through; logging the request when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body = body
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()
