"""UK GDPR rights: the privacy notice, a copy of your data, erasure, and retention."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from board.extensions import db
from board.models import utcnow
from board.services import boards, posts, privacy, workshop
from board.web.actions import BINDINGS
from tests.conftest import actor_of, join, new_board, op
from tests.test_proposals import Demo, bearer, demo, group_of, idea_id, ok, promote_repair_cafe

__all__ = ["demo"]

NAME = "Tomasz"


def everything(client: FlaskClient, demo: Demo, proposal_id: int) -> str:
    """Every GET the action table offers, and every page, as the board's facilitator sees them."""
    lead = bearer(demo.lead)
    snapshot = client.get(f"/api/v1/boards/{demo.code}/snapshot", headers=lead).json
    ids = {
        "code": demo.code,
        "proposal_id": str(proposal_id),
        "group_id": str(snapshot["groups"][0]["id"]),
        "post_id": str(snapshot["posts"][0]["id"]),
    }
    seen = []
    for binding in BINDINGS:
        if binding.http is None or binding.http.method != "GET":
            continue
        path = re.sub(r"<(?:int:)?(\w+)>", lambda m: ids[m.group(1)], binding.http.path)
        headers = bearer(demo.officer) if path.startswith("/officer") else lead
        for query in ("", "?since=0", "?format=csv"):
            answer = client.get(f"/api/v1{path}{query}", headers=headers)
            assert answer.status_code < 500, path
            seen.append(answer.get_data(as_text=True))
    browser = client.application.test_client()
    browser.get(f"/b/{demo.code}/enter/{demo.lead}")
    pages = ["", "/facilitate", "/projector", "/offers", "/results", "/privacy"]
    pages += [f"/groups/{g['id']}" for g in snapshot["groups"]]
    pages += [f"/proposals/{proposal_id}", f"/proposals/{proposal_id}/paper"]
    pages += [f"/posts/{p['id']}/edit" for p in snapshot["posts"][:1]]
    for page in pages:
        answer = browser.get(f"/b/{demo.code}{page}")
        assert answer.status_code < 500, page
        seen.append(answer.get_data(as_text=True))
    return "\n".join(seen)


def counts(client: FlaskClient, demo: Demo) -> Any:
    """Every count on the board: supports, dots, comments, group sizes, people, fairness."""
    lead = bearer(demo.lead)
    base = f"/api/v1/boards/{demo.code}"
    snap = client.get(f"{base}/snapshot", headers=lead).json
    for post in snap["posts"]:
        assert post["support_count"] == len(post["supporter_ids"])
    fairness = client.get(f"{base}/fairness", headers=lead).json
    return {
        "posts": [
            (p["id"], p["support_count"], p["supporter_ids"], len(p["comments"]), p["dot_count"])
            for p in snap["posts"]
        ],
        "groups": [
            (g["id"], g["member_ids"], len(g["members"]) + g["anonymous_members"])
            for g in snap["groups"]
        ],
        "people": snap["participants"],
        "dots": snap["staff"]["dot_totals"],
        "fairness": json.dumps(fairness).replace(NAME, privacy.PSEUDONYM),
    }


