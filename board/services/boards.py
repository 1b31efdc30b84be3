"""Boards and the people on them: create, join, identify, snapshot, replay."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from board import events
from board.errors import BoardError, access_revoked, not_joined
from board.inputs import Join, NewBoard, Since
from board.models import (
    Board,
    BoardEvent,
    Group,
    GroupMember,
    Link,
    Operation,
    Participant,
    Post,
    Proposal,
    utcnow,
)
from board.outputs import (
    board_out,
    group_out,
    participant_out,
    post_out,
    proposal_public_out,
    session_out,
)
from board.services import Actor, feed
from board.services.commands import board_read, declared, lock_board
from board.services.rules import is_staff, reading
from board.storage import read_snapshot, write_transaction

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S and 8/B are left out, so a code read off a
# projector across a hall is typed right first time.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


@dataclass(frozen=True)
class Entry:
    """A participant's way in: who they are and the secret token that proves it."""

    board_code: str
    participant_id: int
    token: str
    participant: dict[str, Any]


def hash_token(token: str) -> str:
    """The stored form of a participant token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_join_code(session: so.Session) -> str:
    """A fresh, unused join code."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if session.scalar(sa.select(Board.id).where(Board.code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    """A join code as typed by a person: any case, spaces and dashes ignored."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def board_by_code(session: so.Session, code: str) -> Board:
    """The board with this join code, or a not-found error."""
    board = session.scalar(sa.select(Board).where(Board.code == normalise_code(code)))
    if board is None:
        raise BoardError("board_not_found", "No board has that code. Check it and try again.", 404)
    return board


def new_participant(
    session: so.Session, board: Board, name: str | None, anonymous: bool, role: str
) -> tuple[Participant, str]:
    token = secrets.token_urlsafe(24)
    participant = Participant(
        board_id=board.id,
        display_name=None if anonymous else name,
        anonymous=anonymous,
        role=role,
        token_hash=hash_token(token),
    )
    session.add(participant)
    session.flush()
    # Not a board event: a hall of 300 joining would send each phone 300 of them and move
    # the seq (so every cached snapshot) 300 times. The head count travels with `presence`.
    return participant, token


@declared("board.create", who="anyone", input=NewBoard)
def create_board(
    title: str, prompt: str, kind: str, tags: list[str], facilitator_name: str
) -> Entry:
    """Create a board with a join code, and its first facilitator."""
    with write_transaction() as session:
        board = Board(code=new_join_code(session), title=title, prompt=prompt, kind=kind, tags=tags)
        session.add(board)
        session.flush()
        facilitator, token = new_participant(
            session, board, facilitator_name, anonymous=False, role="facilitator"
        )
        entry = Entry(board.code, facilitator.id, token, participant_out(facilitator))
    return entry


@declared("board.join", who="anyone", input=Join)
def join_board(code: str, display_name: str | None, anonymous: bool) -> Entry:
    """Add a participant to a board: a display name, or anonymous."""
    if not anonymous and not display_name:
        raise BoardError(
            "invalid_input",
            "Choose a display name, or choose to stay anonymous.",
            422,
            {"display_name": "is required unless anonymous is true"},
        )
    with write_transaction() as session:
        board = lock_board(session, board_by_code(session, code).id)
        participant, token = new_participant(
            session, board, display_name, anonymous, role="participant"
        )
        entry = Entry(board.code, participant.id, token, participant_out(participant))
    return entry


def identify(session: so.Session, code: str, token: str | None) -> Actor:
    """The participant holding ``token`` on the board with ``code``, or not_joined; the
    board's projector link's token is the view-only projector (board.services.projector)."""
    board = board_by_code(session, code)
    if not token:
        raise not_joined()
    participant = session.scalar(
        sa.select(Participant).where(
            Participant.token_hash == hash_token(token), Participant.board_id == board.id
        )
    )
    if participant is None:
        stored = board.projector_token_hash
        if stored is not None and hmac.compare_digest(stored, hash_token(token)):
            return Actor.projector(board.id)  # the view-only projector link
        raise not_joined()
    return _admitted(participant)


