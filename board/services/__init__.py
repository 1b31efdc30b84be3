"""The domain: plain arguments in, plain results out, no transport code.

Each write runs in one ``write_transaction``: validate, change, record the board event,
remember the op id's result, commit. Events go out only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting: a participant on a board, as resolved by the transport."""

    board_id: int
    participant_id: int
    #: The projector: a facilitator's connection that shows what everyone sees.
    public_view: bool = False
