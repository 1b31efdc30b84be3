"""The board's posts in parts: the first screen a snapshot carries, and pages of the rest.

A phone must not read a board of 10,000 posts to draw its first screen. The snapshot holds
the posts that matter now, each chosen in SQL for a reason (its ``why``): the pinned ones,
the spotlighted one, the viewer's own newest, the newest, the most supported and, for
facilitators, the approval queue and the reported ones. ``board.posts`` pages through the
rest, filtered by kind, theme and words, newest or most supported first. Its cursors are
keysets (the last post's sort key), so a page deep in the board costs what the first does.
Who sees which post is ``rules.can_see_clause``, the SQL form of ``rules.can_see``; a
merged duplicate has left the board and is in neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from board.config import FirstScreen
from board.errors import BoardError
from board.inputs import PostsPage
from board.models import Board, Dot, Participant, Post, Report, Support
from board.outputs import post_out
from board.services import Actor
from board.services.commands import board_read, command_of
from board.services.loading import post_loading
from board.services.rules import can_see_clause, is_staff, reading
from board.storage import read_snapshot

#: Why a post is on the first screen, in the order ``why`` lists them.
REASONS = ("pinned", "spotlight", "mine", "newest", "supported", "pending", "reported")


@dataclass(frozen=True)
class Viewer:
    """Who reads the feed, loaded in the read's transaction."""

    board: Board
    me: Participant
    #: Sees the board as a facilitator (not the projector's public view).
    staff: bool


@dataclass(frozen=True)
class Window:
    """The first screen: its posts (oldest first) and the snapshot's ``window`` object.

    Its posts are on the board but for the viewer's own merged duplicates (``mine``), which
    ``total`` does not count."""

    posts: list[Post]
    why: dict[int, list[str]]
    total: int
    older: str | None

    def out(self) -> dict[str, Any]:
        """The snapshot's ``window``."""
        return {
            "why": {str(post_id): reasons for post_id, reasons in self.why.items()},
            "total": self.total,
            "complete": sum(p.merged_into_id is None for p in self.posts) == self.total,
            "older": self.older,
        }


def viewer(session: so.Session, actor: Actor) -> Viewer:
    """The actor as a reader of their board's feed."""
    if actor.view_only:
        me = reading(session, actor)
        return Viewer(session.get_one(Board, actor.board_id), me, is_staff(me, actor))
    me, board = session.execute(
        sa.select(Participant, Board)
        .join(Board, Board.id == Participant.board_id)
        .where(Participant.id == actor.participant_id, Board.id == actor.board_id)
    ).one()
    return Viewer(board, me, is_staff(me, actor))


def sizes() -> FirstScreen:
    """How many posts of each reason the first screen holds (BOARD_FIRST_SCREEN)."""
    configured: FirstScreen = current_app.config["BOARD_FIRST_SCREEN"]
    return configured


def on_board(reader: Viewer) -> list[sa.ColumnElement[bool]]:
    """The posts of the board this reader sees, merged duplicates left out."""
    return [
        Post.board_id == reader.board.id,
        Post.merged_into_id.is_(None),
        can_see_clause(reader.me, reader.staff),
    ]


def support_count() -> sa.ScalarSelect[int]:
    """A post's supports, as a column of a query of posts."""
    return (
        sa.select(sa.func.count(Support.id))
        .where(Support.post_id == Post.id)
        .correlate(Post)
        .scalar_subquery()
    )


def first_screen(session: so.Session, reader: Viewer, wanted: FirstScreen) -> Window:
    """The posts that matter now, each with why, in two queries and the posts' loads."""
    seen = on_board(reader)
    # The viewer's own merged duplicates too: the author is told where each went.
    mine = [
        Post.board_id == reader.board.id,
        Post.author_id == reader.me.id,
        can_see_clause(reader.me, reader.staff),
    ]
    newest_first = Post.id.desc()
    parts: list[tuple[str, sa.Select[Any]]] = [
        (
            "pinned",
            _pick(seen, Post.pinned_at.is_not(None)).order_by(newest_first).limit(wanted.pinned),
        ),
        ("mine", _pick(mine).order_by(newest_first).limit(wanted.mine)),
        ("newest", _pick(seen).order_by(newest_first).limit(wanted.newest)),
        ("supported", _most(seen, Support).limit(wanted.supported)),
    ]
    spotlight = reader.board.spotlight_post_id
    if spotlight is not None:
        parts.append(("spotlight", _pick(seen, Post.id == spotlight)))
    if reader.staff:
        waiting = sa.and_(Post.state == "pending", Post.hidden_at.is_(None))
        parts.append(("pending", _pick(seen, waiting).order_by(Post.id).limit(wanted.pending)))
        parts.append(("reported", _most(seen, Report).limit(wanted.reported)))
    chosen = [
        # A constant of the code, not a bound parameter: PostgreSQL types it in the union.
        sa.select(part.c.id, sa.literal_column(f"'{reason}'").label("why"))
        for reason, part in ((reason, query.subquery()) for reason, query in parts)
    ]
    found: dict[int, set[str]] = {}
    for post_id, reason in session.execute(sa.union_all(*chosen)):
        found.setdefault(post_id, set()).add(reason)
    why = {
        post_id: [r for r in REASONS if r in reasons] for post_id, reasons in sorted(found.items())
    }
    total = session.scalar(sa.select(sa.func.count()).select_from(Post).where(*seen)) or 0
    newest = [post_id for post_id, reasons in why.items() if "newest" in reasons]
    older = newest_cursor(min(newest)) if newest and total > len(newest) else None
    return Window(load(session, list(why)), why, total, older)


