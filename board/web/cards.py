"""Post cards: the card view (a plain dict) and its render with templates/cards/post.mustache.

static/js/card_view.js computes the same view from the same inputs and static/js/render.js
renders the same template, so a card drawn by the page and one drawn live are the same
markup; tests/fixtures/card_views.json holds inputs and views both sides must reproduce.

Inputs (JSON-shaped, as the browser has them):
``post``: the post's public shape. ``viewer``: who looks and how the room runs, for this
post: ``me`` ({id, role, anonymous}), ``blocked`` ("closed" / "locked" / "removed" / none),
``muted``, ``phase``, ``my_dots`` (mine on this post), ``spotlight_id``, ``group`` (the
idea's group in full, or none), ``my_offers`` ([{id, title}]), ``proposal`` (the idea's
proposal to show, or none), ``reasons`` and ``report_reasons``, ``board_url``, ``api_url``,
``csrf``, ``op_seed`` (the page's: op ids are ``<seed>-<post id>-<form>``, new each page),
``lang``, ``dots_left`` (the viewer's dots still to place, or none when not known).
``ui``: what only a live page knows (writes in flight, open forms, the card's view open,
new since the last visit); empty on the server. ``strings``: the JS catalogue
(board.js_strings).

A card is light: what it shows at once is short, and the rest (comments, helpers, the
group, moderation, edit, delete, report) is its view, opened on demand.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import chevron
from babel import Locale
from babel.dates import format_date

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "cards" / "post.mustache"

#: The catalogue's words a card shows as they are (the same list as card_view.js's).
LABELS = [
    "hidden_label",
    "pinned",
    "new_badge",
    "when_label",
    "support",
    "edit",
    "delete",
    "sending",
    "restore",
    "hide",
    "why_hide",
    "hide_note",
    "optional",
    "hide_send",
    "cancel",
    "approve",
    "reject",
    "why_reject",
    "reject_note",
    "reject_send",
    "place_dot",
    "take_back_dot",
    "who_can_help",
    "just_me_helper",
    "withdraw_help",
    "can_help",
    "how_help",
    "offer_help",
    "group_label",
    "group_closed",
    "leave_group",
    "group_name_label",
    "group_name_hint",
    "im_in",
    "suggested_helpers",
    "browse_offers",
    "add_comment",
    "send",
    "report",
    "report_why",
    "report_send",
    "report_thanks",
    "card_decision_heading",
    "card_decision_reasons",
    "card_decision_conditions",
    "card_decision_more",
    "card_proposal_see",
    "close_card",
]
OUTCOMES = ("accepted", "accepted_with_conditions", "declined", "referred")
PROPOSAL_LINES = ("draft", "submitted", "received", "under_review", "withdrawn")
#: How much of a decision's reasons and conditions a card shows; the proposal page has all.
DECISION_SHORT = 160
OFFER_KINDS = ("skill", "tool", "need")
#: A body longer than this (or of more lines) is clamped on the card, with "Read more".
LONG_BODY = 70
LONG_LINES = 2


@cache
def template() -> str:
    """The card template's text (also put in the page for render.js), without its comments:
    they draw nothing, and every page would carry them."""
    return re.sub(r"\{\{!.*?\}\}\n?", "", TEMPLATE.read_text(encoding="utf-8"), flags=re.S)


@cache
def _tokens() -> tuple[tuple[str, str], ...]:
    """The template read once: chevron would otherwise parse it again for every card."""
    return tuple(chevron.tokenizer.tokenize(template()))


def render(view: dict[str, Any]) -> str:
    """The card's HTML for `view`."""
    return chevron.render(_tokens(), view)


class Words:
    """``t`` and ``tn`` of static/js/i18n.js over a catalogue: {name} filled, plurals by CLDR."""

    #: The last few made (``of``): a page's cards share one, and its labels.
    _made: dict[tuple[int, str], Words] = {}

    def __init__(self, strings: dict[str, str], lang: str = "en") -> None:
        self.strings = strings
        self.lang = lang
        self._labels: dict[str, str] | None = None
        try:
            self.locale: Locale | None = Locale.parse(lang.replace("-", "_"))
        except (ValueError, TypeError):
            self.locale = None

    @classmethod
    def of(cls, strings: dict[str, str], lang: str) -> Words:
        """The words over this very catalogue (the same dict) and language, made once."""
        key = (id(strings), lang)
        made = cls._made.get(key)
        if made is None or made.strings is not strings:
            if len(cls._made) > 32:
                cls._made.clear()
            made = cls._made[key] = cls(strings, lang)
        return made

    def labels(self) -> dict[str, str]:
        """Every card's fixed labels (LABELS) in this catalogue; the same dict each time."""
        if self._labels is None:
            self._labels = {key: self.t(key) for key in LABELS}
        return self._labels

    def t(self, key: str, **params: Any) -> str:
        text = self.strings.get(key, key)
        return re.sub(
            r"\{(\w+)\}",
            lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0),
            text,
        )

    def tn(self, key: str, count: int, **params: Any) -> str:
        one = self.locale.plural_form(count) == "one" if self.locale else count == 1
        return self.t(f"{key}_{'one' if one else 'other'}", count=count, **params)

    def reason(self, reason: str | None) -> str:
        """A moderation reason in words (moderation.js's reasonLabel)."""
        if not reason:
            return ""
        key = "reason_" + re.sub(r"[^a-z0-9]+", "_", reason.lower())
        return self.strings.get(key, reason)

    def day(self, value: str | None) -> str:
        """A YYYY-MM-DD date as people read it ("3 December 2026"), else as it came."""
        raw = value or ""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return raw
        try:
            return format_date(date.fromisoformat(raw), "d MMMM y", locale=self.locale or "en")
        except ValueError:
            return raw


