"""The domain: plain arguments in, plain results out, no transport code.

Each write runs in one ``write_transaction``: validate, change, record the board event,
remember the op id's result, commit. Events go out only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The participant id of the view-only projector: nobody (no participant has id 0).
NOBODY = 0


@dataclass(frozen=True)
class Actor:
    """Who is acting: a participant on a board, as resolved by the transport."""

    board_id: int
    participant_id: int
    #: The projector: a facilitator's connection that shows what everyone sees.
    public_view: bool = False
    #: The projector's own link (board.services.projector): nobody on the board, in the
    #: public view; it reads what everyone sees and may take no action.
    view_only: bool = False

    @classmethod
    def projector(cls, board_id: int) -> Actor:
        """The view-only projector of a board."""
        return cls(board_id, NOBODY, public_view=True, view_only=True)
