"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.extensions import db

WRITE = {"board_write": True}


def configure_engine(engine: sa.Engine) -> None:
    """Turn on WAL, foreign keys and a busy timeout for SQLite; nothing to do for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so we choose DEFERRED or IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A write that starts DEFERRED, reads, then writes can fail at once with SQLITE_BUSY
        # when another connection wrote meanwhile (the busy timeout does not apply to lock
        # upgrades). Writes therefore begin IMMEDIATE: they queue for the lock instead.
        if conn.get_execution_options().get("board_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def write_transaction() -> Iterator[so.Session]:
    """One write unit of work: commit on success, roll back on any error.

    Board events recorded inside it are published only once the commit has succeeded.
    """
    session = db.session()
    if session.in_transaction():
        # End the read transaction a transport used to look the caller up.
        session.commit()
    session.connection(execution_options=WRITE)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def read_snapshot() -> Iterator[so.Session]:
    """A consistent read: every query inside sees the database as of one moment."""
    session = db.session()
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        yield session
    finally:
        session.rollback()