def _pick(seen: list[sa.ColumnElement[bool]], *more: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return sa.select(Post.id.label("id")).where(*seen, *more)


def _most(seen: list[sa.ColumnElement[bool]], rows: type[Support | Report]) -> sa.Select[Any]:
    """The posts with the most rows of a kind (supports, reports) pointing at them, at least
    one, newest first among equals."""
    return (
        _pick(seen)
        .join(rows, rows.post_id == Post.id)
        .group_by(Post.id)
        .order_by(sa.func.count().desc(), Post.id.desc())
    )


def load(session: so.Session, ids: Sequence[int]) -> list[Post]:
    """These posts with everything ``post_out`` reads, in the order of ``ids``."""
    if not ids:
        return []
    rows = session.scalars(sa.select(Post).where(Post.id.in_(ids)).options(*post_loading()))
    by_id = {post.id: post for post in rows}
    return [by_id[post_id] for post_id in ids if post_id in by_id]


# -- cursors --------------------------------------------------------------------------------


def newest_cursor(post_id: int) -> str:
    """Where a newest-first page goes on: below this post's id."""
    return f"n{post_id}"


def supported_cursor(count: int, post_id: int) -> str:
    """Where a most-supported page goes on: after (this many supports, this id)."""
    return f"s{count}-{post_id}"


def _bad_cursor(sort: str) -> BoardError:
    return BoardError(
        "invalid_input",
        f"After is not a cursor of a {sort} page: start again without it.",
        422,
        {"after": f"is not a cursor of a {sort} page"},
    )


def _after(sort: str, cursor: str) -> tuple[int, ...]:
    """A cursor's sort key, checked against the page's sort."""
    if sort == "newest":
        if not cursor.startswith("n"):
            raise _bad_cursor(sort)
        return (int(cursor[1:]),)
    if not cursor.startswith("s"):
        raise _bad_cursor(sort)
    count, _, post_id = cursor[1:].partition("-")
    return int(count), int(post_id)


# -- pages ----------------------------------------------------------------------------------


@board_read("board.posts", input=PostsPage)
def posts_page(actor: Actor, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """One page of the board's posts the caller may see: by kind, theme and words, newest or
    most supported first, after a cursor; with the board's seq read with them."""
    cmd = command_of(PostsPage, args, kwargs)
    with read_snapshot() as session:
        reader = viewer(session, actor)
        return page(session, reader, cmd)


def page(session: so.Session, reader: Viewer, cmd: PostsPage) -> dict[str, Any]:
    """``posts_page`` inside a read: the caller's transaction gives the seq its meaning."""
    matching = [*on_board(reader), *_filters(cmd)]
    total = session.scalar(sa.select(sa.func.count()).select_from(Post).where(*matching)) or 0
    if cmd.sort == "newest":
        query: sa.Select[Any, Any] = sa.select(Post.id, sa.literal_column("0")).where(*matching)
        if cmd.after:
            (below,) = _after(cmd.sort, cmd.after)
            query = query.where(Post.id < below)
        query = query.order_by(Post.id.desc())
    else:
        ranked = sa.select(Post.id.label("id"), support_count().label("n")).where(*matching)
        table = ranked.subquery()
        query = sa.select(table.c.id, table.c.n)
        if cmd.after:
            count, below = _after(cmd.sort, cmd.after)
            query = query.where(
                sa.or_(table.c.n < count, sa.and_(table.c.n == count, table.c.id < below))
            )
        query = query.order_by(table.c.n.desc(), table.c.id.desc())
    rows = session.execute(query.limit(cmd.limit + 1)).all()
    more, rows = len(rows) > cmd.limit, rows[: cmd.limit]
    following = None
    if more:
        last_id, last_count = rows[-1]
        following = (
            newest_cursor(last_id)
            if cmd.sort == "newest"
            else supported_cursor(last_count, last_id)
        )
    posts = load(session, [post_id for post_id, _ in rows])
    shaped: dict[str, Any] = {
        "seq": reader.board.last_seq,
        "posts": [post_out(post) for post in posts],
        "next": following,
        "total": total,
        "my_dots": dots_of(reader.me, posts),
    }
    if reader.staff:
        shaped["staff"] = staff_counts(session, posts)
    return shaped


def _filters(cmd: PostsPage) -> list[sa.ColumnElement[bool]]:
    wanted: list[sa.ColumnElement[bool]] = []
    if cmd.kind:
        wanted.append(Post.kind == cmd.kind)
    if cmd.tag:
        wanted.append(Post.tag == cmd.tag)
    if cmd.q:
        words = "%" + cmd.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        wanted.append(
            sa.or_(Post.title.ilike(words, escape="\\"), Post.body.ilike(words, escape="\\"))
        )
    return wanted


def one_post(actor: Actor, post_id: int) -> dict[str, Any]:
    """One post of the actor's board as far as they may see it, or post_not_found."""
    with read_snapshot() as session:
        reader = viewer(session, actor)
        found = session.scalars(
            sa.select(Post).where(Post.id == post_id, *on_board(reader)).options(*post_loading())
        ).first()
        if found is None:
            raise BoardError(
                "post_not_found", "That post is not on this board (it may be deleted).", 404
            )
        return post_out(found)


def hidden_posts(actor: Actor) -> list[dict[str, Any]]:
    """The hidden posts a facilitator may restore, newest first (merged duplicates have left
    the board); nothing for anyone else."""
    with read_snapshot() as session:
        reader = viewer(session, actor)
        if not reader.staff:
            return []
        ids = session.scalars(
            sa.select(Post.id)
            .where(*on_board(reader), Post.hidden_at.is_not(None))
            .order_by(Post.id.desc())
        ).all()
        return [post_out(post) for post in load(session, ids)]


def offers_of(actor: Actor) -> list[dict[str, Any]]:
    """The actor's own skill and tool offers on the board, oldest first: what a card's
    "I can help" may link (``{id, title}``; a few, whatever the board's size)."""
    with read_snapshot() as session:
        reader = viewer(session, actor)
        rows = session.execute(
            sa.select(Post.id, Post.title)
            .where(*on_board(reader), Post.author_id == reader.me.id)
            .where(Post.kind.in_(("skill", "tool")))
            .order_by(Post.id)
        ).all()
        return [{"id": post_id, "title": title} for post_id, title in rows]


def post_titles(actor: Actor, ids: Sequence[int]) -> dict[int, str]:
    """The titles of these posts of the board, as far as the actor may see them (a log
    names posts by id; a deleted one is simply not there)."""
    with read_snapshot() as session:
        reader = viewer(session, actor)
        seen = can_see_clause(reader.me, reader.staff)
        rows = session.execute(
            sa.select(Post.id, Post.title).where(
                Post.board_id == reader.board.id, Post.id.in_(ids), seen
            )
        ).all()
        return {post_id: title for post_id, title in rows}


def dots_of(me: Participant, posts: Sequence[Post]) -> dict[str, int]:
    """The viewer's dots on these posts, ``{post id: n}``, only posts with one."""
    mine = {str(p.id): sum(1 for d in p.dots if d.participant_id == me.id) for p in posts}
    return {post_id: n for post_id, n in mine.items() if n}


def all_my_dots(session: so.Session, reader: Viewer) -> dict[str, int]:
    """Every dot of the viewer's on a post they see, ``{post id: n}`` (a few at most)."""
    rows = session.execute(
        sa.select(Dot.post_id, sa.func.count())
        .join(Post, Post.id == Dot.post_id)
        .where(
            Dot.board_id == reader.board.id,
            Dot.participant_id == reader.me.id,
            can_see_clause(reader.me, reader.staff),
        )
        .group_by(Dot.post_id)
        .order_by(Dot.post_id)
    ).all()
    return {str(post_id): n for post_id, n in rows}


def staff_counts(session: so.Session, posts: Sequence[Post]) -> dict[str, Any]:
    """What facilitators see of these posts: their dots while hidden, and their reports."""
    ids = [p.id for p in posts]
    reports = session.execute(
        sa.select(Report.post_id, sa.func.count())
        .where(Report.post_id.in_(ids))
        .group_by(Report.post_id)
        .order_by(Report.post_id)
    ).all()
    return {
        "dot_totals": {str(p.id): len(p.dots) for p in posts if p.dots},
        "reports": {str(post_id): n for post_id, n in reports},
    }
