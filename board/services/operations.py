"""Idempotent writes: a retried op id returns the first result and changes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.errors import BoardError, access_revoked
from board.models import Operation, Participant


def once(
    session: so.Session,
    participant_id: int,
    op_id: str,
    action: str,
    request: dict[str, Any],
    perform: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run ``perform`` unless this participant already ran ``op_id``; return the first result.

    ``request`` is what was asked (action arguments): a retry must ask the same thing, so a
    client bug that reuses an op id for a different write is refused rather than dropped.
    Must be called inside a write transaction that holds the board's lock, so two copies
    of one op cannot both miss the lookup (the unique constraint is the backstop).
    """
    fingerprint = hashlib.sha256(
        json.dumps({"action": action, **request}, sort_keys=True, default=str).encode()
    ).hexdigest()
    participant = session.get_one(Participant, participant_id)
    if participant.revoked_at is not None:
        # A socket subscribed before the link was withdrawn still names this participant.
        raise access_revoked()
    done = session.scalar(
        sa.select(Operation).where(
            Operation.participant_id == participant_id, Operation.op_id == op_id
        )
    )
    if done is not None:
        if done.request_hash != fingerprint:
            what = f"a different {action}" if done.action == action else done.action
            raise BoardError(
                "op_id_reused",
                f"This op id was already used for {what}; send a new op id for a new write.",
                409,
            )
        return done.result
    result = perform()
    session.add(
        Operation(
            participant_id=participant_id,
            op_id=op_id,
            action=action,
            request_hash=fingerprint,
            result=result,
        )
    )
    return result
