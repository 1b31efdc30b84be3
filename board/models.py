"""Typed SQLAlchemy models: the board, its people, their posts, and the board's event log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.extensions import Base, db

if TYPE_CHECKING:
    # db.Model is a class Flask-SQLAlchemy builds at run time from Base, which a type checker
    # cannot follow; it adds nothing the models use.
    Model = Base
else:
    Model = db.Model

BOARD_KINDS = ("workshop", "neighbourhood")
POST_KINDS = ("idea", "skill", "tool", "need")
ROLES = ("participant", "facilitator")
MODERATION_REASONS = ("spam", "offensive", "off-topic", "personal information", "duplicate")
#: What a participant may report a post for.
REPORT_REASONS = ("spam", "offensive", "off-topic", "personal information")
#: A workshop's phases, in order: the facilitator switches between them.
PHASES = ("gather", "discuss", "prioritise", "closed")
#: Where a post stands: on the board for everyone, waiting for a facilitator's approval
#: (pre-moderation), not approved, or held back until the facilitator reveals the silent
#: brainstorm. Only "visible" posts are seen by everyone; the others by their author and
#: the facilitators.
POST_STATES = ("visible", "pending", "rejected", "silent")
# Ids travel to clients and into op results: SQLite must never hand a deleted row's id to
# a new one (PostgreSQL sequences never do).
NO_ID_REUSE = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Board(Model):
    """A shared space with a prompt, a join code and an event log."""

    __tablename__ = "boards"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('workshop', 'neighbourhood')", name="kind"),
        sa.CheckConstraint("last_seq >= 0", name="last_seq_not_negative"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(6), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    prompt: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="workshop")
    tags: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    # The seq of the newest event in this board's log; bumped in the same transaction.
    last_seq: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    # The session the facilitators run (board.services.workshop checks every value; the
    # columns were added to a live table, so they carry no constraints SQLite would have to
    # rebuild the table for).
    phase: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="gather", server_default="gather"
    )
    locked: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    premoderation: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    silent: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    dot_budget: so.Mapped[int] = so.mapped_column(default=3, server_default="3")
    dots_hidden: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: Reports from this many people hide a post pending review (0: reports never hide).
    report_threshold: so.Mapped[int] = so.mapped_column(default=3, server_default="3")
    #: Seconds a participant waits between two posts (0: no slow mode).
    slow_mode_seconds: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # A plain id: cleared when that post goes.
    spotlight_post_id: so.Mapped[int | None]
    timer_ends_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    timer_seconds: so.Mapped[int | None]
    # sha256 of the view-only projector link's token (board.services.projector); None: no
    # such link. The token itself is shown once, to the facilitator who made it.
    projector_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))


class Participant(Model):
    """A person on one board: a display name or anonymous, and a role."""

    __tablename__ = "participants"
    __table_args__ = (
        sa.CheckConstraint("role IN ('participant', 'facilitator')", name="role"),
        sa.CheckConstraint("anonymous OR display_name IS NOT NULL", name="named_or_anonymous"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    display_name: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    anonymous: so.Mapped[bool] = so.mapped_column(default=False)
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default="participant")
    # sha256 of the participant's secret token; the token itself is only ever shown once.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # A co-facilitator's link can be withdrawn, and a participant removed from the board:
    # from then on their link opens nothing.
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # A muted participant can read, support and place dots, but not post or comment.
    muted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Erased at their request: what they did stays, under a pseudonym, and no browser or
    # link of theirs comes in as them again.
    erased_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    board: so.Mapped[Board] = so.relationship()

    @property
    def is_facilitator(self) -> bool:
        """Whether this participant may run the board."""
        return self.role == "facilitator" and self.revoked_at is None


class Post(Model):
    """A card on the board: an idea, a skill offer, a tool offer or a need."""

    __tablename__ = "posts"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('idea', 'skill', 'tool', 'need')", name="kind"),
        sa.CheckConstraint("length(title) BETWEEN 1 AND 120", name="title_length"),
        sa.CheckConstraint("length(body) <= 2000", name="body_length"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    tag: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # Offers and needs say when, in plain words: "weekends", "Saturday mornings".
    availability: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Hidden by a facilitator (with a reason from MODERATION_REASONS): only facilitators see it.
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    state: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="visible", server_default="visible"
    )
    # Why a pre-moderated post was not approved (a moderation reason) and a note.
    rejected_reason: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    pinned_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Entered by a facilitator for someone without a phone (a paper card): their name.
    on_behalf_of: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # Merged into another post as a duplicate (it is hidden, reason "duplicate").
    merged_into_id: so.Mapped[int | None]

    author: so.Mapped[Participant] = so.relationship()
    board: so.Mapped[Board] = so.relationship()
    dots: so.Mapped[list[Dot]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Dot.id"
    )
    help_links: so.Mapped[list[Link]] = so.relationship(
        foreign_keys="Link.target_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Link.id",
    )
    group: so.Mapped[Group | None] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )
    supports: so.Mapped[list[Support]] = so.relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )
    comments: so.Mapped[list[Comment]] = so.relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Comment.id",
    )


class Support(Model):
    """One "+1" from one participant on one post."""

    __tablename__ = "supports"
    __table_args__ = (sa.UniqueConstraint("post_id", "participant_id"), NO_ID_REUSE)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    post: so.Mapped[Post] = so.relationship(back_populates="supports")


class Dot(Model):
    """One dot a participant placed on a post while prioritising (several may go on one)."""

    __tablename__ = "dots"
    __table_args__ = (sa.Index("ix_dots_board_id_participant_id", "board_id", "participant_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Report(Model):
    """A participant's report of a post, with a reason; one per person per post."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "participant_id"),
        sa.CheckConstraint(
            "reason IN ('spam', 'offensive', 'off-topic', 'personal information')",
            name="reason",
        ),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    reason: so.Mapped[str] = so.mapped_column(sa.String(40))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Comment(Model):
    """A reply on a post."""

    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint("length(body) BETWEEN 1 AND 1000", name="body_length"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    post: so.Mapped[Post] = so.relationship(back_populates="comments")
    author: so.Mapped[Participant] = so.relationship()


class Link(Model):
    """ "I can help": a person, with one of their offers or just themselves, on an idea or need."""

    __tablename__ = "links"
    __table_args__ = (
        # One link per offer per target, and one "just me" link per person per target.
        sa.UniqueConstraint("target_id", "offer_id"),
        sa.Index(
            "uq_links_target_id_helper_id_no_offer",
            "target_id",
            "helper_id",
            unique=True,
            sqlite_where=sa.text("offer_id IS NULL"),
            postgresql_where=sa.text("offer_id IS NULL"),
        ),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    target_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    offer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    helper_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    offer: so.Mapped[Post | None] = so.relationship(foreign_keys=[offer_id])
    helper: so.Mapped[Participant] = so.relationship()


class Group(Model):
    """People who said "I'm in" to an idea: a coordinator, members, linked offers, a thread."""

    __tablename__ = "groups"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    idea_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), unique=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    coordinator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Set when the last member leaves: the group and its thread stay, closed.
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    idea: so.Mapped[Post] = so.relationship(back_populates="group")
    members: so.Mapped[list[GroupMember]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="GroupMember.id"
    )
    messages: so.Mapped[list[GroupMessage]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="GroupMessage.id"
    )


class GroupMember(Model):
    """One person in one group."""

    __tablename__ = "group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "participant_id"), NO_ID_REUSE)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    group_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    joined_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Agreed to be named in the group's proposal (otherwise counted, not named).
    named_in_proposal: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    participant: so.Mapped[Participant] = so.relationship()


class GroupMessage(Model):
    """A message in a group's thread."""

    __tablename__ = "group_messages"
    __table_args__ = (
        sa.CheckConstraint("length(body) BETWEEN 1 AND 1000", name="body_length"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[Participant] = so.relationship()


class ModerationAction(Model):
    """One facilitator action, kept for accountability: who, what, to what, why, when."""

    __tablename__ = "moderation_actions"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    actor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    # What it was done to; kept as plain ids so the log outlives a deleted post.
    post_id: so.Mapped[int | None]
    participant_id: so.Mapped[int | None]
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    actor: so.Mapped[Participant] = so.relationship()


PROPOSAL_STATES = ("draft", "submitted", "received", "under_review", "decided", "withdrawn")
DECISIONS = ("accepted", "accepted_with_conditions", "declined", "referred")
ROUTES = (
    "committee",
    "ward_panel",
    "asset_of_community_value",
    "right_to_challenge",
    "asset_transfer",
    "business_case",
    "participatory_budgeting",
)
ASKS = ("money", "building_or_land", "permission", "officer_time", "other")


#: Money in pence: up to £100m needs more than 32 bits (SQLite integers are 64-bit anyway).
PENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Proposal(Model):
    """An idea promoted by its group into the council's process, and the council's answer.

    Plain-words fields as the guided form asks them; money in pence (GBP).
    """

    __tablename__ = "proposals"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'received', 'under_review', 'decided', 'withdrawn')",
            name="state",
        ),
        sa.CheckConstraint("length(short_summary) <= 125", name="short_summary_length"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    # The idea it grew from (kept as a plain id: the proposal outlives a deleted idea).
    idea_id: so.Mapped[int | None] = so.mapped_column(index=True)
    group_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("groups.id", ondelete="SET NULL")
    )
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    short_summary: so.Mapped[str] = so.mapped_column(sa.String(125), default="")
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    what_we_want: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    asks: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    amount_pence: so.Mapped[int | None] = so.mapped_column(PENCE)
    ask_details: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    involved: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    ward: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    address: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]
    capital_pence: so.Mapped[int | None] = so.mapped_column(PENCE)
    revenue_pence: so.Mapped[int | None] = so.mapped_column(PENCE)
    cost_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    options: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reasons: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    risks: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    legal: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    benefits: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    left_out: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    route: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # The named contact: a member who agreed to be named and contacted about it.
    contact_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL")
    )
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    contact_consent: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # The council's decision record.
    decision: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    decision_date: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    decision_maker: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    decision_reasons: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    conditions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    alternatives_rejected: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    minutes_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    transitions: so.Mapped[list[ProposalTransition]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProposalTransition.id"
    )


