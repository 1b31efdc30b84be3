"""Output shapes: how boards, posts, groups and proposals look on the wire.

Each shape function returns a plain dict (what snapshots, pages and events carry); the
pydantic model beside it declares that dict exactly (every key, in order, with its type),
and board.events checks every event's data against the models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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

#: A row's id (SQLite and PostgreSQL both count from 1).
Id = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]
#: A moment as ``iso`` writes it: UTC, milliseconds, "Z".
Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
#: A calendar day, YYYY-MM-DD.
Day = Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\d$")]

# The fixed sets of board.models, spelled out for type checkers (tests/test_event_types.py
# keeps them equal).
Role = Literal["participant", "facilitator"]
PostKind = Literal["idea", "skill", "tool", "need"]
PostState = Literal["visible", "pending", "rejected", "silent"]
ModerationReason = Literal["spam", "offensive", "off-topic", "personal information", "duplicate"]
ReportReason = Literal["spam", "offensive", "off-topic", "personal information"]
Phase = Literal["gather", "discuss", "prioritise", "closed"]
ProposalState = Literal["draft", "submitted", "received", "under_review", "decided", "withdrawn"]
DecisionOutcome = Literal["accepted", "accepted_with_conditions", "declined", "referred"]


def iso(moment: datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC (SQLite hands back naive datetimes, stored as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.isoformat(timespec="milliseconds") + "Z"
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Shape(BaseModel):
    """Base of the output models: undeclared keys and loose types (a "1" for 1) are errors."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )


class ParticipantOut(Shape):
    """A participant as others see them."""

    id: Id
    name: str | None
    """None for anonymous people."""
    anonymous: bool
    role: Role


def participant_out(participant: Participant) -> dict[str, Any]:
    """A participant as others see them: anonymous people have no name."""
    return {
        "id": participant.id,
        "name": None if participant.anonymous else participant.display_name,
        "anonymous": participant.anonymous,
        "role": participant.role,
    }


class CommentOut(Shape):
    """A comment with its author."""

    id: Id
    post_id: Id
    body: str
    author: ParticipantOut
    created_at: Timestamp


def comment_out(comment: Comment) -> dict[str, Any]:
    """A comment with its author."""
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "body": comment.body,
        "author": participant_out(comment.author),
        "created_at": iso(comment.created_at),
    }


class OfferBriefOut(Shape):
    """An offer as shown where it is linked."""

    id: Id
    kind: PostKind
    title: str
    tag: str | None
    availability: str | None
    author: ParticipantOut


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


class LinkOut(Shape):
    """An "I can help" on an idea or need."""

    id: Id
    target_id: Id
    """The idea or need."""
    helper: ParticipantOut
    offer: OfferBriefOut | None
    """None: the helper offered just themselves."""
    created_at: Timestamp


def link_out(link: Link) -> dict[str, Any]:
    """Who can help with an idea or need, and with which offer (None: "just me")."""
    return {
        "id": link.id,
        "target_id": link.target_id,
        "helper": participant_out(link.helper),
        "offer": offer_brief(link.offer) if link.offer else None,
        "created_at": iso(link.created_at),
    }


class GroupOut(Shape):
    """An idea's group."""

    id: Id
    idea_id: Id
    name: str
    coordinator_id: Id | None
    closed: bool
    member_ids: list[Id]
    members: list[ParticipantOut]
    """The named members; anonymous ones are only counted."""
    anonymous_members: Count
    offers: list[LinkOut]
    """Every "I can help" on the idea."""
    created_at: Timestamp
    closed_at: Timestamp | None


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


class GroupMessageOut(Shape):
    """A message in a group's thread."""

    id: Id
    group_id: Id
    body: str
    author: ParticipantOut
    created_at: Timestamp


def group_message_out(message: GroupMessage) -> dict[str, Any]:
    """A message in a group's thread."""
    return {
        "id": message.id,
        "group_id": message.group_id,
        "body": message.body,
        "author": participant_out(message.author),
        "created_at": iso(message.created_at),
    }


class HiddenOut(Shape):
    """Why and when a facilitator hid a post."""

    reason: ModerationReason | None
    """None only on a post from a board file that gave no reason."""
    at: Timestamp


class PostGroupOut(Shape):
    """The group on an idea's card."""

    id: Id
    name: str
    member_count: Count
    closed: bool


class PostOut(Shape):
    """A post as events and snapshots carry it."""

    id: Id
    kind: PostKind
    title: str
    body: str
    tag: str | None
    availability: str | None
    hidden: HiddenOut | None
    state: PostState
    """"visible", or (seen only by its author and facilitators) "pending" approval,
    "rejected", or "silent": held back until the silent brainstorm is revealed."""
    rejected_reason: ModerationReason | None
    merged_into_id: Id | None
    pinned: bool
    on_behalf_of: str | None
    """Entered by a facilitator for someone without a phone: their name."""
    dot_count: Count | None
    """None while the facilitator keeps dots hidden."""
    helpers: list[LinkOut]
    group: PostGroupOut | None
    author: ParticipantOut
    created_at: Timestamp
    updated_at: Timestamp | None
    support_count: Count
    supporter_ids: list[Id]
    comments: list[CommentOut]


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
        "state": post.state,
        "rejected_reason": post.rejected_reason,
        "merged_into_id": post.merged_into_id,
        "pinned": post.pinned_at is not None,
        "on_behalf_of": post.on_behalf_of,
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


class TimerOut(Shape):
    """A running timer: it ends at the server's ``ends_at``."""

    ends_at: Timestamp
    seconds: Count | None
    """How long it was set for (a board file may leave it out)."""


#: The fields of SessionOut, as session.changed names them.
SessionField = Literal[
    "phase",
    "locked",
    "premoderation",
    "silent",
    "dot_budget",
    "dots_hidden",
    "report_threshold",
    "slow_mode_seconds",
    "spotlight_post_id",
    "timer",
]


class SessionOut(Shape):
    """How the facilitators are running the board now."""

    phase: Phase
    locked: bool
    premoderation: bool
    silent: bool
    dot_budget: Count
    dots_hidden: bool
    report_threshold: Count
    """Reports from this many people hide a post (0: reports never hide)."""
    slow_mode_seconds: Count
    spotlight_post_id: Id | None
    timer: TimerOut | None


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


class DecisionOut(Shape):
    """The council's decision record."""

    outcome: DecisionOutcome
    date: Day | None
    decision_maker: str
    reasons: str
    conditions: str
    alternatives_rejected: str
    minutes_url: str


class ProposalPublicOut(Shape):
    """What everyone on the board sees of a proposal."""

    id: Id
    reference: str
    idea_id: Id | None
    """The idea it grew from (the proposal outlives a deleted idea)."""
    group_id: Id | None
    title: str
    short_summary: str
    state: ProposalState
    decision: DecisionOut | None
    updated_at: Timestamp


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


class ModerationSummaryOut(Shape):
    """What everyone may know about moderation (board.services.boards.moderation_summary)."""

    hidden: Count
    """Hidden posts, merged duplicates not counted."""
    by_reason: dict[ModerationReason | None, Count]
    """Hidden posts per reason, most first (None: from a board file that gave none)."""
