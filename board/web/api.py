"""The JSON API at /api/v1: the same actions as the socket events, through the same services.

Routes are registered from the action table (board.web.actions): the generic handler
parses the body (a write) or the query (a read) with the action's input model, adds the
route's ids, calls the service and answers with its result. The few actions whose answer
is more than that (a new identity, a file, a 410) have their own handler here.

API clients authenticate with ``Authorization: Bearer <participant token>``. Browsers may
use their session cookie instead, and then must send the CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException

from board import inputs
from board.errors import BoardError, forbidden
from board.extensions import csrf
from board.hostile import TOO_DEEP, TOO_DEEP_MESSAGE, too_deep
from board.services import Actor, admins, boards, moderation, proposals, transfer
from board.services.rules import VIEW_ONLY
from board.web.actions import BINDINGS, BY_NAME, Binding, Handlers
from board.web.identity import bearer_token, current_actor, public_url, remember
from board.web.presence import presence

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: This transport's own handlers, by action name (the rest are generic).
HANDLERS = Handlers()
csrf.exempt(bp)


def _body() -> Any:
    """The request's JSON body (whatever its Content-Type says), or a clear error."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except RecursionError:
        body = TOO_DEEP
    except ValueError as exc:  # UnicodeDecodeError too; a number over 4,300 digits too
        raise BoardError("invalid_json", "The request body is not valid JSON.", 400) from exc
    if body is TOO_DEEP or too_deep(body):
        raise BoardError("invalid_json", TOO_DEEP_MESSAGE, 400)
    return body


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


def _as_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BoardError("invalid_input", "Expected a JSON object.", 400)
    return payload


