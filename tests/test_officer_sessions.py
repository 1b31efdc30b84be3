"""The officer page keeps the officer's credential server-side: the signed (readable) session
cookie holds a random handle, stored hashed, that signing out or withdrawing the token ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from board.extensions import db
from board.models import OfficerSession, OfficerToken, utcnow
from board.services import proposals
from board.web import proposal_pages
from tests.test_http import csrf_from

SIGNED_IN = 'id="officer-sign-out"'
SIGN_IN_FORM = 'id="officer-sign-in"'


def officer_token(app: Flask, name: str = "Jo Patel, Grants") -> str:
    with app.app_context():
        token = proposals.create_officer_token(name)
        db.session.remove()
        return token


def sign_in(app: Flask, token: str) -> tuple[FlaskClient, str]:
    browser = app.test_client()
    csrf = csrf_from(browser.get("/officer").get_data(as_text=True))
    answer = browser.post("/officer/sign-in", data={"csrf_token": csrf, "token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert SIGNED_IN in browser.get("/officer").get_data(as_text=True)
    return browser, csrf


def cookie_of(browser: FlaskClient, app: Flask) -> str:
    found = browser.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"])
    assert found is not None
    return found.value


def session_of(app: Flask, cookie: str) -> dict[str, Any]:
    """What anyone holding the cookie can read (it is signed, not encrypted)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie))


def with_cookie(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of the cookie (a stolen or backed-up one)."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain=app.config["SERVER_NAME"])
    return other


def test_the_cookie_holds_a_handle_not_the_token(app: Flask) -> None:
    token = officer_token(app)
    browser, _ = sign_in(app, token)
    cookie = cookie_of(browser, app)
    readable = session_of(app, cookie)
    assert token not in cookie and token not in repr(readable)
    handle = readable[proposal_pages.OFFICER_KEY]
    assert handle and handle != token
    with app.app_context():
        rows = db.session.scalars(sa.select(OfficerSession)).all()
        # Stored hashed: a copy of the database does not open the page either.
        assert [r.handle_hash for r in rows] == [proposals.hash_token(handle)]
        db.session.remove()


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(app: Flask) -> None:
    browser, csrf = sign_in(app, officer_token(app))
    copy = with_cookie(app, cookie_of(browser, app))
    assert SIGNED_IN in copy.get("/officer").get_data(as_text=True)

    assert browser.post("/officer/sign-out", data={"csrf_token": csrf}).status_code == 302

    assert SIGN_IN_FORM in browser.get("/officer").get_data(as_text=True)
    assert SIGN_IN_FORM in copy.get("/officer").get_data(as_text=True)
    assert copy.get("/officer/proposals.csv").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficerSession)) == 0
        db.session.remove()


def test_a_withdrawn_token_or_an_old_sign_in_opens_nothing(app: Flask) -> None:
    withdrawn, _ = sign_in(app, officer_token(app, "Withdrawn"))
    stale, _ = sign_in(app, officer_token(app, "Stale"))
    with app.app_context():
        db.session.execute(
            sa.update(OfficerToken)
            .where(OfficerToken.name == "Withdrawn")
            .values(revoked_at=utcnow())
        )
        db.session.execute(
            sa.update(OfficerSession)
            .where(OfficerSession.officer_token_id == OfficerToken.id)
            .where(OfficerToken.name == "Stale")
            .values(created_at=utcnow() - timedelta(hours=13))
        )
        db.session.commit()
        db.session.remove()
    assert SIGN_IN_FORM in withdrawn.get("/officer").get_data(as_text=True)
    assert SIGN_IN_FORM in stale.get("/officer").get_data(as_text=True)


def test_a_cookie_carrying_a_token_itself_is_not_a_sign_in(app: Flask) -> None:
    """A cookie made the old way, with the officer's token in it, no longer signs anyone in."""
    token = officer_token(app)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    forged = with_cookie(app, serializer.dumps({"officer_token": token}))
    assert SIGN_IN_FORM in forged.get("/officer").get_data(as_text=True)
    # Nor does a token put where the handle goes.
    direct = with_cookie(app, serializer.dumps({proposal_pages.OFFICER_KEY: token}))
    assert SIGN_IN_FORM in direct.get("/officer").get_data(as_text=True)
    # ...and the old key is dropped from the cookie the browser gets back.
    assert "officer_token" not in session_of(app, cookie_of(forged, app))