def _admitted(participant: Participant) -> Actor:
    if participant.erased_at is not None:
        raise not_joined()  # a browser that still remembers them is a stranger now
    if participant.revoked_at is not None:
        raise access_revoked()
    return Actor(participant.board_id, participant.id)


def identify_by_id(session: so.Session, code: str, participant_id: int | None) -> Actor:
    """The participant remembered by a signed cookie, if they are still on that board."""
    board = board_by_code(session, code)
    if participant_id is None:
        raise not_joined()
    participant = session.get(Participant, participant_id)
    if participant is None or participant.board_id != board.id:
        raise not_joined()
    return _admitted(participant)


@board_read("board.info", who="anyone")
def board_info(code: str) -> dict[str, Any]:
    """A board's public description, for anyone with the code."""
    with read_snapshot() as session:
        return board_out(board_by_code(session, code))


@board_read("board.snapshot")
def snapshot(actor: Actor) -> dict[str, Any]:
    """Everything a client needs to draw the board, and the seq it reflects.

    Read in one consistent transaction, so applying events with a higher seq on top of it
    gives exactly the current board. Its posts are the first screen (board.services.feed):
    the posts that matter now, each with why, and where the rest begin.
    """
    with read_snapshot() as session:
        reader = feed.viewer(session, actor)
        board, me, staff = reader.board, reader.me, reader.staff
        window = feed.first_screen(session, reader, feed.sizes())
        my_dots = feed.all_my_dots(session, reader)
        shaped: dict[str, Any] = {
            "board": board_out(board),
            "seq": board.last_seq,
            "server_time": events.iso(utcnow()),
            "me": {**participant_out(me), "muted": me.muted_at is not None},
            "participants": participant_count(session, board.id),
            "session": session_out(board),
            "posts": [post_out(p) for p in window.posts],
            "window": window.out(),
            "groups": [group_out(g) for g in board_groups(session, board.id)],
            "moderation": moderation_summary(session, board.id),
            "my_dots": my_dots,
            "dots_spent": sum(my_dots.values()),
            "proposals": visible_proposals(session, board.id, me, staff),
        }
        if staff:
            shaped["staff"] = staff_view(session, board, window.posts)
        return shaped


def frame(actor: Actor) -> dict[str, Any]:
    """What a page about one thing on the board needs besides that thing: the board, the
    viewer, and the seq its live script starts from (read first, so a change made after it
    is applied again, harmlessly, and never missed)."""
    with read_snapshot() as session:
        board = session.get_one(Board, actor.board_id)
        me = session.get_one(Participant, actor.participant_id)
        return {
            "board": board_out(board),
            "seq": board.last_seq,
            "me": {**participant_out(me), "muted": me.muted_at is not None},
        }


def group_of(actor: Actor, group_id: int) -> dict[str, Any] | None:
    """One group of the actor's board, as the snapshot's ``groups`` has it (None: not here)."""
    with read_snapshot() as session:
        found = session.scalars(
            sa.select(Group)
            .where(Group.board_id == actor.board_id, Group.id == group_id)
            .options(so.selectinload(Group.members).selectinload(GroupMember.participant))
        ).first()
        return group_out(found) if found is not None else None


def board_groups(session: so.Session, board_id: int) -> Sequence[Group]:
    """The board's groups, oldest first, with what ``group_out`` reads (the idea's helpers
    too: the idea may not be among the posts read)."""
    helpers = so.joinedload(Group.idea).selectinload(Post.help_links)
    return (
        session.scalars(
            sa.select(Group)
            .where(Group.board_id == board_id)
            .order_by(Group.id)
            .options(
                so.selectinload(Group.members).joinedload(GroupMember.participant),
                helpers.joinedload(Link.offer).joinedload(Post.author),
                helpers.joinedload(Link.helper),
            )
        )
        .unique()
        .all()
    )


def writes_made(actor: Actor) -> int:
    """How many writes this participant has made: a page's forms take their op ids from it."""
    with read_snapshot() as session:
        return (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Operation)
                .where(Operation.participant_id == actor.participant_id)
            )
            or 0
        )


def my_groups(session: so.Session, participant_id: int) -> frozenset[int]:
    """The groups a participant is in now."""
    return frozenset(
        session.scalars(
            sa.select(GroupMember.group_id).where(GroupMember.participant_id == participant_id)
        )
    )


