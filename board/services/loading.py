"""How posts are read when they become output: what ``post_out`` touches, loaded up front."""

from __future__ import annotations

import sqlalchemy.orm as so
from sqlalchemy.orm.interfaces import LoaderOption

from board.models import Comment, Group, Link, Post


def post_loading() -> tuple[LoaderOption, ...]:
    """Eager-load options for a query of posts that go through ``outputs.post_out``.

    Each relationship is read in one extra query for all the posts, instead of one query per
    post when ``post_out`` first touches it.
    """
    return (
        so.selectinload(Post.author),
        so.selectinload(Post.supports),
        so.selectinload(Post.dots),
        so.selectinload(Post.comments).selectinload(Comment.author),
        so.selectinload(Post.help_links).selectinload(Link.offer).selectinload(Post.author),
        so.selectinload(Post.help_links).selectinload(Link.helper),
        so.selectinload(Post.group).selectinload(Group.members),
    )
