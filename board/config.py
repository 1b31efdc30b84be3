"""Settings read from the environment, with safe defaults for a laptop in a church hall."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ASYNC_MODES = ("gevent", "eventlet", "threading")


@dataclass(frozen=True)
class FirstScreen:
    """How many posts of each reason a snapshot's first screen holds at most.

    board.services.feed chooses them; BOARD_FIRST_SCREEN ("newest=30,pinned=10,...")
    changes any of them (tests lower them to page through small boards).
    """

    pinned: int = 10
    mine: int = 10
    newest: int = 30
    supported: int = 10
    pending: int = 50
    reported: int = 20


def first_screen(raw: str) -> FirstScreen:
    """BOARD_FIRST_SCREEN's text as sizes: ``name=n`` pairs, commas between, the rest default."""
    sizes: dict[str, int] = {}
    names = {f.name for f in fields(FirstScreen)}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in names or not value.strip().isdigit() or int(value) < 1:
            known = ", ".join(sorted(names))
            raise RuntimeError(
                f"BOARD_FIRST_SCREEN takes name=n pairs (n 1 or more) of {known}; got {part!r}"
            )
        sizes[name] = int(value)
    return FirstScreen(**sizes)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Use BOARD_SECRET_KEY, or a random key kept in the instance folder across restarts."""
    configured = os.environ.get("BOARD_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written once with owner-only permissions: it signs every participant's cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment(instance_path: Path) -> dict[str, Any]:
    """Build the Flask config mapping from BOARD_* environment variables."""
    async_mode = os.environ.get("BOARD_ASYNC_MODE", "gevent").strip().lower()
    if async_mode not in ASYNC_MODES:
        raise RuntimeError(f"BOARD_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}")
    database_url = os.environ.get("BOARD_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'board.sqlite3'}"
    )
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the supported driver; accept the plain URL people paste.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BOARD_ASYNC_MODE": async_mode,
        "BOARD_MESSAGE_QUEUE": os.environ.get("BOARD_MESSAGE_QUEUE") or None,
        "BOARD_EVENT_LOG_KEEP": _int("BOARD_EVENT_LOG_KEEP", 2000),
        "BOARD_REPLAY_MAX": _int("BOARD_REPLAY_MAX", 500),
        "BOARD_HEAD_INTERVAL": _int("BOARD_HEAD_INTERVAL", 20),
        "BOARD_FIRST_SCREEN": first_screen(os.environ.get("BOARD_FIRST_SCREEN", "")),
        # How long the public part of a board's snapshot at one seq is kept for the next
        # viewer (board.services.boards.PublicSnapshots); 0 draws every snapshot afresh.
        "BOARD_SNAPSHOT_CACHE_S": _float("BOARD_SNAPSHOT_CACHE_S", 10.0),
        # WebSocket compression (permessage-deflate), which only eventlet negotiates: it
        # compresses each frame once per recipient (29 % of the CPU at 2000 clients).
        "BOARD_WS_DEFLATE": _bool("BOARD_WS_DEFLATE", False),
        # How long a counter change (a support, a dot) may wait to go out with others, in
        # ms (board.events.Outbox). Off with several processes: each would wait on its own,
        # and phones would see the seqs out of order and catch up more often.
        "BOARD_GATHER_MS": _int(
            "BOARD_GATHER_MS", 0 if os.environ.get("BOARD_MESSAGE_QUEUE") else 50
        ),
        "BOARD_PUBLIC_URL": (os.environ.get("BOARD_PUBLIC_URL") or "").rstrip("/") or None,
        # Behind a load balancer: this process's name, which starts every Socket.IO session
        # id so the balancer can send a polling client back to the process holding it.
        "BOARD_NODE": _node_name(os.environ.get("BOARD_NODE", "")),
        # Addresses of the reverse proxies whose X-Forwarded-For and -Proto are believed.
        "BOARD_TRUSTED_PROXIES": _networks(
            "BOARD_TRUSTED_PROXIES", os.environ.get("BOARD_TRUSTED_PROXIES", "")
        ),
        # Where this server listens: the base of links made outside a request (exports sent
        # by the webhook, say) when BOARD_PUBLIC_URL is not set.
        "SERVER_URL": _server_url(
            os.environ.get("BOARD_HOST", "127.0.0.1"), os.environ.get("BOARD_PORT", "5000")
        ),
        # Host names the server answers to besides its own addresses; "*": any at all.
        "BOARD_ALLOWED_HOSTS": _host_list(os.environ.get("BOARD_ALLOWED_HOSTS", "")),
        # The council's webhook: each proposal state change is POSTed there, signed.
        "BOARD_WEBHOOK_URL": os.environ.get("BOARD_WEBHOOK_URL") or None,
        "BOARD_WEBHOOK_SECRET": os.environ.get("BOARD_WEBHOOK_SECRET") or None,
        # Seconds before the first retry; each later retry waits twice as long (max 1 h).
        "BOARD_WEBHOOK_BACKOFF": _float("BOARD_WEBHOOK_BACKOFF", 5.0),
        # Rate limits (board.web.limits). Off only for tests that flood on purpose.
        "BOARD_RATE_LIMITS": _bool("BOARD_RATE_LIMITS", True),
        # Each participant's writes: a burst of this many, refilled at this many a second.
        "BOARD_WRITE_BURST": _int("BOARD_WRITE_BURST", 20),
        "BOARD_WRITE_RATE": _float("BOARD_WRITE_RATE", 2.0),
        # Per address, and a hall of phones shares one address: high enough for 300 joins.
        "BOARD_JOIN_LIMIT": os.environ.get("BOARD_JOIN_LIMIT") or "600 per minute",
        "BOARD_CREATE_LIMIT": os.environ.get("BOARD_CREATE_LIMIT") or "30 per minute; 200 per hour",
        # Lookups of codes no board has, per address: after these, code guessing waits.
        "BOARD_CODE_MISSES": os.environ.get("BOARD_CODE_MISSES") or "20 per minute",
        "BOARD_SOCKETS_PER_ADDRESS": _int("BOARD_SOCKETS_PER_ADDRESS", 500),
        # Who runs this board and how to reach them about personal data (the privacy notice).
        "BOARD_OPERATOR_NAME": os.environ.get("BOARD_OPERATOR_NAME") or "",
        "BOARD_OPERATOR_CONTACT": os.environ.get("BOARD_OPERATOR_CONTACT") or "",
        # Boards closed longer than this are anonymised by `flask board anonymise-closed`.
        "BOARD_RETENTION_DAYS": _int("BOARD_RETENTION_DAYS", 365),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _bool("BOARD_SECURE_COOKIES", False),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 90,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _server_url(host: str, port: str) -> str:
    """The server's own address as a link: a listen-everywhere address links to loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