def visible_proposals(
    session: so.Session, board_id: int, me: Participant, staff: bool
) -> list[dict[str, Any]]:
    """The board's proposals as this viewer may see them: a draft (or a draft withdrawn
    before it was ever submitted) only to its group's members and facilitators (not the
    projector)."""
    mine = my_groups(session, me.id)
    rows = session.scalars(
        sa.select(Proposal)
        .where(Proposal.board_id == board_id)
        .order_by(Proposal.id)
        .options(so.selectinload(Proposal.transitions))
    ).all()
    return [
        proposal_public_out(p)
        for p in rows
        if staff or p.group_id in mine or any(t.to_state == "submitted" for t in p.transitions)
    ]


def staff_view(session: so.Session, board: Board, posts: Sequence[Post]) -> dict[str, Any]:
    """What only facilitators see in the snapshot: the dots (while hidden too) and reports
    of its posts, and the muted."""
    muted = session.scalars(
        sa.select(Participant.id).where(
            Participant.board_id == board.id, Participant.muted_at.is_not(None)
        )
    ).all()
    return {**feed.staff_counts(session, posts), "muted_ids": list(muted)}


def moderation_summary(session: so.Session, board_id: int) -> dict[str, Any]:
    """What everyone may know about moderation: how many posts are hidden, and why."""
    rows = session.execute(
        sa.select(Post.hidden_reason, sa.func.count())
        .where(
            Post.board_id == board_id,
            Post.hidden_at.is_not(None),
            Post.merged_into_id.is_(None),
        )
        .group_by(Post.hidden_reason)
        .order_by(sa.func.count().desc(), Post.hidden_reason)
    ).all()
    return {"hidden": sum(n for _, n in rows), "by_reason": {reason: n for reason, n in rows}}


@board_read("board.events", input=Since)
def events_since(actor: Actor, since: int) -> list[dict[str, Any]] | None:
    """The board's events after ``since``, in order (None: the log no longer reaches back).

    A ``since`` ahead of the board's head (a client that talked to a restored database),
    or more than BOARD_REPLAY_MAX events behind, also returns None: the client starts
    again from a snapshot.
    """
    with read_snapshot() as session:
        board = session.get_one(Board, actor.board_id)
        if since > board.last_seq or since < 0:
            return None
        if since == board.last_seq:
            return []
        behind = board.last_seq - since
        if behind > int(current_app.config["BOARD_REPLAY_MAX"]):
            return None  # a snapshot is smaller than a long replay on a slow phone
        if behind > int(current_app.config["BOARD_EVENT_LOG_KEEP"]):
            return None  # past what the log keeps, even if this process remembers it
        kept = events.recent.since(board.code, since, board.last_seq)
        if kept is None:
            rows = session.scalars(
                sa.select(BoardEvent)
                .where(BoardEvent.board_id == board.id, BoardEvent.seq > since)
                .order_by(BoardEvent.seq)
            ).all()
            if not rows or rows[0].seq != since + 1 or rows[-1].seq != board.last_seq:
                return None
            kept = [
                events.Logged(
                    row.seq,
                    events.envelope(board.code, row),
                    row.private,
                    row.private_to,
                    row.private_group_id,
                )
                for row in rows
            ]
        if not any(logged.private for logged in kept):
            return [logged.message for logged in kept]
        me = reading(session, actor)
        staff = is_staff(me, actor)
        groups = my_groups(session, me.id)
        return [
            logged.message
            if events.visible_to(logged, me.id, staff, groups)
            else events.redacted(logged.message)
            for logged in kept
        ]


def head(board_code: str) -> int:
    """The board's newest seq."""
    with read_snapshot() as session:
        return board_by_code(session, board_code).last_seq


def joined(board_code: str) -> int:
    """How many people have joined the board, facilitators included (``presence`` says it)."""
    with read_snapshot() as session:
        return participant_count(session, board_by_code(session, board_code).id)


def participant_count(session: so.Session, board_id: int) -> int:
    """Everyone who has joined a board, facilitators included."""
    count = session.scalar(sa.select(sa.func.count()).where(Participant.board_id == board_id))
    return count or 0
