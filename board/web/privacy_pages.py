"""The privacy notice, and each person's own data: download it, or erase themselves.

Erasing is a POST with the page's CSRF token (a form route from the action table); the
browser forgets the board afterwards, since the link it knew opens nothing now.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template
from werkzeug.wrappers import Response

from board.errors import BoardError
from board.extensions import db
from board.services import boards, privacy
from board.web.actions import Handlers
from board.web.identity import forget
from board.web.pages import _actor_or_join, form_input, register_forms

bp = Blueprint("privacy_pages", __name__)
HANDLERS = Handlers()


@bp.get("/privacy")
def notice() -> str:
    """What the board keeps, why, for how long, who sees it, and how to use your rights."""
    config = current_app.config
    return render_template(
        "privacy.html",
        operator=config.get("BOARD_OPERATOR_NAME") or "",
        contact=config.get("BOARD_OPERATOR_CONTACT") or "",
        retention_days=config.get("BOARD_RETENTION_DAYS"),
    )


@bp.get("/b/<code>/privacy")
def mine(code: str) -> Response | str:
    """Your data on this board: download it, or erase yourself."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    board = boards.board_info(code)
    db.session.remove()
    return render_template("my_data.html", board=board)


@bp.get("/b/<code>/privacy/my-data.json")
def download(code: str) -> Response:
    """Everything the board keeps about you, as a JSON file."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    data = privacy.my_data(actor)
    db.session.remove()
    name = f"common-ground-{data['board']['code']}-my-data.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@HANDLERS.handles("privacy.erase_me")
def erase(code: str) -> Response | str | tuple[str, int]:
    """Erase yourself, once you have ticked the box that says you mean it."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    board = boards.board_info(code)
    try:
        privacy.erase_me(actor, form_input(privacy.EraseMe, {}))
    except BoardError as error:
        db.session.remove()
        return render_template("my_data.html", board=board, error=error), error.status
    db.session.remove()
    forget(code)
    return render_template("erased.html", board=board)


register_forms(bp, HANDLERS)
