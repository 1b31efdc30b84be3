"""Fixtures: an app on a fresh migrated database, HTTP and socket clients, factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from board import create_app
from board.extensions import db, socketio
from board.services import Actor, boards

ROOT = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    """Whether this run is CI's, where a missing service is a failure, not a skip."""
    return os.environ.get("CI") == "true"


def postgres_url() -> str | None:
    """The throwaway PostgreSQL that ./dev test starts, or a skip (a failure in CI).

    Under pytest-xdist each worker has a database of its own on that server (made the first
    time it asks), as the tests drop and remake a database's tables.
    """
    url = os.environ.get("BOARD_TEST_POSTGRES_URL")
    if not url:
        if in_ci():
            pytest.fail("BOARD_TEST_POSTGRES_URL is not set: ./dev test must start PostgreSQL")
        pytest.skip("no PostgreSQL (run the tests with ./dev test)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        return _worker_database(url, worker)
    return url


_WORKER_DATABASES: dict[str, str] = {}


def _worker_database(url: str, worker: str) -> str:
    """The URL of this worker's own database on the server ``url`` names (made once)."""
    if worker not in _WORKER_DATABASES:
        import sqlalchemy as sa

        base = sa.engine.make_url(url)
        name = f"{base.database}_{worker}"
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            known = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not known:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        _WORKER_DATABASES[worker] = base.set(database=name).render_as_string(hide_password=False)
    return _WORKER_DATABASES[worker]


def reset_postgres(url: str) -> None:
    """Drop every table so each test migrates an empty database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def build_app(tmp_path: Path, database_url: str | None = None, **extra: Any) -> Flask:
    """A test app on its own database, migrated to head."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'board.sqlite3'}",
        "BOARD_ASYNC_MODE": "threading",
        "BOARD_HEAD_INTERVAL": 3600,
        # In-process tests read what was sent right after the write: nothing waits to be
        # gathered (tests/e2e/test_gather.py checks gathering against the real server).
        "BOARD_GATHER_MS": 0,
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": "board.test",
        # Tests write, join and miss far faster than people: the limits run but never bite
        # (tests/e2e/test_limits.py checks them at their real sizes).
        "BOARD_WRITE_BURST": 100_000,
        "BOARD_JOIN_LIMIT": "100000 per minute",
        "BOARD_CREATE_LIMIT": "100000 per minute",
        "BOARD_CODE_MISSES": "100000 per minute",
        **extra,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh SQLite database."""
    app = build_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite, then on PostgreSQL."""
    url = None
    if request.param == "postgresql":
        url = postgres_url()
        reset_postgres(url)
    app = build_app(tmp_path, url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context, for calling services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An HTTP client with its own cookie jar."""
    return app.test_client()


def op() -> str:
    """A fresh op id."""
    return uuid.uuid4().hex


def new_board(title: str = "Westcliff 2030", **kw: Any) -> boards.Entry:
    """Create a board; returns its facilitator's entry."""
    return boards.create_board(
        title,
        kw.get("prompt", "What would make our streets better?"),
        kw.get("kind", "workshop"),
        kw.get("tags", ["green spaces", "older people"]),
        kw.get("facilitator_name", "Sam"),
    )


def join(code: str, name: str | None = "Aisha", anonymous: bool = False) -> boards.Entry:
    """Join a board as a participant."""
    return boards.join_board(code, name, anonymous)


def actor_of(entry: boards.Entry) -> Actor:
    """The Actor for an entry (what a transport resolves from a token)."""
    return boards.identify(db.session, entry.board_code, entry.token)


def socket_client(app: Flask, http: FlaskClient | None = None) -> Any:
    """An in-process Socket.IO client sharing ``http``'s cookies."""
    return socketio.test_client(app, flask_test_client=http)
