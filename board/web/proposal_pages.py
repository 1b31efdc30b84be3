"""Pages for proposals: a group's proposal and its guided form, the printable
committee paper, and the council officer's page.

Each form works without JavaScript; with it, static/js/proposal.js sends the same changes
through the JSON API and keeps the page live from the board's events. The committee paper
is drawn from the canonical export (``proposals.export``), so it carries exactly what the
council receives: display names of people who agreed to be named, and the email of the
named contact only because they gave it for this.

Officers sign in on /officer with their API token. The signed (not encrypted) session
cookie keeps only a random session handle, checked against the database on every request
(``officer_sessions``); signing out ends the session there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_currency, format_date, gettext, lazy_gettext
from werkzeug.wrappers import Response

from board import inputs
from board.errors import BoardError
from board.extensions import db
from board.services import Actor, boards, officer_sessions, proposals, webhooks
from board.web.actions import Handlers
from board.web.identity import current_actor, public_url
from board.web.pages import _actor_or_join, _when, register_forms

bp = Blueprint("proposal_pages", __name__)
#: This transport's own handlers, by action name (the rest are generic).
HANDLERS = Handlers()

#: Where a proposal is, in a word or two (history, lists, the badge)...
STATE_LABELS = {
    "draft": lazy_gettext("Draft"),
    "submitted": lazy_gettext("Sent to the council"),
    "received": lazy_gettext("Received by the council"),
    "under_review": lazy_gettext("Under review"),
    "decided": lazy_gettext("Decided"),
    "withdrawn": lazy_gettext("Withdrawn"),
}
#: ...and what that means, in plain words.
STATE_HINTS = {
    "draft": lazy_gettext(
        "The group is still writing it. Only the group and the facilitators can see it."
    ),
    "submitted": lazy_gettext(
        "The group has sent it to the council. Everyone on the board can read it now."
    ),
    "received": lazy_gettext("The council has received it and will look at it."),
    "under_review": lazy_gettext("Council officers and councillors are looking at it."),
    "decided": lazy_gettext("The council has made its decision."),
    "withdrawn": lazy_gettext("The group withdrew it. The idea can be made a proposal again."),
}
OUTCOME_LABELS = {
    "accepted": lazy_gettext("Accepted"),
    "accepted_with_conditions": lazy_gettext("Accepted with conditions"),
    "declined": lazy_gettext("Declined"),
    "referred": lazy_gettext("Referred elsewhere"),
}
ASK_LABELS = {
    "money": lazy_gettext("Money"),
    "building_or_land": lazy_gettext("Use of a building or land"),
    "permission": lazy_gettext("Permission (for example, to use a park or close a road)"),
    "officer_time": lazy_gettext("Officer time (help or advice from council staff)"),
    "other": lazy_gettext("Something else"),
}
ROUTE_LABELS = {
    "committee": lazy_gettext("A council committee"),
    "ward_panel": lazy_gettext("The ward panel"),
    "asset_of_community_value": lazy_gettext("List it as an asset of community value"),
    "right_to_challenge": lazy_gettext("Community right to challenge"),
    "asset_transfer": lazy_gettext("Community asset transfer"),
    "business_case": lazy_gettext("A business case"),
    "participatory_budgeting": lazy_gettext("Participatory budgeting"),
}
ROUTE_HINTS = {
    "committee": lazy_gettext(
        "Councillors decide at a formal meeting. For bigger asks or changes to council policy."
    ),
    "ward_panel": lazy_gettext(
        "The councillors for your area decide. For small projects in one neighbourhood."
    ),
    "asset_of_community_value": lazy_gettext(
        "Protects a building or land people value: if it is sold, the community gets time "
        "to bid for it."
    ),
    "right_to_challenge": lazy_gettext("Offer to run a council service yourselves."),
    "asset_transfer": lazy_gettext(
        "Ask to take on a council building or land, usually on a long lease."
    ),
    "business_case": lazy_gettext(
        "A costed plan that council officers assess, for larger or longer projects."
    ),
    "participatory_budgeting": lazy_gettext(
        "Residents vote on which local projects get a share of a fund."
    ),
}
#: Each question in a few words, for the list of problems above the form.
FIELD_LABELS = {
    "title": lazy_gettext("Title"),
    "what_we_want": lazy_gettext("What you want to do"),
    "summary": lazy_gettext("How the idea came about"),
    "asks": lazy_gettext("What you ask the council for"),
    "amount_gbp": lazy_gettext("How much money"),
    "ask_details": lazy_gettext("More about what you ask for"),
    "involved": lazy_gettext("Who is involved"),
    "ward": lazy_gettext("Ward"),
    "address": lazy_gettext("Address"),
    "latitude": lazy_gettext("Latitude"),
    "longitude": lazy_gettext("Longitude"),
    "capital_gbp": lazy_gettext("One-off costs"),
    "revenue_gbp": lazy_gettext("Running costs"),
    "cost_notes": lazy_gettext("Notes on costs"),
    "options": lazy_gettext("Options you considered"),
    "reasons": lazy_gettext("Why this option"),
    "risks": lazy_gettext("What could go wrong"),
    "legal": lazy_gettext("Legal notes"),
    "benefits": lazy_gettext("Who benefits"),
    "left_out": lazy_gettext("Who might be left out"),
    "route": lazy_gettext("Route"),
    "short_summary": lazy_gettext("Summary in one sentence"),
    "contact": lazy_gettext("Named contact"),
    "name": lazy_gettext("Your name"),
    "email": lazy_gettext("Your email"),
    "consent": lazy_gettext("Agreement to be the contact"),
}
#: The officer's decision form: each field's id on the page, its label, and what to do when
#: it is missing, as the error summary and the message by the field say them.
DECISION_FIELDS = {
    "decision": (
        "decision-outcome-select",
        lazy_gettext("Outcome"),
        lazy_gettext("Choose the outcome of the decision"),
    ),
    "decision_date": (
        "decision-date-input",
        lazy_gettext("Date of the decision"),
        lazy_gettext("Give the date of the decision"),
    ),
    "decision_maker": (
        "decision-maker-input",
        lazy_gettext("Decided by"),
        lazy_gettext("Say who made the decision, for example the ward panel"),
    ),
    "decision_reasons": (
        "decision-reasons-input",
        lazy_gettext("Reasons"),
        lazy_gettext("Give the reasons for the decision"),
    ),
    "conditions": ("decision-conditions-input", lazy_gettext("Conditions"), None),
    "alternatives_rejected": (
        "decision-alternatives-input",
        lazy_gettext("Alternatives rejected"),
        None,
    ),
    "minutes_url": ("decision-minutes-input", lazy_gettext("Link to the minutes"), None),
    "note": ("decision-note-input", lazy_gettext("Note for the group"), None),
}
OFFICER_KEY = "officer_session"
#: Where earlier versions kept the officer's token itself; dropped from any cookie seen.
OLD_OFFICER_KEY = "officer_token"
#: The guided form's fields by how the browser sends them.
TEXT_FIELDS = tuple(
    name
    for name in proposals.EDITABLE
    if not name.endswith("_gbp") and name not in ("asks", "route", "latitude", "longitude")
)
NUMBER_FIELDS = ("amount_gbp", "capital_gbp", "revenue_gbp", "latitude", "longitude")
SHORT_SUMMARY_MAX = 125


@bp.app_context_processor
def _for_the_group_page() -> dict[str, Any]:
    # The group page (pages.group) shows the group's proposal and its state.
    return {
        "STATE_LABELS": STATE_LABELS,
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "proposal_of_group": proposal_of_group,
    }


@bp.context_processor
def _for_these_pages() -> dict[str, Any]:
    return {
        "STATE_HINTS": STATE_HINTS,
        "ASK_LABELS": ASK_LABELS,
        "ROUTE_LABELS": ROUTE_LABELS,
        "ROUTE_HINTS": ROUTE_HINTS,
        "FIELD_LABELS": FIELD_LABELS,
        "money": _money,
        "day": _day,
        "when": _when,
    }


def _money(value: float | None) -> str:
    """An amount in pounds as people read it: £1,850.50."""
    return "" if value is None else format_currency(value, "GBP")


def _day(value: str | None) -> str:
    """A YYYY-MM-DD date as people read it: 3 December 2026."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value), "d MMMM y")
    except ValueError:
        return value


