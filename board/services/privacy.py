"""People's rights over what the board keeps about them: a copy of it, erasure, retention.

Erasing a person keeps what they did (their posts, supports, dots, memberships: the board's
counts still add up) and takes away who they were: their name becomes "Former participant"
everywhere, the event log included, their link opens nothing, and they are no longer named
in a proposal or as its contact.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError
from board.inputs import Flag, Input
from board.models import (
    Board,
    BoardEvent,
    Comment,
    Dot,
    Group,
    GroupMember,
    GroupMessage,
    Link,
    Operation,
    Participant,
    Post,
    Proposal,
    ProposalTransition,
    Support,
    WebhookDelivery,
    utcnow,
)
from board.outputs import (
    board_out,
    comment_out,
    group_message_out,
    iso,
    link_out,
    participant_out,
    post_out,
)
from board.services import Actor
from board.services.boards import PublicSnapshots, hash_token
from board.services.commands import Write, board_read, board_write, lock_board
from board.services.loading import post_loading
from board.services.rules import acting
from board.storage import read_snapshot, write_transaction

#: What an erased person is called from then on.
PSEUDONYM = "Former participant"


class EraseMe(Input):
    """Erasing is for good: ``confirm`` must be true."""

    confirm: Annotated[bool, Flag()]


@board_read("privacy.my_data")
def my_data(actor: Actor) -> dict[str, Any]:
    """Everything the board keeps about you: your posts, comments, supports, dots, groups,
    messages and the proposals you are named in."""
    with read_snapshot() as session:
        me = acting(session, actor)
        board = session.get_one(Board, actor.board_id)
        mine = Post.author_id == me.id
        posts = session.scalars(
            sa.select(Post).where(mine).order_by(Post.id).options(*post_loading())
        ).all()
        comments = session.scalars(
            sa.select(Comment).where(Comment.author_id == me.id).order_by(Comment.id)
        ).all()
        supported = session.execute(
            sa.select(Post.id, Post.title)
            .join(Support, Support.post_id == Post.id)
            .where(Support.participant_id == me.id)
            .order_by(Post.id)
        ).all()
        dots = session.execute(
            sa.select(Post.id, Post.title, sa.func.count())
            .join(Dot, Dot.post_id == Post.id)
            .where(Dot.participant_id == me.id)
            .group_by(Post.id, Post.title)
            .order_by(Post.id)
        ).all()
        memberships = session.execute(
            sa.select(Group, GroupMember)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.participant_id == me.id)
            .order_by(Group.id)
        ).all()
        messages = session.scalars(
            sa.select(GroupMessage).where(GroupMessage.author_id == me.id).order_by(GroupMessage.id)
        ).all()
        helping = session.scalars(
            sa.select(Link).where(Link.helper_id == me.id).order_by(Link.id)
        ).all()
        named_groups = {g.id for g, m in memberships if m.named_in_proposal}
        proposals = session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.board_id == board.id,
                sa.or_(
                    Proposal.contact_id == me.id,
                    Proposal.created_by_id == me.id,
                    Proposal.group_id.in_(named_groups),
                ),
            )
            .order_by(Proposal.id)
        ).all()
        return {
            "board": board_out(board),
            "you": {
                **participant_out(me),
                "joined_at": iso(me.created_at),
                "muted": me.muted_at is not None,
            },
            "posts": [post_out(p) for p in posts],
            "comments": [comment_out(c) for c in comments],
            "supports": [{"post_id": pid, "title": title} for pid, title in supported],
            "dots": [{"post_id": pid, "title": title, "dots": n} for pid, title, n in dots],
            "groups": [
                {
                    "id": g.id,
                    "name": g.name,
                    "idea_id": g.idea_id,
                    "coordinator": g.coordinator_id == me.id,
                    "named_in_proposal": m.named_in_proposal,
                    "joined_at": iso(m.joined_at),
                }
                for g, m in memberships
            ],
            "messages": [group_message_out(m) for m in messages],
            "helping": [link_out(link) for link in helping],
            "proposals": [
                {
                    "id": p.id,
                    "reference": p.reference,
                    "title": p.title,
                    "state": p.state,
                    "as": [
                        role
                        for role, yes in (
                            ("contact", p.contact_id == me.id),
                            ("created by you", p.created_by_id == me.id),
                            ("named member", p.group_id in named_groups),
                        )
                        if yes
                    ],
                    "contact_name": p.contact_name if p.contact_id == me.id else None,
                    "contact_email": p.contact_email if p.contact_id == me.id else None,
                }
                for p in proposals
            ],
        }


@board_write("privacy.erase_me")
def erase_me(w: Write, cmd: EraseMe) -> dict[str, Any]:
    """Erase yourself from the board: your name goes everywhere, what you did stays, counted,
    as a "Former participant's", and your link opens nothing from now on."""
    if not cmd.confirm:
        raise BoardError(
            "invalid_input",
            "Erasing cannot be undone: send confirm true to go ahead.",
            422,
            {"confirm": "must be true"},
        )
    seq = erase(w.session, w.board, w.me)
    return {"participant_id": w.me.id, "erased": True, "seq": seq}


def erase(session: so.Session, board: Board, person: Participant) -> int:
    """Pseudonymise one person inside the caller's write transaction; return the last seq."""
    old_name = person.display_name
    person.display_name, person.anonymous = PSEUDONYM, False
    # Nobody knows this token: the old link opens nothing. They are not marked removed,
    # so the board's counts of who took part (fairness) still include what they did.
    person.token_hash = hash_token(secrets.token_urlsafe(32))
    person.erased_at = utcnow()
    session.execute(
        sa.update(GroupMember)
        .where(GroupMember.participant_id == person.id)
        .values(named_in_proposal=False)
    )
    session.execute(
        sa.update(Proposal)
        .where(Proposal.contact_id == person.id)
        .values(contact_id=None, contact_name="", contact_email="", contact_consent=False)
    )
    session.execute(
        sa.update(Proposal).where(Proposal.created_by_id == person.id).values(created_by_id=None)
    )
    if old_name:
        proposal_ids = sa.select(Proposal.id).where(Proposal.board_id == board.id)
        session.execute(
            sa.update(ProposalTransition)
            .where(
                ProposalTransition.proposal_id.in_(proposal_ids),
                ProposalTransition.actor == old_name,
                ProposalTransition.actor_kind == "participant",
            )
            .values(actor=PSEUDONYM)
        )
        for delivery in session.scalars(
            sa.select(WebhookDelivery).where(WebhookDelivery.board_id == board.id)
        ):
            delivery.payload = _renamed(delivery.payload, old_name)
    # Stored answers to their writes carry their name; they can never retry them now.
    session.execute(sa.delete(Operation).where(Operation.participant_id == person.id))
    session.flush()
    shaped = participant_out(person)
    events.redact(session, board, participant=shaped)
    return events.record(session, board, events.ParticipantRenamed(shaped))


