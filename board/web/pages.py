"""Server-rendered pages: create a board, join by code, the board, offers, groups and the
facilitator console.

Each form works without JavaScript; with it, board.js sends the same actions over the
socket. Every form carries a CSRF token; write forms carry an op id made at render time,
so a double-tapped submit creates one post.
"""

from __future__ import annotations

import dataclasses
import io
import math
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import (
    format_datetime,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
)
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from board import inputs
from board.errors import BoardError
from board.extensions import db
from board.js_strings import js_strings
from board.models import MODERATION_REASONS, POST_KINDS, REPORT_REASONS, Participant
from board.services import Actor, boards, feed, groups, moderation, posts
from board.services import offers as offer_service
from board.services import projector as projector_links
from board.web import cards
from board.web.actions import BINDINGS, Binding, Handlers
from board.web.identity import current_actor, forget, public_url, remember, remembered_id

bp = Blueprint("pages", __name__)
#: This transport's own handlers, by action name (the rest are generic).
HANDLERS = Handlers()

KIND_LABELS = {
    "idea": lazy_gettext("I have an idea"),
    "skill": lazy_gettext("I can help with…"),
    "tool": lazy_gettext("I can lend…"),
    "need": lazy_gettext("I need…"),
}
# The start-a-board form's fields, as the home page's error summary names them.
CREATE_LABELS = {
    "title": lazy_gettext("Title"),
    "prompt": lazy_gettext("Question for the room"),
    "kind": lazy_gettext("Kind"),
    "tags": lazy_gettext("Themes"),
    "facilitator_name": lazy_gettext("Your name as facilitator"),
}
# Why a post was hidden: as a choice and on a hidden card ("Hidden: Spam")...
REASON_LABELS = {
    "spam": lazy_gettext("Spam"),
    "offensive": lazy_gettext("Offensive"),
    "off-topic": lazy_gettext("Off-topic"),
    "personal information": lazy_gettext("Personal information"),
    "duplicate": lazy_gettext("Duplicate"),
}
# ...and counted in the public summary ("2 posts hidden by facilitators: 1 spam, 1 off-topic").
REASON_COUNTS = {
    "spam": lazy_gettext("%(num)d spam"),
    "offensive": lazy_gettext("%(num)d offensive"),
    "off-topic": lazy_gettext("%(num)d off-topic"),
    "personal information": lazy_gettext("%(num)d personal information"),
    "duplicate": lazy_gettext("%(num)d duplicate"),
}
# What each moderation log entry records, in the console's table.
ACTION_LABELS = {
    "hide": lazy_gettext("Hid a post"),
    "restore": lazy_gettext("Restored a post"),
    "invite_facilitator": lazy_gettext("Invited a co-facilitator"),
    "revoke_facilitator": lazy_gettext("Withdrew a co-facilitator\u2019s link"),
}
FACILITATOR_LINK_KEY = "new_facilitator_link"
CO_FACILITATOR_LINK_KEY = "new_co_facilitator_link"
PROJECTOR_LINK_KEY = "new_projector_link"
CARD_CSRF_KEY = "card_csrf"
#: A card's token is reused while it is younger than this (it lasts an hour).
CARD_CSRF_REUSE_S = 1800


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "KIND_LABELS": KIND_LABELS,
        "POST_KINDS": POST_KINDS,
        "MODERATION_REASONS": MODERATION_REASONS,
        "REASON_LABELS": REASON_LABELS,
        "hidden_summary": hidden_summary,
        "new_op_id": _op_id,
        "js_strings": js_strings,
    }


def _op_id() -> str:
    return uuid.uuid4().hex


@bp.get("/")
def index() -> str:
    """Home: start a board, or join one with its code."""
    return render_template("index.html")


@HANDLERS.handles("board.create")
def create_board() -> Response | tuple[str, int]:
    """Create a board from the form and make its creator the facilitator."""
    try:
        entry = boards.create_board(**form_input(inputs.NewBoard, {}).given())
    except BoardError as error:
        page = render_template(
            "index.html", create_error=error, form=request.form, create_labels=CREATE_LABELS
        )
        return page, error.status
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


