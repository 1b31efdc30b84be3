"""The JSON API at /api/v1: the same actions as the socket events, through the same services.

API clients authenticate with ``Authorization: Bearer <participant token>``. Browsers may
use their session cookie instead, and then must send the CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException

from board import inputs
from board.errors import BoardError
from board.extensions import csrf
from board.services import (
    Actor,
    boards,
    groups,
    links,
    moderation,
    posts,
    proposals,
    results,
    webhooks,
    workshop,
)
from board.services import offers as offer_service
from board.web.identity import bearer_token, current_actor, public_url, remember
from board.web.presence import presence

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _body() -> Any:
    """The request's JSON body (whatever its Content-Type says), or a clear error."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BoardError("invalid_json", "The request body is not valid JSON.", 400) from exc


def _actor(code: str) -> Actor:
    """The caller on this board; cookie-authenticated writes must carry the CSRF token."""
    token = bearer_token()
    actor = current_actor(code, token)
    if token is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except Exception as exc:
            raise BoardError(
                "csrf_failed",
                "Send the page's CSRF token in X-CSRFToken, or use a bearer token.",
                400,
            ) from exc
    return actor


def _entry_out(entry: boards.Entry) -> dict[str, Any]:
    return {
        "participant": entry.participant,
        "token": entry.token,
        "enter_url": public_url(url_for("pages.enter", code=entry.board_code, token=entry.token)),
    }


@bp.post("/boards")
def create_board() -> tuple[Response, int]:
    """Create a board; the caller becomes its facilitator."""
    entry = boards.create_board(**inputs.parse(_body(), inputs.NEW_BOARD))
    remember(entry)
    return jsonify(board=boards.board_info(entry.board_code), **_entry_out(entry)), 201


@bp.get("/boards/<code>")
def board_info(code: str) -> Response:
    """A board's public description."""
    return jsonify(board=boards.board_info(code))


@bp.post("/boards/<code>/participants")
def join(code: str) -> tuple[Response, int]:
    """Join a board with a display name, or anonymously."""
    entry = boards.join_board(code, **inputs.parse(_body(), inputs.JOIN))
    remember(entry)
    return jsonify(board=boards.board_info(entry.board_code), **_entry_out(entry)), 201


@bp.get("/boards/<code>/snapshot")
def snapshot(code: str) -> Response:
    """The whole board as the caller may see it, with the seq it reflects."""
    return jsonify(boards.snapshot(_actor(code)))


@bp.get("/boards/<code>/events")
def events_since(code: str) -> Response:
    """The board's events after ``since``, or 410 when the log no longer reaches back."""
    actor = _actor(code)
    raw = request.args.get("since")
    given: object = int(raw) if raw and raw.isascii() and raw.isdigit() else raw
    since = inputs.parse({"since": given}, {"since": inputs.Whole(0)})["since"]
    replay = boards.events_since(actor, since)
    if replay is None:
        raise BoardError(
            "snapshot_required",
            "The event log cannot answer from that seq (too old, or ahead of this board): "
            "fetch a fresh snapshot.",
            410,
        )
    return jsonify(events=replay)


@bp.get("/boards/<code>/presence")
def board_presence(code: str) -> Response:
    """How many people are connected to the board now (this server process)."""
    _actor(code)
    return jsonify(count=presence.count(boards.normalise_code(code)))


@bp.post("/boards/<code>/posts")
def create_post(code: str) -> tuple[Response, int]:
    """Add a post."""
    actor = _actor(code)
    return jsonify(posts.create_post(actor, **inputs.parse(_body(), inputs.NEW_POST))), 201


@bp.patch("/boards/<code>/posts/<int:post_id>")
def update_post(code: str, post_id: int) -> Response:
    """Edit your own post."""
    actor = _actor(code)
    fields = inputs.parse(
        {**_as_object(_body()), "post_id": post_id}, inputs.EDIT_POST, partial=True
    )
    op_id, post_id = fields.pop("op_id"), fields.pop("post_id")
    return jsonify(posts.update_post(actor, op_id, post_id, fields))


