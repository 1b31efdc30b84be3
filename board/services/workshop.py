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
from board.models import Board, Dot, Post, utcnow
from board.outputs import post_out, session_out
from board.services import Actor
from board.services.boards import lock_board
from board.services.operations import once
from board.services.rules import log_action, may_write, open_post, require_facilitator
from board.storage import write_transaction

SETTINGS = (
    "phase",
    "locked",
    "premoderation",
    "silent",
    "dot_budget",
    "dots_hidden",
    "report_threshold",
    "slow_mode_seconds",
)
#: Dots go on what a workshop decides between.
DOTTABLE = ("idea", "need")


def _changed(session: so.Session, board: Board, changed: list[str]) -> int:
    return events.record(session, board, events.SessionChanged(session_out(board), changed))


def update_session(actor: Actor, op_id: str, **settings: Any) -> dict[str, Any]:
    """Change any of the session's settings at once; unchanged values are ignored.

    Turning silent brainstorming off reveals every held-back post at once; turning hidden
    dots off reveals every post's dots.
    """
    unknown = set(settings) - set(SETTINGS)
    if unknown or not settings:
        raise BoardError("invalid_input", f"Send one or more of: {', '.join(SETTINGS)}.", 422)
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            changed = [k for k, v in settings.items() if getattr(board, k) != v]
            if not changed:
                return {"session": session_out(board), "changed": [], "seq": board.last_seq}
            revealing = "silent" in changed and not settings["silent"]
            showing_dots = "dots_hidden" in changed and not settings["dots_hidden"]
            for name in changed:
                setattr(board, name, settings[name])
                log_action(session, board, me, f"set_{name}", note=str(settings[name]))
            session.flush()
            seq = _changed(session, board, changed)
            if revealing:
                seq = _reveal(session, board)
            if showing_dots:
                seq = _reveal_dots(session, board)
            return {"session": session_out(board), "changed": changed, "seq": seq}

        return once(session, actor.participant_id, op_id, "session.update", settings, perform)


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


def set_timer(actor: Actor, op_id: str, seconds: int) -> dict[str, Any]:
    """Start a countdown of ``seconds`` on the server's clock (0 stops it)."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            if seconds:
                board.timer_ends_at = utcnow() + timedelta(seconds=seconds)
                board.timer_seconds = seconds
            else:
                board.timer_ends_at = board.timer_seconds = None
            log_action(session, board, me, "timer", note=str(seconds))
            session.flush()
            seq = _changed(session, board, ["timer"])
            return {"session": session_out(board), "seq": seq}

        # Each start is new: the op id alone makes a retry safe.
        return once(
            session, actor.participant_id, op_id, "timer.set", {"seconds": seconds}, perform
        )


def spotlight(actor: Actor, op_id: str, post_id: int | None = None) -> dict[str, Any]:
    """Show one post on every screen and the projector (no post: end the spotlight)."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            if post_id is not None:
                open_post(session, actor, post_id)
            board.spotlight_post_id = post_id
            log_action(session, board, me, "spotlight", post_id=post_id)
            session.flush()
            seq = _changed(session, board, ["spotlight_post_id"])
            return {"session": session_out(board), "seq": seq}

        return once(
            session, actor.participant_id, op_id, "spotlight.set", {"post_id": post_id}, perform
        )


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


def place_dot(actor: Actor, op_id: str, post_id: int) -> dict[str, Any]:
    """Spend one of your dots on an idea or need, while the board is prioritising.

    The budget is checked under the board's write lock, so two tabs spending at once
    cannot both take the last dot.
    """
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = may_write(session, actor, board)
            if board.phase != "prioritise":
                raise BoardError(
                    "not_prioritising", "Dots can be placed only while prioritising.", 409
                )
            post = open_post(session, actor, post_id)
            if post.kind not in DOTTABLE:
                raise BoardError("invalid_target", "Dots go on ideas and needs.", 422)
            spent = session.scalar(
                sa.select(sa.func.count())
                .select_from(Dot)
                .where(Dot.board_id == board.id, Dot.participant_id == me.id)
            )
            if (spent or 0) >= board.dot_budget:
                raise BoardError(
                    "no_dots_left",
                    f"You have used all {board.dot_budget} of your dots: take one back to move it.",
                    409,
                )
            session.add(Dot(board_id=board.id, post_id=post.id, participant_id=me.id))
            return _dot_change(session, board, post, me.id)

        return once(
            session, actor.participant_id, op_id, "dot.place", {"post_id": post_id}, perform
        )


def take_back_dot(actor: Actor, op_id: str, post_id: int) -> dict[str, Any]:
    """Take one of your dots back off a post, while the board is prioritising."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = may_write(session, actor, board)
            if board.phase != "prioritise":
                raise BoardError(
                    "not_prioritising", "Dots can be moved only while prioritising.", 409
                )
            post = open_post(session, actor, post_id)
            dot = session.scalar(
                sa.select(Dot)
                .where(Dot.post_id == post.id, Dot.participant_id == me.id)
                .order_by(Dot.id.desc())
                .limit(1)
            )
            if dot is None:
                raise BoardError("no_dot_here", "You have no dot on that post.", 409)
            session.delete(dot)
            return _dot_change(session, board, post, me.id)

        return once(
            session, actor.participant_id, op_id, "dot.take_back", {"post_id": post_id}, perform
        )
