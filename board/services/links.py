""" "I can help": linking yourself, or one of your offers, to an idea or a need."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from board import events
from board.errors import BoardError, forbidden
from board.inputs import LinkHelp, Unlink
from board.models import Link
from board.outputs import link_out
from board.services.commands import Write, board_write
from board.services.rules import may_write, open_post

HELPABLE = ("idea", "need")
OFFERS = ("skill", "tool")


@board_write("link.create")
def link_help(w: Write, cmd: LinkHelp) -> dict[str, Any]:
    """Say "I can help" on an idea or need, with one of your own offers or just yourself."""
    may_write(w.session, w.actor, w.board)
    target = open_post(w.session, w.actor, cmd.post_id)
    if target.kind not in HELPABLE:
        raise BoardError("invalid_target", "Offers of help go on an idea or a need.", 422)
    if cmd.offer_id is not None:
        offer = open_post(w.session, w.actor, cmd.offer_id)
        if offer.author_id != w.actor.participant_id:
            raise forbidden("You can only link your own offers.")
        if offer.kind not in OFFERS:
            raise BoardError("invalid_offer", "Only a skill or a tool offer can be linked.", 422)
    same = (
        Link.offer_id == cmd.offer_id
        if cmd.offer_id is not None
        else sa.and_(Link.offer_id.is_(None), Link.helper_id == w.actor.participant_id)
    )
    duplicate = w.session.scalar(sa.select(Link.id).where(Link.target_id == target.id, same))
    if duplicate is not None:
        raise BoardError("already_linked", "That help is already on this post.", 409)
    link = Link(
        board_id=w.board.id,
        target_id=target.id,
        offer_id=cmd.offer_id,
        helper_id=w.actor.participant_id,
    )
    w.session.add(link)
    w.session.flush()
    shaped = link_out(link)
    seq = events.record(w.session, w.board, events.LinkCreated(shaped))
    return {"link": shaped, "seq": seq}


@board_write("link.remove")
def unlink_help(w: Write, cmd: Unlink) -> dict[str, Any]:
    """Withdraw an "I can help": the helper may, and so may facilitators."""
    link = w.session.get(Link, cmd.link_id)
    if link is None or link.board_id != w.board.id:
        raise BoardError("link_not_found", "That offer of help is not on this board.", 404)
    me = may_write(w.session, w.actor, w.board)
    if link.helper_id != me.id and not me.is_facilitator:
        raise forbidden("Only the helper or a facilitator can remove an offer of help.")
    target_id = link.target_id
    w.session.delete(link)
    w.session.flush()
    seq = events.record(w.session, w.board, events.LinkRemoved(cmd.link_id, target_id))
    return {"link_id": cmd.link_id, "removed": True, "seq": seq}