@bp.get("/b/<code>/join")
def join(code: str) -> Response | str:
    """Choose a display name (or stay anonymous) and enter the board."""
    try:
        info = boards.board_info(code)
    except BoardError:
        abort(404)
    if remembered_id(info["code"]) is not None:
        return redirect(url_for("pages.board", code=info["code"]))
    return render_template("join.html", board=info)


@HANDLERS.handles("board.join")
def join_board(code: str) -> Response | str | tuple[str, int]:
    """Join with the form's display name (or anonymously) and enter the board."""
    try:
        info = boards.board_info(code)
    except BoardError:
        abort(404)
    try:
        entry = boards.join_board(info["code"], **form_input(inputs.Join, {}).given())
    except BoardError as error:
        return render_template("join.html", board=info, error=error), error.status
    remember(entry)
    return redirect(url_for("pages.board", code=entry.board_code))


@bp.get("/b/<code>/enter/<token>")
def enter(code: str, token: str) -> Response | tuple[str, int, dict[str, str]]:
    """A personal link (the facilitator's, or "continue on another device") signs in here.

    A browser that already holds someone else on this board is asked first: a page
    elsewhere could send anyone here with its own link, so switching takes the confirm
    page's POST (with its CSRF token, which another site cannot send).
    """
    try:
        actor = current_actor(code, token)
    except BoardError:
        abort(404)
    code = boards.normalise_code(code)
    if actor.view_only:  # the projector link, pasted here: it signs nobody in
        return redirect(url_for("pages.projector_screen", code=code, token=token))
    held = _held_identity(code)
    if held is None or held.id == actor.participant_id:
        return _sign_in(code, actor, token)
    arriving = db.session.get_one(Participant, actor.participant_id)
    page = render_template(
        "enter.html",
        board=boards.board_info(code),
        held=_shown_name(held),
        arriving=_shown_name(arriving),
    )
    return page, 200, {"Cache-Control": "no-store"}


@HANDLERS.handles("board.enter")
def enter_confirm(code: str, token: str) -> Response:
    """Switch this browser to the link's participant, after the enter page asked."""
    try:
        actor = current_actor(code, token)
    except BoardError:
        abort(404)
    if actor.view_only:
        abort(404)
    return _sign_in(boards.normalise_code(code), actor, token)


def _sign_in(code: str, actor: Actor, token: str) -> Response:
    remember(boards.Entry(code, actor.participant_id, token, {}))
    response = redirect(url_for("pages.board", code=code))
    response.headers["Cache-Control"] = "no-store"
    return response


def _held_identity(code: str) -> Participant | None:
    """Who the cookie signs this browser in as on the board, if they may still come in."""
    try:
        held = current_actor(code)
    except BoardError:
        return None
    return db.session.get_one(Participant, held.participant_id)


def _shown_name(participant: Participant) -> str:
    if participant.anonymous or not participant.display_name:
        return gettext("an anonymous participant")
    return participant.display_name


def hidden_summary(summary: dict[str, Any] | None) -> str:
    """The public moderation summary in words ("" when nothing is hidden)."""
    if not summary or not summary.get("hidden"):
        return ""
    counted = (summary.get("by_reason") or {}).items()
    reasons = ", ".join(
        str(REASON_COUNTS[why]) % {"num": n} if why in REASON_COUNTS else f"{n} {why}"
        for why, n in counted
    )
    return ngettext(
        "%(num)d post hidden by facilitators: %(reasons)s",
        "%(num)d posts hidden by facilitators: %(reasons)s",
        summary["hidden"],
        reasons=reasons,
    )


def _actor_or_join(code: str) -> Actor | Response:
    try:
        return current_actor(code)
    except BoardError as error:
        if error.code == "board_not_found":
            abort(404)
        if error.code == "access_revoked":
            return _withdrawn(code)
        return redirect(url_for("pages.join", code=boards.normalise_code(code)))