def proposal_of_group(code: str, group_id: int) -> dict[str, Any]:
    """For the group page: the group's proposal as this viewer may see it (the newest one
    not withdrawn, else the newest), whether it is live, and whether they agreed to be named.
    """
    actor = current_actor(code)
    found = [p for p in proposals.board_proposals(actor) if p["group_id"] == group_id]
    live = next((p for p in reversed(found) if p["state"] != "withdrawn"), None)
    return {
        "proposal": live or (found[-1] if found else None),
        "live": live is not None,
        "named": proposals.is_named(actor, group_id),
    }


def _op(name: str = "op_id") -> str:
    return request.form.get(name, "")


# -- the proposal page ---------------------------------------------------------------------


@bp.get("/b/<code>/proposals/<int:proposal_id>")
def proposal(code: str, proposal_id: int) -> Response | str | tuple[str, int]:
    """A proposal: where it is, the council's decision, the board's evidence and, for its
    group while it is a draft, the guided form; proposal.js keeps it live."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    return _proposal_page(actor, proposal_id)


def _proposal_page(
    actor: Actor,
    proposal_id: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    error: BoardError | None = None,
    status: int = 200,
) -> str | tuple[str, int]:
    # The seq first: it is where the live script starts, so a change made after it is
    # applied again (harmlessly), never missed.
    around = boards.frame(actor)
    try:
        detail = proposals.proposal_detail(actor, proposal_id)
    except BoardError as missing:
        if missing.code != "proposal_not_found":
            raise
        db.session.remove()
        page = render_template("proposal.html", board=around["board"], proposal=None)
        return page, 404
    me = around["me"]
    staff = me["role"] == "facilitator"
    group = boards.group_of(actor, detail["group_id"]) if detail["group_id"] else None
    member = group is not None and me["id"] in group["member_ids"]
    coordinates = group is not None and group["coordinator_id"] == me["id"]
    deliveries = None
    if staff:
        deliveries = [d for d in webhooks.deliveries(actor) if d["proposal_id"] == proposal_id]
    db.session.remove()
    values = {name: detail[name] for name in proposals.EDITABLE}
    values |= typed or {}
    page = render_template(
        "proposal.html",
        board=around["board"],
        seq=around["seq"],
        me=me,
        proposal=detail,
        export=detail["export"],
        group=group,
        values=values,
        errors=errors or {},
        error=error,
        may_edit=detail["state"] == "draft" and (staff or member),
        may_steer=staff or coordinates,
        may_export=staff or member,
        may_withdraw=(staff or coordinates) and detail["state"] in proposals.GROUP_MOVES,
        deliveries=deliveries,
        webhook_configured=bool(current_app.config.get("BOARD_WEBHOOK_URL")),
        short_summary_max=SHORT_SUMMARY_MAX,
    )
    return (page, status) if status != 200 else page


def _proposal_url(code: str, proposal_id: int, anchor: str = "") -> str:
    return (
        url_for(
            "proposal_pages.proposal", code=boards.normalise_code(code), proposal_id=proposal_id
        )
        + anchor
    )


def _number(raw: str) -> float | str | None:
    """A number typed into the form: "£1,850.50" is 1850.5; empty is None; anything else
    stays text, for the schema to refuse in its words."""
    cleaned = raw.strip().replace(",", "").replace("£", "").strip()
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        return raw


def _draft_form() -> dict[str, Any]:
    """The guided form as the API takes it: every field the form sent."""
    form = request.form
    data: dict[str, Any] = {name: form[name] for name in TEXT_FIELDS if name in form}
    data |= {name: _number(form[name]) for name in NUMBER_FIELDS if name in form}
    if "asks_shown" in form:
        data["asks"] = form.getlist("asks")
    if form.get("route"):
        data["route"] = form["route"]
    if "money" not in data.get("asks", ["money"]):
        data["amount_gbp"] = None  # the amount belongs to a money ask
    return data


@HANDLERS.handles("proposal.update")
def save_proposal(code: str, proposal_id: int) -> Response | str | tuple[str, int]:
    """Save the guided form (``then=submit`` also sends it to the council)."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    typed = _draft_form()
    try:
        edit = inputs.EditProposal.parse({**typed, "op_id": _op(), "proposal_id": proposal_id})
        if edit.given().keys() - {"proposal_id"}:
            proposals.update(actor, edit)
        if request.form.get("then") == "submit":
            proposals.submit(actor, _op("submit_op_id"), proposal_id)
            flash(gettext("Sent to the council."), "info")
        else:
            flash(gettext("Saved."), "info")
    except BoardError as error:
        if error.code == "proposal_not_found":
            abort(404)
        return _proposal_page(actor, proposal_id, error.fields, typed, error, error.status)
    return redirect(_proposal_url(code, proposal_id))