@bp.delete("/boards/<code>/posts/<int:post_id>")
def delete_post(code: str, post_id: int) -> Response:
    """Delete your own post (facilitators: any post)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.POST_REF)
    return jsonify(posts.delete_post(actor, **fields))


@bp.post("/boards/<code>/posts/<int:post_id>/support")
def toggle_support(code: str, post_id: int) -> Response:
    """Support a post, or withdraw your support."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.POST_REF)
    return jsonify(posts.toggle_support(actor, **fields))


@bp.post("/boards/<code>/posts/<int:post_id>/comments")
def add_comment(code: str, post_id: int) -> tuple[Response, int]:
    """Comment on a post."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.NEW_COMMENT)
    return jsonify(posts.add_comment(actor, **fields)), 201


@bp.get("/boards/<code>/offers")
def offers(code: str) -> Response:
    """Skill and tool offers and needs, filtered by ``kind``, ``tag`` and words in ``q``."""
    actor = _actor(code)
    wanted = inputs.parse(request.args.to_dict(), inputs.OFFER_SEARCH)
    return jsonify(offers=offer_service.search_offers(actor, **wanted))


@bp.get("/boards/<code>/posts/<int:post_id>/suggestions")
def suggestions(code: str, post_id: int) -> Response:
    """Offers that look relevant to an idea or need, best first, each with why."""
    return jsonify(suggestions=offer_service.suggest_offers(_actor(code), post_id))


@bp.post("/boards/<code>/posts/<int:post_id>/helpers")
def link_help(code: str, post_id: int) -> tuple[Response, int]:
    """Say "I can help" (``offer_id`` optional: without it, just yourself)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.LINK)
    return jsonify(links.link_help(actor, **fields)), 201


@bp.delete("/boards/<code>/helpers/<int:link_id>")
def unlink_help(code: str, link_id: int) -> Response:
    """Withdraw an offer of help."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "link_id": link_id}, inputs.UNLINK)
    return jsonify(links.unlink_help(actor, **fields))


@bp.post("/boards/<code>/posts/<int:post_id>/group")
def join_group(code: str, post_id: int) -> tuple[Response, int]:
    """Say "I'm in" on an idea: join its group, creating it on the first join."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.GROUP_JOIN)
    return jsonify(groups.join_group(actor, **fields)), 201


@bp.get("/boards/<code>/groups")
def board_groups(code: str) -> Response:
    """Every group on the board."""
    return jsonify(groups=groups.groups_of_board(_actor(code)))


@bp.get("/boards/<code>/groups/<int:group_id>")
def group(code: str, group_id: int) -> Response:
    """A group with its idea, members, offers and thread."""
    return jsonify(groups.group_page(_actor(code), group_id))


@bp.post("/boards/<code>/groups/<int:group_id>/leave")
def leave_group(code: str, group_id: int) -> Response:
    """Leave a group."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "group_id": group_id}, inputs.GROUP_REF)
    return jsonify(groups.leave_group(actor, **fields))


@bp.post("/boards/<code>/groups/<int:group_id>/coordinator")
def hand_over(code: str, group_id: int) -> Response:
    """Hand coordination to another member (``participant_id``)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "group_id": group_id}, inputs.HAND_OVER)
    return jsonify(groups.hand_over(actor, **fields))


@bp.patch("/boards/<code>/groups/<int:group_id>")
def rename_group(code: str, group_id: int) -> Response:
    """Name the group (coordinator only)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "group_id": group_id}, inputs.GROUP_RENAME)
    return jsonify(groups.rename_group(actor, **fields))


@bp.post("/boards/<code>/groups/<int:group_id>/messages")
def post_group_message(code: str, group_id: int) -> tuple[Response, int]:
    """Write in a group's thread."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "group_id": group_id}, inputs.GROUP_MESSAGE)
    return jsonify(groups.post_message(actor, **fields)), 201


@bp.post("/boards/<code>/posts/<int:post_id>/hide")
def hide_post(code: str, post_id: int) -> Response:
    """Hide a post from everyone but facilitators (``reason``, optional ``note``)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.MODERATE)
    return jsonify(moderation.hide_post(actor, **fields))


@bp.post("/boards/<code>/posts/<int:post_id>/restore")
def restore_post(code: str, post_id: int) -> Response:
    """Show a hidden post to everyone again."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.RESTORE)
    return jsonify(moderation.restore_post(actor, **fields))


