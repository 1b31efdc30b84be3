"""Who may see a post and who may write now: the rules every service shares.

A post is *open* when everyone can see it: visible (not queued, rejected or held back by
silent brainstorming) and not hidden. Supports, comments, dots, reports, helpers and
groups only go on open posts. Facilitators see every post; an author also sees their own
queued, rejected, held-back or merged posts. The projector is a facilitator in the public
view (``Actor.public_view``): it sees what everyone sees.

Participants' writes obey the session: nothing while the board is locked or closed (but
a group's work on its proposal goes on after closing), no new posts while prioritising,
nothing said while muted, and slow mode's interval between posts. Facilitators run the
room whatever the session says. The view-only projector (``Actor.view_only``) takes no
action at all: ``acting`` refuses it, and only the reads that draw the board accept it
(``reading``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError, access_revoked, forbidden
from board.models import Board, ModerationAction, Participant, Post, utcnow
from board.services import NOBODY, Actor

#: Why the view-only projector is refused, whatever it asks to do.
VIEW_ONLY = "The projector link only shows the board: it cannot take part or run the board."


def acting(session: so.Session, actor: Actor) -> Participant:
    """The acting participant, loaded in this transaction (the view-only projector is
    nobody, so it is refused as a participant without the right is)."""
    if actor.view_only:
        raise forbidden(VIEW_ONLY)
    return session.get_one(Participant, actor.participant_id)


def reading(session: so.Session, actor: Actor) -> Participant:
    """Who reads the board: the acting participant, or for the view-only projector a
    stand-in nobody (never saved) who sees what everyone sees and owns nothing."""
    if actor.view_only:
        return Participant(id=NOBODY, board_id=actor.board_id, anonymous=True, role="participant")
    return acting(session, actor)


def require_facilitator(session: so.Session, actor: Actor) -> Participant:
    """The acting participant, if they may run this board; otherwise a 403."""
    me = acting(session, actor)
    if me.revoked_at is not None:
        raise access_revoked()
    if not me.is_facilitator:
        raise forbidden("Only the board's facilitators can do that.")
    return me


def log_action(
    session: so.Session, board: Board, me: Participant, action: str, **what: Any
) -> None:
    """Write a facilitator's action to the board's moderation log (who, what, why, when)."""
    session.add(ModerationAction(board_id=board.id, actor_id=me.id, action=action, **what))


def is_staff(me: Participant, actor: Actor) -> bool:
    """Whether this viewer sees the board as a facilitator (not the projector's public view)."""
    return me.is_facilitator and not actor.public_view


def is_open(post: Post) -> bool:
    """Whether everyone on the board can see the post."""
    return post.state == "visible" and post.hidden_at is None


def open_clause() -> sa.ColumnElement[bool]:
    """``is_open`` in SQL."""
    return sa.and_(Post.state == "visible", Post.hidden_at.is_(None))


def can_see(post: Post, me: Participant, staff: bool) -> bool:
    """Whether this viewer sees the post at all."""
    if staff or is_open(post):
        return True
    if post.author_id != me.id:
        return False
    return post.merged_into_id is not None or post.hidden_at is None


def can_see_clause(me: Participant, staff: bool) -> sa.ColumnElement[bool]:
    """``can_see`` in SQL, so a read picks the posts a viewer sees without loading the rest."""
    if staff:
        return sa.true()
    own = sa.and_(
        Post.author_id == me.id,
        sa.or_(Post.merged_into_id.is_not(None), Post.hidden_at.is_(None)),
    )
    return sa.or_(open_clause(), own)


def audience(post: Post) -> events.Audience | None:
    """Who may see events about this post: everyone when it is open, else its audience."""
    if is_open(post):
        return None
    if post.hidden_at is not None and post.merged_into_id is None:
        return events.STAFF
    return events.Audience(post.author_id)


def post_on_board(session: so.Session, actor: Actor, post_id: int) -> Post:
    """The post with this id on the actor's board, as far as the actor may see it.

    A post of another board is not found, and so is a post the actor may not see.
    """
    post = session.get(Post, post_id, populate_existing=True)
    me = acting(session, actor)
    if (
        post is None
        or post.board_id != actor.board_id
        or not can_see(post, me, is_staff(me, actor))
    ):
        raise BoardError(
            "post_not_found", "That post is not on this board (it may be deleted).", 404
        )
    return post


def open_post(session: so.Session, actor: Actor, post_id: int) -> Post:
    """A post everyone can see, for supports, comments, dots, reports, helpers and groups."""
    post = post_on_board(session, actor, post_id)
    if not is_open(post):
        raise BoardError(
            "post_not_open",
            "That post is not on the board for everyone (it is waiting for approval, held "
            "back until the reveal, or hidden), so it cannot take that yet.",
            409,
        )
    return post


def may_write(
    session: so.Session,
    actor: Actor,
    board: Board,
    *,
    speaking: bool = False,
    after_closing: bool = False,
) -> Participant:
    """The acting participant if the session lets them write now; a clear refusal otherwise.

    ``speaking``: the write adds words to the board (a post, a comment, a group message),
    which a muted participant may not do. ``after_closing``: the write goes on once the
    session has closed (a group's proposal: closing a workshop is when groups take their
    ideas to the council), though the board's posts are read-only by then.
    """
    me = acting(session, actor)
    if me.revoked_at is not None:
        raise access_revoked()
    if me.is_facilitator:
        return me
    if board.phase == "closed" and not after_closing:
        raise BoardError("board_closed", "This session has closed: the board is read-only.", 423)
    if board.locked:
        raise BoardError(
            "board_locked", "The facilitator has paused the board: it is read-only for now.", 423
        )
    if speaking and me.muted_at is not None:
        raise BoardError(
            "muted", "A facilitator has muted you on this board: you can still read and vote.", 403
        )
    return me


def may_post(session: so.Session, actor: Actor, board: Board) -> Participant:
    """Like ``may_write`` for a new post: also the phase and slow mode."""
    me = may_write(session, actor, board, speaking=True)
    if me.is_facilitator:
        return me
    if board.phase == "prioritise":
        raise BoardError(
            "posting_paused",
            "New posts are paused while everyone prioritises; you can still comment.",
            409,
        )
    if board.slow_mode_seconds:
        last = session.scalar(
            sa.select(sa.func.max(Post.created_at)).where(Post.author_id == me.id)
        )
        if last is not None:
            if last.tzinfo is None:
                last = last.replace(tzinfo=UTC)
            waited = (utcnow() - last).total_seconds()
            if waited < board.slow_mode_seconds:
                wait = int(board.slow_mode_seconds - waited) + 1
                raise BoardError(
                    "slow_down",
                    f"Slow mode is on: you can post again in {wait} seconds.",
                    429,
                    {"retry_after": str(wait)},
                )
    return me
