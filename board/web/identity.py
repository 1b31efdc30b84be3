"""Who is asking: a participant token (API clients) or the signed cookie (browsers)."""

from __future__ import annotations

from flask import current_app, request, session

from board.config import links_base
from board.errors import not_joined
from board.extensions import db
from board.services import Actor
from board.services.boards import Entry, identify, identify_by_id, normalise_code

COOKIE_KEY = "participants"


def remember(entry: Entry) -> None:
    """Keep this participant's identity for their board in the signed session cookie."""
    known = dict(session.get(COOKIE_KEY, {}))
    known[entry.board_code] = entry.participant_id
    session[COOKIE_KEY] = known
    session.permanent = True


def forget(code: str) -> None:
    """Drop a board from the signed cookie (its participant may no longer come in)."""
    known = dict(session.get(COOKIE_KEY, {}))
    known.pop(normalise_code(code), None)
    session[COOKIE_KEY] = known


def remembered_id(code: str) -> int | None:
    """The participant id the cookie remembers for this board, if any."""
    value = session.get(COOKIE_KEY, {}).get(normalise_code(code))
    return value if isinstance(value, int) else None


def public_url(path: str) -> str:
    """An absolute link for people to use, by the one rule for links (config.links_base)."""
    base = links_base(current_app.config, request.host, request.scheme)
    return base.rstrip("/") + path


def bearer_token() -> str | None:
    """The token from an ``Authorization: Bearer`` header, if one was sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def current_actor(code: str, token: str | None = None) -> Actor:
    """The caller on board ``code``: by token when one is given, else by cookie."""
    if token:
        return identify(db.session(), code, token)
    participant_id = remembered_id(code)
    if participant_id is None:
        # Look the board up first, so an unknown code says so rather than "join first".
        identify(db.session(), code, None)
        raise not_joined()
    return identify_by_id(db.session(), code, participant_id)
