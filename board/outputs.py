"""Output shapes: how boards, posts, groups and proposals look on the wire."""

from __future__ import annotations

from typing import Any

from board.events import iso
from board.models import (
    Board,
    Comment,
    Group,
    GroupMessage,
    Link,
    Participant,
    Post,
    Proposal,
)


def participant_out(participant: Participant) -> dict[str, Any]:
    """A participant as others see them: anonymous people have no name."""
    return {
        "id": participant.id,
        "name": None if participant.anonymous else participant.display_name,
        "anonymous": participant.anonymous,
        "role": participant.role,
    }


def comment_out(comment: Comment) -> dict[str, Any]:
    """A comment with its author."""
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "body": comment.body,
        "author": participant_out(comment.author),
        "created_at": iso(comment.created_at),
    }


def offer_brief(post: Post) -> dict[str, Any]:
    """An offer as shown where it is linked: what, when, whose."""
    return {
        "id": post.id,
        "kind": post.kind,
        "title": post.title,
        "tag": post.tag,
        "availability": post.availability,
        "author": participant_out(post.author),
    }


def link_out(link: Link) -> dict[str, Any]:
    """Who can help with an idea or need, and with which offer (None: "just me")."""
    return {
        "id": link.id,
        "target_id": link.target_id,
        "helper": participant_out(link.helper),
        "offer": offer_brief(link.offer) if link.offer else None,
        "created_at": iso(link.created_at),
    }


def group_out(group: Group) -> dict[str, Any]:
    """A group: named members by name, anonymous ones counted, its offers and coordinator."""
    people = [m.participant for m in group.members]
    return {
        "id": group.id,
        "idea_id": group.idea_id,
        "name": group.name,
        "coordinator_id": group.coordinator_id,
        "closed": group.closed_at is not None,
        "member_ids": [p.id for p in people],
        "members": [participant_out(p) for p in people if not p.anonymous],
        "anonymous_members": sum(1 for p in people if p.anonymous),
        "offers": [link_out(link) for link in group.idea.help_links],
        "created_at": iso(group.created_at),
        "closed_at": iso(group.closed_at),
    }


def group_message_out(message: GroupMessage) -> dict[str, Any]:
    """A message in a group's thread."""
    return {
        "id": message.id,
        "group_id": message.group_id,
        "body": message.body,
        "author": participant_out(message.author),
        "created_at": iso(message.created_at),
    }


def post_out(post: Post) -> dict[str, Any]:
    """A post with its author, supporters and comments: the shape events and snapshots share."""
    supporter_ids = sorted(s.participant_id for s in post.supports)
    group = post.group
    return {
        "id": post.id,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "tag": post.tag,
        "availability": post.availability,
        "hidden": None
        if post.hidden_at is None
        else {"reason": post.hidden_reason, "at": iso(post.hidden_at)},
        # "visible", or (seen only by its author and facilitators) "pending" approval,
        # "rejected", or "silent": held back until the silent brainstorm is revealed.
        "state": post.state,
        "rejected_reason": post.rejected_reason,
        "merged_into_id": post.merged_into_id,
        "pinned": post.pinned_at is not None,
        "on_behalf_of": post.on_behalf_of,
        # None while the facilitator keeps dots hidden.
        "dot_count": None if post.board.dots_hidden else len(post.dots),
        "helpers": [link_out(link) for link in post.help_links],
        "group": None
        if group is None
        else {
            "id": group.id,
            "name": group.name,
            "member_count": len(group.members),
            "closed": group.closed_at is not None,
        },
        "author": participant_out(post.author),
        "created_at": iso(post.created_at),
        "updated_at": iso(post.updated_at),
        "support_count": len(supporter_ids),
        "supporter_ids": supporter_ids,
        "comments": [comment_out(c) for c in post.comments],
    }


def session_out(board: Board) -> dict[str, Any]:
    """How the facilitators are running the board now: every screen shows this."""
    timer = None
    if board.timer_ends_at is not None:
        timer = {"ends_at": iso(board.timer_ends_at), "seconds": board.timer_seconds}
    return {
        "phase": board.phase,
        "locked": board.locked,
        "premoderation": board.premoderation,
        "silent": board.silent,
        "dot_budget": board.dot_budget,
        "dots_hidden": board.dots_hidden,
        "report_threshold": board.report_threshold,
        "slow_mode_seconds": board.slow_mode_seconds,
        "spotlight_post_id": board.spotlight_post_id,
        "timer": timer,
    }


def proposal_public_out(proposal: Proposal) -> dict[str, Any]:
    """What everyone on the board sees of a proposal: where it is and the council's answer."""
    return {
        "id": proposal.id,
        "reference": proposal.reference,
        "idea_id": proposal.idea_id,
        "group_id": proposal.group_id,
        "title": proposal.title,
        "short_summary": proposal.short_summary,
        "state": proposal.state,
        "decision": decision_out(proposal),
        "updated_at": iso(proposal.updated_at or proposal.created_at),
    }


def decision_out(proposal: Proposal) -> dict[str, Any] | None:
    """The council's decision record, once there is one."""
    if proposal.decision is None:
        return None
    return {
        "outcome": proposal.decision,
        "date": proposal.decision_date,
        "decision_maker": proposal.decision_maker,
        "reasons": proposal.decision_reasons,
        "conditions": proposal.conditions,
        "alternatives_rejected": proposal.alternatives_rejected,
        "minutes_url": proposal.minutes_url,
    }


def board_out(board: Board) -> dict[str, Any]:
    """A board's public description."""
    return {
        "code": board.code,
        "title": board.title,
        "prompt": board.prompt,
        "kind": board.kind,
        "tags": list(board.tags or []),
        "seq": board.last_seq,
        "created_at": iso(board.created_at),
    }
