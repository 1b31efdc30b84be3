"""Running the session: phases, lock, pre-moderation and silent-brainstorm switches, dot
budgets, the timer and the spotlight. Facilitators only, each change logged and sent to
every screen as ``session.changed``; plus the participants' dots.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError
from board.inputs import PostRef, SessionSettings, Spotlight, Timer
from board.models import Board, Dot, Post, utcnow
from board.outputs import post_out, session_out
from board.services.commands import Write, board_write
from board.services.rules import log_action, may_write, open_post

#: The settings a facilitator changes, as the input names them.
SETTINGS = tuple(name for name in SessionSettings.model_fields if name != "op_id")
#: Dots go on what a workshop decides between.
DOTTABLE = ("idea", "need")


def _changed(session: so.Session, board: Board, changed: list[str]) -> int:
    return events.record(session, board, events.SessionChanged(session_out(board), changed))


@board_write("session.update", who="facilitator")
def update_session(w: Write, cmd: SessionSettings) -> dict[str, Any]:
    """Change any of the session's settings at once; unchanged values are ignored.

    Turning silent brainstorming off reveals every held-back post at once; turning hidden
    dots off reveals every post's dots. Closing the session stops the timer and ends the
    spotlight, in the same ``session.changed``: nothing runs on after the end.
    """
    settings = cmd.given()
    if not settings:
        raise BoardError("invalid_input", f"Send one or more of: {', '.join(SETTINGS)}.", 422)
    changed = [k for k, v in settings.items() if getattr(w.board, k) != v]
    if not changed:
        return {"session": session_out(w.board), "changed": [], "seq": w.board.last_seq}
    revealing = "silent" in changed and not settings["silent"]
    showing_dots = "dots_hidden" in changed and not settings["dots_hidden"]
    for name in changed:
        setattr(w.board, name, settings[name])
        log_action(w.session, w.board, w.me, f"set_{name}", note=str(settings[name]))
    if "phase" in changed and w.board.phase == "closed":
        changed += _wind_down(w.board)
    w.session.flush()
    seq = _changed(w.session, w.board, changed)
    if revealing:
        seq = _reveal(w.session, w.board)
    if showing_dots:
        seq = _reveal_dots(w.session, w.board)
    return {"session": session_out(w.board), "changed": changed, "seq": seq}


def _wind_down(board: Board) -> list[str]:
    """Stop the timer and end the spotlight as the session closes; the settings it changed.

    Not logged apart: the phase change that closed the session is the facilitator's act.
    """
    ended = []
    if board.timer_ends_at is not None:
        board.timer_ends_at = board.timer_seconds = None
        ended.append("timer")
    if board.spotlight_post_id is not None:
        board.spotlight_post_id = None
        ended.append("spotlight_post_id")
    return ended


def _reveal(session: so.Session, board: Board) -> int:
    held = session.scalars(
        sa.select(Post).where(Post.board_id == board.id, Post.state == "silent").order_by(Post.id)
    ).all()
    for post in held:
        post.state = "visible"
    session.flush()
    return events.record(session, board, events.PostsRevealed([post_out(p) for p in held]))


def _reveal_dots(session: so.Session, board: Board) -> int:
    totals = dict(
        session.execute(
            sa.select(Dot.post_id, sa.func.count())
            .where(Dot.board_id == board.id)
            .group_by(Dot.post_id)
        ).all()
    )
    return events.record(
        session, board, events.DotsRevealed({str(k): v for k, v in sorted(totals.items())})
    )


@board_write("timer.set", who="facilitator")
def set_timer(w: Write, cmd: Timer) -> dict[str, Any]:
    """Start a countdown of ``seconds`` on the server's clock (0 stops it)."""
    me = w.me
    if cmd.seconds:
        w.board.timer_ends_at = utcnow() + timedelta(seconds=cmd.seconds)
        w.board.timer_seconds = cmd.seconds
    else:
        w.board.timer_ends_at = w.board.timer_seconds = None
    log_action(w.session, w.board, me, "timer", note=str(cmd.seconds))
    w.session.flush()
    seq = _changed(w.session, w.board, ["timer"])
    return {"session": session_out(w.board), "seq": seq}


@board_write("spotlight.set", who="facilitator")
def spotlight(w: Write, cmd: Spotlight) -> dict[str, Any]:
    """Show one post on every screen and the projector (no post: end the spotlight)."""
    me = w.me
    if cmd.post_id is not None:
        open_post(w.session, w.actor, cmd.post_id)
    w.board.spotlight_post_id = cmd.post_id
    log_action(w.session, w.board, me, "spotlight", post_id=cmd.post_id)
    w.session.flush()
    seq = _changed(w.session, w.board, ["spotlight_post_id"])
    return {"session": session_out(w.board), "seq": seq}


def clear_spotlight(session: so.Session, board: Board) -> int:
    """End the spotlight because its post left the board (deleted, hidden, merged)."""
    board.spotlight_post_id = None
    session.flush()
    return _changed(session, board, ["spotlight_post_id"])


def _dot_change(
    session: so.Session, board: Board, post: Post, participant_id: int
) -> dict[str, Any]:
    session.flush()

    def count(*where: Any) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(Dot).where(*where)) or 0

    change = events.DotsChanged(
        post_id=post.id,
        participant_id=participant_id,
        mine=count(Dot.post_id == post.id, Dot.participant_id == participant_id),
        spent=count(Dot.board_id == board.id, Dot.participant_id == participant_id),
        total=count(Dot.post_id == post.id),
    )
    audience = events.Audience(participant_id) if board.dots_hidden else None
    seq = events.record(session, board, change, audience)
    result = change.data()
    result.pop("participant_id")
    return {**result, "budget": board.dot_budget, "seq": seq}


@board_write("dot.place")
def place_dot(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Spend one of your dots on an idea or need, while the board is prioritising.

    The budget is checked under the board's write lock, so two tabs spending at once
    cannot both take the last dot.
    """
    me = may_write(w.session, w.actor, w.board)
    if w.board.phase != "prioritise":
        raise BoardError("not_prioritising", "Dots can be placed only while prioritising.", 409)
    post = open_post(w.session, w.actor, cmd.post_id)
    if post.kind not in DOTTABLE:
        raise BoardError("invalid_target", "Dots go on ideas and needs.", 422)
    spent = w.session.scalar(
        sa.select(sa.func.count())
        .select_from(Dot)
        .where(Dot.board_id == w.board.id, Dot.participant_id == me.id)
    )
    if (spent or 0) >= w.board.dot_budget:
        raise BoardError(
            "no_dots_left",
            f"You have used all {w.board.dot_budget} of your dots: take one back to move it.",
            409,
        )
    w.session.add(Dot(board_id=w.board.id, post_id=post.id, participant_id=me.id))
    return _dot_change(w.session, w.board, post, me.id)


@board_write("dot.take_back")
def take_back_dot(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Take one of your dots back off a post, while the board is prioritising."""
    me = may_write(w.session, w.actor, w.board)
    if w.board.phase != "prioritise":
        raise BoardError("not_prioritising", "Dots can be moved only while prioritising.", 409)
    post = open_post(w.session, w.actor, cmd.post_id)
    dot = w.session.scalar(
        sa.select(Dot)
        .where(Dot.post_id == post.id, Dot.participant_id == me.id)
        .order_by(Dot.id.desc())
        .limit(1)
    )
    if dot is None:
        raise BoardError("no_dot_here", "You have no dot on that post.", 409)
    w.session.delete(dot)
    return _dot_change(w.session, w.board, post, me.id)
