"""Posts already on the board that a title being written may repeat ("support one instead?").

A person typing a title in the composer is shown the open posts of the same kind that share
most of its meaningful words, so they can support one rather than post it again. The words
are the offers matcher's (board.services.offers.terms: folded word forms and synonyms), so
"mending bikes" finds "Bike repair". Worked out on each request; no event is sent.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa

from board.inputs import SimilarPosts
from board.models import Post, Support
from board.outputs import post_out
from board.services import Actor
from board.services.commands import board_read
from board.services.loading import post_loading
from board.services.offers import terms
from board.services.rules import open_clause
from board.storage import read_snapshot

#: At most this many posts are offered.
MAX_SIMILAR = 3


@board_read("posts.similar", input=SimilarPosts)
def similar_posts(actor: Actor, title: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Open posts by others (of that kind) sharing half the title's words or more, closest
    first: most words shared, then most supported, then newest."""
    wanted = terms(title)
    if not wanted:
        return []
    needed = max(1, math.ceil(len(wanted) / 2))
    supports = (
        sa.select(sa.func.count(Support.id)).where(Support.post_id == Post.id).scalar_subquery()
    )
    with read_snapshot() as session:
        query = sa.select(Post.id, Post.title, Post.body, supports.label("supports")).where(
            Post.board_id == actor.board_id,
            Post.author_id != actor.participant_id,
            open_clause(),
        )
        if kind:
            query = query.where(Post.kind == kind)
        ranked: list[tuple[int, int, int]] = []
        for row in session.execute(query):
            shared = len(wanted & terms(row.title, row.body))
            if shared >= needed:
                ranked.append((-shared, -row.supports, -row.id))
        closest = [-post_id for *_, post_id in sorted(ranked)[:MAX_SIMILAR]]
        if not closest:
            return []
        loaded = session.scalars(
            sa.select(Post).where(Post.id.in_(closest)).options(*post_loading())
        )
        by_id = {post.id: post for post in loaded}
        return [post_out(by_id[post_id]) for post_id in closest]
