"""Common Ground: a live, shared idea board for neighbourhoods and community workshops."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

# Socket handlers register on the module-level SocketIO when board.web.sockets is imported,
# before any init_app, so every app built here (one per test) gets them.
import board.web.sockets  # noqa: F401
from board import config
from board.cli import register_cli
from board.extensions import babel, csrf, db, migrate, socketio
from board.hostile import SocketJSON, WholeConverter, mailto
from board.storage import configure_engine
from board.web import api, pages, privacy_pages, proposal_pages, results_pages, security
from board.web.delivery import StaticDelivery
from board.web.limits import init_app as init_limits

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


class _DocumentOrderJSON(DefaultJSONProvider):
    """JSON responses keep objects in the documented order, as socket events do."""

    sort_keys = False


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and socket handlers."""
    # BOARD_INSTANCE_PATH moves the SQLite file, secret key and demo marker elsewhere.
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("BOARD_INSTANCE_PATH") or None,
    )
    # Before any route is added: path ids are bounded to what the database holds.
    app.url_map.converters["int"] = WholeConverter
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.json = _DocumentOrderJSON(app)
    app.jinja_env.filters["mailto"] = mailto
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    babel.init_app(app, default_locale="en", default_translation_directories=str(TRANSLATIONS))
    socketio.init_app(
        app,
        async_mode=app.config["BOARD_ASYNC_MODE"],
        message_queue=app.config["BOARD_MESSAGE_QUEUE"],
        cors_allowed_origins=_origin_checker(app.config["BOARD_PUBLIC_URL"]),
        ping_interval=20,
        ping_timeout=20,
        json=SocketJSON,
    )
    security.init_app(app)
    _behind_a_balancer(app)  # after security's middleware: it wraps the whole app
    with app.app_context():
        configure_engine(db.engine)

    StaticDelivery(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(results_pages.bp)
    app.register_blueprint(proposal_pages.bp)
    app.register_blueprint(privacy_pages.bp)
    init_limits(app)  # after the routes: it wraps the join and create views
    app.register_error_handler(HTTPException, _http_error)
    app.cli.add_command(_seed_demo_command())
    register_cli(app)
    return app


def _behind_a_balancer(app: Flask) -> None:
    """What several processes behind nginx need (deploy/nginx/common-ground.conf).

    With BOARD_NODE, every Socket.IO session id starts with the process's name and a dot:
    a polling client sends its id with each request, so nginx routes it to the process
    holding the session, though a whole hall shares one address behind the venue's NAT.
    With BOARD_TRUSTED_PROXIES, the proxy's X-Forwarded-For and -Proto are believed.
    """
    node = app.config["BOARD_NODE"]
    if node:
        # Flask-SocketIO's python-socketio server (set by init_app; the stubs omit it).
        engine = socketio.server.eio  # type: ignore[attr-defined]
        plain_id = engine.generate_id
        engine.generate_id = lambda: f"{node}.{plain_id()}"
    if app.config["BOARD_TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxy(  # type: ignore[method-assign]
            app.wsgi_app, app.config["BOARD_TRUSTED_PROXIES"]
        )


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxy:
    """The client's address and scheme from X-Forwarded-For and -Proto, from proxies only.

    Behind nginx every request comes from the proxy's address: the limits per address
    would count every client as one, and a page served over HTTPS would take itself for
    plain HTTP (no HSTS, and a browser's Origin not matching). Believed from anyone, the
    headers would let one client pose as many addresses, so elsewhere they are dropped.
    """

    FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")

    def __init__(self, inner: WSGIApp, proxies: tuple[Network, ...]) -> None:
        self.inner = inner
        self.proxies = proxies
        # One hop: nginx sets X-Forwarded-For to the address it was connected from.
        self.fixed = ProxyFix(inner, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def from_proxy(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.proxies)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.from_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for header in self.FORWARDED:
            environ.pop(header, None)
        return self.inner(environ, start_response)


def _http_error(error: HTTPException) -> Any:
    """JSON errors under /api, the plain page everywhere else."""
    if request.path.startswith("/api/"):
        return jsonify(error=http_error_body(error)), error.code
    return error


def _origin_checker(public_url: str | None) -> Any:
    """Live connections from our own pages only: the host asked for, or BOARD_PUBLIC_URL."""
    public_origin = "://".join(urlsplit(public_url)[:2]) if public_url else None

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser (a script or an app): no cross-site risk
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin in (own, public_origin)

    return allowed


def http_error_body(error: HTTPException) -> dict[str, str]:
    """Werkzeug's errors in our error shape; a 500 is ``internal``, as in socket acks."""
    if (error.code or 500) >= 500:
        return {"code": "internal", "message": "Something went wrong on our side."}
    code = (error.name or "error").lower().replace(" ", "_")
    return {"code": code, "message": error.description or code}


def _seed_demo_command() -> Any:
    import click

    @click.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo board once and print how to reach it."""
        from board.demo import ensure_demo_board

        click.echo(ensure_demo_board().describe())

    return seed_demo
