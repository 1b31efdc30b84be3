"""Officers signed in on the officer page, kept server-side.

The browser's session cookie is signed, not encrypted: anyone who reads it reads what is
in it. So it holds a random handle, not the officer's API token; the database keeps the
handle's hash, the officer it stands for, and when it began. Signing out deletes it, and
withdrawing the officer's token ends every session it opened.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from board.models import OfficerSession, OfficerToken, utcnow
from board.services.proposals import Officer, hash_token, officer_by_token
from board.storage import read_snapshot, write_transaction

#: A sign-in lasts a working day; after it the officer pastes their token again.
LIFETIME = timedelta(hours=12)


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sign_in(token: str | None) -> tuple[Officer, str]:
    """Check the officer token and open a session: the officer, and the handle to keep."""
    officer = officer_by_token(token)
    handle = "officer-session-" + secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.execute(sa.delete(OfficerSession).where(OfficerSession.created_at < _cutoff()))
        session.add(OfficerSession(officer_token_id=officer.id, handle_hash=hash_token(handle)))
    return officer, handle


def officer_by_handle(handle: str | None) -> Officer | None:
    """The officer a session handle stands for, or None: unknown, ended, expired or withdrawn."""
    if not handle:
        return None
    with read_snapshot() as session:
        found = session.execute(
            sa.select(OfficerToken, OfficerSession.created_at)
            .join(OfficerSession, OfficerSession.officer_token_id == OfficerToken.id)
            .where(OfficerSession.handle_hash == hash_token(handle))
        ).first()
        if found is None:
            return None
        token, started = found
        if token.revoked_at is not None or _aware(started) < _cutoff():
            return None
        return Officer(token.id, token.name)


def sign_out(handle: str | None) -> None:
    """End the session a handle stands for (nothing to do for an unknown one)."""
    if not handle:
        return
    with write_transaction() as session:
        session.execute(
            sa.delete(OfficerSession).where(OfficerSession.handle_hash == hash_token(handle))
        )


def _cutoff() -> datetime:
    return utcnow() - LIFETIME