def _withdrawn(code: str) -> Response:
    """A co-facilitator's withdrawn link: say so, and let this browser join afresh.

    The cookie forgets the board, or the join page (which sends people the cookie knows
    to the board) and the board (which refuses them) would send the browser in circles.
    """
    code = boards.normalise_code(code)
    forget(code)
    page = render_template("forbidden.html", board=boards.board_info(code), withdrawn=True)
    return make_response(page, 403)


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


def _invite(code: str) -> dict[str, Any]:
    """How people join this board: the code, the join address and its QR code."""
    url = public_url(url_for("pages.join", code=code))
    return {
        "code": code,
        "url": url,
        "qr": url_for("pages.qr_code", code=code),
        # Phones cannot reach the laptop's loopback address: the page says how to fix it.
        "unreachable": urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1"),
    }


def asked_page() -> inputs.PostsPage | None:
    """The page of posts the address asks for (``?kind=&tag=&q=&sort=&after=``), or None for
    the first screen. A value no field accepts is left out, not an error: addresses get
    shared, cut and typed."""
    rules = inputs.PostsPage.rules()
    asked: dict[str, Any] = {}
    for name in ("kind", "tag", "q", "sort", "after"):
        raw = request.args.get(name)
        if not raw:
            continue
        try:
            asked[name] = rules[name].parse(rules[name].from_form(raw))
        except ValueError:
            continue
    if not asked:
        return None
    # A page as long as the first screen's newest, so "Show older posts" goes on alike.
    return inputs.PostsPage.parse({**asked, "limit": min(100, feed.sizes().newest)})


