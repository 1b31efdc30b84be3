"""Writing a board out: the complete JSON document, and a CSV of its posts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.models import (
    Board,
    Comment,
    Dot,
    Group,
    GroupMember,
    GroupMessage,
    Link,
    ModerationAction,
    Participant,
    Post,
    Proposal,
    Report,
    Support,
    utcnow,
)
from board.services import Actor
from board.services.commands import board_read
from board.services.rules import require_facilitator
from board.spreadsheet import safe_cell
from board.storage import read_snapshot

FORMAT = "common-ground-board"
VERSION = 1

CSV_COLUMNS = (
    "id",
    "kind",
    "state",
    "title",
    "body",
    "tag",
    "availability",
    "author",
    "on_behalf_of",
    "created_at",
    "supports",
    "dots",
    "comments",
    "helpers",
    "group",
    "hidden_reason",
    "pinned",
)

#: A database id as a reference inside the file (None for a row the file does not hold).
Reference = Callable[[int | None], int | None]


def _time(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with every digit kept (SQLite hands back naive UTC datetimes)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@board_read("board.export", who="facilitator")
def export_board(actor: Actor) -> dict[str, Any]:
    """The whole board as one JSON-ready document (facilitators only)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        return _document(session, session.get_one(Board, actor.board_id))


def _document(session: so.Session, board: Board) -> dict[str, Any]:
    def rows(model: Any, *where: Any, join: Any = None) -> list[Any]:
        query = sa.select(model)
        if join is not None:
            query = query.join(join)
        return list(session.scalars(query.where(*where).order_by(model.id)))

    people = rows(Participant, Participant.board_id == board.id)
    posts = rows(Post, Post.board_id == board.id)
    post_ids = {p.id for p in posts}
    groups = rows(Group, Group.board_id == board.id)
    members = rows(GroupMember, Group.board_id == board.id, join=Group)
    messages = rows(GroupMessage, Group.board_id == board.id, join=Group)
    proposals = rows(Proposal, Proposal.board_id == board.id)

    person_ids = {p.id for p in people}
    # Groups have no id in the file: a proposal names its group by its place in the list.
    group_at = {g.id: n for n, g in enumerate(groups)}

    def inside(post_id: int | None) -> int | None:
        """A post id as a reference inside the file: None for a post since deleted."""
        return post_id if post_id in post_ids else None

    def person(participant_id: int | None) -> int | None:
        return participant_id if participant_id in person_ids else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "board": {
            "code": board.code,
            "title": board.title,
            "prompt": board.prompt,
            "kind": board.kind,
            "tags": list(board.tags or []),
            "created_at": _time(board.created_at),
            "phase": board.phase,
            "locked": board.locked,
            "premoderation": board.premoderation,
            "silent": board.silent,
            "dot_budget": board.dot_budget,
            "dots_hidden": board.dots_hidden,
            "report_threshold": board.report_threshold,
            "slow_mode_seconds": board.slow_mode_seconds,
            "spotlight_post_id": inside(board.spotlight_post_id),
            "timer_ends_at": _time(board.timer_ends_at),
            "timer_seconds": board.timer_seconds,
        },
        "participants": [
            {
                "id": p.id,
                "display_name": p.display_name,
                "anonymous": p.anonymous,
                "role": p.role,
                "token_hash": p.token_hash,
                "created_at": _time(p.created_at),
                "revoked_at": _time(p.revoked_at),
                "muted_at": _time(p.muted_at),
            }
            for p in people
        ],
        "posts": [
            {
                "id": p.id,
                "author_id": p.author_id,
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "tag": p.tag,
                "availability": p.availability,
                "state": p.state,
                "rejected_reason": p.rejected_reason,
                "hidden_at": _time(p.hidden_at),
                "hidden_reason": p.hidden_reason,
                "pinned_at": _time(p.pinned_at),
                "on_behalf_of": p.on_behalf_of,
                "merged": p.merged_into_id is not None,
                "merged_into_id": inside(p.merged_into_id),
                "created_at": _time(p.created_at),
                "updated_at": _time(p.updated_at),
            }
            for p in posts
        ],
        "supports": [
            {
                "post_id": s.post_id,
                "participant_id": s.participant_id,
                "created_at": _time(s.created_at),
            }
            for s in rows(Support, Post.board_id == board.id, join=Support.post)
        ],
        "dots": [
            {
                "post_id": d.post_id,
                "participant_id": d.participant_id,
                "created_at": _time(d.created_at),
            }
            for d in rows(Dot, Dot.board_id == board.id)
        ],
        "reports": [
            {
                "post_id": r.post_id,
                "participant_id": r.participant_id,
                "reason": r.reason,
                "created_at": _time(r.created_at),
            }
            for r in rows(Report, Report.board_id == board.id)
        ],
        "comments": [
            {
                "post_id": c.post_id,
                "author_id": c.author_id,
                "body": c.body,
                "created_at": _time(c.created_at),
            }
            for c in rows(Comment, Post.board_id == board.id, join=Comment.post)
        ],
        "links": [
            {
                "target_id": link.target_id,
                "offer_id": link.offer_id,
                "helper_id": link.helper_id,
                "created_at": _time(link.created_at),
            }
            for link in rows(Link, Link.board_id == board.id)
        ],
        "groups": [
            {
                "idea_id": g.idea_id,
                "name": g.name,
                "coordinator_id": g.coordinator_id,
                "created_at": _time(g.created_at),
                "closed_at": _time(g.closed_at),
                "members": [
                    {
                        "participant_id": m.participant_id,
                        "joined_at": _time(m.joined_at),
                        "named_in_proposal": m.named_in_proposal,
                    }
                    for m in members
                    if m.group_id == g.id
                ],
                "messages": [
                    {"author_id": m.author_id, "body": m.body, "created_at": _time(m.created_at)}
                    for m in messages
                    if m.group_id == g.id
                ],
            }
            for g in groups
        ],
        "proposals": [_proposal(p, inside, group_at, person) for p in proposals],
        "moderation_log": [
            {
                "actor_id": a.actor_id,
                "action": a.action,
                "post_id": inside(a.post_id),
                "participant_id": person(a.participant_id),
                "reason": a.reason,
                "note": a.note,
                "created_at": _time(a.created_at),
            }
            for a in rows(ModerationAction, ModerationAction.board_id == board.id)
        ],
    }


