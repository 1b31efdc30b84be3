"""Posts, supports and comments: the cards on the board and what people do with them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from board import events
from board.errors import BoardError, forbidden
from board.inputs import EditPost, NewComment, NewPost, PostRef
from board.models import Comment, Post, Support, utcnow
from board.outputs import comment_out, group_out, post_out
from board.services.boards import moderation_summary
from board.services.commands import Write, board_write
from board.services.rules import audience, may_post, may_write, open_post, post_on_board
from board.services.workshop import clear_spotlight

EDITABLE = ("kind", "title", "body", "tag", "availability")


@board_write("post.create")
def create_post(w: Write, cmd: NewPost) -> dict[str, Any]:
    """Add a post to the board.

    A participant's post waits in the queue while pre-moderation is on, and is held back
    for the reveal during silent brainstorming. ``on_behalf_of`` (facilitators only) names
    the person a facilitator is entering it for, from a paper card say.
    """
    me = may_post(w.session, w.actor, w.board)
    if cmd.on_behalf_of is not None and not me.is_facilitator:
        raise forbidden("Only a facilitator can enter a post for someone else.")
    state = "visible"
    if not me.is_facilitator:
        state = "pending" if w.board.premoderation else "silent" if w.board.silent else state
    post = Post(
        state=state,
        on_behalf_of=cmd.on_behalf_of,
        board_id=w.board.id,
        author_id=w.actor.participant_id,
        kind=cmd.kind,
        title=cmd.title,
        body=cmd.body,
        tag=cmd.tag,
        availability=cmd.availability,
        created_at=utcnow(),
    )
    w.session.add(post)
    w.session.flush()
    shaped = post_out(post)
    seq = events.record(w.session, w.board, events.PostCreated(shaped), audience(post))
    return {"post": shaped, "seq": seq}


@board_write("post.update")
def update_post(w: Write, cmd: EditPost) -> dict[str, Any]:
    """Edit the acting participant's own post; only the named fields change."""
    changes = {name: value for name, value in cmd.given().items() if name in EDITABLE}
    if not changes:
        raise BoardError(
            "invalid_input", f"Nothing to change: send one of {', '.join(EDITABLE)}.", 422
        )
    may_write(w.session, w.actor, w.board, speaking=True)
    post = post_on_board(w.session, w.actor, cmd.post_id)
    if post.author_id != w.actor.participant_id:
        raise forbidden("Only the author can edit a post.")
    if post.state == "rejected" or post.merged_into_id is not None:
        raise BoardError(
            "post_closed",
            "That post was not approved or was merged: it cannot change.",
            409,
        )
    before = post.title
    for name, value in changes.items():
        setattr(post, name, value)
    post.updated_at = utcnow()
    # A group still named after the idea's old title takes the new one.
    group = post.group
    renamed = group is not None and group.name == before != post.title
    if renamed:
        assert group is not None
        group.name = post.title
    w.session.flush()
    shaped = post_out(post)
    # The words it had before leave the log: replay shows only what it says now.
    events.redact(
        w.session,
        w.board,
        post_id=post.id,
        text={k: shaped[k] for k in EDITABLE},
        group=(group.id, group.name) if renamed and group is not None else None,
    )
    seq = events.record(w.session, w.board, events.PostUpdated(shaped), audience(post))
    if renamed and group is not None:
        seq = events.record(w.session, w.board, events.GroupRenamed(group_out(group)))
    return {"post": shaped, "seq": seq}


@board_write("post.delete")
def delete_post(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Delete a post with its supports and comments: its author may, and so may facilitators."""
    me = may_write(w.session, w.actor, w.board)
    post = post_on_board(w.session, w.actor, cmd.post_id)
    if post.author_id == me.id:
        by = "author"
    elif me.is_facilitator:
        by = "facilitator"
    else:
        raise forbidden("Only the author or a facilitator can delete a post.")
    counted = post.hidden_at is not None and post.merged_into_id is None
    seen_by = None if counted else audience(post)
    w.session.delete(post)
    w.session.flush()
    # What it said goes from the log too, for everyone who replays it.
    events.redact(w.session, w.board, post_id=cmd.post_id)
    # A hidden post leaving changes the public summary: everyone is told the new one.
    summary = moderation_summary(w.session, w.board.id) if counted else None
    deleted = events.PostDeleted(post_id=cmd.post_id, by=by, moderation=summary)
    seq = events.record(w.session, w.board, deleted, seen_by)
    if w.board.spotlight_post_id == cmd.post_id:
        seq = clear_spotlight(w.session, w.board)
    return {"post_id": cmd.post_id, "deleted": True, "seq": seq}


@board_write("support.toggle")
def toggle_support(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Add the acting participant's support to a post, or withdraw it if already given."""
    may_write(w.session, w.actor, w.board)
    post = open_post(w.session, w.actor, cmd.post_id)
    mine = w.session.scalar(
        sa.select(Support).where(
            Support.post_id == post.id, Support.participant_id == w.actor.participant_id
        )
    )
    if mine is None:
        w.session.add(Support(post_id=post.id, participant_id=w.actor.participant_id))
    else:
        w.session.delete(mine)
    w.session.flush()
    count = w.session.scalar(
        sa.select(sa.func.count()).select_from(Support).where(Support.post_id == post.id)
    )
    change = events.SupportChanged(
        post_id=post.id,
        participant_id=w.actor.participant_id,
        supported=mine is None,
        count=count or 0,
    )
    seq = events.record(w.session, w.board, change)
    return {
        "post_id": post.id,
        "supported": change.supported,
        "count": change.count,
        "seq": seq,
    }


@board_write("comment.create")
def add_comment(w: Write, cmd: NewComment) -> dict[str, Any]:
    """Reply on a post."""
    may_write(w.session, w.actor, w.board, speaking=True)
    post = open_post(w.session, w.actor, cmd.post_id)
    comment = Comment(
        post_id=post.id, author_id=w.actor.participant_id, body=cmd.body, created_at=utcnow()
    )
    w.session.add(comment)
    w.session.flush()
    shaped = comment_out(comment)
    seq = events.record(w.session, w.board, events.CommentCreated(shaped))
    return {"comment": shaped, "seq": seq}
