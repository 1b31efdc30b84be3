"""What the session produced and how fair it was: the results page and the fairness view."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.models import Board, Dot, Group, Link, Participant, Post, Support
from board.outputs import participant_out, session_out
from board.services import Actor
from board.services.commands import board_read
from board.services.loading import post_loading
from board.services.rules import open_clause, require_facilitator
from board.storage import read_snapshot


@board_read("board.results")
def results(actor: Actor) -> dict[str, Any]:
    """Ideas and needs ranked by dots then supports, the offers inventory and the groups.

    Anyone on the board may see it. While dots are hidden the ranking uses supports only
    and no dot counts are shown.
    """
    with read_snapshot() as session:
        board = session.get_one(Board, actor.board_id)
        posts = session.scalars(
            sa.select(Post)
            .where(Post.board_id == board.id, open_clause())
            .order_by(Post.id)
            .options(*post_loading())
        ).all()
        hidden = board.dots_hidden

        def dots(post: Post) -> int:
            return 0 if hidden else len(post.dots)

        decided = sorted(
            (p for p in posts if p.kind in ("idea", "need")),
            key=lambda p: (-dots(p), -len(p.supports), p.id),
        )
        groups = session.scalars(
            sa.select(Group)
            .where(Group.board_id == board.id, Group.closed_at.is_(None))
            .order_by(Group.id)
            .options(so.selectinload(Group.members), so.selectinload(Group.idea))
        ).all()
        return {
            "board": {"code": board.code, "title": board.title, "prompt": board.prompt},
            "session": session_out(board),
            "dots_hidden": hidden,
            "ranked": [
                {
                    "rank": rank,
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "author": participant_out(p.author),
                    "on_behalf_of": p.on_behalf_of,
                    "dot_count": None if hidden else len(p.dots),
                    "support_count": len(p.supports),
                    "comment_count": len(p.comments),
                    "helper_count": len(p.help_links),
                    "group": None
                    if p.group is None or p.group.closed_at is not None
                    else {"id": p.group.id, "name": p.group.name, "members": len(p.group.members)},
                }
                for rank, p in enumerate(decided, start=1)
            ],
            "offers": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "tag": p.tag,
                    "availability": p.availability,
                    "author": participant_out(p.author),
                }
                for p in posts
                if p.kind in ("skill", "tool")
            ],
            "groups": [
                {
                    "id": g.id,
                    "name": g.name,
                    "idea_id": g.idea_id,
                    "idea_title": g.idea.title,
                    "members": len(g.members),
                    "coordinator_id": g.coordinator_id,
                }
                for g in groups
                if g.idea.hidden_at is None
            ],
        }


@board_read("board.fairness", who="facilitator")
def fairness(actor: Actor) -> dict[str, Any]:
    """Who is being heard: people joined, who has posted and who not yet, the share of posts
    from the most active tenth, supports and dots per person. Facilitators only.

    Counts cover participants (not facilitators); posts a facilitator entered for someone
    without a phone are counted apart as ``assisted_posts``.
    """
    with read_snapshot() as session:
        require_facilitator(session, actor)
        board_id = actor.board_id
        people = session.scalars(
            sa.select(Participant)
            .where(
                Participant.board_id == board_id,
                Participant.role == "participant",
                Participant.revoked_at.is_(None),
            )
            .order_by(Participant.id)
        ).all()
        ids = {p.id for p in people}
        authored = Counter(
            session.scalars(
                sa.select(Post.author_id).where(Post.board_id == board_id, Post.state != "rejected")
            ).all()
        )
        posts_by = {pid: authored.get(pid, 0) for pid in ids}
        assisted = session.scalar(
            sa.select(sa.func.count())
            .select_from(Post)
            .where(Post.board_id == board_id, Post.on_behalf_of.is_not(None))
        )
        supports = Counter(
            session.scalars(
                sa.select(Support.participant_id)
                .join(Post, Post.id == Support.post_id)
                .where(Post.board_id == board_id)
            ).all()
        )
        dots = Counter(
            session.scalars(sa.select(Dot.participant_id).where(Dot.board_id == board_id)).all()
        )
        budget = session.get_one(Board, board_id).dot_budget
        total_posts = sum(posts_by.values())
        tenth = math.ceil(len(ids) / 10) if ids else 0
        top = sorted(posts_by.values(), reverse=True)[:tenth]
        silent = [p for p in people if posts_by[p.id] == 0]
        helpers = session.scalar(
            sa.select(sa.func.count(sa.distinct(Link.helper_id))).where(Link.board_id == board_id)
        )

        def per_person(counts: Counter[int]) -> dict[str, Any]:
            given = [counts.get(pid, 0) for pid in ids]
            return {
                "total": sum(given),
                "people": sum(1 for n in given if n),
                "average": round(sum(given) / len(given), 2) if given else 0,
                "most": max(given, default=0),
            }

        return {
            "joined": len(ids),
            "posted": len(ids) - len(silent),
            "not_posted": len(silent),
            "not_posted_names": [p.display_name for p in silent if not p.anonymous],
            "posts": total_posts,
            "assisted_posts": assisted or 0,
            "top_tenth": {
                "people": tenth,
                "posts": sum(top),
                "share": round(sum(top) / total_posts, 3) if total_posts else 0,
            },
            "posts_per_person": sorted(posts_by.values(), reverse=True),
            "supports": per_person(supports),
            "dots": {
                **per_person(dots),
                "budget": budget,
                "all_spent": sum(1 for pid in ids if budget and dots.get(pid, 0) >= budget),
            },
            "helpers": helpers or 0,
        }
