"""Replay from memory: a reconnecting phone is caught up from what this process published,
exactly as the log would have caught it up, and never with words a redaction took out."""

from __future__ import annotations

import json

from flask import Flask

from board import events
from board.extensions import db
from board.services import boards, posts, workshop
from tests.conftest import actor_of, join, new_board, op

SECRET = "Ring Mrs Hughes on 07700 900123"


def test_memory_replays_what_the_log_would_for_every_viewer(ctx: Flask) -> None:
    boss = new_board()
    code = boss.board_code
    fac, aisha, dev = actor_of(boss), actor_of(join(code, "Aisha")), actor_of(join(code, "Dev"))
    posts.create_post(aisha, op(), "idea", "Repair café")
    workshop.update_session(fac, op(), premoderation=True)
    posts.create_post(aisha, op(), "idea", "Queued idea")  # private to Aisha and facilitators
    head = boards.head(code)
    assert events.recent.since(code, 0, head) is not None  # all of it is in memory
    from_memory = {who: boards.events_since(actor, 0) for who, actor in _viewers(fac, aisha, dev)}
    events.recent.forget(code)
    from_log = {who: boards.events_since(actor, 0) for who, actor in _viewers(fac, aisha, dev)}
    assert from_memory == from_log
    assert from_memory["dev"] and from_memory["dev"][-1]["type"] == "private"
    assert from_memory["aisha"] and from_memory["aisha"][-1]["type"] == "post.created"


def test_a_redaction_is_never_replayed_from_memory(ctx: Flask) -> None:
    code = new_board().board_code
    aisha, dev = actor_of(join(code, "Aisha")), actor_of(join(code, "Dev"))
    post_id = posts.create_post(aisha, op(), "idea", "Call me", SECRET)["post"]["id"]
    posts.toggle_support(dev, op(), post_id)
    assert SECRET in json.dumps(boards.events_since(dev, 0))
    posts.delete_post(aisha, op(), post_id)
    db.session.remove()
    assert SECRET not in json.dumps(boards.events_since(dev, 0))
    assert [e["type"] for e in boards.events_since(dev, 0) or []][-1] == "post.deleted"


def test_memory_with_a_hole_answers_nothing() -> None:
    recent = events.RecentEvents(size=3)
    for seq in (1, 2, 4, 5):  # seq 3 was published by another process
        recent.add("ABCDEF", events.Logged(seq, {"seq": seq}, False, None, None))
    assert recent.since("ABCDEF", 3, head=5) == [
        events.Logged(4, {"seq": 4}, False, None, None),
        events.Logged(5, {"seq": 5}, False, None, None),
    ]
    assert recent.since("ABCDEF", 2, head=5) is None  # 3 is not here
    assert recent.since("ABCDEF", 4, head=6) is None  # 6 is not here
    for seq in (6, 7, 8):
        recent.add("ABCDEF", events.Logged(seq, {"seq": seq}, False, None, None))
    assert recent.since("ABCDEF", 4, head=8) is None  # 5 fell out of the kept three
    assert [k.seq for k in recent.since("ABCDEF", 5, head=8) or []] == [6, 7, 8]


def _viewers(fac: object, aisha: object, dev: object) -> list[tuple[str, object]]:
    return [("facilitator", fac), ("aisha", aisha), ("dev", dev)]
