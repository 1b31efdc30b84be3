"""The view-only projector link: a second computer shows the projector without joining.

A facilitator makes the link (its secret token is stored hashed on the board, like every
other token, and shown once); whoever opens it sees the projector and what everyone sees,
as nobody: not counted among the people who joined, nor in the presence count, and
refused every action (``Actor.view_only``). Making a new link stops the old one; a
facilitator can also stop it outright. board.services.boards.identify knows the token
wherever a participant token is taken (the socket's subscribe, a bearer token).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from board.errors import BoardError
from board.inputs import NewProjectorLink, StopProjectorLink
from board.models import Board
from board.services import Actor
from board.services.boards import hash_token
from board.services.commands import Write, board_write
from board.services.rules import log_action, require_facilitator
from board.storage import read_snapshot


@dataclass(frozen=True)
class ProjectorLink:
    """A new projector link's token, for the facilitator who made it (shown once)."""

    board_code: str
    token: str


@board_write("projector.link", who="facilitator")
def make_projector_link(w: Write, cmd: NewProjectorLink) -> ProjectorLink:
    """Make the board's view-only projector link, shown once; any older link stops working.

    Takes no op id: the token exists only in this answer, so replaying a stored result
    could not hand the link out again.
    """
    token = secrets.token_urlsafe(24)
    replaced = w.board.projector_token_hash is not None
    w.board.projector_token_hash = hash_token(token)
    log_action(w.session, w.board, w.me, "projector_link", note="replaced" if replaced else "")
    return ProjectorLink(w.board.code, token)


@board_write("projector.stop", who="facilitator")
def stop_projector_link(w: Write, cmd: StopProjectorLink) -> dict[str, Any]:
    """Stop the board's projector link: it opens nothing from now on."""
    if w.board.projector_token_hash is None:
        raise BoardError("no_projector_link", "This board has no projector link to stop.", 409)
    w.board.projector_token_hash = None
    log_action(w.session, w.board, w.me, "projector_stop")
    return {"stopped": True, "seq": w.board.last_seq}


def has_projector_link(actor: Actor) -> bool:
    """Whether the board has a projector link in use (facilitators only)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        return session.get_one(Board, actor.board_id).projector_token_hash is not None
