"""The domain without transport: boards, joining, posts, supports, comments, the event log."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from board import events
from board.errors import BoardError
from board.extensions import db
from board.models import Board, BoardEvent, Operation, Post, Support
from board.services import boards, posts
from tests.conftest import actor_of, join, new_board, op


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every event handed to Socket.IO, in order."""
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(events, "publish", lambda message, rooms=None: sent.append(message))
    return sent


def log_of(code: str) -> list[tuple[int, str]]:
    board = boards.board_by_code(db.session, code)
    rows = db.session.scalars(
        sa.select(BoardEvent).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)
    )
    return [(row.seq, row.type) for row in rows]


def test_create_board_gives_code_without_lookalikes_and_a_facilitator(ctx: Flask) -> None:
    entry = new_board()
    assert len(entry.board_code) == 6
    assert set(entry.board_code) <= set(boards.JOIN_CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(boards.JOIN_CODE_ALPHABET)
    assert entry.participant["role"] == "facilitator"
    info = boards.board_info(entry.board_code.lower())
    assert info["title"] == "Westcliff 2030"
    assert info["tags"] == ["green spaces", "older people"]
    assert log_of(entry.board_code) == []  # joining is not a board event


def test_join_named_or_anonymous(ctx: Flask) -> None:
    code = new_board().board_code
    named = join(code, "Aisha")
    anon = join(code, None, anonymous=True)
    assert named.participant == {
        "id": named.participant_id,
        "name": "Aisha",
        "anonymous": False,
        "role": "participant",
    }
    assert anon.participant["name"] is None and anon.participant["anonymous"]
    with pytest.raises(BoardError) as refused:
        join(code, None, anonymous=False)
    assert refused.value.code == "invalid_input"
    with pytest.raises(BoardError) as unknown:
        join("ZZZZZZ", "Dev")
    assert unknown.value.code == "board_not_found"


def test_identify_needs_the_right_token_on_the_right_board(ctx: Flask) -> None:
    first, second = new_board().board_code, new_board("Other").board_code
    aisha = join(first, "Aisha")
    assert actor_of(aisha).participant_id == aisha.participant_id
    for code, token in [(second, aisha.token), (first, "not-a-token"), (first, None)]:
        with pytest.raises(BoardError) as refused:
            boards.identify(db.session, code, token)
        assert refused.value.code == "not_joined"


def test_post_support_comment_edit_delete_each_log_one_event(
    ctx: Flask, published: list[dict[str, Any]]
) -> None:
    code = new_board().board_code
    aisha, dev = actor_of(join(code, "Aisha")), actor_of(join(code, "Dev"))
    created = posts.create_post(aisha, op(), "idea", "Repair café", "In the old shoe shop", "high")
    post_id = created["post"]["id"]
    assert created["post"]["author"]["name"] == "Aisha"
    assert posts.toggle_support(dev, op(), post_id) == {
        "post_id": post_id,
        "supported": True,
        "count": 1,
        "seq": 2,
    }
    assert posts.toggle_support(dev, op(), post_id)["supported"] is False
    posts.toggle_support(dev, op(), post_id)
    comment = posts.add_comment(dev, op(), post_id, "Count me in")["comment"]
    assert comment["body"] == "Count me in" and comment["author"]["name"] == "Dev"
    edited = posts.update_post(aisha, op(), post_id, title="Repair café, monthly")
    assert edited["post"]["title"] == "Repair café, monthly"
    assert edited["post"]["supporter_ids"] == [dev.participant_id]
    assert posts.delete_post(aisha, op(), post_id) == {
        "post_id": post_id,
        "deleted": True,
        "seq": 7,
    }

    assert [t for _, t in log_of(code)] == [
        "post.created",
        "support.changed",
        "support.changed",
        "support.changed",
        "comment.created",
        "post.updated",
        "post.deleted",
    ]
    assert [seq for seq, _ in log_of(code)] == list(range(1, 8))
    # Published after commit, in seq order, with the same envelope the log replays.
    assert [m["seq"] for m in published] == list(range(1, 8))
    assert published[-1] == {
        "board": code,
        "seq": 7,
        "type": "post.deleted",
        "data": {"post_id": post_id, "by": "author", "moderation": None},
        "at": published[-1]["at"],
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0


def test_only_the_author_edits_and_only_author_or_facilitator_deletes(ctx: Flask) -> None:
    entry = new_board()
    facilitator = actor_of(entry)
    aisha, dev = actor_of(join(entry.board_code, "Aisha")), actor_of(join(entry.board_code, "Dev"))
    post_id = posts.create_post(aisha, op(), "need", "Lifts to the surgery")["post"]["id"]
    head = boards.head(entry.board_code)
    for attempt in (
        lambda: posts.update_post(dev, op(), post_id, title="Mine now"),
        lambda: posts.update_post(facilitator, op(), post_id, title="Edited"),
        lambda: posts.delete_post(dev, op(), post_id),
    ):
        with pytest.raises(BoardError) as refused:
            attempt()
        assert refused.value.code == "forbidden" and refused.value.status == 403
    assert boards.head(entry.board_code) == head  # nothing logged
    assert db.session.get(Post, post_id, populate_existing=True).title == "Lifts to the surgery"
    assert posts.delete_post(facilitator, op(), post_id)["deleted"]
    assert log_of(entry.board_code)[-1] == (head + 1, "post.deleted")


def test_acting_on_a_post_of_another_board_is_not_found(ctx: Flask) -> None:
    here, there = new_board().board_code, new_board("Elsewhere").board_code
    aisha = actor_of(join(here, "Aisha"))
    elsewhere_post = posts.create_post(actor_of(join(there, "Dev")), op(), "idea", "Far away")
    for attempt in (
        lambda: posts.toggle_support(aisha, op(), elsewhere_post["post"]["id"]),
        lambda: posts.add_comment(aisha, op(), elsewhere_post["post"]["id"], "hi"),
        lambda: posts.delete_post(aisha, op(), elsewhere_post["post"]["id"]),
    ):
        with pytest.raises(BoardError) as refused:
            attempt()
        assert refused.value.code == "post_not_found"


def test_same_op_id_returns_first_result_and_creates_nothing_new(
    ctx: Flask, published: list[dict[str, Any]]
) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    op_id = op()
    results = [posts.create_post(aisha, op_id, "idea", "Tool library") for _ in range(3)]
    assert results[0] == results[1] == results[2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
    assert [m["type"] for m in published].count("post.created") == 1
    with pytest.raises(BoardError) as reused:
        posts.add_comment(aisha, op_id, results[0]["post"]["id"], "reuse")
    assert reused.value.code == "op_id_reused" and reused.value.status == 409
    # Op ids belong to the participant: someone else's identical id is their own op.
    dev = actor_of(join(code, "Dev"))
    assert posts.create_post(dev, op_id, "idea", "Other")["post"]["id"] != results[0]["post"]["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Operation)) == 2


def test_a_failed_write_logs_and_publishes_nothing(
    ctx: Flask, published: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    published.clear()

    def broken(post: Post) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(posts, "post_out", broken)
    with pytest.raises(RuntimeError):
        posts.create_post(aisha, op(), "idea", "Never stored")
    assert published == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
    assert boards.head(code) == 0


def test_snapshot_and_replay(ctx: Flask) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    post_id = posts.create_post(aisha, op(), "tool", "Ladder to lend")["post"]["id"]
    posts.toggle_support(aisha, op(), post_id)
    snap = boards.snapshot(aisha)
    assert snap["seq"] == 2
    assert snap["me"]["name"] == "Aisha"
    assert snap["posts"][0]["supporter_ids"] == [aisha.participant_id]
    assert [e["seq"] for e in boards.events_since(aisha, 0)] == [1, 2]
    assert boards.events_since(aisha, 2) == []
    assert boards.events_since(aisha, 3) is None  # ahead of head: start again
    assert [e["type"] for e in boards.events_since(aisha, 0)][-1] == "support.changed"


def test_log_is_pruned_and_a_too_old_since_gets_a_snapshot(tmp_path: Any) -> None:
    from tests.conftest import build_app

    app = build_app(tmp_path, BOARD_EVENT_LOG_KEEP=50)
    with app.app_context():
        code = new_board().board_code
        aisha = actor_of(join(code, "Aisha"))
        for n in range(250):
            posts.create_post(aisha, op(), "idea", f"Idea {n}")
        board = db.session.scalar(sa.select(Board).where(Board.code == code))
        kept = db.session.scalars(
            sa.select(BoardEvent.seq).where(BoardEvent.board_id == board.id)
        ).all()
        assert max(kept) == board.last_seq == 250
        assert 50 <= len(kept) < 50 + events.PRUNE_EVERY
        assert kept == list(range(min(kept), 251))
        assert boards.events_since(aisha, 0) is None
        assert [e["seq"] for e in boards.events_since(aisha, 240)] == list(range(241, 251))
        db.engine.dispose()


def test_an_op_id_retried_with_different_arguments_is_refused(ctx: Flask) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    first = posts.create_post(aisha, "same-op-id-1", "idea", "Tool library")
    second = posts.create_post(aisha, op(), "idea", "Warm space")
    posts.toggle_support(aisha, "same-op-id-2", first["post"]["id"])
    head = boards.head(code)
    for attempt in (
        lambda: posts.create_post(aisha, "same-op-id-1", "idea", "A different title"),
        lambda: posts.toggle_support(aisha, "same-op-id-2", second["post"]["id"]),
    ):
        with pytest.raises(BoardError) as refused:
            attempt()
        assert refused.value.code == "op_id_reused"
    assert boards.head(code) == head


def test_ids_of_deleted_rows_are_never_reused(ctx: Flask) -> None:
    code = new_board().board_code
    aisha = actor_of(join(code, "Aisha"))
    newest = posts.create_post(aisha, op(), "idea", "Deleted soon")["post"]["id"]
    posts.delete_post(aisha, op(), newest)
    assert posts.create_post(aisha, op(), "idea", "Next")["post"]["id"] > newest


def test_a_long_replay_becomes_a_snapshot(tmp_path: Any) -> None:
    from tests.conftest import build_app

    app = build_app(tmp_path, BOARD_REPLAY_MAX=10)
    with app.app_context():
        code = new_board().board_code
        aisha = actor_of(join(code, "Aisha"))
        for n in range(15):
            posts.create_post(aisha, op(), "idea", f"Idea {n}")
        head = boards.head(code)
        assert len(boards.events_since(aisha, head - 10)) == 10
        assert boards.events_since(aisha, head - 11) is None
        db.engine.dispose()