def test_erase_me_leaves_no_name_and_every_count_adding_up(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    made = promote_repair_cafe(client, demo)
    me = bearer(demo.tokens[NAME])
    cafe = idea_id(client, demo, "Repair café")
    ok(client.post(f"{base}/posts/{cafe}/support", json={"op_id": "support-tz"}, headers=me))
    group = group_of(client, demo, cafe)
    message = {"op_id": "message-tz", "body": "See you Saturday"}
    ok(client.post(f"{base}/groups/{group}/messages", json=message, headers=me), 201)
    mine = client.get(f"{base}/me/data", headers=me).json
    assert mine["you"]["name"] == NAME
    assert {p["title"] for p in mine["posts"]} >= {"I can fix bikes"}
    assert mine["comments"] and mine["messages"] and mine["supports"] and mine["groups"]
    assert [p["as"] for p in mine["proposals"]] == [["named member"]]
    assert NAME in everything(client, demo, made["id"])
    before = counts(client, demo)

    refused = client.post(f"{base}/me/erase", json={}, headers=me)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_input"
    ok(client.post(f"{base}/me/erase", json={"confirm": True}, headers=me))

    assert NAME not in everything(client, demo, made["id"])
    assert counts(client, demo) == before
    # Their link opens nothing now.
    assert client.get(f"{base}/snapshot", headers=me).status_code in (401, 403)


def test_the_erase_page_needs_its_csrf_token_and_the_box_ticked(app: Flask, demo: Demo) -> None:
    browser, phone = app.test_client(), app.test_client()
    browser.get(f"/b/{demo.code}/enter/{demo.tokens['Kemi']}")
    phone.get(f"/b/{demo.code}/enter/{demo.tokens['Kemi']}")  # Kemi's other device
    assert phone.get(f"/b/{demo.code}").status_code == 200
    page = browser.get(f"/b/{demo.code}/privacy")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    download = browser.get(f"/b/{demo.code}/privacy/my-data.json")
    assert download.json["you"]["name"] == "Kemi"
    assert "attachment" in download.headers["Content-Disposition"]
    erase = f"/b/{demo.code}/privacy/erase"
    assert browser.post(erase, data={"confirm": "1"}).status_code == 400
    assert browser.post(erase, data={"csrf_token": token.group(1)}).status_code == 422
    done = browser.post(erase, data={"csrf_token": token.group(1), "confirm": "1"})
    assert done.status_code == 200 and "erased" in done.get_data(as_text=True)
    lead = bearer(demo.lead)
    people = (
        app.test_client()
        .get(f"/api/v1/boards/{demo.code}/participants", headers=lead)
        .json["participants"]
    )
    assert "Kemi" not in json.dumps(people)
    # The browser forgot the board: it is asked to join again.
    assert browser.get(f"/b/{demo.code}").status_code == 302
    # Her other device still remembers her in its cookie: it is a stranger now too.
    assert phone.get(f"/b/{demo.code}").status_code == 302
    assert phone.get(f"/api/v1/boards/{demo.code}/snapshot").status_code == 401


def test_the_privacy_notice_names_the_operator_and_is_linked(tmp_path: Any) -> None:
    from tests.conftest import build_app

    app = build_app(
        tmp_path,
        BOARD_OPERATOR_NAME="Southend-on-Sea City Council",
        BOARD_OPERATOR_CONTACT="dpo@southend.example.gov.uk",
        BOARD_RETENTION_DAYS=180,
    )
    client = app.test_client()
    notice = client.get("/privacy").get_data(as_text=True)
    assert "Southend-on-Sea City Council" in notice and "dpo@southend.example.gov.uk" in notice
    assert "180 days" in notice
    with app.app_context():
        code = new_board().board_code
    for page in ("/", f"/b/{code}/join"):
        assert 'href="/privacy"' in client.get(page).get_data(as_text=True), page


def test_anonymise_closed_is_idempotent_and_spares_open_and_recent_boards(ctx: Flask) -> None:
    old, recent, still_open = new_board(), new_board(), new_board()
    for entry in (old, recent, still_open):
        hyacinth = actor_of(join(entry.board_code, "Hyacinth Bucket"))
        posts.create_post(hyacinth, op(), "idea", "Candlelight supper")
    for entry in (old, recent):
        workshop.update_session(actor_of(entry), op(), phase="closed")
    db.session.remove()
    later = utcnow() + timedelta(days=30)
    assert privacy.anonymise_closed(60, now=later) == []
    # Days later the old board is past retention; the recent one was closed afterwards.
    workshop.update_session(actor_of(recent), op(), phase="gather")
    workshop.update_session(actor_of(recent), op(), phase="closed")
    done = privacy.anonymise_closed(10, now=later)
    assert sorted(code for code, _ in done) == sorted([old.board_code, recent.board_code])
    assert privacy.anonymise_closed(10, now=later) == []
    for entry in (old, recent):
        snap = json.dumps(boards.events_since(actor_of_pseudonymised(entry), 0))
        assert "Hyacinth" not in snap and "Sam" not in snap
    assert "Hyacinth" in json.dumps(boards.events_since(actor_of(still_open), 0))


def actor_of_pseudonymised(entry: boards.Entry) -> Any:
    """A public view of the board, as its erased facilitator's link can no longer give."""
    from board.services import Actor

    board = boards.board_by_code(db.session, entry.board_code)
    return Actor(board.id, entry.participant_id, public_view=True)


def test_the_cli_says_what_it_anonymised_and_then_that_nothing_is_left(app: Flask) -> None:
    with app.app_context():
        entry = new_board()
        join(entry.board_code, "Hyacinth Bucket")
        workshop.update_session(actor_of(entry), op(), phase="closed")
        db.session.remove()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["board", "anonymise-closed", "--days", "0"])
    assert first.exit_code == 0, first.output
    assert f"{entry.board_code}: anonymised (2 people erased)" in first.output
    again = runner.invoke(args=["board", "anonymise-closed", "--days", "0"])
    assert again.exit_code == 0 and "0 boards anonymised" in again.output