@HANDLERS.handles("proposal.withdraw")
def withdraw_proposal(code: str, proposal_id: int) -> Response:
    """Withdraw the proposal (the coordinator or a facilitator), after the page's confirm."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        proposals.withdraw(actor, _op(), proposal_id, request.form.get("note", ""))
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(gettext("The proposal was withdrawn."), "info")
    return redirect(_proposal_url(code, proposal_id))


@HANDLERS.handles("proposal.contact")
def proposal_contact(code: str, proposal_id: int) -> Response | str | tuple[str, int]:
    """Be the named contact, agreeing to it (``stop`` withdraws you as the contact)."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    stop = request.form.get("stop") == "1"
    consent = stop is False and request.form.get("consent") in ("1", "on", "true", "yes")
    typed = {
        "contact_name": request.form.get("name", ""),
        "contact_email": request.form.get("email", ""),
    }
    if not stop and not consent:
        error = BoardError(
            "invalid_input",
            gettext("Tick the box if you agree to be the named contact."),
            422,
            {"consent": gettext("Tick the box if you agree to be the named contact.")},
        )
        return _proposal_page(actor, proposal_id, error.fields, typed, error, 422)
    try:
        proposals.volunteer_contact(
            actor,
            inputs.ProposalContact.parse(
                {
                    "op_id": _op(),
                    "proposal_id": proposal_id,
                    "name": request.form.get("name", ""),
                    "email": request.form.get("email", ""),
                    "consent": consent,
                }
            ),
        )
    except BoardError as error:
        if error.code == "proposal_not_found":
            abort(404)
        return _proposal_page(actor, proposal_id, error.fields, typed, error, error.status)
    flash(
        gettext("You are no longer the named contact.")
        if stop
        else gettext("You are the named contact."),
        "info",
    )
    return redirect(_proposal_url(code, proposal_id, "#contact"))


