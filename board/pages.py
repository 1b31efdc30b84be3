"""Server-rendered pages: create a board, join by code, the board itself.

Each form works without JavaScript; with it, board.js sends the same actions over the
socket. Every form carries a CSRF token; write forms carry an op id made at render time,
so a double-tapped submit creates one post.
"""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import urlsplit

import segno
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
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response

from board import schemas
from board.errors import BoardError
from board.extensions import db
from board.identity import current_actor, public_url, remember, remembered_id
from board.js_strings import js_strings
from board.models import POST_KINDS
from board.services import Actor, boards, posts

bp = Blueprint("pages", __name__)

KIND_LABELS = {
    "idea": lazy_gettext("I have an idea"),
    "skill": lazy_gettext("I can help with…"),
    "tool": lazy_gettext("I can lend…"),
    "need": lazy_gettext("I need…"),
}
FACILITATOR_LINK_KEY = "new_facilitator_link"


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "KIND_LABELS": KIND_LABELS,
        "POST_KINDS": POST_KINDS,
        "new_op_id": _op_id,
        "js_strings": js_strings,
    }


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


SORTS = ("newest", "supported")


def arrange(
    posts: list[dict[str, Any]], kind: str | None, tag: str | None, sort: str
) -> list[dict[str, Any]]:
    """The feed as a person asked to see it: filtered by kind and tag, newest or most supported."""
    shown = [p for p in posts if (not kind or p["kind"] == kind) and (not tag or p["tag"] == tag)]
    shown.sort(key=lambda p: p["id"], reverse=True)
    if sort == "supported":
        shown.sort(key=lambda p: p["support_count"], reverse=True)
    return shown


def _invite(code: str) -> dict[str, str]:
    """How people join this board: the code, the join address and its QR code."""
    url = public_url(url_for("pages.join", code=code))
    return {
        "code": code,
        "url": url,
        "qr": url_for("pages.qr_code", code=code),
        # Phones cannot reach the laptop's loopback address: the page says how to fix it.
        "unreachable": urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1"),
    }


@bp.get("/b/<code>")
def board(code: str) -> Response | str:
    """The board, drawn from its snapshot; board.js keeps it live."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    db.session.remove()
    view = {
        "kind": request.args.get("kind") if request.args.get("kind") in POST_KINDS else None,
        "tag": request.args.get("tag") or None,
        "sort": request.args.get("sort") if request.args.get("sort") in SORTS else "newest",
    }
    return render_template(
        "board.html",
        snapshot=snapshot,
        board=snapshot["board"],
        me=snapshot["me"],
        posts=arrange(snapshot["posts"], **view),
        view=view,
        invite=_invite(snapshot["board"]["code"])
        if snapshot["me"]["role"] == "facilitator"
        else None,
        facilitator_link=session.pop(FACILITATOR_LINK_KEY, None),
    )


@bp.get("/b/<code>/projector")
def projector(code: str) -> Response | tuple[str, int] | str:
    """The view for the projector: big type, join code and QR, live feed, people here."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    db.session.remove()
    if snapshot["me"]["role"] != "facilitator":
        return render_template("forbidden.html", board=snapshot["board"]), 403
    return render_template(
        "projector.html",
        snapshot=snapshot,
        board=snapshot["board"],
        posts=arrange(snapshot["posts"], None, None, "newest"),
        invite=_invite(snapshot["board"]["code"]),
    )


@bp.get("/b/<code>/qr.svg")
def qr_code(code: str) -> Response:
    """The join address as a QR code (SVG), for the projector and the facilitator."""
    try:
        info = boards.board_info(code)
    except BoardError:
        abort(404)
    svg = io.BytesIO()
    segno.make(_invite(info["code"])["url"], error="m").save(
        svg, kind="svg", scale=10, border=2, xmldecl=False, title=gettext("Join the board")
    )
    response = Response(svg.getvalue(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/b/<code>/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(code: str, post_id: int) -> Response | str | tuple[str, int]:
    """Edit your own post (the no-JavaScript way; board.js edits in place)."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    db.session.remove()
    post = next((p for p in snapshot["posts"] if p["id"] == post_id), None)
    if post is None:
        abort(404)
    if post["author"]["id"] != snapshot["me"]["id"]:
        abort(403)
    if request.method == "GET":
        return render_template("edit.html", board=snapshot["board"], post=post)
    try:
        fields = schemas.parse({**_form(), "post_id": post_id}, schemas.EDIT_POST, partial=True)
        op_id, _ = fields.pop("op_id"), fields.pop("post_id")
        posts.update_post(actor, op_id, post_id, fields)
    except BoardError as error:
        return render_template(
            "edit.html", board=snapshot["board"], post={**post, **_form()}, error=error
        ), error.status
    return redirect(url_for("pages.board", code=snapshot["board"]["code"]) + f"#post-{post_id}")


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