class ProposalTransition(Model):
    """One step in a proposal's life: from, to, who, when, and a note."""

    __tablename__ = "proposal_transitions"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    from_state: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    to_state: so.Mapped[str] = so.mapped_column(sa.String(16))
    # Who: a participant's display name or an officer token's name.
    actor: so.Mapped[str] = so.mapped_column(sa.String(120))
    actor_kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class OfficerToken(Model):
    """A council officer's API token (created with ``flask board officer-token NAME``)."""

    __tablename__ = "officer_tokens"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class AdminToken(Model):
    """An instance administrator's API token (``flask board admin-token NAME``): it may import
    boards over the API."""

    __tablename__ = "admin_tokens"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class OfficerSession(Model):
    """An officer signed in on the officer page: the browser's cookie holds only a random
    handle, stored here hashed; signing out (or withdrawing the token) ends it."""

    __tablename__ = "officer_sessions"
    __table_args__ = (NO_ID_REUSE,)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    officer_token_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("officer_tokens.id", ondelete="CASCADE"), index=True
    )
    handle_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Model):
    """The webhook outbox: one signed POST to the council, written with the change it reports.

    Sent by a background task, retried with backoff until delivered; at least once, with
    ``idempotency_key`` so the receiver can drop repeats.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "delivered_at", "next_attempt_at"),
        NO_ID_REUSE,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    proposal_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL")
    )
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow
    )
    last_status: so.Mapped[int | None]
    last_error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    delivered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class BoardEvent(Model):
    """One entry in a board's event log; seq increases by one per board with no gaps.

    A private event (about a post waiting for approval, say) is seen in full only by the
    board's facilitators and by ``private_to`` (its author); everyone else gets the seq
    with no content, so their seq stays gapless.
    """

    __tablename__ = "board_events"
    __table_args__ = (sa.UniqueConstraint("board_id", "seq"), NO_ID_REUSE)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    seq: so.Mapped[int]
    type: so.Mapped[str] = so.mapped_column(sa.String(40))
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    private: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    private_to: so.Mapped[int | None]
    # Also seen by this group's members (a draft proposal's changes).
    private_group_id: so.Mapped[int | None]


class Operation(Model):
    """A client write already carried out, keyed by the client's op id, with its result."""

    __tablename__ = "operations"
    __table_args__ = (sa.UniqueConstraint("participant_id", "op_id"), NO_ID_REUSE)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    op_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    # sha256 of the action and its arguments: a retry must ask for the same thing.
    request_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    result: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