@bp.post("/boards/<code>/facilitators")
def invite_facilitator(code: str) -> tuple[Response, int]:
    """Invite a co-facilitator; the answer holds their personal link (shown once)."""
    actor = _actor(code)
    entry = moderation.invite_facilitator(actor, **inputs.parse(_body(), inputs.INVITE_FACILITATOR))
    return jsonify(**_entry_out(entry)), 201


@bp.delete("/boards/<code>/facilitators/<int:participant_id>")
def revoke_facilitator(code: str, participant_id: int) -> Response:
    """Withdraw a co-facilitator's link."""
    actor = _actor(code)
    fields = inputs.parse(
        {**_as_object(_body()), "participant_id": participant_id}, inputs.REVOKE_FACILITATOR
    )
    return jsonify(moderation.revoke_facilitator(actor, **fields))


@bp.get("/boards/<code>/moderation")
def moderation_log(code: str) -> Response:
    """Every facilitator action (facilitators only); ``?format=csv`` downloads it."""
    actor = _actor(code)
    if request.args.get("format") == "csv":
        return Response(
            moderation.moderation_log_csv(actor),
            mimetype="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="moderation-{boards.normalise_code(code)}.csv"'
                )
            },
        )
    return jsonify(log=moderation.moderation_log(actor))


# Proposals: the group's side


@bp.post("/boards/<code>/posts/<int:post_id>/proposal")
def promote(code: str, post_id: int) -> tuple[Response, int]:
    """Promote an idea to a draft proposal (its group's coordinator, or a facilitator)."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "post_id": post_id}, inputs.PROMOTE)
    return jsonify(proposals.promote(actor, **fields)), 201


@bp.get("/boards/<code>/proposals")
def board_proposals(code: str) -> Response:
    """The board's proposals; ``?format=csv`` (facilitators) exports them all as CSV."""
    actor = _actor(code)
    if request.args.get("format") == "csv":
        sheet = proposals.to_csv(proposals.exports_for_board(actor))
        return _attachment(sheet, "text/csv", f"proposals-{boards.normalise_code(code)}.csv")
    return jsonify(proposals=proposals.board_proposals(actor))


@bp.get("/boards/<code>/proposals/<int:proposal_id>")
def proposal_detail(code: str, proposal_id: int) -> Response:
    """A whole proposal with its evidence and history."""
    return jsonify(proposal=proposals.proposal_detail(_actor(code), proposal_id))


@bp.patch("/boards/<code>/proposals/<int:proposal_id>")
def update_proposal(code: str, proposal_id: int) -> Response:
    """Shape a draft (members of the group, facilitators): only the named fields change."""
    actor = _actor(code)
    fields = inputs.parse(
        {**_as_object(_body()), "proposal_id": proposal_id}, inputs.PROPOSAL_EDIT, partial=True
    )
    op_id, _ = fields.pop("op_id"), fields.pop("proposal_id")
    return jsonify(proposals.update(actor, op_id, proposal_id, fields))


@bp.post("/boards/<code>/proposals/<int:proposal_id>/submit")
def submit_proposal(code: str, proposal_id: int) -> Response:
    """Send the proposal to the council (coordinator or facilitator)."""
    return _move(code, proposal_id, "submitted")


@bp.post("/boards/<code>/proposals/<int:proposal_id>/withdraw")
def withdraw_proposal(code: str, proposal_id: int) -> Response:
    """Withdraw the proposal, from any state before decided (coordinator or facilitator)."""
    return _move(code, proposal_id, "withdrawn")


def _move(code: str, proposal_id: int, to: str) -> Response:
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), "proposal_id": proposal_id}, inputs.PROPOSAL_MOVE)
    return jsonify(proposals.move(actor, to=to, **fields))


@bp.post("/boards/<code>/proposals/<int:proposal_id>/contact")
def proposal_contact(code: str, proposal_id: int) -> Response:
    """Offer yourself as the named contact, consenting (``consent`` false withdraws)."""
    return _write(
        code, proposals.volunteer_contact, inputs.PROPOSAL_CONTACT, proposal_id=proposal_id
    )


@bp.post("/boards/<code>/groups/<int:group_id>/named")
def named_in_proposal(code: str, group_id: int) -> Response:
    """Agree (``named`` true) or not to be named in your group's proposal."""
    return _write(code, proposals.set_named, inputs.NAMED, group_id=group_id)


