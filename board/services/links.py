""" "I can help": linking yourself, or one of your offers, to an idea or a need."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from board import events
from board.errors import BoardError, forbidden
from board.models import Link
from board.outputs import link_out
from board.services import Actor
from board.services.boards import lock_board
from board.services.operations import once
from board.services.rules import may_write, open_post
from board.storage import write_transaction

HELPABLE = ("idea", "need")
OFFERS = ("skill", "tool")


def link_help(
    actor: Actor, op_id: str, post_id: int, offer_id: int | None = None
) -> dict[str, Any]:
    """Say "I can help" on an idea or need, with one of your own offers or just yourself."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            may_write(session, actor, board)
            target = open_post(session, actor, post_id)
            if target.kind not in HELPABLE:
                raise BoardError("invalid_target", "Offers of help go on an idea or a need.", 422)
            if offer_id is not None:
                offer = open_post(session, actor, offer_id)
                if offer.author_id != actor.participant_id:
                    raise forbidden("You can only link your own offers.")
                if offer.kind not in OFFERS:
                    raise BoardError(
                        "invalid_offer", "Only a skill or a tool offer can be linked.", 422
                    )
            same = (
                Link.offer_id == offer_id
                if offer_id is not None
                else sa.and_(Link.offer_id.is_(None), Link.helper_id == actor.participant_id)
            )
            duplicate = session.scalar(sa.select(Link.id).where(Link.target_id == target.id, same))
            if duplicate is not None:
                raise BoardError("already_linked", "That help is already on this post.", 409)
            link = Link(
                board_id=board.id,
                target_id=target.id,
                offer_id=offer_id,
                helper_id=actor.participant_id,
            )
            session.add(link)
            session.flush()
            shaped = link_out(link)
            seq = events.record(session, board, events.LinkCreated(shaped))
            return {"link": shaped, "seq": seq}

        return once(
            session,
            actor.participant_id,
            op_id,
            "link.create",
            {"post_id": post_id, "offer_id": offer_id},
            perform,
        )


def unlink_help(actor: Actor, op_id: str, link_id: int) -> dict[str, Any]:
    """Withdraw an "I can help": the helper may, and so may facilitators."""
    with write_transaction() as session:
        board = lock_board(session, actor.board_id)

        def perform() -> dict[str, Any]:
            link = session.get(Link, link_id)
            if link is None or link.board_id != board.id:
                raise BoardError("link_not_found", "That offer of help is not on this board.", 404)
            me = may_write(session, actor, board)
            if link.helper_id != me.id and not me.is_facilitator:
                raise forbidden("Only the helper or a facilitator can remove an offer of help.")
            target_id = link.target_id
            session.delete(link)
            session.flush()
            seq = events.record(session, board, events.LinkRemoved(link_id, target_id))
            return {"link_id": link_id, "removed": True, "seq": seq}

        return once(
            session, actor.participant_id, op_id, "link.remove", {"link_id": link_id}, perform
        )
