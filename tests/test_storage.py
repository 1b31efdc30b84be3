"""Storage that cannot take a write: a full disk or a read-only database is a clear 503 with
nothing half-written, and the start-up checks refuse loose permissions' leftovers and a
database the server cannot write."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from board import storage
from board.errors import BoardError
from board.extensions import db
from board.models import BoardEvent, Operation, Participant, Post
from board.services import posts
from tests.conftest import actor_of, join, new_board, op, postgres_url, socket_client
from tests.test_http import csrf_from

LONG = "A bench by the bus stop, and shade for the people who wait there. " * 30


@contextmanager
def disk_full(app: Flask) -> Iterator[None]:
    """Every connection the app checks out may not grow the database file by a page."""

    def cap(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    def uncap(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA max_page_count=4294967294")
        cursor.close()

    with app.app_context():
        db.session.remove()
        engine = db.engine
    # No app context held open meanwhile: requests must start with a fresh one (Flask-WTF
    # keeps the CSRF token on g).
    sa.event.listen(engine, "checkout", cap)
    sa.event.listen(engine, "checkin", uncap)
    try:
        yield
    finally:
        sa.event.remove(engine, "checkout", cap)
        sa.event.remove(engine, "checkin", uncap)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        found = tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Post, BoardEvent, Operation)
        )
        db.session.remove()
        return found  # type: ignore[return-value]


def fill_the_disk(app: Flask, write: Any) -> BoardError:
    """Write until the capped file has no room left; the refused write left no row behind."""
    for _ in range(200):
        before = counts(app)
        try:
            with app.app_context():
                write()
                db.session.remove()
        except BoardError as error:
            assert counts(app) == before
            return error
    raise AssertionError("the database never filled up")


def test_a_full_disk_refuses_the_write_with_503_and_keeps_nothing(app: Flask) -> None:
    with app.app_context():
        entry = new_board()
        aisha = join(entry.board_code, "Aisha")
        actor = actor_of(aisha)
        db.session.remove()
    with disk_full(app):
        refused = fill_the_disk(app, lambda: posts.create_post(actor, op(), "idea", "Shade", LONG))
    assert refused.code == "storage_full"
    assert refused.status == 503
    assert "disk is full" in refused.message
    # Once there is room again the same write goes through.
    with app.app_context():
        made = posts.create_post(actor, op(), "idea", "Shade at the bus stop", LONG)
        assert made["post"]["title"] == "Shade at the bus stop"


def test_a_full_disk_is_a_503_json_error_and_an_error_ack(app: Flask) -> None:
    with app.app_context():
        code = new_board().board_code
        token = join(code, "Aisha").token
        db.session.remove()
    http = app.test_client()
    sio = socket_client(app, app.test_client())
    assert sio.emit("subscribe", {"board": code, "token": token}, callback=True)["ok"]
    body = {"kind": "idea", "title": "More bins", "body": LONG}
    with disk_full(app):
        for _ in range(200):
            before = counts(app)
            answer = http.post(
                f"/api/v1/boards/{code}/posts",
                json={**body, "op_id": op()},
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code != 201:
                break
        assert answer.status_code == 503, answer.get_data(as_text=True)
        assert answer.get_json()["error"]["code"] == "storage_full"
        assert counts(app) == before
        ack = sio.emit("post.create", {"board": code, **body, "op_id": op()}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "storage_full", ack
    assert counts(app) == before


def test_postgresql_disk_full_and_read_only_map_to_503() -> None:
    full = sa.exc.OperationalError("INSERT", {}, psycopg.errors.DiskFull("no space left"))
    read_only = sa.exc.InternalError(
        "INSERT", {}, psycopg.errors.ReadOnlySqlTransaction("read-only transaction")
    )
    other = sa.exc.OperationalError("INSERT", {}, psycopg.errors.QueryCanceled("cancelled"))
    assert (refusal := storage.storage_refusal(full)) and refusal.code == "storage_full"
    assert (refusal := storage.storage_refusal(read_only)) and refusal.status == 503
    assert refusal.code == "storage_read_only"
    assert storage.storage_refusal(other) is None


def test_a_database_that_became_read_only_is_a_503(app: Flask) -> None:
    with app.app_context():
        entry = new_board()
        actor = actor_of(join(entry.board_code, "Aisha"))
        db.session.remove()
        url = db.engine.url
    read_only_url = f"sqlite:///file:{url.database}?mode=ro&uri=true"
    engine = sa.create_engine(read_only_url)
    storage.configure_engine(engine)
    with app.app_context():
        original = db.engines[None]
        db.engines[None] = engine  # type: ignore[index]
        db.session.remove()
        try:
            with pytest.raises(BoardError) as refused:
                posts.create_post(actor, op(), "idea", "Read-only", "")
        finally:
            db.session.remove()
            db.engines[None] = original  # type: ignore[index]
            engine.dispose()
    assert (refused.value.code, refused.value.status) == ("storage_read_only", 503)


def test_sqlite_file_names_the_file_a_url_opens(tmp_path: Path) -> None:
    path = tmp_path / "board.sqlite3"
    assert storage.sqlite_file(f"sqlite:///{path}") == path
    assert storage.sqlite_file(f"sqlite:///file:{path}?mode=ro&uri=true") == path
    assert storage.sqlite_file("sqlite://") is None
    assert storage.sqlite_file("sqlite:///:memory:") is None
    assert storage.sqlite_file("postgresql+psycopg://u@localhost/board") is None


def test_loose_instance_files_are_made_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    names = ["secret_key", "board.sqlite3", "board.sqlite3-wal", "demo-board.json"]
    for name in names:
        (instance / name).write_text("x")
        os.chmod(instance / name, 0o644)
    (instance / "already-private").write_text("x")
    os.chmod(instance / "already-private", 0o600)
    elsewhere = tmp_path / "data" / "other.sqlite3"
    elsewhere.parent.mkdir()
    elsewhere.write_text("x")
    os.chmod(elsewhere, 0o666)

    fixed = storage.secure_files(instance, elsewhere)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(instance) == 0o700
    assert {name: mode(instance / name) for name in names} == dict.fromkeys(names, 0o600)
    assert mode(elsewhere) == 0o600
    assert set(fixed) == {instance, elsewhere, *(instance / n for n in names)}
    assert storage.secure_files(instance, elsewhere) == []


def test_a_new_instance_folder_is_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "fresh" / "instance"
    storage.secure_files(instance, None)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700


def test_the_write_probe_refuses_a_read_only_database_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "board.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    storage.configure_engine(engine)
    storage.check_writable(engine)
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()

    read_only = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    storage.configure_engine(read_only)
    with pytest.raises(SystemExit) as refused:
        storage.check_writable(read_only)
    read_only.dispose()
    assert f"cannot write to the database {path}: it is read-only" in str(refused.value)


def test_the_write_probe_says_why_a_database_cannot_be_opened(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'board.sqlite3'}")
    storage.configure_engine(engine)
    with pytest.raises(SystemExit) as refused:
        storage.check_writable(engine)
    assert "unable to open database file" in str(refused.value)


def test_a_full_disk_on_a_form_is_a_503_page_and_keeps_nothing(app: Flask) -> None:
    with app.app_context():
        code = new_board().board_code
        db.session.remove()
    with disk_full(app):
        for number in range(400):
            # A new phone each time: a browser that has joined is sent to the board instead.
            browser = app.test_client()
            csrf = csrf_from(browser.get(f"/b/{code}/join").get_data(as_text=True))
            before = counts(app), people(app)
            answer = browser.post(
                f"/b/{code}/join",
                data={"csrf_token": csrf, "display_name": f"Resident {number:04d} of the hall"},
            )
            if answer.status_code != 302:
                break
    assert answer.status_code == 503, answer.get_data(as_text=True)[:500]
    assert "disk is full" in answer.get_data(as_text=True)
    assert (counts(app), people(app)) == before


def people(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) or 0
        db.session.remove()
        return found


def test_the_lock_is_one_holder_at_a_time(tmp_path: Path) -> None:
    database = tmp_path / "board.sqlite3"
    held = storage.hold_database_lock(database)
    try:
        with pytest.raises(SystemExit) as refused:
            storage.hold_database_lock(database)
        assert f"(process {os.getpid()}) is already using the database {database}" in str(
            refused.value
        )
    finally:
        storage._HELD.remove(held)
        held.close()
    storage._HELD.remove(again := storage.hold_database_lock(database))
    again.close()


def test_a_lock_file_that_cannot_be_made_is_said_plainly(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(SystemExit) as refused:
        storage.hold_database_lock(not_a_folder / "board.sqlite3")
    assert "cannot create the lock file" in str(refused.value)


def test_a_read_only_postgresql_is_refused_at_start() -> None:
    url = postgres_url()
    assert url is not None
    writable = sa.create_engine(url)
    storage.check_writable(writable)
    writable.dispose()
    read_only = sa.create_engine(
        url, connect_args={"options": "-c default_transaction_read_only=on"}
    )
    with pytest.raises(SystemExit) as refused:
        storage.check_writable(read_only)
    read_only.dispose()
    assert "it is read-only" in str(refused.value)