@bp.get("/boards/<code>/proposals/<int:proposal_id>/export")
def export_proposal(code: str, proposal_id: int) -> Response:
    """The canonical JSON (``?format=json``, the default) or CSV of one proposal."""
    actor = _actor(code)
    shaped = proposals.export_for(actor, proposal_id)
    name = f"proposal-{shaped['reference']}"
    if request.args.get("format", "json") == "csv":
        return _attachment(proposals.to_csv([shaped]), "text/csv", f"{name}.csv")
    if request.args.get("format", "json") != "json":
        raise BoardError("invalid_input", "format must be json or csv.", 422)
    return _attachment(json.dumps(shaped, indent=2), "application/json", f"{name}.json")


@bp.get("/boards/<code>/webhooks")
def webhook_log(code: str) -> Response:
    """The council webhook's delivery log for this board (facilitators)."""
    return jsonify(deliveries=webhooks.deliveries(_actor(code)))


def _attachment(text: str, mimetype: str, filename: str) -> Response:
    return Response(
        text,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/schema/proposal-1.0.json")
def proposal_schema() -> Response:
    """The JSON Schema every proposal export validates against."""
    path = Path(current_app.static_folder or "") / "schema" / "proposal-1.0.json"
    return Response(path.read_text(), mimetype="application/schema+json")


# Proposals: the council's side (officer API tokens)


def _officer() -> proposals.Officer:
    return proposals.officer_by_token(bearer_token())


@bp.get("/officer/proposals")
def officer_proposals() -> Response:
    """Every proposal sent to the council; ``?format=csv`` for a spreadsheet."""
    _officer()
    found = proposals.officer_proposals()
    if request.args.get("format") == "csv":
        return _attachment(proposals.to_csv(found), "text/csv", "proposals.csv")
    return jsonify(proposals=found)


@bp.get("/officer/proposals/<int:proposal_id>")
def officer_proposal(proposal_id: int) -> Response:
    """One proposal as the council receives it."""
    _officer()
    return jsonify(proposal=proposals.officer_proposal(proposal_id))


@bp.post("/officer/proposals/<int:proposal_id>/transitions")
def officer_transition(proposal_id: int) -> Response:
    """Record received, under review, or the decision with its record."""
    officer = _officer()
    fields = inputs.parse(_body(), inputs.OFFICER_MOVE)
    return jsonify(proposal=proposals.officer_move(officer, proposal_id, **fields))


def _write(code: str, action: Any, spec: Any, **path: Any) -> Response:
    """A write whose route only parses: the service checks who may do it and when."""
    actor = _actor(code)
    fields = inputs.parse({**_as_object(_body()), **path}, spec, partial=spec is inputs.SESSION)
    return jsonify(action(actor, **fields))


@bp.post("/boards/<code>/posts/<int:post_id>/approve")
def approve_post(code: str, post_id: int) -> Response:
    """Approve a post waiting in the pre-moderation queue (facilitators)."""
    return _write(code, moderation.approve_post, inputs.APPROVE, post_id=post_id)


@bp.post("/boards/<code>/posts/<int:post_id>/reject")
def reject_post(code: str, post_id: int) -> Response:
    """Keep a queued post off the board, with a ``reason`` its author sees (facilitators)."""
    return _write(code, moderation.reject_post, inputs.REJECT, post_id=post_id)


@bp.post("/boards/<code>/posts/<int:post_id>/merge")
def merge_post(code: str, post_id: int) -> Response:
    """Merge this duplicate into ``into_id`` (facilitators)."""
    return _write(code, moderation.merge_posts, inputs.MERGE, post_id=post_id)


@bp.post("/boards/<code>/posts/<int:post_id>/pin")
def pin_post(code: str, post_id: int) -> Response:
    """Pin (``pinned``: true, the default) or unpin a post (facilitators)."""
    return _write(code, moderation.pin_post, inputs.PIN, post_id=post_id)


@bp.post("/boards/<code>/posts/<int:post_id>/reports")
def report_post(code: str, post_id: int) -> Response:
    """Report a post with a ``reason``."""
    return _write(code, moderation.report_post, inputs.REPORT, post_id=post_id)


@bp.post("/boards/<code>/posts/<int:post_id>/dots")
def place_dot(code: str, post_id: int) -> Response:
    """Place one of your dots on an idea or need (while prioritising)."""
    return _write(code, workshop.place_dot, inputs.DOT, post_id=post_id)


@bp.delete("/boards/<code>/posts/<int:post_id>/dots")
def take_back_dot(code: str, post_id: int) -> Response:
    """Take one of your dots back off a post."""
    return _write(code, workshop.take_back_dot, inputs.DOT, post_id=post_id)


@bp.post("/boards/<code>/participants/<int:participant_id>/mute")
def mute_participant(code: str, participant_id: int) -> Response:
    """Mute (``muted``: true, the default) or unmute a participant (facilitators)."""
    return _write(code, moderation.mute_participant, inputs.MUTE, participant_id=participant_id)


@bp.delete("/boards/<code>/participants/<int:participant_id>")
def remove_participant(code: str, participant_id: int) -> Response:
    """Remove a participant from the board (facilitators)."""
    return _write(
        code,
        moderation.remove_participant,
        inputs.REMOVE_PARTICIPANT,
        participant_id=participant_id,
    )


@bp.get("/boards/<code>/participants")
def board_participants(code: str) -> Response:
    """Everyone on the board, with post counts and muted/removed (facilitators)."""
    return jsonify(participants=moderation.participants(_actor(code)))


@bp.patch("/boards/<code>/session")
def update_session(code: str) -> Response:
    """Change the session's settings: phase, lock, pre-moderation, silent brainstorming,
    dot budget, hidden dots, report threshold, slow mode (facilitators)."""
    return _write(code, workshop.update_session, inputs.SESSION)


@bp.put("/boards/<code>/timer")
def set_timer(code: str) -> Response:
    """Start a countdown of ``seconds`` (0 stops it) (facilitators)."""
    return _write(code, workshop.set_timer, inputs.TIMER)


@bp.put("/boards/<code>/spotlight")
def set_spotlight(code: str) -> Response:
    """Spotlight ``post_id`` on every screen; null or absent ends it (facilitators)."""
    return _write(code, workshop.spotlight, inputs.SPOTLIGHT)


@bp.get("/boards/<code>/results")
def board_results(code: str) -> Response:
    """Ranked ideas and needs, offers inventory, groups formed."""
    return jsonify(results.results(_actor(code)))


@bp.get("/boards/<code>/fairness")
def board_fairness(code: str) -> Response:
    """Who is being heard (facilitators)."""
    return jsonify(results.fairness(_actor(code)))


def _as_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BoardError("invalid_input", "Expected a JSON object.", 400)
    return payload


@bp.errorhandler(BoardError)
def board_error(error: BoardError) -> tuple[Response, int]:
    """Domain refusals as JSON."""
    return jsonify(error=error.to_dict()), error.status


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> tuple[Response, int]:
    """A missing or wrong CSRF token."""
    return jsonify(error={"code": "csrf_failed", "message": error.description}), 400


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Response, int]:
    """Werkzeug's errors (405, 413, ...) as JSON, like everything else under /api."""
    from board import http_error_body

    return jsonify(error=http_error_body(error)), error.code or 500


# Export and import (transfer) -------------------------------------------------------------


@bp.get("/boards/<code>/export")
def export_board(code: str) -> Response:
    """Download the whole board as JSON (``?format=json``, the default) or its posts as CSV
    (``?format=csv``) (facilitators)."""
    from board.services import transfer

    actor = _actor(code)
    wanted = request.args.get("format", "json")
    if wanted == "json":
        document = transfer.export_board(actor)
        response = jsonify(document)
        filename = f"board-{document['board']['code']}.json"
    elif wanted == "csv":
        response = Response(transfer.export_csv(actor), mimetype="text/csv")
        filename = f"board-{boards.normalise_code(code)}.csv"
    else:
        raise BoardError(
            "invalid_input", "Format must be json or csv.", 422, {"format": "must be json or csv"}
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # everyone's posts, names and more
    return response


@bp.post("/boards/import")
def import_board() -> tuple[Response, int]:
    """Create a board from a JSON export (the body); anyone may, as anyone may create one."""
    from board.services import transfer

    request.max_content_length = transfer.MAX_IMPORT_BYTES
    made = transfer.import_json(request.get_data(cache=True))
    return jsonify(
        board=boards.board_info(made.board_code),
        participants_remapped=made.participants_remapped,
    ), 201
