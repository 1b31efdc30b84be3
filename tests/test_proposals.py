"""Proposals from the demo workshop: lifecycle, who may do what, exports and privacy."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from board import inputs
from board.demo import DEMO_DATA, create_demo_board
from board.errors import BoardError
from board.extensions import db
from board.models import Participant
from board.services import boards, proposals
from tests.test_bad_input import fingerprint

SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "board/static/schema/proposal-1.0.json").read_text()
)
DATA = json.loads(DEMO_DATA.read_text())
CONTACT_EMAIL = "aisha.repair@example.org"


@dataclass
class Demo:
    code: str
    lead: str  # the facilitator's token
    tokens: dict[str, str]
    officer: str


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo(app: Flask) -> Iterator[Demo]:
    with app.app_context():
        code, lead = create_demo_board(DATA)
        board_id = boards.board_by_code(db.session, code).id
        people = db.session.scalars(sa.select(Participant).where(Participant.board_id == board_id))
        # Give every named resident a token we know, so the HTTP API can act as them.
        tokens = {}
        for person in people:
            if person.display_name and person.role == "participant":
                token = f"token-{person.id}-{person.display_name}"
                person.token_hash = boards.hash_token(token)
                tokens[person.display_name] = token
        db.session.commit()
        officer = proposals.create_officer_token("Jo Patel, Community Grants Officer")
        db.session.remove()
    yield Demo(code, lead, tokens, officer)


def idea_id(client: FlaskClient, demo: Demo, title_start: str) -> int:
    snapshot = client.get(f"/api/v1/boards/{demo.code}/snapshot", headers=bearer(demo.lead)).json
    return next(p["id"] for p in snapshot["posts"] if p["title"].startswith(title_start))


def group_of(client: FlaskClient, demo: Demo, post_id: int) -> int:
    snapshot = client.get(f"/api/v1/boards/{demo.code}/snapshot", headers=bearer(demo.lead)).json
    return next(p["group"]["id"] for p in snapshot["posts"] if p["id"] == post_id)


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.json


def promote_repair_cafe(client: FlaskClient, demo: Demo) -> dict[str, Any]:
    base = f"/api/v1/boards/{demo.code}"
    cafe = idea_id(client, demo, "Repair café")
    made = ok(
        client.post(
            f"{base}/posts/{cafe}/proposal",
            json={"op_id": "promote-01"},
            headers=bearer(demo.tokens["Aisha"]),
        ),
        201,
    )["proposal"]
    group = group_of(client, demo, cafe)
    for name in ("Aisha", "Tomasz"):  # two of the four agree to be named
        ok(
            client.post(
                f"{base}/groups/{group}/named",
                json={"op_id": f"named-{name}", "named": True},
                headers=bearer(demo.tokens[name]),
            )
        )
    ok(
        client.patch(
            f"{base}/proposals/{made['id']}",
            json={
                "op_id": "shape-0001",
                "short_summary": "A monthly repair café in the empty shop on Hamlet Road.",
                "asks": ["money", "building_or_land"],
                "amount_gbp": 1850.5,
                "ask_details": "A peppercorn lease on 14 Hamlet Road for a year.",
                "involved": "Four volunteers who fix bikes, clothes and small appliances.",
                "ward": "Westcliff",
                "address": "14 Hamlet Road",
                "latitude": 51.5412,
                "longitude": 0.6891,
                "capital_gbp": 1200,
                "revenue_gbp": 650.5,
                "options": "Do nothing; run it in the library; run it in the empty shop.",
                "reasons": "Less waste, skills shared, a warm place to meet.",
                "risks": "Electrical safety: PAT testing by a qualified volunteer.",
                "benefits": "Households on low incomes, older residents.",
                "left_out": "People who cannot come on Saturdays.",
                "route": "ward_panel",
            },
            headers=bearer(demo.tokens["Marjorie"]),  # any member may shape the draft
        )
    )
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/contact",
            json={"op_id": "contact-01", "name": "Aisha", "email": CONTACT_EMAIL, "consent": True},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    return made


def test_lifecycle_and_every_export_validates(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    made = promote_repair_cafe(client, demo)
    assert made["state"] == "draft" and made["title"].startswith("Repair café")
    exports = []

    def export_now() -> dict[str, Any]:
        got = client.get(f"{base}/proposals/{made['id']}/export", headers=bearer(demo.lead))
        shaped = json.loads(got.get_data(as_text=True))
        jsonschema.validate(shaped, SCHEMA)
        exports.append(shaped)
        return shaped

    draft = export_now()
    assert draft["support"]["supporters"] > 0 and draft["support"]["offers"]
    assert draft["proposer"]["member_count"] == 4
    assert draft["proposer"]["named_members"] == ["Aisha", "Tomasz"]
    assert draft["case"]["what_we_ask"]["amount_gbp"] == 1850.5
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/submit",
            json={"op_id": "submit-001"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    assert export_now()["lifecycle"]["state"] == "submitted"
    officer = bearer(demo.officer)
    for step in (
        {"to": "received", "note": "Logged as WP-2026-114"},
        {"to": "under_review"},
        {
            "to": "decided",
            "decision": "accepted_with_conditions",
            "decision_date": "2026-12-03",
            "decision_maker": "Westcliff Ward Panel",
            "decision_reasons": "Strong local support and a clear plan.",
            "conditions": "PAT testing certificate before opening.",
            "alternatives_rejected": "Running it in the library (no space on Saturdays).",
            "minutes_url": "https://council.example.org/minutes/wp-2026-12-03",
        },
    ):
        ok(
            client.post(
                f"/api/v1/officer/proposals/{made['id']}/transitions", json=step, headers=officer
            )
        )
        export_now()
    final = exports[-1]
    assert [h["to"] for h in final["lifecycle"]["history"]] == [
        "draft",
        "submitted",
        "received",
        "under_review",
        "decided",
    ]
    assert final["lifecycle"]["history"][2]["by"] == "Jo Patel, Community Grants Officer"
    assert final["lifecycle"]["decision"]["outcome"] == "accepted_with_conditions"
    # The board shows the answer on the idea (snapshot), for everyone.
    resident = client.get(f"{base}/proposals", headers=bearer(demo.tokens["Dev"])).json
    assert resident["proposals"][0]["decision"]["outcome"] == "accepted_with_conditions"

    # Every group of the demo can promote too: all exports validate.
    for group in DATA["groups"][1:]:
        title = next(p["title"] for p in DATA["posts"] if p["id"] == group["idea"])
        post = idea_id(client, demo, title)
        other = ok(
            client.post(
                f"{base}/posts/{post}/proposal",
                json={"op_id": f"promote-{post}"},
                headers=bearer(demo.tokens[group["coordinator"]]),
            ),
            201,
        )
        jsonschema.validate(
            json.loads(
                client.get(
                    f"{base}/proposals/{other['proposal']['id']}/export", headers=bearer(demo.lead)
                ).get_data(as_text=True)
            ),
            SCHEMA,
        )

    # CSV: one row per proposal, dotted columns, round-trips through the csv module.
    sheet = client.get(f"{base}/proposals?format=csv", headers=bearer(demo.lead))
    rows = list(csv.DictReader(io.StringIO(sheet.get_data(as_text=True))))
    assert len(rows) == 3
    assert rows[0]["reference"] == final["reference"]
    assert rows[0]["case.what_we_ask.amount_gbp"] == "1850.5"
    assert rows[0]["lifecycle.decision.outcome"] == "accepted_with_conditions"
    assert rows[0]["place.coordinates.latitude"] == "51.5412"
    council = client.get("/api/v1/officer/proposals?format=csv", headers=officer)
    assert len(list(csv.DictReader(io.StringIO(council.get_data(as_text=True))))) == 1
    served = client.get("/api/v1/schema/proposal-1.0.json")
    assert served.status_code == 200 and json.loads(served.get_data()) == SCHEMA

    # Privacy: no email but the consenting contact's, no name of anyone who did not agree.
    outputs = [json.dumps(e) for e in exports] + [
        sheet.get_data(as_text=True),
        council.get_data(as_text=True),
    ]
    consenting = {"Aisha", "Tomasz"}
    others = {p["name"] for p in DATA["participants"]} - consenting
    for text in outputs:
        assert set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)) <= {CONTACT_EMAIL}
        for name in others:
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} appears in an export"


def test_wrong_actors_and_invalid_transitions_change_nothing(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    made = promote_repair_cafe(client, demo)
    pid = made["id"]
    officer = bearer(demo.officer)
    cases = [
        # A non-member editing, and submitting.
        (
            "PATCH",
            f"{base}/proposals/{pid}",
            demo.tokens["Dev"],
            {"op_id": "edit-by-dev", "title": "Mine now"},
            403,
            "forbidden",
        ),
        (
            "POST",
            f"{base}/proposals/{pid}/submit",
            demo.tokens["Dev"],
            {"op_id": "submit-by-dev"},
            403,
            "forbidden",
        ),
        # A member who does not coordinate cannot submit.
        (
            "POST",
            f"{base}/proposals/{pid}/submit",
            demo.tokens["Marjorie"],
            {"op_id": "submit-by-mj"},
            403,
            "forbidden",
        ),
        # A participant recording a decision; a wrong token; no token.
        (
            "POST",
            f"/api/v1/officer/proposals/{pid}/transitions",
            demo.tokens["Aisha"],
            {"to": "received"},
            401,
            "officer_token_invalid",
        ),
        (
            "POST",
            f"/api/v1/officer/proposals/{pid}/transitions",
            "officer-wrong",
            {"to": "received"},
            401,
            "officer_token_invalid",
        ),
        (
            "POST",
            f"/api/v1/officer/proposals/{pid}/transitions",
            None,
            {"to": "received"},
            401,
            "officer_token_required",
        ),
        # A draft is not the council's yet.
        (
            "POST",
            f"/api/v1/officer/proposals/{pid}/transitions",
            demo.officer,
            {"to": "received"},
            404,
            "proposal_not_found",
        ),
        # Promoting the same idea twice.
        (
            "POST",
            f"{base}/posts/{made['idea_id']}/proposal",
            demo.tokens["Aisha"],
            {"op_id": "promote-02"},
            409,
            "proposal_exists",
        ),
        # Bad input.
        (
            "PATCH",
            f"{base}/proposals/{pid}",
            demo.tokens["Aisha"],
            {"op_id": "edit-bad-01", "short_summary": "x" * 126},
            422,
            "invalid_input",
        ),
        (
            "PATCH",
            f"{base}/proposals/{pid}",
            demo.tokens["Aisha"],
            {"op_id": "edit-bad-02", "amount_gbp": -5},
            422,
            "invalid_input",
        ),
        (
            "PATCH",
            f"{base}/proposals/{pid}",
            demo.tokens["Aisha"],
            {"op_id": "edit-bad-03", "route": "bribery"},
            422,
            "invalid_input",
        ),
        (
            "POST",
            f"{base}/proposals/{pid}/contact",
            demo.tokens["Aisha"],
            {"op_id": "contact-bad", "name": "A", "email": "nope", "consent": True},
            422,
            "invalid_input",
        ),
    ]
    for method, path, token, body, status, code in cases:
        before = fingerprint(app)
        answer = client.open(path, method=method, json=body, headers=bearer(token) if token else {})
        assert answer.status_code == status, (path, answer.get_data(as_text=True))
        assert answer.json["error"]["code"] == code, (path, answer.json)
        assert fingerprint(app) == before, path

    ok(
        client.post(
            f"{base}/proposals/{pid}/submit",
            json={"op_id": "submit-002"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    transitions = [
        (
            {
                "to": "decided",
                "decision": "accepted",
                "decision_date": "2026-12-03",
                "decision_maker": "Panel",
                "decision_reasons": "Good",
            },
            "invalid_transition",
        ),
        ({"to": "under_review"}, "invalid_transition"),
        ({"to": "received", "decision": "maybe"}, "invalid_input"),
    ]
    for body, code in transitions:
        before = fingerprint(app)
        answer = client.post(
            f"/api/v1/officer/proposals/{pid}/transitions", json=body, headers=officer
        )
        assert answer.json["error"]["code"] == code, answer.json
        assert fingerprint(app) == before
    ok(
        client.post(
            f"/api/v1/officer/proposals/{pid}/transitions", json={"to": "received"}, headers=officer
        )
    )
    # Deciding needs the record.
    before = fingerprint(app)
    answer = client.post(
        f"/api/v1/officer/proposals/{pid}/transitions",
        json={"to": "decided", "decision": "declined"},
        headers=officer,
    )
    assert answer.status_code == 422 and fingerprint(app) == before
    ok(
        client.post(
            f"/api/v1/officer/proposals/{pid}/transitions",
            json={
                "to": "decided",
                "decision": "declined",
                "decision_date": "2026-12-04",
                "decision_maker": "Cabinet",
                "decision_reasons": "No budget this year",
            },
            headers=officer,
        )
    )
    # Decided is final: not withdrawn, not edited, not decided again.
    for path, token, body in [
        (f"{base}/proposals/{pid}/withdraw", demo.tokens["Aisha"], {"op_id": "withdraw-01"}),
        (f"/api/v1/officer/proposals/{pid}/transitions", demo.officer, {"to": "received"}),
    ]:
        before = fingerprint(app)
        answer = client.post(path, json=body, headers=bearer(token))
        assert answer.status_code == 409 and answer.json["error"]["code"] == "invalid_transition"
        assert fingerprint(app) == before


def test_submitting_needs_a_complete_proposal_and_withdrawing_reopens_the_idea(
    app: Flask, demo: Demo
) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    cafe = idea_id(client, demo, "Repair café")
    made = ok(
        client.post(
            f"{base}/posts/{cafe}/proposal", json={"op_id": "promote-03"}, headers=bearer(demo.lead)
        ),
        201,
    )["proposal"]
    before = fingerprint(app)
    answer = client.post(
        f"{base}/proposals/{made['id']}/submit",
        json={"op_id": "submit-03"},
        headers=bearer(demo.lead),
    )
    assert answer.status_code == 422 and answer.json["error"]["code"] == "proposal_incomplete"
    assert {"asks", "route", "contact"} <= set(answer.json["error"]["fields"])
    assert fingerprint(app) == before
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/withdraw",
            json={"op_id": "withdraw-03"},
            headers=bearer(demo.lead),
        )
    )
    again = client.post(
        f"{base}/posts/{cafe}/proposal",
        json={"op_id": "promote-04"},
        headers=bearer(demo.tokens["Aisha"]),
    )
    assert again.status_code == 201


def test_the_cli_makes_an_officer_token_that_the_api_accepts(app: Flask) -> None:
    made = app.test_cli_runner().invoke(args=["board", "officer-token", "Jo Patel, Grants"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    answer = app.test_client().get("/api/v1/officer/proposals", headers=bearer(token))
    assert answer.status_code == 200 and answer.json == {"proposals": []}
    blank = app.test_cli_runner().invoke(args=["board", "officer-token", "  "])
    assert blank.exit_code != 0 and "Name" in blank.output


def test_drafts_stay_with_the_group_and_the_contact_email_with_the_council(
    app: Flask, demo: Demo
) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    made = promote_repair_cafe(client, demo)

    def replay(token: str) -> list[dict[str, Any]]:
        return client.get(f"{base}/events?since=0", headers=bearer(token)).json["events"]

    def latest_changes(token: str) -> list[str]:
        seqs = {e["seq"] for e in replay(demo.tokens["Aisha"]) if e["type"] == "proposal.changed"}
        return [e["type"] for e in replay(token) if e["seq"] in seqs]

    # While a draft: the group and facilitators see its changes; everyone else a gap-filler.
    assert set(latest_changes(demo.tokens["Marjorie"])) == {"proposal.changed"}
    assert set(latest_changes(demo.lead)) == {"proposal.changed"}
    assert set(latest_changes(demo.tokens["Dev"])) == {"private"}
    assert (
        client.get(f"{base}/snapshot", headers=bearer(demo.tokens["Dev"])).json["proposals"] == []
    )
    # Withdrawn before it was ever sent: the council never hears of it.
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/withdraw",
            json={"op_id": "withdraw-09"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    council = client.get("/api/v1/officer/proposals", headers=bearer(demo.officer)).json
    assert council == {"proposals": []}
    assert latest_changes(demo.tokens["Dev"])[-1] == "private"

    again = promote_repair_cafe_again(client, demo)
    ok(
        client.post(
            f"{base}/proposals/{again}/submit",
            json={"op_id": "submit-009"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    assert latest_changes(demo.tokens["Dev"])[-1] == "proposal.changed"
    seen = client.get(f"{base}/proposals/{again}", headers=bearer(demo.tokens["Dev"])).json
    assert seen["proposal"]["contact"] is None
    assert seen["proposal"]["export"]["proposer"]["contact"] == {"name": "Aisha", "email": ""}
    assert CONTACT_EMAIL not in json.dumps(seen)
    member = client.get(f"{base}/proposals/{again}", headers=bearer(demo.tokens["Tomasz"])).json
    assert member["proposal"]["contact"]["email"] == CONTACT_EMAIL
    sheet = client.get(f"{base}/proposals?format=csv", headers=bearer(demo.lead))
    assert "None" not in sheet.get_data(as_text=True)


def promote_repair_cafe_again(client: FlaskClient, demo: Demo) -> int:
    """After a withdrawal, the coordinator promotes the idea again and completes it."""
    base = f"/api/v1/boards/{demo.code}"
    cafe = idea_id(client, demo, "Repair café")
    made = ok(
        client.post(
            f"{base}/posts/{cafe}/proposal",
            json={"op_id": "promote-again"},
            headers=bearer(demo.tokens["Aisha"]),
        ),
        201,
    )["proposal"]
    ok(
        client.patch(
            f"{base}/proposals/{made['id']}",
            headers=bearer(demo.tokens["Aisha"]),
            json={
                "op_id": "shape-again",
                "asks": ["officer_time"],
                "route": "committee",
                "options": "Do nothing; do it",
                "what_we_want": "A repair café",
            },
        )
    )
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/contact",
            headers=bearer(demo.tokens["Aisha"]),
            json={
                "op_id": "contact-again",
                "name": "Aisha",
                "email": CONTACT_EMAIL,
                "consent": True,
            },
        )
    )
    return made["id"]


def test_the_outbox_gets_one_delivery_per_change_after_submission(app: Flask, demo: Demo) -> None:
    from board.models import WebhookDelivery

    app.config["BOARD_WEBHOOK_URL"] = "http://127.0.0.1:9/hooks"
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    first = promote_repair_cafe(client, demo)
    ok(
        client.post(
            f"{base}/proposals/{first['id']}/withdraw",
            json={"op_id": "withdraw-10"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    again = promote_repair_cafe_again(client, demo)
    ok(
        client.post(
            f"{base}/proposals/{again}/submit",
            json={"op_id": "submit-010"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    ok(
        client.post(
            f"/api/v1/officer/proposals/{again}/transitions",
            json={"to": "received"},
            headers=bearer(demo.officer),
        )
    )
    with app.app_context():
        rows = db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [(r.proposal_id, r.event) for r in rows] == [
            (again, "proposal.submitted"),
            (again, "proposal.received"),
        ]
        assert len({r.idempotency_key for r in rows}) == 2
        jsonschema.validate(rows[1].payload["proposal"], SCHEMA)
    log = client.get(f"{base}/webhooks", headers=bearer(demo.lead)).json["deliveries"]
    assert [d["event"] for d in log] == ["proposal.received", "proposal.submitted"]
    refused = client.get(f"{base}/webhooks", headers=bearer(demo.tokens["Aisha"]))
    assert refused.status_code == 403


def test_large_amounts_fit(app: Flask, demo: Demo) -> None:
    """The form takes up to £100m: more than a 32-bit column of pence holds."""
    client = app.test_client()
    made = promote_repair_cafe(client, demo)
    ok(
        client.patch(
            f"/api/v1/boards/{demo.code}/proposals/{made['id']}",
            json={"op_id": "big-amount", "amount_gbp": 99_999_999.99, "capital_gbp": 50_000_000},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    shown = client.get(
        f"/api/v1/boards/{demo.code}/proposals/{made['id']}", headers=bearer(demo.lead)
    ).json["proposal"]
    assert shown["amount_gbp"] == 99_999_999.99 and shown["capital_gbp"] == 50_000_000


def test_the_officers_minutes_link_cannot_carry_script_or_lose_its_host() -> None:
    """The decision's minutes link shows on every resident's card: only a plain web address."""
    for link, problem in (
        ("javascript:alert(document.cookie)", "must start with http:// or https://"),
        ('https://council.example.org/"><script>alert(1)</script>', "must not hold quotes"),
        ("https:///etc/passwd", "with a host"),
    ):
        with pytest.raises(BoardError) as refused:
            inputs.OfficerMove.parse({"to": "received", "minutes_url": link})
        assert problem in refused.value.fields["minutes_url"], link
    good = "https://council.example.org/minutes/wp-2026-12-03"
    assert inputs.OfficerMove.parse({"to": "received", "minutes_url": good}).minutes_url == good