def short(text: str | None, length: int = DECISION_SHORT) -> str:
    """At most `length` characters, cut at a word, with "…" (render.js's shortText)."""
    value = text or ""
    if len(value) <= length:
        return value
    cut = value[: length - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= 0 else cut) + "…"


def members_text(words: Words, group: dict[str, Any] | None, fallback: int = 0) -> str:
    """ "1 member: Tomasz" / "3 members: Tomasz, Aisha, 1 anonymous member"."""
    count = len(group.get("member_ids") or []) if group else fallback
    text = words.tn("members", count)
    if not group:
        return text
    names = [p.get("name") or words.t("anonymous") for p in group.get("members") or []]
    if not names:
        return text
    if group.get("anonymous_members"):
        names.append(words.tn("anonymous_members", group["anonymous_members"]))
    return f"{text}: {', '.join(names)}"


def is_long(body: str) -> bool:
    """Whether a body is more than the card's first lines (render.js's isLong)."""
    return len(body) > LONG_BODY or body.count("\n") >= LONG_LINES


def counts_text(words: Words, post: dict[str, Any]) -> str:
    """ "2 comments · 1 can help": what the card's view holds, counted on the card."""
    parts = []
    comments = len(post.get("comments") or [])
    if comments:
        parts.append(words.tn("comment_count", comments))
    helpers = len(post.get("helpers") or []) if post["kind"] in ("idea", "need") else 0
    if helpers:
        parts.append(words.tn("helper_count", helpers))
    return " · ".join(parts)


def _name(person: dict[str, Any] | None, words: Words) -> str:
    return (person or {}).get("name") or words.t("anonymous")


def _reasons(words: Words, reasons: list[str]) -> list[dict[str, str]]:
    return [{"value": r, "label": words.reason(r)} for r in reasons]