#: What a process name may be: it goes into session ids and nginx matches it there.
_NODE_SHAPE = re.compile(r"[A-Za-z0-9]{1,16}")


def _node_name(raw: str) -> str | None:
    name = raw.strip()
    if not name:
        return None
    if not _NODE_SHAPE.fullmatch(name):
        raise RuntimeError(f"BOARD_NODE must be 1 to 16 letters or digits, got {raw!r}")
    return name


def _networks(name: str, raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``)."""
    try:
        return tuple(
            ipaddress.ip_network(item.strip(), strict=False)
            for item in raw.split(",")
            if item.strip()
        )
    except ValueError as exc:
        raise RuntimeError(f"{name} must list IP addresses or networks: {exc}") from exc


def _host_list(raw: str) -> tuple[str, ...]:
    return tuple(h.strip().lower().rstrip(".") for h in raw.split(",") if h.strip())


#: What a Host header may look like: a name or IPv4 address, or IPv6 in brackets; a port.
_HOST_SHAPE = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def _split_host(host: str) -> tuple[str, str | None]:
    """``name[:port]`` (IPv6 in brackets) as (lower-case name, port or None); ("", None)
    for anything else, so a header with a path or stray characters matches no name."""
    if not _HOST_SHAPE.fullmatch(host):
        return "", None
    try:
        parts = urlsplit("//" + host)
        port = parts.port
    except ValueError:
        return "", None
    return (parts.hostname or "").rstrip("."), None if port is None else str(port)


def _local_address(name: str) -> bool:
    """Whether ``name`` is an IP address of this machine (one it could listen on).

    Binding a UDP socket sends nothing and fails for an address no interface has, so
    phones that reach the laptop at whatever address the venue's Wi-Fi gave it are let in.
    """
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    if ip.is_unspecified or ip.is_multicast:
        return False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((str(ip), 0))
        except OSError:
            return False
    return True


def _own_names(config: Any) -> set[str]:
    names = {"localhost", socket.gethostname().lower(), socket.gethostname().lower() + ".local"}
    for url in (config.get("BOARD_PUBLIC_URL"), config.get("SERVER_URL")):
        if url:
            names.add(_split_host(urlsplit(url).netloc)[0])
    if config.get("SERVER_NAME"):
        names.add(_split_host(str(config["SERVER_NAME"]))[0])
    return names


def host_listed(config: Any, host: str) -> bool:
    """Whether a request's Host names this server: its own names and addresses, localhost,
    BOARD_PUBLIC_URL's host, or an entry of BOARD_ALLOWED_HOSTS (``name`` or ``name:port``).
    """
    name, port = _split_host(host)
    if not name:
        return False
    allowed = config.get("BOARD_ALLOWED_HOSTS") or ()
    with_port = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
    if name in allowed or (port is not None and with_port in allowed):
        return True
    return name in _own_names(config) or _local_address(name)


def host_answered(config: Any, host: str) -> bool:
    """Whether the server answers a request with this Host at all (else a 400)."""
    return "*" in (config.get("BOARD_ALLOWED_HOSTS") or ()) or host_listed(config, host)


def links_base(config: Any, host: str | None = None, scheme: str = "http") -> str:
    """The base URL of every link the board gives out, the one rule for all of them.

    BOARD_PUBLIC_URL when set; else the request's host (``host``, from a request) when it
    names this server (see host_listed); else the server's own address. A Host header that
    a client chose never reaches a link unchecked.
    """
    if config.get("BOARD_PUBLIC_URL"):
        return str(config["BOARD_PUBLIC_URL"])
    if host and host_listed(config, host):
        return f"{'https' if scheme == 'https' else 'http'}://{host.lower()}"
    return str(config["SERVER_URL"])