@HANDLERS.handles("proposal.promote")
def promote(code: str, post_id: int) -> Response:
    """Promote the group's idea to a draft proposal and open it (coordinator, facilitator)."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        made = proposals.promote(actor, _op(), post_id)
    except BoardError as error:
        if error.code == "proposal_exists" and error.fields.get("id"):
            return redirect(_proposal_url(code, int(error.fields["id"])))
        flash(error.message, "error")
        return redirect(request.referrer or url_for("pages.board", code=code))
    return redirect(_proposal_url(code, made["proposal"]["id"]))


@HANDLERS.handles("group.named")
def named(code: str, group_id: int) -> Response:
    """A member agrees (or no longer agrees) to be named in the group's proposal."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    agreed = request.form.get("named") in ("1", "on", "true", "yes")
    try:
        proposals.set_named(actor, _op(), group_id, agreed)
    except BoardError as error:
        flash(error.message, "error")
    return redirect(
        url_for("pages.group", code=boards.normalise_code(code), group_id=group_id) + "#proposal"
    )


# -- the committee paper -------------------------------------------------------------------

_BOARD_IN_URL = re.compile(r"/b/([A-Za-z0-9]+)")


@bp.get("/b/<code>/proposals/<int:proposal_id>/paper")
def paper(code: str, proposal_id: int) -> Response | str | tuple[str, int]:
    """The committee paper, for printing: the group, facilitators and council officers."""
    code = boards.normalise_code(code)
    try:
        info = boards.board_info(code)
    except BoardError:
        abort(404)
    shaped = None
    try:
        actor: Actor | None = current_actor(code)
    except BoardError:
        actor = None
    if actor is not None:
        try:
            shaped = proposals.export_for(actor, proposal_id)
        except BoardError as error:
            if error.code == "proposal_not_found":
                abort(404)
    if shaped is None and _officer() is not None:
        try:
            shaped = proposals.officer_proposal(proposal_id)
        except BoardError:
            abort(404)
        found = _BOARD_IN_URL.search(shaped["source_url"])
        if not found or boards.normalise_code(found.group(1)) != code:
            abort(404)
    db.session.remove()
    if shaped is None:
        page = render_template("paper.html", board=info, export=None)
        return page, 403
    # Without BOARD_PUBLIC_URL the export links back with a path: on paper it needs the host.
    source = shaped["source_url"]
    board_link = public_url(source) if source.startswith("/") else source
    return render_template("paper.html", board=info, export=shaped, board_link=board_link)