def _proposal(
    p: Proposal, inside: Reference, group_at: dict[int, int], person: Reference
) -> dict[str, Any]:
    """One proposal with its history: every column but the board's id."""
    return {
        "id": p.id,
        "idea_id": inside(p.idea_id),
        "group_id": group_at.get(p.group_id) if p.group_id is not None else None,
        "reference": p.reference,
        "state": p.state,
        "title": p.title,
        "short_summary": p.short_summary,
        "summary": p.summary,
        "what_we_want": p.what_we_want,
        "asks": list(p.asks or []),
        "amount_pence": p.amount_pence,
        "ask_details": p.ask_details,
        "involved": p.involved,
        "ward": p.ward,
        "address": p.address,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "capital_pence": p.capital_pence,
        "revenue_pence": p.revenue_pence,
        "cost_notes": p.cost_notes,
        "options": p.options,
        "reasons": p.reasons,
        "risks": p.risks,
        "legal": p.legal,
        "benefits": p.benefits,
        "left_out": p.left_out,
        "route": p.route,
        "contact_id": person(p.contact_id),
        "contact_name": p.contact_name,
        "contact_email": p.contact_email,
        "contact_consent": p.contact_consent,
        "created_by_id": person(p.created_by_id),
        "created_at": _time(p.created_at),
        "updated_at": _time(p.updated_at),
        "decision": p.decision,
        "decision_date": p.decision_date,
        "decision_maker": p.decision_maker,
        "decision_reasons": p.decision_reasons,
        "conditions": p.conditions,
        "alternatives_rejected": p.alternatives_rejected,
        "minutes_url": p.minutes_url,
        "transitions": [
            {
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": t.actor,
                "actor_kind": t.actor_kind,
                "note": t.note,
                "created_at": _time(t.created_at),
            }
            for t in p.transitions
        ],
    }


def export_csv(actor: Actor) -> str:
    """The board's posts as CSV, one row per post in every state (facilitators only).

    Dots are counted even while hidden from participants; cells a spreadsheet would run
    as a formula are written as text.
    """
    with read_snapshot() as session:
        require_facilitator(session, actor)
        posts = session.scalars(
            sa.select(Post)
            .where(Post.board_id == actor.board_id)
            .order_by(Post.id)
            .options(
                so.selectinload(Post.author),
                so.selectinload(Post.supports),
                so.selectinload(Post.dots),
                so.selectinload(Post.comments),
                so.selectinload(Post.help_links),
                so.selectinload(Post.group),
            )
        ).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for post in posts:
            author = post.author
            writer.writerow(
                safe_cell(cell)
                for cell in [
                    post.id,
                    post.kind,
                    post.state,
                    post.title,
                    post.body,
                    post.tag or "",
                    post.availability or "",
                    "(anonymous)" if author.anonymous else author.display_name or "",
                    post.on_behalf_of or "",
                    _time(post.created_at),
                    len(post.supports),
                    len(post.dots),
                    len(post.comments),
                    len(post.help_links),
                    post.group.name if post.group is not None else "",
                    post.hidden_reason or "",
                    "yes" if post.pinned_at is not None else "no",
                ]
            )
        return out.getvalue()
