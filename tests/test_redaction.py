"""Removed content leaves the event log: replay and the snapshot no longer carry it."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Flask

from board import events
from board.extensions import db
from board.models import BoardEvent
from board.services import Actor, boards, groups, links, moderation, posts
from tests.conftest import actor_of, join, new_board, op

SECRET = "Ring Mrs Hughes on 07700 900123"


def seen(actor: Actor) -> str:
    """Everything a viewer can get of the board: replay from seq 0 and the snapshot."""
    db.session.remove()
    return json.dumps([boards.events_since(actor, 0), boards.snapshot(actor)])


def gapless(code: str) -> None:
    board = boards.board_by_code(db.session, code)
    seqs = db.session.scalars(
        sa.select(BoardEvent.seq).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)
    ).all()
    assert list(seqs) == list(range(1, board.last_seq + 1))
    for row in db.session.scalars(sa.select(BoardEvent).where(BoardEvent.board_id == board.id)):
        if row.type != events.PRIVATE_TYPE:
            events.check(row.type, row.payload)


def scene() -> tuple[str, Actor, Actor, Actor, Actor, int]:
    """A board with a secret-bearing idea that has a comment, a helper and a group."""
    owner = new_board()
    code = owner.board_code
    sam = actor_of(owner)
    projector = Actor(sam.board_id, sam.participant_id, public_view=True)
    aisha = actor_of(join(code, "Aisha"))
    ben = actor_of(join(code, "Ben"))
    idea = posts.create_post(aisha, op(), "idea", "Street party", SECRET)["post"]["id"]
    posts.add_comment(ben, op(), idea, f"Yes! {SECRET}")
    offer = posts.create_post(ben, op(), "tool", "Gazebo", "Big one")["post"]["id"]
    links.link_help(ben, op(), idea, offer)
    group = groups.join_group(ben, op(), idea)["group"]["id"]
    groups.post_message(ben, op(), group, f"About {SECRET}")
    # Another post, untouched, so replay still has content to carry.
    posts.create_post(ben, op(), "need", "A ladder")
    return code, sam, projector, aisha, ben, idea


def test_a_deleted_post_leaves_replay_and_snapshot_for_everyone(ctx: Flask) -> None:
    code, sam, projector, aisha, ben, idea = scene()
    assert SECRET in seen(ben)
    posts.delete_post(aisha, op(), idea)
    for viewer in (sam, projector, aisha, ben):
        text = seen(viewer)
        assert "Hughes" not in text
        assert "A ladder" in text and "Gazebo" in text
    gapless(code)


def test_an_edit_leaves_only_the_new_words_in_replay(ctx: Flask) -> None:
    code, sam, projector, aisha, ben, idea = scene()
    posts.update_post(aisha, op(), idea, title="Summer street party", body="Details to follow")
    for viewer in (sam, projector, aisha, ben):
        text = seen(viewer)
        assert "Hughes" not in text.replace(f"Yes! {SECRET}", "").replace(f"About {SECRET}", "")
        assert "Details to follow" in text
        # The group named after the idea took its new title, in the log too.
        assert '"name": "Street party"' not in text
    gapless(code)


def test_a_hidden_post_leaves_replay_for_all_but_facilitators(ctx: Flask) -> None:
    code, sam, projector, aisha, ben, idea = scene()
    moderation.hide_post(sam, op(), idea, "personal information")
    for viewer in (projector, aisha, ben):
        replay = json.dumps(boards.events_since(viewer, 0))
        snapshot = json.dumps(boards.snapshot(viewer)["posts"])
        assert "Hughes" not in replay.replace(f"About {SECRET}", "")
        assert "Hughes" not in snapshot
    # Facilitators still see it where the product shows it to them: snapshot and replay.
    assert SECRET in json.dumps(boards.snapshot(sam)["posts"])
    assert f"Yes! {SECRET}" in json.dumps(boards.events_since(sam, 0))
    gapless(code)
    # Restored, it is back for everyone through post.restored, comments and all.
    moderation.restore_post(sam, op(), idea)
    restored: list[dict[str, Any]] = boards.events_since(ben, 0) or []
    assert restored[-1]["type"] == "post.restored"
    assert f"Yes! {SECRET}" in json.dumps(restored[-1]["data"])


def test_hidden_by_reports_leaves_replay_too(ctx: Flask) -> None:
    code, sam, _, _, ben, idea = scene()
    others = [actor_of(join(code, name)) for name in ("Cal", "Dee", "Eve")]
    for person in others:
        moderation.report_post(person, op(), idea, "personal information")
    replay = json.dumps(boards.events_since(ben, 0))
    assert "Hughes" not in replay.replace(f"About {SECRET}", "")
    assert "Hughes" in json.dumps(boards.events_since(sam, 0))
    gapless(code)