# -- the council officer's page ------------------------------------------------------------


def _officer() -> proposals.Officer | None:
    """The officer signed in on this browser, if their session is still open."""
    session.pop(OLD_OFFICER_KEY, None)
    handle = session.get(OFFICER_KEY)
    if not handle:
        return None
    signed_in = officer_sessions.officer_by_handle(handle)
    if signed_in is None:
        session.pop(OFFICER_KEY, None)
    return signed_in


def _board_code(shaped: dict[str, Any]) -> str:
    found = _BOARD_IN_URL.search(shaped.get("source_url") or "")
    return found.group(1) if found else ""


@bp.get("/officer")
def officer() -> str | tuple[str, int]:
    """The council officer's page: sign in with the API token, then the proposals sent."""
    signed_in = _officer()
    if signed_in is None:
        return render_template("officer.html", officer=None)
    found = proposals.officer_proposals()
    db.session.remove()
    return render_template(
        "officer.html",
        officer=signed_in,
        proposals=[{**p, "board_code": _board_code(p)} for p in found],
    )


@HANDLERS.handles("officer.sign_in")
def officer_sign_in() -> Response | tuple[str, int]:
    """Check the pasted officer token; this browser keeps a session handle, not the token."""
    token = request.form.get("token", "").strip()
    session.pop(OLD_OFFICER_KEY, None)
    try:
        signed_in, handle = officer_sessions.sign_in(token)
    except BoardError as error:
        officer_sessions.sign_out(session.pop(OFFICER_KEY, None))
        page = render_template("officer.html", officer=None, sign_in_error=error)
        return make_response(page, error.status)
    officer_sessions.sign_out(session.get(OFFICER_KEY))
    session[OFFICER_KEY] = handle
    flash(gettext("Signed in as %(name)s.", name=signed_in.name), "info")
    return redirect(url_for("proposal_pages.officer"))


