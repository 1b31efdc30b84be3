"""The browser's defences: security headers on every response, and only our own Host.

Every response (pages, the API, errors, Socket.IO's own) carries a strict
Content-Security-Policy (scripts only from our own files: the pages use ES modules and
``<script type="application/json">`` data blocks, never inline code), may not be framed
by any site, is not sniffed (static files too), and sends no referrer to other sites (an
enter link carries a participant's token). A request whose Host header names another
server is refused: a page elsewhere that points its own name at this laptop (DNS
rebinding) cannot use it, and no link is built from a name a client chose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request

from board.config import host_answered

#: Browser features no page of the board uses, turned off for every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
#: A year, as HSTS preload lists expect; sent only when the board is served over HTTPS.
HSTS = "max-age=31536000"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def content_security_policy(host: str, public_url: str | None) -> str:
    """The policy for a page served under ``host``: everything from our own origin only.

    Socket.IO's WebSocket is named explicitly (ws: and wss: of the same host, and of
    BOARD_PUBLIC_URL's), as older browsers do not count it as 'self'.
    """
    sockets = {f"ws://{host}", f"wss://{host}"} if host else set()
    if public_url:
        sockets |= {f"ws://{urlsplit(public_url).netloc}", f"wss://{urlsplit(public_url).netloc}"}
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src " + " ".join(["'self'", *sorted(sockets)]),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(environ: dict[str, Any], config: Any) -> list[tuple[str, str]]:
    """The headers every response carries for this request.

    A static file (a script, a style sheet, an icon) is never a document: the policy,
    framing and referrer rules govern the page that loads it, so it carries only nosniff
    (and HSTS). Each header is repeated on every file of a phone's first load otherwise,
    some 7 KB on the board page.
    """
    host = environ.get("HTTP_HOST", "")
    if not host_answered(config, host):
        host = ""
    if environ.get("PATH_INFO", "").startswith("/static/"):
        headers = [("X-Content-Type-Options", "nosniff")]
        if config.get("SESSION_COOKIE_SECURE") or environ.get("wsgi.url_scheme") == "https":
            headers.append(("Strict-Transport-Security", HSTS))
        return headers
    headers = [
        ("Content-Security-Policy", content_security_policy(host, config.get("BOARD_PUBLIC_URL"))),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if config.get("SESSION_COOKIE_SECURE") or environ.get("wsgi.url_scheme") == "https":
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SecurityHeaders:
    """WSGI middleware outside Socket.IO's, so its answers carry the headers as well."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        config = self.app.config
        live = environ.get("PATH_INFO", "").startswith("/socket.io")
        if live and not config["BOARD_WS_DEFLATE"]:
            # Not offered, so not negotiated: a broadcast is compressed once per recipient.
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        if live and not host_answered(config, environ.get("HTTP_HOST", "")):
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain; charset=utf-8"), *security_headers(environ, config)],
            )
            return [b"This server does not answer to that host name.\n"]
        extra = security_headers(environ, config)

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            present = {name.lower() for name, _ in headers}
            headers = [*headers, *(h for h in extra if h[0].lower() not in present)]
            return start_response(status, headers, *exc_info)

        return self.inner(environ, start)


def refuse_foreign_host() -> None:
    """A 400 for a Host that is not this server's (see board.config.host_listed)."""
    if not host_answered(current_app.config, request.host):
        abort(400, description="This server does not answer to that host name.")


def init_app(app: Flask) -> None:
    """Refuse foreign hosts and add the headers to every response; call after Socket.IO's."""
    # First of all, before the CSRF check or any view reads the request.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_foreign_host)
    app.wsgi_app = SecurityHeaders(app, app.wsgi_app)  # type: ignore[method-assign]