def _attachment(text: str, mimetype: str, filename: str) -> Response:
    return Response(
        text,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def call(binding: Binding, actor: Actor | None, path: dict[str, Any]) -> Any:
    """Run the binding's service for this request: its input from the body or the query."""
    action, service = binding.action, binding.service
    assert service is not None
    if action.writes and actor is not None and actor.view_only:
        raise forbidden(VIEW_ONLY)  # whatever it sends: the projector link takes no action
    source = _as_object(_body()) if action.writes else _query(action.input)
    if action.input is not None:
        cmd = action.input.parse({**source, **path})
        if action.writes:
            return service(actor, cmd)
        return service(actor, **cmd.given())
    return service(actor, **path)


def _query(model: type[inputs.Input] | None) -> dict[str, Any]:
    """A read's query string as its input: each field's text as its rule reads form text
    (``limit=30`` is the number 30); other parameters as they came, for the model to refuse."""
    rules = model.rules() if model is not None else {}
    return {
        name: rules[name].from_form(value) if name in rules else value
        for name, value in request.args.items()
    }


def _generic(binding: Binding) -> Callable[..., Any]:
    http = binding.http
    assert http is not None

    def view(code: str | None = None, **path: Any) -> tuple[Response, int]:
        if binding.action.who == "anyone":
            result = binding.service(code, **path)  # type: ignore[misc]
        else:
            assert code is not None
            result = call(binding, _actor(code), path)
        return jsonify({http.key: result} if http.key else result), http.status

    return view


# The actions with their own answer -------------------------------------------------------


@HANDLERS.handles("board.create")
def create_board() -> tuple[Response, int]:
    """Create a board; the caller becomes its facilitator."""
    entry = boards.create_board(**inputs.NewBoard.parse(_body()).given())
    remember(entry)
    return jsonify(board=entry.board, **_entry_out(entry)), 201


@HANDLERS.handles("board.join")
def join(code: str) -> tuple[Response, int]:
    """Join a board with a display name, or anonymously."""
    entry = boards.join_board(code, **inputs.Join.parse(_body()).given())
    remember(entry)
    return jsonify(board=entry.board, **_entry_out(entry)), 201


@HANDLERS.handles("board.events")
def events_since(code: str) -> Response:
    """The board's events after ``since``, or 410 when the log no longer reaches back."""
    actor = _actor(code)
    raw = request.args.get("since")
    given: object = inputs.Whole().from_form(raw) if raw else raw
    replay = boards.events_since(actor, inputs.Since.parse({"since": given}).since)
    if replay is None:
        raise BoardError(
            "snapshot_required",
            "The event log cannot answer from that seq (too old, or ahead of this board): "
            "fetch a fresh snapshot.",
            410,
        )
    return jsonify(events=replay)


@HANDLERS.handles("board.presence")
def board_presence(code: str) -> Response:
    """How many people are connected to the board now (this server process)."""
    _actor(code)
    return jsonify(count=presence.count(boards.normalise_code(code)))


@HANDLERS.handles("facilitator.invite")
def invite_facilitator(code: str) -> tuple[Response, int]:
    """Invite a co-facilitator; the answer holds their personal link (shown once)."""
    entry = call(BY_NAME["facilitator.invite"], _actor(code), {})
    return jsonify(**_entry_out(entry)), 201


@HANDLERS.handles("projector.link")
def make_projector_link(code: str) -> tuple[Response, int]:
    """Make the board's view-only projector link; the answer holds it (shown once)."""
    made = call(BY_NAME["projector.link"], _actor(code), {})
    url = url_for("pages.projector_screen", code=made.board_code, token=made.token)
    return jsonify(token=made.token, projector_url=public_url(url)), 201


@HANDLERS.handles("moderation.log")
def moderation_log(code: str) -> Response:
    """Every facilitator action (facilitators only); ``?format=csv`` downloads it."""
    actor = _actor(code)
    if request.args.get("format") == "csv":
        name = f"moderation-{boards.normalise_code(code)}.csv"
        return _attachment(moderation.moderation_log_csv(actor), "text/csv", name)
    return jsonify(log=moderation.moderation_log(actor))


@HANDLERS.handles("proposals.list")
def board_proposals(code: str) -> Response:
    """The board's proposals; ``?format=csv`` (facilitators) exports them all as CSV."""
    actor = _actor(code)
    if request.args.get("format") == "csv":
        sheet = proposals.to_csv(proposals.exports_for_board(actor))
        return _attachment(sheet, "text/csv", f"proposals-{boards.normalise_code(code)}.csv")
    return jsonify(proposals=proposals.board_proposals(actor))


@HANDLERS.handles("proposal.export")
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


@HANDLERS.handles("proposal.schema")
def proposal_schema() -> Response:
    """The JSON Schema every proposal export validates against."""
    path = Path(current_app.static_folder or "") / "schema" / "proposal-1.0.json"
    return Response(path.read_text(), mimetype="application/schema+json")


def _officer() -> proposals.Officer:
    return proposals.officer_by_token(bearer_token())


@HANDLERS.handles("officer.proposals")
def officer_proposals() -> Response:
    """Every proposal sent to the council; ``?format=csv`` for a spreadsheet."""
    _officer()
    found = proposals.officer_proposals()
    if request.args.get("format") == "csv":
        return _attachment(proposals.to_csv(found), "text/csv", "proposals.csv")
    return jsonify(proposals=found)


@HANDLERS.handles("officer.proposal")
def officer_proposal(proposal_id: int) -> Response:
    """One proposal as the council receives it."""
    _officer()
    return jsonify(proposal=proposals.officer_proposal(proposal_id))


@HANDLERS.handles("proposal.officer_move")
def officer_transition(proposal_id: int) -> Response:
    """Record received, under review, or the decision with its record."""
    officer = _officer()
    fields = inputs.OfficerMove.parse(_body()).given()
    return jsonify(proposal=proposals.officer_move(officer, proposal_id, **fields))


@HANDLERS.handles("board.export")
def export_board(code: str) -> Response:
    """Download the whole board as JSON (``?format=json``, the default) or its posts as CSV
    (``?format=csv``) (facilitators)."""
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


@HANDLERS.handles("board.import")
def import_board() -> tuple[Response, int]:
    """Create a board from a JSON export (the body), with an instance administrator's token."""
    # The token and the gate come before the body is read: a refused upload costs nothing.
    admin = admins.admin_by_token(bearer_token())
    request.max_content_length = transfer.MAX_IMPORT_BYTES
    admins.IMPORTS.enter(admin)
    started = time.monotonic()
    try:
        made = transfer.import_json(request.get_data(cache=True))
    finally:
        admins.IMPORTS.leave(time.monotonic() - started)
    return jsonify(
        board=boards.board_info(made.board_code),
        participants_remapped=made.participants_remapped,
    ), 201


for _binding in BINDINGS:
    if _binding.http is not None:
        _view = HANDLERS.get(_binding.name) or _generic(_binding)
        bp.add_url_rule(
            _binding.http.path,
            endpoint=_binding.endpoint(_binding.http.endpoint),
            view_func=_view,
            methods=[_binding.http.method],
        )


@bp.errorhandler(BoardError)
def board_error(error: BoardError) -> tuple[Response, int]:
    """Domain refusals as JSON (a ``slow_down`` says when to come back in Retry-After)."""
    response = jsonify(error=error.to_dict())
    if error.status == 429 and "retry_after" in error.fields:
        response.headers["Retry-After"] = error.fields["retry_after"]
    return response, error.status


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> tuple[Response, int]:
    """A missing or wrong CSRF token."""
    return jsonify(error={"code": "csrf_failed", "message": error.description}), 400


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Response, int]:
    """Werkzeug's errors (405, 413, ...) as JSON, like everything else under /api."""
    from board import http_error_body

    return jsonify(error=http_error_body(error)), error.code or 500