@HANDLERS.handles("officer.sign_out")
def officer_sign_out() -> Response:
    """End this browser's officer session, here and in the database."""
    session.pop(OLD_OFFICER_KEY, None)
    officer_sessions.sign_out(session.pop(OFFICER_KEY, None))
    flash(gettext("Signed out."), "info")
    return redirect(url_for("proposal_pages.officer"))


@bp.get("/officer/proposals.csv")
def officer_csv() -> Response:
    """Every proposal sent to the council, one row each (the officer API's CSV)."""
    if _officer() is None:
        return redirect(url_for("proposal_pages.officer"))
    sheet = proposals.to_csv(proposals.officer_proposals())
    return Response(
        sheet,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="proposals.csv"'},
    )


@bp.get("/officer/proposals/<int:proposal_id>")
def officer_proposal(proposal_id: int) -> Response | str | tuple[str, int]:
    """One proposal as the council received it, with the forms to record what happens."""
    signed_in = _officer()
    if signed_in is None:
        return redirect(url_for("proposal_pages.officer"))
    return _officer_detail(signed_in, proposal_id)


def _officer_detail(
    signed_in: proposals.Officer,
    proposal_id: int,
    error: BoardError | None = None,
    typed: dict[str, str] | None = None,
) -> str | tuple[str, int]:
    try:
        shaped = proposals.officer_proposal(proposal_id)
    except BoardError:
        abort(404)
    db.session.remove()
    state = shaped["lifecycle"]["state"]
    typed = typed or {}
    page = render_template(
        "officer.html",
        officer=signed_in,
        detail=shaped,
        board_code=_board_code(shaped),
        moves=sorted(proposals.OFFICER_MOVES.get(state, set())),
        error=error,
        decision_errors=decision_errors(error) if typed.get("to") == "decided" else [],
        typed=typed,
        today=date.today().isoformat(),
    )
    return (page, error.status) if error else page


@dataclass(frozen=True)
class FieldError:
    """A refused field of the decision form: where it is on the page and what to do."""

    name: str
    field_id: str
    message: str

    @property
    def pair(self) -> tuple[str, str]:
        """(field name, message), as the template looks a field's message up."""
        return (self.name, self.message)


def decision_errors(error: BoardError | None) -> list[FieldError]:
    """The decision form's refused fields in the form's order, each said in full words:
    "Give the reasons for the decision", not "is required"."""
    problems = error.fields if error else {}
    found: list[FieldError] = []
    for name, (field_id, label, when_missing) in DECISION_FIELDS.items():
        problem = problems.get(name)
        if not problem:
            continue
        if problem == "is required" and when_missing is not None:
            message = str(when_missing)
        else:
            message = gettext("%(label)s %(problem)s", label=label, problem=problem)
        found.append(FieldError(name, field_id, message))
    return found


@HANDLERS.handles("proposal.officer_move")
def officer_record(proposal_id: int) -> Response | str | tuple[str, int]:
    """Record received, under review, or the decision with its record."""
    signed_in = _officer()
    if signed_in is None:
        return redirect(url_for("proposal_pages.officer"))
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    # An empty optional choice, date or link is "not given".
    given = {
        k: (v if v.strip() or k not in ("decision", "decision_date", "minutes_url") else None)
        for k, v in typed.items()
    }
    try:
        fields = inputs.OfficerMove.parse(given).given()
        if fields["to"] != "decided":
            fields = {"to": fields["to"], "note": fields["note"]}
        proposals.officer_move(signed_in, proposal_id, **fields)
    except BoardError as error:
        if error.code == "proposal_not_found":
            abort(404)
        return _officer_detail(signed_in, proposal_id, error, typed)
    flash(gettext("Recorded: %(state)s.", state=STATE_LABELS[fields["to"]]), "info")
    return redirect(url_for("proposal_pages.officer_proposal", proposal_id=proposal_id))


register_forms(bp, HANDLERS)
