"""Server-rendered pages: create a board, join by code, the board itself.

Each form works without JavaScript; with it, board.js sends the same actions over the
socket. Every form carries a CSRF token; write forms carry an op id made at render time,
so a double-tapped submit creates one post.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from board import schemas
from board.errors import BoardError
from board.extensions import db
from board.identity import current_actor, public_url, remember, remembered_id
from board.models import POST_KINDS
from board.services import Actor, boards, posts

bp = Blueprint("pages", __name__)

KIND_LABELS = {
    "idea": "I have an idea",
    "skill": "I can help with…",
    "tool": "I can lend…",
    "need": "I need…",
}
FACILITATOR_LINK_KEY = "new_facilitator_link"


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"KIND_LABELS": KIND_LABELS, "POST_KINDS": POST_KINDS, "new_op_id": _op_id}


def _op_id() -> str:
    return uuid.uuid4().hex


def _form() -> dict[str, Any]:
    """Form fields as the schemas expect them (checkboxes become booleans)."""
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if "anonymous" in data:
        data["anonymous"] = data["anonymous"] in ("1", "on", "true", "yes")
    if "tags" in data:
        data["tags"] = [t for t in (part.strip() for part in data["tags"].split(",")) if t]
    return data


@bp.get("/")
def index() -> str:
    """Home: start a board, or join one with its code."""
    return render_template("index.html")


@bp.post("/boards")
def create_board() -> Response | tuple[str, int]:
    """Create a board from the form and make its creator the facilitator."""
    try:
        entry = boards.create_board(**schemas.parse(_form(), schemas.NEW_BOARD))
    except BoardError as error:
        return render_template("index.html", create_error=error, form=request.form), error.status
    remember(entry)
    session[FACILITATOR_LINK_KEY] = public_url(
        url_for("pages.enter", code=entry.board_code, token=entry.token)
    )
    return redirect(url_for("pages.board", code=entry.board_code))


@bp.get("/join")
def join_by_code() -> Response | tuple[str, int]:
    """Go to a board's join page from a typed code."""
    code = boards.normalise_code(request.args.get("code", ""))
    try:
        boards.board_info(code)
    except BoardError as error:
        return render_template("index.html", join_error=error, code=code), error.status
    return redirect(url_for("pages.join", code=code))


@bp.route("/b/<code>/join", methods=["GET", "POST"])
def join(code: str) -> Response | str | tuple[str, int]:
    """Choose a display name (or stay anonymous) and enter the board."""
    try:
        info = boards.board_info(code)
    except BoardError:
        abort(404)
    if request.method == "GET":
        if remembered_id(info["code"]) is not None:
            return redirect(url_for("pages.board", code=info["code"]))
        return render_template("join.html", board=info)
    try:
        entry = boards.join_board(info["code"], **schemas.parse(_form(), schemas.JOIN))
    except BoardError as error:
        return render_template("join.html", board=info, error=error), error.status
    remember(entry)
    return redirect(url_for("pages.board", code=entry.board_code))


@bp.get("/b/<code>/enter/<token>")
def enter(code: str, token: str) -> Response:
    """A personal link (the facilitator's, or "continue on another device") signs in here."""
    try:
        actor = current_actor(code, token)
    except BoardError:
        abort(404)
    remember(boards.Entry(boards.normalise_code(code), actor.participant_id, token, {}))
    return redirect(url_for("pages.board", code=boards.normalise_code(code)))


def _actor_or_join(code: str) -> Actor | Response:
    try:
        return current_actor(code)
    except BoardError as error:
        if error.code == "board_not_found":
            abort(404)
        return redirect(url_for("pages.join", code=boards.normalise_code(code)))


@bp.get("/b/<code>")
def board(code: str) -> Response | str:
    """The board, drawn from its snapshot; board.js keeps it live."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    db.session.remove()
    return render_template(
        "board.html",
        snapshot=snapshot,
        board=snapshot["board"],
        me=snapshot["me"],
        facilitator_link=session.pop(FACILITATOR_LINK_KEY, None),
    )


def _board_action(code: str, action: Any, spec: dict[str, Any], **fixed: Any) -> Response:
    """Run a no-JavaScript form action and come back to the board, with any error flashed."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        action(actor, **schemas.parse({**_form(), **fixed}, spec))
    except BoardError as error:
        flash(error.message, "error")
    return redirect(url_for("pages.board", code=boards.normalise_code(code)) + "#feed")


@bp.post("/b/<code>/posts")
def create_post(code: str) -> Response:
    """Add a post from the composer form."""
    return _board_action(code, posts.create_post, schemas.NEW_POST)


@bp.post("/b/<code>/posts/<int:post_id>/support")
def toggle_support(code: str, post_id: int) -> Response:
    """Support or un-support from the post's button."""
    return _board_action(code, posts.toggle_support, schemas.POST_REF, post_id=post_id)


@bp.post("/b/<code>/posts/<int:post_id>/comments")
def add_comment(code: str, post_id: int) -> Response:
    """Comment from the post's comment form."""
    return _board_action(code, posts.add_comment, schemas.NEW_COMMENT, post_id=post_id)


@bp.post("/b/<code>/posts/<int:post_id>/delete")
def delete_post(code: str, post_id: int) -> Response:
    """Delete from the post's delete button."""
    return _board_action(code, posts.delete_post, schemas.POST_REF, post_id=post_id)
