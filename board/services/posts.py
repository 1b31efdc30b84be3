"""Posts, supports and comments: the cards on the board and what people do with them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from board import events
from board.errors import BoardError, forbidden
from board.models import Comment, Post, Support, utcnow
from board.outputs import comment_out, post_out
from board.services import Actor
from board.services.boards import lock_board, moderation_summary
from board.services.operations import once
from board.services.rules import audience, may_post, may_write, open_post, post_on_board
from board.services.workshop import clear_spotlight
from board.storage import write_transaction

EDITABLE = ("kind", "title", "body", "tag", "availability")


def create_post(
    actor: Actor,
    op_id: str,
    kind: str,
    title: str,
    body: str = "",
    tag: str | None = None,
    availability: str | None = None,
    on_behalf_of: str | None = None,
) -> dict[str, Any]:
    """Add a post by the acting participant; returns {"post": ...}.

    A participant's post waits in the queue while pre-moderation is on, and is held back
    for the reveal during silent brainstorming. ``on_behalf_of`` (facilitators only) names
    the person a facilitator is entering it for, from a paper card say.
    """
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = may_post(session, actor, board)
            if on_behalf_of is not None and not me.is_facilitator:
                raise forbidden("Only a facilitator can enter a post for someone else.")
            state = "visible"
            if not me.is_facilitator:
                state = "pending" if board.premoderation else "silent" if board.silent else state
            post = Post(
                state=state,
                on_behalf_of=on_behalf_of,
                board_id=board.id,
                author_id=actor.participant_id,
                kind=kind,
                title=title,
                body=body,
                tag=tag,
                availability=availability,
                created_at=utcnow(),
            )
            session.add(post)
            session.flush()
            shaped = post_out(post)
            seq = events.record(session, board, events.PostCreated(shaped), audience(post))
            return {"post": shaped, "seq": seq}

        request = {"kind": kind, "title": title, "body": body, "tag": tag}
        request |= {"availability": availability, "on_behalf_of": on_behalf_of}
        return once(session, actor.participant_id, op_id, "post.create", request, perform)


def update_post(actor: Actor, op_id: str, post_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Edit the acting participant's own post; only the named fields change."""
    changes = {name: value for name, value in changes.items() if name in EDITABLE}
    if not changes:
        raise BoardError(
            "invalid_input", f"Nothing to change: send one of {', '.join(EDITABLE)}.", 422
        )
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            may_write(session, actor, board, speaking=True)
            post = post_on_board(session, actor, post_id)
            if post.author_id != actor.participant_id:
                raise forbidden("Only the author can edit a post.")
            if post.state == "rejected" or post.merged_into_id is not None:
                raise BoardError(
                    "post_closed",
                    "That post was not approved or was merged: it cannot change.",
                    409,
                )
            for name, value in changes.items():
                setattr(post, name, value)
            post.updated_at = utcnow()
            session.flush()
            shaped = post_out(post)
            seq = events.record(session, board, events.PostUpdated(shaped), audience(post))
            return {"post": shaped, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "post.update",
            {"post_id": post_id, **changes},
            perform,
        )


def delete_post(actor: Actor, op_id: str, post_id: int) -> dict[str, Any]:
    """Delete a post with its supports and comments: its author may, and so may facilitators."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = may_write(session, actor, board)
            post = post_on_board(session, actor, post_id)
            if post.author_id == me.id:
                by = "author"
            elif me.is_facilitator:
                by = "facilitator"
            else:
                raise forbidden("Only the author or a facilitator can delete a post.")
            counted = post.hidden_at is not None and post.merged_into_id is None
            seen_by = None if counted else audience(post)
            session.delete(post)
            session.flush()
            # A hidden post leaving changes the public summary: everyone is told the new one.
            summary = moderation_summary(session, board.id) if counted else None
            deleted = events.PostDeleted(post_id=post_id, by=by, moderation=summary)
            seq = events.record(session, board, deleted, seen_by)
            if board.spotlight_post_id == post_id:
                seq = clear_spotlight(session, board)
            return {"post_id": post_id, "deleted": True, "seq": seq}

        return once(
            session, actor.participant_id, op_id, "post.delete", {"post_id": post_id}, perform
        )


def toggle_support(actor: Actor, op_id: str, post_id: int) -> dict[str, Any]:
    """Add the acting participant's support to a post, or withdraw it if already given."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            may_write(session, actor, board)
            post = open_post(session, actor, post_id)
            mine = session.scalar(
                sa.select(Support).where(
                    Support.post_id == post.id, Support.participant_id == actor.participant_id
                )
            )
            if mine is None:
                session.add(Support(post_id=post.id, participant_id=actor.participant_id))
            else:
                session.delete(mine)
            session.flush()
            count = session.scalar(
                sa.select(sa.func.count()).select_from(Support).where(Support.post_id == post.id)
            )
            change = events.SupportChanged(
                post_id=post.id,
                participant_id=actor.participant_id,
                supported=mine is None,
                count=count or 0,
            )
            seq = events.record(session, board, change)
            return {
                "post_id": post.id,
                "supported": change.supported,
                "count": change.count,
                "seq": seq,
            }

        return once(
            session, actor.participant_id, op_id, "support.toggle", {"post_id": post_id}, perform
        )


def add_comment(actor: Actor, op_id: str, post_id: int, body: str) -> dict[str, Any]:
    """Reply on a post."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            may_write(session, actor, board, speaking=True)
            post = open_post(session, actor, post_id)
            comment = Comment(
                post_id=post.id, author_id=actor.participant_id, body=body, created_at=utcnow()
            )
            session.add(comment)
            session.flush()
            shaped = comment_out(comment)
            seq = events.record(session, board, events.CommentCreated(shaped))
            return {"comment": shaped, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "comment.create",
            {"post_id": post_id, "body": body},
            perform,
        )
