"""Engine set-up: SQLite pragmas, write transactions that take the lock up front, and the
start-up checks that refuse to serve from storage the server cannot safely write."""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.errors import BoardError
from board.extensions import db

WRITE = {"board_write": True}
#: SQLite's extended result codes for a full disk or database (SQLITE_FULL) and a database it
#: may only read (SQLITE_READONLY and its variants): the low byte is the primary code.
SQLITE_FULL = 13
SQLITE_READONLY = 8
#: PostgreSQL's SQLSTATEs disk_full and read_only_sql_transaction (a standby, or
#: default_transaction_read_only).
PG_DISK_FULL = "53100"
PG_READ_ONLY = "25006"


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
    try:
        session.connection(execution_options=WRITE)
        yield session
        session.commit()
    except sa.exc.DBAPIError as exc:
        session.rollback()
        refusal = storage_refusal(exc)
        if refusal is None:
            raise
        raise refusal from exc
    except BaseException:
        session.rollback()
        raise


def storage_refusal(exc: sa.exc.DBAPIError) -> BoardError | None:
    """The 503 a write gets when the database cannot take it (disk full, read-only), or None.

    The transaction has been rolled back by then, so nothing of the write is kept.
    """
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if (isinstance(sqlite_code, int) and sqlite_code & 0xFF == SQLITE_FULL) or (
        sqlstate == PG_DISK_FULL
    ):
        return BoardError(
            "storage_full",
            "The server's disk is full, so nothing was saved. Tell the organiser; "
            "try again once they have made room.",
            503,
        )
    if (isinstance(sqlite_code, int) and sqlite_code & 0xFF == SQLITE_READONLY) or (
        sqlstate == PG_READ_ONLY
    ):
        return BoardError(
            "storage_read_only",
            "The server cannot write to its database just now, so nothing was saved. "
            "Tell the organiser.",
            503,
        )
    return None


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


# -- start-up checks ------------------------------------------------------------------------

#: Owner-only: the instance folder holds the key that signs every cookie and the database.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: The lock files this process holds (closing one would release its lock).
_HELD: list[IO[str]] = []


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file a URL names, or None (PostgreSQL, or an in-memory SQLite)."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    name = url.database.removeprefix("file:").split("?", 1)[0]
    if not name or name == ":memory:" or url.query.get("mode") == "memory":
        return None
    return Path(name).resolve()


def secure_files(instance_path: Path, database: Path | None) -> list[Path]:
    """Make the instance folder 0700 and its files (and the database's) 0600; return what
    was looser, so start-up can say what it fixed."""
    fixed: list[Path] = []

    def tighten(path: Path, mode: int) -> None:
        try:
            current = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            return
        if current & ~mode:
            os.chmod(path, current & mode)
            fixed.append(path)

    instance_path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(instance_path, PRIVATE_DIR)
    for entry in sorted(instance_path.iterdir()):
        if entry.is_file() and not entry.is_symlink():
            tighten(entry, PRIVATE_FILE)
    if database is not None:
        for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
            tighten(database.with_name(database.name + suffix), PRIVATE_FILE)
    return fixed


def hold_database_lock(database: Path) -> IO[str]:
    """Lock ``<database>.lock`` for the life of this process, or exit saying who holds it.

    Two servers on one SQLite file would each keep their own phones' presence and rooms, so
    half the hall would miss the other half's events; several processes need PostgreSQL
    and a message queue. The lock lasts as long as the returned file is open, which this
    module keeps until the process ends.
    """
    path = database.with_name(database.name + ".lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    except OSError as exc:
        raise SystemExit(
            f"Common Ground: cannot create the lock file {path}: {exc.strerror}. The server "
            "needs to write in the database's folder; check its owner and permissions."
        ) from exc
    handle = os.fdopen(fd, "r+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SystemExit(
            f"Common Ground: another server (process {holder}) is already using the database "
            f"{database}. Stop it first; to run several processes, use PostgreSQL "
            "(BOARD_DATABASE_URL) and a message queue (BOARD_MESSAGE_QUEUE)."
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _HELD.append(handle)
    return handle


def check_writable(engine: sa.Engine) -> None:
    """Exit with a clear message unless a write transaction can change the database.

    On SQLite the probe creates a table and rolls it back, leaving nothing behind. On
    PostgreSQL it asks whether this connection's transactions are read-only (a standby, or
    default_transaction_read_only): the server's role need not be allowed to create tables.
    """
    where = sqlite_file(str(engine.url)) or engine.url.render_as_string(hide_password=True)
    reason: str | None = None
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(**WRITE)
            with conn.begin() as probe:
                if engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("CREATE TABLE board_write_probe (id INTEGER)")
                elif conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                    reason = "it is read-only"
                probe.rollback()
    except sa.exc.DBAPIError as exc:
        refusal = storage_refusal(exc)
        reason = (
            "it is read-only"
            if refusal is not None and refusal.code == "storage_read_only"
            else "the disk is full"
            if refusal is not None
            else str(exc.orig).strip()
        )
        raise SystemExit(_not_writable(where, reason)) from exc
    if reason is not None:
        raise SystemExit(_not_writable(where, reason))


def _not_writable(where: object, reason: str) -> str:
    return (
        f"Common Ground: cannot write to the database {where}: {reason}. "
        "The server needs to write to it (and, for SQLite, to its folder); "
        "check its owner, permissions and free space."
    )
