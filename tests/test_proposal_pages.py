"""Issue 6's pages: the proposal, the committee paper and the council officer's page."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from board.js_strings import JS_STRINGS
from board.models import ASKS, DECISIONS, ROUTES
from board.web import proposal_pages
from tests import test_proposals
from tests.test_http import csrf_from
from tests.test_proposals import (
    CONTACT_EMAIL,
    DATA,
    Demo,
    bearer,
    idea_id,
    ok,
    promote_repair_cafe,
)

#: The demo workshop's board, its residents' tokens and an officer (test_proposals' fixture).
demo = test_proposals.demo

#: The committee paper's sections, in the order councils use.
PAPER_HEADINGS = [
    "Summary",
    "Recommendations (what is asked)",
    "Options considered (including doing nothing)",
    "Reasons for the recommendation",
    "Financial implications",
    "Legal implications",
    "Equalities implications",
    "Wards affected",
    "Background: evidence from the board",
    "Provenance",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def signed_in(app: Flask, demo: Demo, name: str | None) -> FlaskClient:
    """A browser signed in on the demo board as ``name`` (None: the facilitator)."""
    browser = app.test_client()
    token = demo.lead if name is None else demo.tokens[name]
    assert browser.get(f"/b/{demo.code}/enter/{token}").status_code == 302
    return browser


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


def submitted_cafe(app: Flask, demo: Demo) -> dict[str, Any]:
    client = app.test_client()
    made = promote_repair_cafe(client, demo)
    ok(
        client.post(
            f"/api/v1/boards/{demo.code}/proposals/{made['id']}/submit",
            json={"op_id": "submit-pages"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    return made


def test_the_committee_paper_has_every_section_and_no_unconsented_names(
    app: Flask, demo: Demo
) -> None:
    made = promote_repair_cafe(app.test_client(), demo)
    paper = f"/b/{demo.code}/proposals/{made['id']}/paper"
    for reader in (signed_in(app, demo, "Marjorie"), signed_in(app, demo, None)):
        answer = reader.get(paper)
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        found = headings(html)
        assert found == PAPER_HEADINGS, found
        text = re.sub(r"<[^>]+>", " ", html)
        assert "£1,850.50" in text and "Westcliff" in text and "CG-" in text
        assert "Aisha, Tomasz" in text  # the two who agreed to be named
        # The consenting contact's email only; nobody named who did not agree.
        assert set(EMAIL.findall(html)) == {CONTACT_EMAIL}
        others = {p["name"] for p in DATA["participants"]} - {"Aisha", "Tomasz"}
        for name in others:
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} is on the paper"
        assert re.search(r'datetime="\d{4}-\d\d-\d\dT', html)  # exported_at, for provenance

    # Not the group, not a facilitator, not an officer: refused.
    assert signed_in(app, demo, "Dev").get(paper).status_code == 403
    assert app.test_client().get(paper).status_code == 403


def test_a_draft_is_not_found_for_a_non_member_and_submitted_is_public(
    app: Flask, demo: Demo
) -> None:
    made = promote_repair_cafe(app.test_client(), demo)
    page = f"/b/{demo.code}/proposals/{made['id']}"
    dev = signed_in(app, demo, "Dev")
    missing = dev.get(page)
    assert missing.status_code == 404
    assert "Proposal not found" in missing.get_data(as_text=True)
    assert made["title"] not in missing.get_data(as_text=True)

    member = signed_in(app, demo, "Marjorie").get(page).get_data(as_text=True)
    assert 'id="proposal-form"' in member and 'id="submit-proposal"' not in member
    coordinator = signed_in(app, demo, "Aisha").get(page).get_data(as_text=True)
    assert 'id="submit-proposal"' in coordinator and 'id="withdraw-form"' in coordinator
    assert "1850.5" in coordinator  # the amount, as typed
    lead = signed_in(app, demo, None).get(page).get_data(as_text=True)
    assert 'id="webhooks"' in lead and 'id="download-board-csv"' in lead

    ok(
        app.test_client().post(
            f"/api/v1/boards/{demo.code}/proposals/{made['id']}/submit",
            json={"op_id": "submit-public"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    public = dev.get(page)
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "Sent to the council" in html and 'id="proposal-form"' not in html
    assert CONTACT_EMAIL not in html  # the contact's email is for the council
    assert 'id="paper-link"' not in html and 'id="webhooks"' not in html


def test_the_guided_form_and_the_group_page_work_without_javascript(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    cafe = idea_id(client, demo, "Repair café")
    aisha = signed_in(app, demo, "Aisha")
    group_id = next(
        g["id"]
        for g in aisha.get(f"/api/v1/boards/{demo.code}/groups").json["groups"]
        if g["idea_id"] == cafe
    )
    group_page = aisha.get(f"/b/{demo.code}/groups/{group_id}").get_data(as_text=True)
    assert not re.search(r'id="(promote|named)-form"[^>]* hidden>', group_page)
    csrf = csrf_from(group_page)
    made = aisha.post(
        f"/b/{demo.code}/posts/{cafe}/proposal", data={"csrf_token": csrf, "op_id": "page-promote"}
    )
    assert made.status_code == 302 and "/proposals/" in made.headers["Location"]
    page = made.headers["Location"]
    pid = int(page.rsplit("/", 1)[1])
    # The group page now links to it instead of offering to promote.
    group_page = aisha.get(f"/b/{demo.code}/groups/{group_id}").get_data(as_text=True)
    assert f"/proposals/{pid}" in group_page
    assert re.search(r'id="promote-form"[^>]* hidden>', group_page)
    named = aisha.post(
        f"/b/{demo.code}/groups/{group_id}/named",
        data={"csrf_token": csrf, "op_id": "page-named-1", "named": "1"},
    )
    assert named.status_code == 302
    assert 'id="named-in-proposal" name="named" value="1" checked' in aisha.get(
        f"/b/{demo.code}/groups/{group_id}"
    ).get_data(as_text=True)

    form = {
        "csrf_token": csrf,
        "op_id": "page-save-0001",
        "submit_op_id": "page-submit-01",
        "asks_shown": "1",
        "title": "Repair café on Hamlet Road",
        "what_we_want": "A monthly repair café.",
        "asks": ["money", "building_or_land"],
        "amount_gbp": "£1,850",
        "options": "Do nothing; the library; the empty shop.",
        "route": "ward_panel",
        "short_summary": "A monthly repair café in the empty shop.",
        "latitude": "51.5",
        "longitude": "",
        "capital_gbp": "lots",
    }
    # A word where a number goes: the page says so next to the field and keeps what was typed.
    refused = aisha.post(f"{page}/edit", data={**form, "then": "save"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="error-capital_gbp"' in html and "Must be an amount in pounds" in html
    assert "Repair café on Hamlet Road" in html

    # Sending without a contact: the missing contact is named.
    form |= {"capital_gbp": "1200", "then": "submit", "op_id": "page-save-0002"}
    incomplete = aisha.post(f"{page}/edit", data=form)
    assert incomplete.status_code == 422
    assert "needs a named contact" in incomplete.get_data(as_text=True)
    saved = aisha.get(f"/api/v1/boards/{demo.code}/proposals/{pid}").json["proposal"]
    assert saved["amount_gbp"] == 1850 and saved["capital_gbp"] == 1200
    assert saved["latitude"] == 51.5 and saved["asks"] == ["money", "building_or_land"]

    # No consent ticked: refused; then the contact, and the proposal is sent.
    no_consent = aisha.post(
        f"{page}/contact",
        data={"csrf_token": csrf, "op_id": "page-contact-1", "name": "Aisha", "email": "a@b.org"},
    )
    assert no_consent.status_code == 422
    assert "Tick the box" in no_consent.get_data(as_text=True)
    assert (
        aisha.post(
            f"{page}/contact",
            data={
                "csrf_token": csrf,
                "op_id": "page-contact-2",
                "name": "Aisha",
                "email": CONTACT_EMAIL,
                "consent": "1",
            },
        ).status_code
        == 302
    )
    sent = aisha.post(
        f"{page}/edit", data={**form, "op_id": "page-save-0003", "submit_op_id": "page-submit-02"}
    )
    assert sent.status_code == 302
    assert (
        aisha.get(f"/api/v1/boards/{demo.code}/proposals/{pid}").json["proposal"]["state"]
        == "submitted"
    )
    withdrawn = aisha.post(f"{page}/withdraw", data={"csrf_token": csrf, "op_id": "page-wd-01"})
    assert withdrawn.status_code == 302
    assert "Withdrawn" in aisha.get(page).get_data(as_text=True)

    # Without the CSRF token, nothing happens.
    assert aisha.post(f"{page}/withdraw", data={"op_id": "page-wd-02"}).status_code == 400


def test_the_officer_page_refuses_a_wrong_token_and_records_a_decision(
    app: Flask, demo: Demo
) -> None:
    made = submitted_cafe(app, demo)
    officer = app.test_client()
    sign_in_page = officer.get("/officer").get_data(as_text=True)
    assert 'id="officer-sign-in"' in sign_in_page
    csrf = csrf_from(sign_in_page)
    wrong = officer.post("/officer/sign-in", data={"csrf_token": csrf, "token": "officer-wrong"})
    assert wrong.status_code == 401
    assert "not valid" in wrong.get_data(as_text=True)
    assert 'id="officer-proposals"' not in officer.get("/officer").get_data(as_text=True)
    assert officer.get(f"/officer/proposals/{made['id']}").status_code == 302
    assert officer.get(f"/b/{demo.code}/proposals/{made['id']}/paper").status_code == 403

    assert (
        officer.post(
            "/officer/sign-in", data={"csrf_token": csrf, "token": demo.officer}
        ).status_code
        == 302
    )
    listing = officer.get("/officer").get_data(as_text=True)
    assert "Signed in as Jo Patel" in listing and made["reference"] in listing
    assert demo.code in listing
    detail = f"/officer/proposals/{made['id']}"
    page = officer.get(detail).get_data(as_text=True)
    assert 'id="move-received"' in page and 'id="move-decided"' not in page
    assert officer.get(f"/b/{demo.code}/proposals/{made['id']}/paper").status_code == 200
    assert officer.get(f"/b/XXXXXX/proposals/{made['id']}/paper").status_code == 404

    record = f"{detail}/transitions"
    assert (
        officer.post(
            record, data={"csrf_token": csrf, "to": "received", "note": "Logged"}
        ).status_code
        == 302
    )
    # A second officer's stale form: the invalid transition is said plainly.
    again = officer.post(record, data={"csrf_token": csrf, "to": "received", "note": ""})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert 'data-code="invalid_transition"' in html and "cannot become received" in html
    # A decision without its record is refused, next to the fields.
    bare = officer.post(
        record,
        data={
            "csrf_token": csrf,
            "to": "decided",
            "decision": "",
            "decision_date": "",
            "decision_maker": "",
            "decision_reasons": "",
            "minutes_url": "",
        },
    )
    assert bare.status_code == 422 and 'id="error-decision_maker"' in bare.get_data(as_text=True)
    decided = officer.post(
        record,
        data={
            "csrf_token": csrf,
            "to": "decided",
            "decision": "accepted_with_conditions",
            "decision_date": "2026-12-03",
            "decision_maker": "Westcliff Ward Panel",
            "decision_reasons": "Strong local support.",
            "conditions": "PAT testing first.",
            "alternatives_rejected": "",
            "minutes_url": "",
            "note": "",
        },
    )
    assert decided.status_code == 302
    assert "Accepted with conditions" in officer.get(detail).get_data(as_text=True)
    resident = signed_in(app, demo, "Dev").get(f"/b/{demo.code}/proposals/{made['id']}")
    html = resident.get_data(as_text=True)
    assert 'id="decision-outcome"' in html and "Accepted with conditions" in html
    assert "Westcliff Ward Panel" in html and "3 December 2026" in html

    assert officer.post("/officer/sign-out", data={"csrf_token": csrf}).status_code == 302
    assert 'id="officer-sign-in"' in officer.get("/officer").get_data(as_text=True)


def test_every_ask_route_state_and_outcome_has_words_on_the_page_and_in_the_script() -> None:
    assert set(proposal_pages.ASK_LABELS) == set(ASKS)
    assert set(proposal_pages.ROUTE_LABELS) == set(proposal_pages.ROUTE_HINTS) == set(ROUTES)
    assert set(proposal_pages.OUTCOME_LABELS) == set(DECISIONS)
    # The script says each state and outcome as the page does (one message each to translate).
    for state, words in proposal_pages.STATE_LABELS.items():
        assert JS_STRINGS[f"proposal_state_{state}"]._args == words._args
    for outcome, words in proposal_pages.OUTCOME_LABELS.items():
        assert JS_STRINGS[f"proposal_outcome_{outcome}"]._args == words._args
