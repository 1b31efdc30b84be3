"""Importing a board over HTTP needs an instance administrator's token, and a file can
neither forge the council's steps nor carry a link that runs script.

The board file is the rich board's export (tests/test_transfer.py), changed the way an
attacker would change it.
"""

# ruff: noqa: F811

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from board.extensions import db
from board.models import AdminToken, Proposal, ProposalTransition
from board.services import admins, proposals
from tests.conftest import build_app

# The rich board, built once per module by its fixture (which the tests name as arguments).
from tests.test_transfer import Source, bearer, fingerprint, source  # noqa: F401

IMPORT = "/api/v1/boards/import"
INVENTED = "Sir Forge, Chief Executive"


@pytest.fixture(autouse=True)
def _imports_back_to_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests import one file after another as fast as they can: no rest between."""
    monkeypatch.setattr(admins, "IMPORTS", admins.ImportGate(per_hour=10_000, rest=0))


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    made = build_app(tmp_path)
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(app: Flask) -> str:
    with app.app_context():
        return admins.create_admin_token("Ops")


# Who may import ----------------------------------------------------------------------------


def test_the_cli_makes_an_admin_token_shown_once_and_stored_hashed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["board", "admin-token", "  Sam   Ops "])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("admin-") and len(token) > 40
    with app.app_context():
        row = db.session.scalars(sa.select(AdminToken)).one()
        assert row.name == "Sam Ops"
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert admins.admin_by_token(token).name == "Sam Ops"
    blank = app.test_cli_runner().invoke(args=["board", "admin-token", "  "])
    assert blank.exit_code == 1


def _refused(app: Flask, source: Source, headers: dict[str, str], status: int, code: str) -> None:
    before = fingerprint(app)
    answer = app.test_client().post(IMPORT, json=source.document, headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == code
    assert fingerprint(app) == before, "a refused import wrote nothing"


def test_an_import_without_a_token_is_401_and_writes_nothing(app: Flask, source: Source) -> None:
    _refused(app, source, {}, 401, "admin_token_required")
    _refused(app, source, {"Authorization": "Basic abc"}, 401, "admin_token_required")


def test_other_tokens_do_not_import(app: Flask, source: Source) -> None:
    with app.app_context():
        officer = proposals.create_officer_token("Jo Patel")
        revoked = admins.create_admin_token("Gone")
        db.session.execute(sa.update(AdminToken).values(revoked_at=sa.func.now()))
        db.session.commit()
    for token in (officer, revoked, source.tokens["lead"], "admin-guessed", "x" * 5000):
        _refused(app, source, bearer(token), 403, "admin_token_invalid")


def test_an_admin_token_imports(app: Flask, source: Source) -> None:
    answer = app.test_client().post(IMPORT, json=source.document, headers=bearer(_token(app)))
    assert answer.status_code == 201, answer.json
    assert answer.json["board"]["code"] == source.code


def test_one_import_at_a_time_and_an_hourly_budget(app: Flask, source: Source) -> None:
    gate = admins.ImportGate(at_once=1, per_hour=2)
    one, two = admins.Admin(1, "One"), admins.Admin(2, "Two")
    gate.enter(one)
    with pytest.raises(admins.BoardError) as busy:
        gate.enter(two)
    assert (busy.value.code, busy.value.status) == ("import_busy", 503)
    gate.leave()
    gate.enter(one)
    gate.leave()
    with pytest.raises(admins.BoardError) as spent:
        gate.enter(one)
    assert (spent.value.code, spent.value.status) == ("import_rate_limited", 429)
    assert int(spent.value.fields["retry_after"]) > 3000
    gate.enter(two)  # another administrator's budget is their own
    gate.leave()
    # After an import the gate stays shut for as long as it ran.
    gate = admins.ImportGate(at_once=1, per_hour=10)
    gate.enter(one)
    gate.leave(took=30)
    with pytest.raises(admins.BoardError) as resting:
        gate.enter(two)
    assert resting.value.code == "import_busy"
    assert 1 <= int(resting.value.fields["retry_after"]) <= 30

    # Over HTTP: a second import while one runs is refused at once and writes nothing.
    token = _token(app)
    admins.IMPORTS.enter(admins.Admin(99, "Already importing"))
    try:
        _refused(app, source, bearer(token), 503, "import_busy")
    finally:
        admins.IMPORTS.leave()


# The council's side is not the file's to say ---------------------------------------------


def _forged(source: Source) -> dict[str, Any]:
    """The decided proposal, decided by an officer nobody here ever made."""
    doc = copy.deepcopy(source.document)
    decided = doc["proposals"][1]
    assert decided["state"] == "decided"
    for step in decided["transitions"]:
        if step["actor_kind"] == "officer":
            step["actor"] = INVENTED
    decided["decision_maker"] = INVENTED
    return doc


def test_a_forged_decision_comes_in_as_submitted_with_no_council_history(
    app: Flask, source: Source
) -> None:
    answer = app.test_client().post(IMPORT, json=_forged(source), headers=bearer(_token(app)))
    assert answer.status_code == 201, answer.json
    with app.app_context():
        rows = db.session.scalars(sa.select(Proposal).order_by(Proposal.id)).all()
        decided = rows[1]
        assert decided.state == "submitted"
        assert decided.decision is None and decided.decision_date is None
        assert decided.decision_maker == decided.decision_reasons == decided.minutes_url == ""
        steps = [(t.from_state, t.to_state, t.actor_kind) for t in decided.transitions]
        assert steps == [
            (None, "draft", "participant"),
            ("draft", "submitted", "participant"),
            ("decided", "submitted", "import"),
        ]
        note = decided.transitions[-1].note
        assert "received, decided" in note and "has not received" in note
        kinds = db.session.scalars(sa.select(ProposalTransition.actor_kind)).all()
        assert "officer" not in kinds
        # The invented officer is nowhere in the database.
        everything = json.dumps(
            [
                [str(v) for v in row]
                for table in ("proposals", "proposal_transitions")
                for row in db.session.execute(sa.text(f"SELECT * FROM {table}"))
            ]
        )
        assert INVENTED not in everything
        # The council's inbox here sees it as sent, not yet received, with no decision.
        inbox = {p["reference"]: p for p in proposals.officer_proposals()}
        seen = inbox[decided.reference]["lifecycle"]
        assert seen["state"] == "submitted" and seen["decision"] is None
        assert [h["by"] for h in seen["history"]][-1] == "board import"


def _move(doc: dict[str, Any], **step: Any) -> dict[str, Any]:
    doc["proposals"][1]["transitions"].append(
        {
            "from_state": "decided",
            "to_state": "decided",
            "actor": "group coordinator",
            "actor_kind": "participant",
            "note": "",
            "created_at": "2026-11-26T10:00:00+00:00",
            **step,
        }
    )
    return doc


REFUSED = [
    (
        "a council step dressed as the group's",
        lambda d: _move(d, from_state="submitted", to_state="received"),
        "proposals[1].transitions[4]",
    ),
    (
        "a group step signed with an officer's name",
        lambda d: _move(d, from_state="submitted", to_state="withdrawn", actor=INVENTED),
        "proposals[1].transitions[4].actor",
    ),
    (
        "an import step that decides",
        lambda d: _move(d, from_state="submitted", to_state="decided", actor_kind="import"),
        "proposals[1].transitions[4]",
    ),
    (
        "a draft that was submitted (it would land in the council's inbox)",
        lambda d: d["proposals"][1].update(state="draft"),
        "proposals[1].state",
    ),
    (
        "decided but never submitted",
        lambda d: d["proposals"][1]["transitions"].pop(1),
        "proposals[1].state",
    ),
    (
        "a javascript: minutes link",
        lambda d: d["proposals"][1].update(minutes_url="javascript:alert(document.cookie)"),
        "proposals[1].minutes_url",
    ),
    (
        "a minutes link that closes its attribute",
        lambda d: d["proposals"][1].update(minutes_url='https://x.org/"><script>alert(1)</script>'),
        "proposals[1].minutes_url",
    ),
    (
        "a minutes link with no host",
        lambda d: d["proposals"][1].update(minutes_url="https:///etc/passwd"),
        "proposals[1].minutes_url",
    ),
    (
        "a contact email that is not one",
        lambda d: d["proposals"][1].update(contact_email="javascript:alert(1)"),
        "proposals[1].contact_email",
    ),
]


@pytest.mark.parametrize(("name", "change", "where"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_proposals_are_refused_naming_the_row(
    app: Flask, source: Source, name: str, change: Any, where: str
) -> None:
    doc = copy.deepcopy(source.document)
    change(doc)
    headers = bearer(_token(app))
    before = fingerprint(app)
    answer = app.test_client().post(IMPORT, json=doc, headers=headers)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    error = answer.json["error"]
    assert error["code"] == "invalid_import"
    assert where in error["fields"], error
    assert fingerprint(app) == before