def feed_of(actor: Actor, snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the feed shows: the snapshot's first screen (pinned first, then newest), or the
    page of posts the address asks for; with how many there are and where the next begin."""
    asked = asked_page()
    if asked is not None:
        try:
            page = feed.posts_page(actor, asked)
        except BoardError:  # a cursor of the other sort: that list from its start
            asked = asked.model_copy(update={"after": None})
            page = feed.posts_page(actor, asked)
        return {
            "posts": sorted(page["posts"], key=lambda p: not p.get("pinned")),
            "total": page["total"],
            "next": page["next"],
            "asked": asked,
            "page": page,
        }
    window = snapshot["window"]
    on_board = [p for p in snapshot["posts"] if p.get("merged_into_id") is None]
    return {
        "posts": sorted(arrange(on_board, None, None, "newest"), key=lambda p: not p.get("pinned")),
        "total": window["total"],
        "next": window["older"],
        "asked": inputs.PostsPage.parse({}),
        "page": None,
    }


def older_url(code: str, shown: dict[str, Any]) -> str | None:
    """The "Show older posts" link: the next page, with the filters kept."""
    if not shown["next"]:
        return None
    asked = shown["asked"]
    kept = {name: getattr(asked, name) for name in ("kind", "tag", "q") if getattr(asked, name)}
    if asked.sort != "newest":
        kept["sort"] = asked.sort
    return url_for("pages.board", code=code, **kept, after=shown["next"]) + "#feed"


@bp.get("/b/<code>")
def board(code: str, refused: BoardError | None = None) -> Response | str:
    """The board, drawn from its snapshot; board.js keeps it live.

    With no query the feed is the snapshot's first screen; ``?kind=&tag=&q=&sort=&after=``
    shows one page of ``board.posts``, and "Show older posts" the next. Pinned posts come
    first; a merged duplicate has left the board. The session banner, the spotlight and
    the composer say how the facilitators run the room. An idea's card shows its proposal
    to the council, and the council's decision. A post the composer sent without
    JavaScript that was ``refused`` comes back in the composer with its error.
    """
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    shown = feed_of(actor, snapshot)
    spotlit = snapshot["session"]["spotlight_post_id"]
    spotlight = next((p for p in snapshot["posts"] if p["id"] == spotlit), None)
    writes = boards.writes_made(actor)
    my_offers = feed.offers_of(actor)
    db.session.remove()
    asked = shown["asked"]
    view: dict[str, Any] = {
        "kind": asked.kind,
        "tag": asked.tag,
        "q": asked.q or "",
        "sort": asked.sort,
        "filtered": bool(asked.kind or asked.tag or asked.q),
    }
    me = snapshot["me"]
    run = snapshot["session"]
    staff = me["role"] == "facilitator"
    blocked = None
    if not staff:
        blocked = "closed" if run["phase"] == "closed" else "locked" if run["locked"] else None
    if blocked == "closed":
        composer_closed = gettext("This session has closed: the board is read-only.")
    elif blocked == "locked":
        composer_closed = gettext("The board is paused: you can read, but not post, for now.")
    elif run["phase"] == "prioritise" and not staff:
        composer_closed = gettext("New posts are paused while everyone prioritises.")
    elif me.get("muted") and not staff:
        composer_closed = gettext(
            "A facilitator has muted you: you can still read, support and place dots."
        )
    else:
        composer_closed = None
    timer_left = None
    if run["timer"]:
        ends = datetime.fromisoformat(run["timer"]["ends_at"].replace("Z", "+00:00"))
        now = datetime.fromisoformat(snapshot["server_time"].replace("Z", "+00:00"))
        timer_left = max(0, math.ceil((ends - now).total_seconds()))
    # Each idea's proposal on its card (as state.js keeps them): the newest one not
    # withdrawn, else the newest withdrawn one.
    proposals: dict[int, dict[str, Any]] = {}
    for proposal in snapshot.get("proposals", []):
        current = proposals.get(proposal["idea_id"])
        live = proposal["state"] != "withdrawn"
        if current and (current["state"] != "withdrawn", current["id"]) > (live, proposal["id"]):
            continue
        proposals[proposal["idea_id"]] = proposal
    code = snapshot["board"]["code"]
    # A card's forms carry the same token and op ids until this person writes again, so a
    # card drawn live matches the page's: op ids are "<writes so far>-<post>-<form>" (new
    # after each write, the same for a double tap), the token is reused while it has long left.
    csrf = session.get(CARD_CSRF_KEY)
    try:
        validate_csrf(csrf, time_limit=CARD_CSRF_REUSE_S)
    except ValidationError:
        csrf = session[CARD_CSRF_KEY] = generate_csrf()
    op_seed = f"w{writes:07d}"
    # The page's part of every card's view; board.js reads the same from #board.
    page = {
        "me": {"id": me["id"], "role": me["role"], "anonymous": bool(me.get("anonymous"))},
        "blocked": blocked,
        "muted": bool(me.get("muted")) and not staff,
        "phase": run["phase"],
        "spotlight_id": run["spotlight_post_id"],
        "my_offers": my_offers,
        "reasons": list(MODERATION_REASONS),
        "report_reasons": list(REPORT_REASONS),
        "board_url": url_for("pages.board", code=code),
        "api_url": f"/api/v1/boards/{code}",
        "csrf": csrf,
        "op_seed": op_seed,
        "lang": str(get_locale() or "en"),
        "dots_left": max(0, run["dot_budget"] - snapshot["dots_spent"]),
    }
    strings = js_strings()
    groups_by_id = {g["id"]: g for g in snapshot["groups"]}
    rendered = [
        Markup(
            cards.render(
                cards.card_view(
                    post,
                    cards.viewer_for(post, page, snapshot["my_dots"], groups_by_id, proposals),
                    strings,
                )
            )
        )
        for post in shown["posts"]
    ]
    return render_template(
        "board.html",
        snapshot=snapshot,
        board=snapshot["board"],
        me=me,
        posts=shown["posts"],
        shown=shown,
        older_url=older_url(code, shown),
        view=view,
        run=run,
        blocked=blocked,
        composer_closed=composer_closed,
        timer_left=timer_left,
        dots_left=max(0, run["dot_budget"] - snapshot["dots_spent"]),
        spotlight=spotlight,
        cards=rendered,
        card_page=page,
        card_template=cards.template(),
        strings=strings,  # translated once for the cards and the page
        invite=_invite(snapshot["board"]["code"])
        if snapshot["me"]["role"] == "facilitator"
        else None,
        facilitator_link=session.pop(FACILITATOR_LINK_KEY, None),
        composer=composer_of(refused),
    )


#: The composer's words that a refused no-JavaScript post brings back to the form.
COMPOSER_FIELDS = ("kind", "title", "body", "availability", "tag")


@HANDLERS.handles("post.create")
def create_post(code: str) -> Response | str | tuple[str, int]:
    """Add a post from the composer; a refusal is shown in the composer, the words kept."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        posts.create_post(actor, form_input(inputs.NewPost, {}))
    except BoardError as error:
        page = board(code, refused=error)
        return page if isinstance(page, Response) else (page, error.status)
    return redirect(back_to("feed", code, {}))


def composer_of(refused: BoardError | None) -> dict[str, Any]:
    """What the composer shows of a refused post: the error, by field, and what was typed."""
    if refused is None:
        return {"message": "", "fields": {}, "typed": {}, "title": ""}
    problem = refused.fields.get("title", "")
    if problem == "must not be empty":
        title = gettext("Write a title: a few words that say what your post is about.")
    else:
        title = gettext("Title %(problem)s.", problem=problem) if problem else ""
    names = ("kind", "title", "body", "availability", "tag")
    typed = {name: request.form.get(name, "") for name in names}
    return {"message": refused.message, "fields": refused.fields, "typed": typed, "title": title}


@bp.get("/b/<code>/projector")
def projector(code: str) -> Response | tuple[str, int] | str:
    """The view for the projector: big type, join code and QR, live feed, people here."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    # The room sees what residents see: not the queue, held-back posts or hidden ones.
    snapshot = boards.snapshot(dataclasses.replace(actor, public_view=True))
    db.session.remove()
    if snapshot["me"]["role"] != "facilitator":
        return render_template("forbidden.html", board=snapshot["board"]), 403
    return _projector_page(snapshot)


@bp.get("/b/<code>/projector/<token>")
def projector_screen(code: str, token: str) -> Response:
    """The projector by its view-only link, on a second computer: it joins nobody and can
    do nothing but show the board."""
    try:
        actor = current_actor(code, token)
    except BoardError:
        abort(404)
    if not actor.view_only:  # a person's own link opens as them, on /enter
        abort(404)
    snapshot = boards.snapshot(actor)
    db.session.remove()
    response = make_response(_projector_page(snapshot, token))
    response.headers["Cache-Control"] = "no-store"
    return response


def _projector_page(snapshot: dict[str, Any], token: str | None = None) -> str:
    """The projector page of a snapshot in the public view; ``token``: the view-only link's,
    which its live connection and its results then use (no cookie names anyone)."""
    return render_template(
        "projector.html",
        snapshot=snapshot,
        board=snapshot["board"],
        # The room sees what residents see: hidden posts stay on the facilitators' screens.
        posts=arrange([p for p in snapshot["posts"] if not p["hidden"]], None, None, "newest"),
        invite=_invite(snapshot["board"]["code"]),
        view_token=token,
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


@bp.get("/b/<code>/posts/<int:post_id>/edit")
def edit_post(code: str, post_id: int) -> Response | str | tuple[str, int]:
    """Edit your own post (the no-JavaScript way; board.js edits in place)."""
    return _edit_page(code, post_id)


@HANDLERS.handles("post.update")
def update_post(code: str, post_id: int) -> Response | str | tuple[str, int]:
    """Save the edit form, or show it again with what was wrong."""
    return _edit_page(code, post_id, save=True)


def _edit_page(code: str, post_id: int, save: bool = False) -> Response | str | tuple[str, int]:
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    around = boards.frame(actor)
    try:
        post = feed.one_post(actor, post_id)
    except BoardError:
        abort(404)
    finally:
        db.session.remove()
    if post["author"]["id"] != around["me"]["id"]:
        abort(403)
    if not save:
        return render_template("edit.html", board=around["board"], post=post)
    try:
        posts.update_post(actor, form_input(inputs.EditPost, {"post_id": post_id}))
    except BoardError as error:
        typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_template(
            "edit.html", board=around["board"], post={**post, **typed}, error=error
        ), error.status
    return redirect(url_for("pages.board", code=around["board"]["code"]) + f"#post-{post_id}")


def form_input(model: type[inputs.Input], path: dict[str, Any]) -> Any:
    """The action's input from a submitted form: its fields, as their rules read form text.

    Forms carry more than the action's fields (the CSRF token, where to go back to, the
    button pressed), so only the input's own fields are read.
    """
    rules = model.rules()
    given = {
        name: rules[name].from_form(value) for name, value in request.form.items() if name in rules
    }
    return model.parse({**given, **path})


def back_to(back: str, code: str, path: dict[str, Any]) -> str:
    """Where a form sends the browser afterwards (see board.web.actions.Form.back).

    ``a|b``: ``b`` when the form says it came from b's page (``back=group``, ``back=console``).
    """
    where, _, alternative = back.partition("|")
    if alternative and request.form.get("back") == alternative.split("#")[0]:
        where = alternative
    place, _, anchor = where.partition("#")
    code = boards.normalise_code(code)
    if place == "group":
        return url_for("pages.group", code=code, group_id=path["group_id"]) + (
            f"#{anchor}" if anchor else ""
        )
    if place == "console":
        return url_for("pages.facilitate", code=code) + f"#{anchor}"
    board_url = url_for("pages.board", code=code)
    if place == "card":
        return f"{board_url}#post-{path['post_id']}"
    return f"{board_url}#feed"


def _form_view(binding: Binding) -> Callable[..., Response]:
    """Run a no-JavaScript form's action and come back, with any refusal flashed."""
    form = binding.form
    action, service = binding.action, binding.service
    assert form is not None and action.input is not None and service is not None
    model = action.input

    def view(code: str, **path: Any) -> Response:
        actor = _actor_or_join(code)
        if isinstance(actor, Response):
            return actor
        try:
            service(actor, form_input(model, path))
        except BoardError as error:
            flash(error.message, "error")
        return redirect(back_to(form.back, code, path))

    view.__doc__ = action.summary
    return view


