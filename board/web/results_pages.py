"""The results page: what the session produced, for everyone on the board and the projector.

Ideas and needs ranked by dots then supports (by supports alone while dots are hidden),
the offers inventory and the groups formed, in large type. static/js/results.js refreshes
it live. Also the phases' names, which the console and the projector show too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from board.extensions import db
from board.services import boards
from board.services import results as results_service
from board.web.pages import _actor_or_join

bp = Blueprint("results_pages", __name__)

PHASE_LABELS = {
    "gather": lazy_gettext("Gather ideas"),
    "discuss": lazy_gettext("Discuss"),
    "prioritise": lazy_gettext("Prioritise"),
    "closed": lazy_gettext("Closed"),
}


@bp.app_context_processor
def _phase_labels() -> dict[str, Any]:
    return {"PHASE_LABELS": PHASE_LABELS}


@bp.get("/b/<code>/results")
def results(code: str) -> Response | str:
    """Ranked ideas and needs, offers and groups: anyone on the board, the projector too."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    # The seq first: events after it are applied live, so nothing falls in between.
    seq = boards.head(code)
    shown = results_service.results(actor)
    db.session.remove()
    return render_template(
        "results.html",
        results=shown,
        board=shown["board"],
        seq=seq,
    )
