"""Every action the board offers, once: the service it runs and where clients reach it.

The service declares what the action is (its name, its input model, who may take it: see
board.services.commands); a row here binds it to a Socket.IO event, a JSON API route under
/api/v1 and a no-JavaScript form route. board.web.sockets, board.web.api and the pages
register their handlers from this table, the generic way (parse the input, call the
service, answer) unless a transport names its own handler for the action; docs/API.md's
reference tables are generated from it (``flask --app wsgi board docs``).

Adding an action: declare the service (``@board_write("thing.do")``), add a row here, and
write its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from board import inputs
from board.services import (
    boards,
    feed,
    groups,
    links,
    moderation,
    offers,
    posts,
    privacy,
    projector,
    proposals,
    results,
    similar,
    transfer,
    webhooks,
    workshop,
)
from board.services.commands import Action

#: Where a form sends the browser afterwards: (board code, the route's ids) -> an anchor
#: on the board page, or a named place (see board.web.pages.back_to).
Back = str


@dataclass(frozen=True)
class Http:
    """A JSON API route: ``method`` and ``path`` under /api/v1 (Flask's rule syntax)."""

    method: str
    path: str
    status: int = 200
    #: The answer goes under this key ({"proposal": ...}); None: the answer as it is.
    key: str | None = None
    #: The Flask endpoint (url_for name) when it is not the service's name.
    endpoint: str | None = None


@dataclass(frozen=True)
class Form:
    """A no-JavaScript form route of the pages (POST), which comes back to a page."""

    path: str
    #: Where to go afterwards: "card" (the post's card), "feed", "group", "group#thread",
    #: "console#team", ... (board.web.pages.back_to reads it).
    back: Back = "feed"
    endpoint: str | None = None
    blueprint: str = "pages"


@dataclass(frozen=True)
class Binding:
    """One action and its bindings."""

    #: The service (with its declaration in ``service.action``), or None for an action the
    #: transport answers itself (presence, the schema file).
    service: Callable[..., Any] | None
    socket: str | None = None
    http: Http | None = None
    form: Form | None = None
    #: For an action without a service: its declaration.
    declared: Action | None = None

    @property
    def action(self) -> Action:
        """The action's declaration."""
        if self.declared is not None:
            return self.declared
        declared: Action = self.service.action  # type: ignore[union-attr]
        return declared

    @property
    def name(self) -> str:
        return self.action.name

    def endpoint(self, given: str | None) -> str:
        """The url_for name of a route: the one given, else the service's own name."""
        if given:
            return given
        if self.service is None:
            return self.name.replace(".", "_")
        return self.service.__name__


B = "/boards/<code>"
P = "/b/<code>"

BINDINGS: tuple[Binding, ...] = (
    # Boards and people
    Binding(
        boards.create_board,
        http=Http("POST", "/boards", 201),
        form=Form("/boards"),
    ),
    Binding(boards.board_info, http=Http("GET", B, key="board")),
    Binding(
        boards.join_board,
        http=Http("POST", f"{B}/participants", 201, endpoint="join"),
        form=Form(f"{P}/join"),
    ),
    Binding(
        None,
        form=Form(f"{P}/enter/<token>", endpoint="enter_confirm"),
        declared=Action(
            "board.enter",
            None,
            "anyone",
            "Switch this browser to a personal link's participant once its page has asked "
            "(opening the link signs in directly when the browser holds nobody else).",
            True,
        ),
    ),
    Binding(boards.snapshot, http=Http("GET", f"{B}/snapshot")),
    Binding(
        feed.posts_page,
        socket="posts.page",
        http=Http("GET", f"{B}/posts", endpoint="board_posts"),
    ),
    Binding(boards.events_since, http=Http("GET", f"{B}/events", key="events")),
    Binding(
        None,
        http=Http("GET", f"{B}/presence", endpoint="board_presence"),
        declared=Action(
            "board.presence",
            None,
            "participant",
            "How many people are connected to the board now (this server process).",
            False,
        ),
    ),
    Binding(
        None,
        socket="subscribe",
        declared=Action(
            "board.subscribe",
            inputs.Subscribe,
            "participant",
            "Join a board's live feed; catch up from `since` or start from a snapshot.",
            False,
        ),
    ),
    Binding(
        None,
        socket="unsubscribe",
        declared=Action(
            "board.unsubscribe", None, "participant", "Leave a board's live feed.", False
        ),
    ),
    # Posts
    Binding(
        posts.create_post,
        socket="post.create",
        http=Http("POST", f"{B}/posts", 201),
        form=Form(f"{P}/posts"),
    ),
    Binding(
        similar.similar_posts,
        http=Http("GET", f"{B}/posts/similar", key="similar", endpoint="similar_posts"),
    ),
    Binding(
        posts.update_post,
        socket="post.update",
        http=Http("PATCH", f"{B}/posts/<int:post_id>"),
        form=Form(f"{P}/posts/<int:post_id>/edit", back="card"),
    ),
    Binding(
        posts.delete_post,
        socket="post.delete",
        http=Http("DELETE", f"{B}/posts/<int:post_id>"),
        form=Form(f"{P}/posts/<int:post_id>/delete"),
    ),
    Binding(
        posts.toggle_support,
        socket="support.toggle",
        http=Http("POST", f"{B}/posts/<int:post_id>/support"),
        form=Form(f"{P}/posts/<int:post_id>/support"),
    ),
    Binding(
        posts.add_comment,
        socket="comment.create",
        http=Http("POST", f"{B}/posts/<int:post_id>/comments", 201),
        form=Form(f"{P}/posts/<int:post_id>/comments", back="card"),
    ),
    # Offers, helpers and groups
    Binding(offers.search_offers, http=Http("GET", f"{B}/offers", key="offers", endpoint="offers")),
    Binding(
        offers.suggest_offers,
        http=Http(
            "GET", f"{B}/posts/<int:post_id>/suggestions", key="suggestions", endpoint="suggestions"
        ),
    ),
    Binding(
        links.link_help,
        socket="link.create",
        http=Http("POST", f"{B}/posts/<int:post_id>/helpers", 201),
        form=Form(f"{P}/posts/<int:post_id>/helpers", back="card"),
    ),
    Binding(
        links.unlink_help,
        socket="link.remove",
        http=Http("DELETE", f"{B}/helpers/<int:link_id>"),
        form=Form(f"{P}/helpers/<int:link_id>/remove"),
    ),
    Binding(
        groups.join_group,
        socket="group.join",
        http=Http("POST", f"{B}/posts/<int:post_id>/group", 201),
        form=Form(f"{P}/posts/<int:post_id>/group", back="card"),
    ),
    Binding(
        groups.groups_of_board,
        http=Http("GET", f"{B}/groups", key="groups", endpoint="board_groups"),
    ),
    Binding(groups.group_page, http=Http("GET", f"{B}/groups/<int:group_id>", endpoint="group")),
    Binding(
        groups.leave_group,
        socket="group.leave",
        http=Http("POST", f"{B}/groups/<int:group_id>/leave"),
        form=Form(f"{P}/groups/<int:group_id>/leave", back="feed|group"),
    ),
    Binding(
        groups.hand_over,
        socket="group.hand_over",
        http=Http("POST", f"{B}/groups/<int:group_id>/coordinator"),
        form=Form(f"{P}/groups/<int:group_id>/coordinator", back="group#members"),
    ),
    Binding(
        groups.rename_group,
        socket="group.rename",
        http=Http("PATCH", f"{B}/groups/<int:group_id>"),
        form=Form(f"{P}/groups/<int:group_id>/name", back="group"),
    ),
    Binding(
        groups.post_message,
        socket="group.message",
        http=Http(
            "POST", f"{B}/groups/<int:group_id>/messages", 201, endpoint="post_group_message"
        ),
        form=Form(
            f"{P}/groups/<int:group_id>/messages",
            back="group#thread",
            endpoint="post_group_message",
        ),
    ),
    # Moderation
    Binding(
        moderation.hide_post,
        socket="post.hide",
        http=Http("POST", f"{B}/posts/<int:post_id>/hide"),
        form=Form(f"{P}/posts/<int:post_id>/hide", back="card"),
    ),
    Binding(
        moderation.restore_post,
        socket="post.restore",
        http=Http("POST", f"{B}/posts/<int:post_id>/restore"),
        form=Form(f"{P}/posts/<int:post_id>/restore", back="card|console#hidden"),
    ),
    Binding(
        moderation.approve_post,
        socket="post.approve",
        http=Http("POST", f"{B}/posts/<int:post_id>/approve"),
    ),
    Binding(
        moderation.reject_post,
        socket="post.reject",
        http=Http("POST", f"{B}/posts/<int:post_id>/reject"),
    ),
    Binding(
        moderation.merge_posts,
        socket="post.merge",
        http=Http("POST", f"{B}/posts/<int:post_id>/merge", endpoint="merge_post"),
    ),
    Binding(
        moderation.pin_post, socket="post.pin", http=Http("POST", f"{B}/posts/<int:post_id>/pin")
    ),
    Binding(
        moderation.report_post,
        socket="post.report",
        http=Http("POST", f"{B}/posts/<int:post_id>/reports"),
        form=Form(f"{P}/posts/<int:post_id>/report", back="card"),
    ),
    Binding(
        moderation.mute_participant,
        socket="participant.mute",
        http=Http("POST", f"{B}/participants/<int:participant_id>/mute"),
    ),
    Binding(
        moderation.remove_participant,
        socket="participant.remove",
        http=Http("DELETE", f"{B}/participants/<int:participant_id>"),
    ),
    Binding(
        moderation.participants,
        http=Http("GET", f"{B}/participants", key="participants", endpoint="board_participants"),
    ),
    Binding(
        moderation.invite_facilitator,
        http=Http("POST", f"{B}/facilitators", 201),
        form=Form(f"{P}/facilitators", back="console#invite"),
    ),
    Binding(
        moderation.revoke_facilitator,
        http=Http("DELETE", f"{B}/facilitators/<int:participant_id>"),
        form=Form(f"{P}/facilitators/<int:participant_id>/revoke", back="console#team"),
    ),
    Binding(moderation.moderation_log, http=Http("GET", f"{B}/moderation", key="log")),
    # Running the room
    Binding(workshop.update_session, socket="session.update", http=Http("PATCH", f"{B}/session")),
    Binding(workshop.set_timer, socket="timer.set", http=Http("PUT", f"{B}/timer")),
    Binding(
        workshop.spotlight,
        socket="spotlight.set",
        http=Http("PUT", f"{B}/spotlight", endpoint="set_spotlight"),
    ),
    Binding(
        workshop.place_dot,
        socket="dot.place",
        http=Http("POST", f"{B}/posts/<int:post_id>/dots"),
        form=Form(f"{P}/posts/<int:post_id>/dots", back="card"),
    ),
    Binding(
        workshop.take_back_dot,
        socket="dot.take_back",
        http=Http("DELETE", f"{B}/posts/<int:post_id>/dots"),
        form=Form(f"{P}/posts/<int:post_id>/dots/take-back", back="card"),
    ),
    Binding(
        projector.make_projector_link,
        http=Http("POST", f"{B}/projector-link", 201),
        form=Form(f"{P}/projector-link", back="console#projector"),
    ),
    Binding(
        projector.stop_projector_link,
        http=Http("DELETE", f"{B}/projector-link"),
        form=Form(f"{P}/projector-link/stop", back="console#projector"),
    ),
    Binding(results.results, http=Http("GET", f"{B}/results", endpoint="board_results")),
    Binding(results.fairness, http=Http("GET", f"{B}/fairness", endpoint="board_fairness")),
    # Proposals: the group's side
    Binding(
        proposals.promote,
        http=Http("POST", f"{B}/posts/<int:post_id>/proposal", 201),
        form=Form(f"{P}/posts/<int:post_id>/proposal", blueprint="proposal_pages"),
    ),
    Binding(
        proposals.board_proposals,
        http=Http("GET", f"{B}/proposals", key="proposals"),
    ),
    Binding(
        proposals.proposal_detail,
        http=Http("GET", f"{B}/proposals/<int:proposal_id>", key="proposal"),
    ),
    Binding(
        proposals.update,
        http=Http("PATCH", f"{B}/proposals/<int:proposal_id>", endpoint="update_proposal"),
        form=Form(
            f"{P}/proposals/<int:proposal_id>/edit",
            endpoint="save_proposal",
            blueprint="proposal_pages",
        ),
    ),
    Binding(
        proposals.submit,
        http=Http("POST", f"{B}/proposals/<int:proposal_id>/submit", endpoint="submit_proposal"),
    ),
    Binding(
        proposals.withdraw,
        http=Http(
            "POST", f"{B}/proposals/<int:proposal_id>/withdraw", endpoint="withdraw_proposal"
        ),
        form=Form(
            f"{P}/proposals/<int:proposal_id>/withdraw",
            endpoint="withdraw_proposal",
            blueprint="proposal_pages",
        ),
    ),
    Binding(
        proposals.volunteer_contact,
        http=Http("POST", f"{B}/proposals/<int:proposal_id>/contact", endpoint="proposal_contact"),
        form=Form(
            f"{P}/proposals/<int:proposal_id>/contact",
            endpoint="proposal_contact",
            blueprint="proposal_pages",
        ),
    ),
    Binding(
        proposals.set_named,
        http=Http("POST", f"{B}/groups/<int:group_id>/named", endpoint="named_in_proposal"),
        form=Form(f"{P}/groups/<int:group_id>/named", endpoint="named", blueprint="proposal_pages"),
    ),
    Binding(
        proposals.export_for,
        http=Http("GET", f"{B}/proposals/<int:proposal_id>/export", endpoint="export_proposal"),
    ),
    Binding(
        webhooks.deliveries,
        http=Http("GET", f"{B}/webhooks", key="deliveries", endpoint="webhook_log"),
    ),
    Binding(
        None,
        http=Http("GET", "/schema/proposal-1.0.json", endpoint="proposal_schema"),
        declared=Action(
            "proposal.schema",
            None,
            "anyone",
            "The JSON Schema every proposal export validates against.",
            False,
        ),
    ),
    # Proposals: the council's side
    Binding(
        proposals.officer_proposals,
        http=Http("GET", "/officer/proposals", key="proposals"),
    ),
    Binding(
        proposals.officer_proposal,
        http=Http("GET", "/officer/proposals/<int:proposal_id>", key="proposal"),
    ),
    Binding(
        proposals.officer_move,
        http=Http(
            "POST",
            "/officer/proposals/<int:proposal_id>/transitions",
            key="proposal",
            endpoint="officer_transition",
        ),
        form=Form(
            "/officer/proposals/<int:proposal_id>/transitions",
            endpoint="officer_record",
            blueprint="proposal_pages",
        ),
    ),
    Binding(
        None,
        form=Form("/officer/sign-in", endpoint="officer_sign_in", blueprint="proposal_pages"),
        declared=Action(
            "officer.sign_in",
            None,
            "anyone",
            "Sign in on the officer page with an officer token "
            "(the browser keeps a session handle, not the token).",
            True,
        ),
    ),
    Binding(
        None,
        form=Form("/officer/sign-out", endpoint="officer_sign_out", blueprint="proposal_pages"),
        declared=Action(
            "officer.sign_out", None, "officer", "End this browser's officer session.", True
        ),
    ),
    # People's rights over their data
    Binding(privacy.my_data, http=Http("GET", f"{B}/me/data")),
    Binding(
        privacy.erase_me,
        http=Http("POST", f"{B}/me/erase"),
        form=Form(f"{P}/privacy/erase", blueprint="privacy_pages"),
    ),
    # Moving a board between instances
    Binding(transfer.export_board, http=Http("GET", f"{B}/export")),
    Binding(
        transfer.import_json, http=Http("POST", "/boards/import", 201, endpoint="import_board")
    ),
)


BY_NAME: dict[str, Binding] = {binding.name: binding for binding in BINDINGS}


class Handlers(dict[str, Callable[..., Any]]):
    """A transport's own handlers for the actions it answers in more than the generic way."""

    def handles(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Answer action ``name`` with the decorated function."""
        if name not in BY_NAME:
            raise KeyError(f"no action {name!r} in the action table")

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            self[name] = view
            return view

        return register


#: Blueprints whose non-GET routes are forms, and the API's prefix.
FORM_BLUEPRINTS = ("pages", "proposal_pages", "results_pages", "privacy_pages")
API_PREFIX = "/api/v1"
#: Socket.IO's own events, not actions.
SOCKET_LIFECYCLE = frozenset({"connect", "disconnect", "*"})


def unbound(app: Any, socket_events: set[str]) -> list[str]:
    """Every API route, form route and socket event that no row of the table declares."""
    api = {(API_PREFIX + b.http.path, b.http.method) for b in BINDINGS if b.http}
    forms = {b.form.path for b in BINDINGS if b.form}
    sockets = {b.socket for b in BINDINGS if b.socket}
    found: list[str] = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0] if "." in rule.endpoint else ""
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        if rule.rule.startswith(API_PREFIX + "/") or blueprint == "api":
            found += [f"{m} {rule.rule}" for m in methods if (rule.rule, m) not in api]
        elif (
            (blueprint in FORM_BLUEPRINTS or (not blueprint and rule.endpoint != "static"))
            and methods != ["GET"]
            and rule.rule not in forms
        ):
            found.append(f"form {' '.join(methods)} {rule.rule}")
    found += [f"socket {name}" for name in sorted(socket_events - SOCKET_LIFECYCLE - sockets)]
    return found