def register_forms(blueprint: Blueprint, handlers: dict[str, Callable[..., Any]]) -> None:
    """Register the blueprint's form routes from the action table."""
    for binding in BINDINGS:
        form = binding.form
        if form is None or form.blueprint != blueprint.name:
            continue
        blueprint.add_url_rule(
            form.path,
            endpoint=binding.endpoint(form.endpoint),
            view_func=handlers.get(binding.name) or _form_view(binding),
            methods=["POST"],
        )


@HANDLERS.handles("post.report")
def report_post(code: str, post_id: int) -> Response:
    """Report someone's post to the facilitators (``op_id``, ``reason``)."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        moderation.report_post(actor, form_input(inputs.ReportPost, {"post_id": post_id}))
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(gettext("Thanks — a facilitator will look at it"), "info")
    return redirect(back_to("card", code, {"post_id": post_id}))


@HANDLERS.handles("projector.link")
def make_projector_link(code: str) -> Response:
    """Make the view-only projector link; the console shows it and its QR code once."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        made = projector_links.make_projector_link(actor, form_input(inputs.NewProjectorLink, {}))
    except BoardError as error:
        flash(error.message, "error")
        return redirect(back_to("console#projector", code, {}))
    url = url_for("pages.projector_screen", code=made.board_code, token=made.token)
    session[PROJECTOR_LINK_KEY] = public_url(url)
    return redirect(back_to("console#projector", code, {}))


