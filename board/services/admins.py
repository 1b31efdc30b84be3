"""The instance's administrators: an API token that may import boards over HTTP.

An administrator is someone who runs the instance (``flask --app wsgi board admin-token
NAME`` makes a token, printed once and stored as its sha256). Imports are theirs because a
board file writes a whole board at once, with everyone's posts, names and token hashes: the
server's own command line may import without a token, as anyone at its shell can write to
the database anyway.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

import sqlalchemy as sa

from board.errors import BoardError
from board.models import AdminToken
from board.storage import read_snapshot, write_transaction

#: An admin token starts with this, so a token pasted in the wrong place is recognisable.
PREFIX = "admin-"


@dataclass(frozen=True)
class Admin:
    """An instance administrator, as resolved from an API token."""

    id: int
    name: str


def hash_token(token: str) -> str:
    """The stored form of an admin token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_admin_token(name: str) -> str:
    """A new admin API token for ``name``; shown once, stored hashed."""
    token = PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.add(AdminToken(name=name, token_hash=hash_token(token)))
    return token


def admin_by_token(token: str | None) -> Admin:
    """The administrator holding ``token``: 401 without one, 403 for any other token."""
    if not token:
        raise BoardError(
            "admin_token_required",
            "Send an instance administrator's token (Authorization: Bearer).",
            401,
        )
    with read_snapshot() as session:
        row = session.scalar(
            sa.select(AdminToken).where(AdminToken.token_hash == hash_token(token))
        )
        if row is None or row.revoked_at is not None:
            raise BoardError(
                "admin_token_invalid", "That token is not an instance administrator's.", 403
            )
        return Admin(row.id, row.name)


class ImportGate:
    """At most ``at_once`` imports running in this process, and at most ``per_hour`` started
    by one administrator in any hour.

    One import parses, checks and writes a whole board, and while it runs the process
    serves little else: two at once only share one process (and SQLite's one writer) and
    stall everyone for both, so a second is refused at once with ``503 import_busy`` and
    told when to retry. After an import the gate stays shut for as long again, so imports
    back to back leave the process at least half its time for everyone else. The hourly
    budget keeps one token from filling the database.
    """

    def __init__(self, at_once: int = 1, per_hour: int = 30, rest: float = 1.0) -> None:
        #: ``rest``: how long the gate stays shut after an import, as a share of its time.
        self.at_once, self.per_hour, self.rest = at_once, per_hour, rest
        self._lock = threading.Lock()
        self._running = 0
        self._free_at = 0.0
        self._started: dict[int, deque[float]] = {}

    def enter(self, admin: Admin) -> None:
        """Take a place, or refuse (nothing is taken when refused)."""
        now = time.monotonic()
        with self._lock:
            started = self._started.setdefault(admin.id, deque())
            while started and now - started[0] >= 3600:
                started.popleft()
            if len(started) >= self.per_hour:
                wait = int(3600 - (now - started[0])) + 1
                raise BoardError(
                    "import_rate_limited",
                    f"This token has started {self.per_hour} imports in the last hour: "
                    f"try again in {wait} seconds.",
                    429,
                    {"retry_after": str(wait)},
                )
            if self._running >= self.at_once or now < self._free_at:
                wait = 5 if self._running else math.ceil(self._free_at - now)
                raise BoardError(
                    "import_busy",
                    "Another board is being imported: try again in a few seconds.",
                    503,
                    {"retry_after": str(wait)},
                )
            self._running += 1
            started.append(now)

    def leave(self, took: float = 0.0) -> None:
        """Give the place back, after an import that ran for ``took`` seconds."""
        with self._lock:
            self._running -= 1
            self._free_at = max(self._free_at, time.monotonic() + self.rest * took)


#: The process's gate for imports over HTTP.
IMPORTS = ImportGate()