def _renamed(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, name) for v in value]
    return PSEUDONYM if value == name else value


def _erased(person: Participant) -> bool:
    return person.display_name == PSEUDONYM and not person.anonymous


def anonymise_closed(days: int, now: datetime | None = None) -> list[tuple[str, int]]:
    """Anonymise every board closed for more than ``days`` days: each person erased, and the
    names on paper cards taken off. Returns (board code, people erased now) for each board
    anonymised now; a board already anonymised is left alone, so running it again does
    nothing.

    A board's closing time is its newest event (it is closed since at least then).
    """
    cutoff = (now or utcnow()) - timedelta(days=days)
    done: list[tuple[str, int]] = []
    with read_snapshot() as session:
        last = (
            sa.select(BoardEvent.board_id, sa.func.max(BoardEvent.created_at).label("at"))
            .group_by(BoardEvent.board_id)
            .subquery()
        )
        due = session.execute(
            sa.select(Board.id, last.c.at)
            .join(last, last.c.board_id == Board.id)
            .where(Board.phase == "closed")
            .order_by(Board.id)
        ).all()
    for board_id, at in due:
        if at is None or _utc(at) > cutoff:
            continue
        with write_transaction() as session:
            board = lock_board(session, board_id)
            people = session.scalars(
                sa.select(Participant)
                .where(Participant.board_id == board.id)
                .order_by(Participant.id)
            ).all()
            erased = 0
            for person in people:
                if not _erased(person):
                    erase(session, board, person)
                    erased += 1
            cards = session.scalars(
                sa.select(Post).where(Post.board_id == board.id, Post.on_behalf_of.is_not(None))
            ).all()
            for post in cards:
                post.on_behalf_of = None
            if cards:
                session.flush()
                for post in cards:
                    events.redact(session, board, post_id=post.id, text={"on_behalf_of": None})
            if erased or cards:
                done.append((board.code, erased))
        if cards and not erased:
            # Taking the names off paper cards is no board event: the seq stays where it was.
            PublicSnapshots.of_app().forget(board_id)
    return done


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