def projector_link_shown(url: str) -> dict[str, Any]:
    """A new projector link as the console shows it: the address and its QR code, drawn
    here (the link is a secret: no route serves its QR code)."""
    label = gettext("QR code of the projector link")
    svg = segno.make(url, error="m").svg_inline(
        scale=5, border=3, dark="#000", light="#fff", svgclass="projector-qr-code", title=label
    )
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return {"url": url, "qr": Markup(svg)}  # segno's own markup; the label escaped


@HANDLERS.handles("facilitator.invite")
def invite_facilitator(code: str) -> Response:
    """Invite a co-facilitator (``display_name``); the console shows their link once."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    try:
        entry = moderation.invite_facilitator(actor, form_input(inputs.InviteFacilitator, {}))
    except BoardError as error:
        flash(error.message, "error")
        return redirect(back_to("console#invite", code, {}))
    session[CO_FACILITATOR_LINK_KEY] = {
        "name": entry.participant["name"],
        "url": public_url(url_for("pages.enter", code=entry.board_code, token=entry.token)),
    }
    return redirect(back_to("console#invite", code, {}))


def _when(at: str | None) -> str:
    """A log time for people: day, month and time (UTC, as the column says)."""
    if not at:
        return ""
    return format_datetime(datetime.fromisoformat(at), "d MMM y, HH:mm")


@bp.get("/b/<code>/facilitate")
def facilitate(code: str) -> Response | str | tuple[str, int]:
    """The facilitator console: co-facilitators and their links, hidden posts, the log."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    snapshot = boards.snapshot(actor)
    if snapshot["me"]["role"] != "facilitator":
        db.session.remove()
        return render_template("forbidden.html", board=snapshot["board"]), 403
    team = moderation.facilitators(actor)
    entries = moderation.moderation_log(actor)
    hidden = feed.hidden_posts(actor)
    projector_in_use = projector_links.has_projector_link(actor)
    titles = feed.post_titles(actor, sorted({e["post_id"] for e in entries if e["post_id"]}))
    db.session.remove()
    people = {p["id"]: p for p in team}
    log = [
        {
            **entry,
            "when": _when(entry["at"]),
            "what": ACTION_LABELS.get(entry["action"], entry["action"]),
            "post": {"title": titles[entry["post_id"]]} if entry["post_id"] in titles else None,
            "person": people.get(entry["participant_id"]) if entry["participant_id"] else None,
            "why": REASON_LABELS.get(entry["reason"], entry["reason"]) if entry["reason"] else "",
        }
        for entry in reversed(entries)
    ]
    return render_template(
        "facilitate.html",
        snapshot=snapshot,
        board=snapshot["board"],
        me=snapshot["me"],
        summary=snapshot["moderation"],
        hidden_posts=hidden,
        team=team,
        log=log,
        new_link=session.pop(CO_FACILITATOR_LINK_KEY, None),
        projector_in_use=projector_in_use,
        new_projector_link=projector_link_shown(url)
        if (url := session.pop(PROJECTOR_LINK_KEY, None))
        else None,
    )


