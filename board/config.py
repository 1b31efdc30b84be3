"""Settings read from the environment, with safe defaults for a laptop in a church hall."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ASYNC_MODES = ("gevent", "eventlet", "threading")


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
        "BOARD_PUBLIC_URL": (os.environ.get("BOARD_PUBLIC_URL") or "").rstrip("/") or None,
        # Where this server listens: the base of links made outside a request (exports sent
        # by the webhook, say) when BOARD_PUBLIC_URL is not set.
        "SERVER_URL": "http://{}:{}".format(
            os.environ.get("BOARD_HOST", "127.0.0.1"), os.environ.get("BOARD_PORT", "5000")
        ),
        # The council's webhook: each proposal state change is POSTed there, signed.
        "BOARD_WEBHOOK_URL": os.environ.get("BOARD_WEBHOOK_URL") or None,
        "BOARD_WEBHOOK_SECRET": os.environ.get("BOARD_WEBHOOK_SECRET") or None,
        # Seconds before the first retry; each later retry waits twice as long (max 1 h).
        "BOARD_WEBHOOK_BACKOFF": _float("BOARD_WEBHOOK_BACKOFF", 5.0),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _bool("BOARD_SECURE_COOKIES", False),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 90,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
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
    }


def links_base(config: Any) -> str:
    """The base URL of links the board writes into exports: the public URL, else the server's.

    Never the request's Host header, which a client chooses.
    """
    return str(config.get("BOARD_PUBLIC_URL") or config["SERVER_URL"])
