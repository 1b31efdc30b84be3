"""The snapshot's query count does not grow with the board: every post's parts load together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from board.extensions import db
from board.services import Actor, boards, groups, links, moderation, posts, workshop
from tests.conftest import actor_of, join, new_board, op


@contextmanager
def counting() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def busy_board(posts_wanted: int) -> tuple[Actor, Actor, Actor]:
    """A board whose every post has a support, a comment, a helper, a group and maybe a report."""
    entry = new_board()
    lead = actor_of(entry)
    aisha = actor_of(join(entry.board_code, "Aisha"))
    dev = actor_of(join(entry.board_code, "Dev"))
    offer = posts.create_post(dev, op(), "skill", "Carpentry")["post"]["id"]
    workshop.update_session(lead, op(), dot_budget=20)
    for n in range(posts_wanted):
        post = posts.create_post(aisha, op(), "idea", f"Idea {n}", "Some words", "green")
        post_id = post["post"]["id"]
        # A new neighbour each time: their names cannot come from rows already loaded.
        neighbour = actor_of(join(entry.board_code, f"Neighbour {n}"))
        posts.toggle_support(neighbour, op(), post_id)
        posts.add_comment(neighbour, op(), post_id, "Yes please")
        links.link_help(dev, op(), post_id, offer)
        groups.join_group(dev, op(), post_id)
        if n % 3 == 0:
            moderation.report_post(dev, op(), post_id, "spam")
    workshop.update_session(lead, op(), phase="prioritise")
    return lead, aisha, dev


def snapshot_queries(posts_wanted: int, who: int) -> int:
    viewers = busy_board(posts_wanted)
    db.session.remove()
    with counting() as seen:
        shaped = boards.snapshot(viewers[who])
    assert len(shaped["posts"]) == posts_wanted + 1
    return len(seen)


def test_the_snapshot_runs_the_same_queries_for_5_posts_and_for_30(ctx: Flask) -> None:
    for who in (0, 1, 2):  # a facilitator, an author, a helper
        assert snapshot_queries(5, who) == snapshot_queries(30, who)