@bp.get("/b/<code>/offers")
def offers(code: str) -> Response | tuple[str, int] | str:
    """The offers directory: skills, tools and needs, by kind, theme and words; no JS needed."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    board = boards.board_info(code)
    asked = {k: v for k, v in request.args.items() if k in ("kind", "tag", "q") and v}
    try:
        wanted = inputs.OfferSearch.parse(asked).given()
    except BoardError as error:
        return render_template(
            "offers.html", board=board, found=[], wanted=asked, error=error
        ), error.status
    found = offer_service.search_offers(actor, **wanted)
    db.session.remove()
    return render_template("offers.html", board=board, found=found, wanted=wanted)


@bp.get("/b/<code>/groups/<int:group_id>")
def group(code: str, group_id: int) -> Response | str:
    """A group: its idea, coordinator, members, offers and thread; group.js keeps it live."""
    actor = _actor_or_join(code)
    if isinstance(actor, Response):
        return actor
    # The seq first: it is where the live script starts, so events after it that the
    # group below already shows are applied again (harmlessly), never missed.
    around = boards.frame(actor)
    try:
        page = groups.group_page(actor, group_id)
    except BoardError as error:
        if error.code == "group_not_found":
            abort(404)
        raise
    db.session.remove()
    return render_template(
        "group.html",
        board=around["board"],
        me=around["me"],
        seq=around["seq"],
        group=page["group"],
        idea=page["idea"],
        messages=page["messages"],
    )


register_forms(bp, HANDLERS)
