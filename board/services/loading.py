"""How posts are read when they become output: what ``post_out`` touches, loaded up front."""

from __future__ import annotations

import sqlalchemy.orm as so
from sqlalchemy.orm.interfaces import LoaderOption

from board.models import Comment, Group, Link, Post


def post_loading() -> tuple[LoaderOption, ...]:
    """Eager-load options for a query of posts that go through ``outputs.post_out``.

    Each collection is read in one extra query for all the posts, instead of one query per
    post when ``post_out`` first touches it; what each row points at (an author, an offer,
    a helper, the idea's group) comes joined to that row, as a query costs far more than a
    wider row.
    """
    helpers = so.selectinload(Post.help_links)
    return (
        so.joinedload(Post.author),
        so.selectinload(Post.supports),
        so.selectinload(Post.dots),
        so.selectinload(Post.comments).joinedload(Comment.author),
        helpers.joinedload(Link.offer).joinedload(Post.author),
        helpers.joinedload(Link.helper),
        so.joinedload(Post.group).selectinload(Group.members),
    )