def card_view(
    post: dict[str, Any],
    viewer: dict[str, Any],
    strings: dict[str, str],
    ui: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the card template shows of `post` to `viewer` (see the module's docstring)."""
    ui = ui or {}
    pending = ui.get("pending") or {}
    words = Words.of(strings, viewer.get("lang") or "en")
    me = viewer["me"]
    pid = post["id"]
    kind = post["kind"]
    state = post.get("state") or "visible"
    moderates = me.get("role") == "facilitator"
    hidden = bool(post.get("hidden"))
    is_open = state == "visible" and not hidden
    mine = (post.get("author") or {}).get("id") == me["id"]
    blocked = bool(viewer.get("blocked"))
    board_url = viewer["board_url"]
    url = f"{board_url}/posts/{pid}"

    classes = ["post", f"post-{kind}"]
    for flag, name in (
        (ui.get("new"), "is-new-since-visit"),
        (pending.get("edit"), "is-updating"),
        (ui.get("editing"), "is-editing"),
        (ui.get("viewing"), "is-open"),
        (hidden and moderates, "is-hidden"),
        (state != "visible", f"is-{state}"),
        (post.get("pinned"), "is-pinned"),
        (viewer.get("spotlight_id") == pid, "is-spotlit"),
    ):
        if flag:
            classes.append(name)

    state_note = None
    if state in ("rejected", "pending", "silent"):
        if state == "rejected":
            text = words.t("state_rejected", reason=words.reason(post.get("rejected_reason")))
        else:
            text = words.t(f"state_{state}" if mine else f"state_{state}_staff")
        note = post.get("rejected_note") if state == "rejected" else None
        state_note = {"state": state, "text": text, "note": note or ""}

    confirmed = me["id"] in (post.get("supporter_ids") or [])
    wanted = pending.get("supported")
    count = post.get("support_count") or 0
    if wanted is None:
        support = {"pressed": confirmed, "count": count, "sending": False}
    else:
        delta = 0 if wanted == confirmed else 1 if wanted else -1
        support = {"pressed": wanted, "count": count + delta, "sending": True}

    status = ""
    if pending.get("deleting"):
        status = words.t("deleting")
    elif pending.get("edit"):
        status = words.t("sending")

    body = post.get("body") or ""
    dots = _dots(post, viewer, ui, words, is_open)
    view: dict[str, Any] = {
        "id": pid,
        "class": " ".join(classes),
        "op": f"{viewer['op_seed']}-{pid}",
        "op_seed": viewer["op_seed"],
        "csrf": viewer.get("csrf") or "",
        "url": url,
        "board_url": board_url,
        "api_url": viewer["api_url"],
        "t": words.labels(),
        "hidden_note": words.reason(post["hidden"].get("reason")) if hidden and moderates else "",
        "state_note": state_note,
        "pinned": bool(post.get("pinned")),
        "is_new": bool(ui.get("new")),
        "kind_label": words.t(f"kind_{kind}"),
        "tag": post.get("tag") or "",
        "title": post["title"],
        "post_title": post["title"],
        "body": body,
        "long": is_long(body),
        "counts": counts_text(words, post),
        "viewing": "true" if ui.get("viewing") else "false",
        "open_label": words.t("read_more" if is_long(body) else "open_card"),
        "when": (post.get("availability") or "") if kind in OFFER_KINDS else "",
        "author": words.t("entered_for", name=post["on_behalf_of"])
        if post.get("on_behalf_of")
        else _name(post.get("author"), words),
        "status": status,
        "proposal": _proposal(post, viewer, words),
        "open": is_open,
        "support": {
            "class": "support is-sending" if support["sending"] else "support",
            "pressed": "true" if support["pressed"] else "false",
            "count": support["count"],
        },
        "blocked": blocked,
        "can_edit": mine and state != "rejected",
        "can_delete": mine or moderates,
        "moderation": _moderation(post, viewer, ui, words),
        "dots": dots,
        "dot_first": bool(dots and dots["prioritising"]),
        "together": is_open and kind in ("idea", "need"),
        "helpers": [],
        "help": None,
        "group": None,
        "comments": {
            "box_hidden": not is_open and not post.get("comments"),
            "list": [
                {"comment_id": c["id"], "who": _name(c.get("author"), words), "text": c["body"]}
                for c in post.get("comments") or []
            ],
            "sending": [
                {"op_id": op["op_id"], "who": _name(me, words), "text": op["body"]}
                for op in pending.get("comments") or []
            ],
            "label": words.t("comment_on", title=post["title"]),
            "silenced": blocked or bool(viewer.get("muted")),
        },
        "report": _report(post, viewer, ui, words, is_open, mine, moderates),
    }
    if view["together"]:
        unlinking = pending.get("unlinking") or []
        view["helpers"] = [
            {
                "link_id": link["id"],
                "name": _name(link.get("helper"), words),
                "offer": {
                    "title": link["offer"]["title"],
                    "availability": link["offer"].get("availability") or "",
                }
                if link.get("offer")
                else None,
                "unlink": (link.get("helper") or {}).get("id") == me["id"]
                and link["id"] not in unlinking,
                "unlinking": link["id"] in unlinking,
            }
            for link in post.get("helpers") or []
        ]
        view["help"] = _help(post, viewer, ui, words)
        view["group"] = _group(post, viewer, ui, words)
    return view


def _proposal(post: dict[str, Any], viewer: dict[str, Any], words: Words) -> dict[str, Any] | None:
    proposal = viewer.get("proposal")
    if post["kind"] != "idea" or not proposal:
        return None
    href = f"{viewer['board_url']}/proposals/{proposal['id']}"
    decision = proposal.get("decision") if proposal.get("state") == "decided" else None
    if decision:
        outcome = decision.get("outcome") or ""
        return {
            "decided": True,
            "proposal_id": proposal["id"],
            "href": href,
            "outcome": outcome,
            "outcome_label": words.t(f"card_outcome_{outcome}") if outcome in OUTCOMES else outcome,
            "meta": words.t(
                "card_decision_meta",
                date=words.day(decision.get("date")),
                maker=decision.get("decision_maker") or "",
            ),
            "reasons": short(decision.get("reasons")),
            "conditions": short(decision.get("conditions")),
        }
    if proposal.get("state") not in PROPOSAL_LINES:
        return None
    return {
        "decided": False,
        "proposal_id": proposal["id"],
        "href": href,
        "state": proposal["state"],
        "line": words.t(f"card_proposal_{proposal['state']}"),
    }


def _moderation(
    post: dict[str, Any], viewer: dict[str, Any], ui: dict[str, Any], words: Words
) -> dict[str, Any] | None:
    if viewer["me"].get("role") != "facilitator" or post.get("state") == "rejected":
        return None
    pending = ui.get("pending") or {}
    reasons = viewer.get("reasons") or []
    none = {"busy": False, "restore": False, "hide": None, "approval": None}
    if post.get("state") == "pending" and not post.get("hidden"):
        if pending.get("approving") or pending.get("rejecting"):
            return {**none, "busy": True}
        kept = [r for r in reasons if r != "duplicate"]
        return {**none, "approval": {"reasons": _reasons(words, kept)}}
    if pending.get("hiding") or pending.get("restoring"):
        return {**none, "busy": True}
    if post.get("hidden"):
        return {**none, "restore": True}
    expanded = "true" if ui.get("hiding") else "false"
    return {**none, "hide": {"expanded": expanded, "reasons": _reasons(words, reasons)}}


def _dots(
    post: dict[str, Any],
    viewer: dict[str, Any],
    ui: dict[str, Any],
    words: Words,
    is_open: bool,
) -> dict[str, Any] | None:
    prioritising = viewer.get("phase") == "prioritise"
    total = post.get("dot_count")
    if post["kind"] not in ("idea", "need") or not is_open or (not prioritising and not total):
        return None
    mine = max(0, (viewer.get("my_dots") or 0) + ((ui.get("pending") or {}).get("dots") or 0))
    left = viewer.get("dots_left")
    none_left = prioritising and left is not None and left <= 0
    status = []
    if total is not None:
        status.append(words.tn("dot_count", total))
    if prioritising:
        status.append(words.t("my_dots_here", count=mine))
    return {
        "mine": mine,
        "status": " · ".join(status),
        "why": words.t("no_dots_to_place") if none_left else "",
        "prioritising": prioritising,
        "off": bool(viewer.get("blocked")) or none_left,
    }


def _help(
    post: dict[str, Any], viewer: dict[str, Any], ui: dict[str, Any], words: Words
) -> dict[str, Any] | None:
    me = viewer["me"]
    helpers = post.get("helpers") or []
    linked = {link["offer"]["id"] for link in helpers if link.get("offer")}
    choices = [
        {"value": str(offer["id"]), "label": offer["title"]}
        for offer in viewer.get("my_offers") or []
        if offer["id"] not in linked
    ]
    if not any(
        not link.get("offer") and (link.get("helper") or {}).get("id") == me["id"]
        for link in helpers
    ):
        choices.append({"value": "", "label": words.t("just_me")})
    sending = bool((ui.get("pending") or {}).get("helping"))
    if not choices and not sending:
        return None
    expanded = "true" if ui.get("helping") and choices else "false"
    return {"expanded": expanded, "choices": choices, "sending": sending}


def _group(
    post: dict[str, Any], viewer: dict[str, Any], ui: dict[str, Any], words: Words
) -> dict[str, Any] | None:
    if post["kind"] != "idea":
        return None
    me = viewer["me"]
    group = viewer.get("group")
    summary = post.get("group")
    member = group is not None and me["id"] in (group.get("member_ids") or [])
    closed = bool((summary or {}).get("closed") or (group or {}).get("closed"))
    pending = ui.get("pending") or {}
    sending = bool(pending.get("joining") or pending.get("leaving"))
    anonymous = bool(me.get("anonymous"))
    naming = bool(ui.get("naming")) and anonymous
    return {
        "group_id": summary["id"] if summary else None,
        "summary": {
            "name": (group or {}).get("name") or summary["name"],
            "members": members_text(words, group, summary.get("member_count") or 0),
        }
        if summary
        else None,
        "sending": sending,
        "closed": closed and not sending,
        "leave": member and not closed and not sending,
        "join": {
            "class": "join-form is-naming" if naming else "join-form",
            "anonymous": anonymous,
        }
        if not (member or closed or sending)
        else None,
    }


def _report(
    post: dict[str, Any],
    viewer: dict[str, Any],
    ui: dict[str, Any],
    words: Words,
    is_open: bool,
    mine: bool,
    moderates: bool,
) -> dict[str, Any] | None:
    if not is_open or mine or moderates or viewer.get("blocked"):
        return None
    done = bool(ui.get("reported"))
    sending = bool((ui.get("pending") or {}).get("reporting")) and not done
    reasons = viewer.get("report_reasons") or []
    return {
        "done": done,
        "sending": sending,
        "ask": not done and not sending,
        "reasons": [
            {"value": r, "label": words.reason(r), "first": i == 0} for i, r in enumerate(reasons)
        ],
    }


def viewer_for(
    post: dict[str, Any],
    page: dict[str, Any],
    my_dots: dict[str, int],
    groups: dict[int, dict[str, Any]],
    proposals: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    """The viewer of one post: the page's, with my dots, the group and the proposal on it."""
    summary = post.get("group")
    return {
        **page,
        "my_dots": my_dots.get(str(post["id"]), 0),
        "group": groups.get(summary["id"]) if summary else None,
        "proposal": proposals.get(post["id"]),
    }
