"""Facilitators' powers, each checked here and written to the moderation log.

Every function refuses, with no change, anyone who is not a facilitator of the board
right now: a participant, a co-facilitator whose link was withdrawn, someone elsewhere.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError, forbidden
from board.events import iso
from board.models import Board, ModerationAction, Participant, utcnow
from board.schemas import participant_out, post_out
from board.services import Actor
from board.services.boards import Entry, lock_board, new_participant
from board.services.operations import once
from board.services.posts import acting, post_on_board
from board.storage import read_snapshot, write_transaction

LOG_COLUMNS = ("at", "facilitator", "action", "post_id", "participant_id", "reason", "note")


def require_facilitator(session: so.Session, actor: Actor) -> Participant:
    """The acting participant, if they may run this board; otherwise a 403."""
    me = acting(session, actor)
    if not me.is_facilitator:
        raise forbidden("Only the board's facilitators can do that.")
    return me


def _log(session: so.Session, board: Board, me: Participant, action: str, **what: Any) -> None:
    session.add(ModerationAction(board_id=board.id, actor_id=me.id, action=action, **what))


def hide_post(
    actor: Actor, op_id: str, post_id: int, reason: str, note: str = ""
) -> dict[str, Any]:
    """Hide a post from everyone but facilitators, with a reason everyone can see counted."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            post = post_on_board(session, actor, post_id)
            if post.hidden_at is not None:
                raise BoardError("already_hidden", "That post is already hidden.", 409)
            post.hidden_at, post.hidden_reason = utcnow(), reason
            _log(session, board, me, "hide", post_id=post.id, reason=reason, note=note)
            seq = events.record(session, board, events.PostHidden(post.id, reason))
            return {"post_id": post.id, "hidden": True, "reason": reason, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "post.hide",
            {"post_id": post_id, "reason": reason, "note": note},
            perform,
        )


def restore_post(actor: Actor, op_id: str, post_id: int, note: str = "") -> dict[str, Any]:
    """Show a hidden post to everyone again."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            post = post_on_board(session, actor, post_id)
            if post.hidden_at is None:
                raise BoardError("not_hidden", "That post is not hidden.", 409)
            post.hidden_at, post.hidden_reason = None, None
            _log(session, board, me, "restore", post_id=post.id, note=note)
            session.flush()
            shaped = post_out(post)
            seq = events.record(session, board, events.PostRestored(shaped))
            return {"post": shaped, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "post.restore",
            {"post_id": post_id, "note": note},
            perform,
        )


def invite_facilitator(actor: Actor, display_name: str) -> Entry:
    """Make a co-facilitator with their own link, shown once to the inviting facilitator.

    Takes no op id: the token exists only in this answer, so replaying a stored result
    could not hand the link out again. A repeated invitation makes a second link, which
    the facilitator can withdraw.
    """
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)
        me = require_facilitator(session, actor)
        invited, token = new_participant(session, board, display_name, False, "facilitator")
        _log(session, board, me, "invite_facilitator", participant_id=invited.id)
        return Entry(board.code, invited.id, token, participant_out(invited))


def revoke_facilitator(actor: Actor, op_id: str, participant_id: int) -> dict[str, Any]:
    """Withdraw a co-facilitator's link: it opens nothing from now on."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            me = require_facilitator(session, actor)
            them = session.get(Participant, participant_id)
            if them is None or them.board_id != board.id or them.role != "facilitator":
                raise BoardError(
                    "participant_not_found", "No co-facilitator with that id on this board.", 404
                )
            if them.id == me.id:
                raise BoardError("invalid_input", "You cannot withdraw your own link.", 422)
            first = session.scalar(
                sa.select(sa.func.min(Participant.id)).where(
                    Participant.board_id == board.id, Participant.role == "facilitator"
                )
            )
            if them.id == first:
                raise forbidden("The board's first facilitator cannot be withdrawn.")
            if them.revoked_at is not None:
                raise BoardError("already_revoked", "That link was already withdrawn.", 409)
            them.revoked_at = utcnow()
            _log(session, board, me, "revoke_facilitator", participant_id=them.id)
            seq = events.record(session, board, events.FacilitatorRevoked(them.id))
            return {"participant_id": them.id, "revoked": True, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "facilitator.revoke",
            {"participant_id": participant_id},
            perform,
        )


def facilitators(actor: Actor) -> list[dict[str, Any]]:
    """The board's facilitators, the first (its creator) first, each with ``revoked``."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        rows = session.scalars(
            sa.select(Participant)
            .where(Participant.board_id == actor.board_id, Participant.role == "facilitator")
            .order_by(Participant.id)
        ).all()
        return [{**participant_out(p), "revoked": p.revoked_at is not None} for p in rows]


def moderation_log(actor: Actor) -> list[dict[str, Any]]:
    """Every facilitator action on the board, oldest first (facilitators only)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        rows = session.scalars(
            sa.select(ModerationAction)
            .where(ModerationAction.board_id == actor.board_id)
            .order_by(ModerationAction.id)
            .options(so.selectinload(ModerationAction.actor))
        ).all()
        return [
            {
                "at": iso(row.created_at),
                "facilitator": participant_out(row.actor),
                "action": row.action,
                "post_id": row.post_id,
                "participant_id": row.participant_id,
                "reason": row.reason,
                "note": row.note,
            }
            for row in rows
        ]


def moderation_log_csv(actor: Actor) -> str:
    """The moderation log as CSV, one action per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LOG_COLUMNS)
    for entry in moderation_log(actor):
        writer.writerow(
            _safe_cell(cell)
            for cell in [
                entry["at"],
                entry["facilitator"]["name"],
                entry["action"],
                entry["post_id"] or "",
                entry["participant_id"] or "",
                entry["reason"] or "",
                entry["note"],
            ]
        )
    return out.getvalue()


def _safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
