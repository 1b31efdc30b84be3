"""Boards and the people on them: create, join, identify, snapshot, replay."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
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
    Dot,
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
from board.services.commands import board_read, declared
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
    #: The board's public description as of the write (``board_out``), when it was read.
    board: dict[str, Any] | None = None


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
        entry = Entry(
            board.code, facilitator.id, token, participant_out(facilitator), board_out(board)
        )
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
    # No board lock: a join is no board event, so it takes no seq and waits for no write.
    with write_transaction() as session:
        board = board_by_code(session, code)
        participant, token = new_participant(
            session, board, display_name, anonymous, role="participant"
        )
        entry = Entry(
            board.code, participant.id, token, participant_out(participant), board_out(board)
        )
    return entry


def identify(session: so.Session, code: str, token: str | None) -> Actor:
    """The participant holding ``token`` on the board with ``code``, or not_joined; the
    board's projector link's token is the view-only projector (board.services.projector)."""
    if not token:
        board_by_code(session, code)  # an unknown board says so, not "join first"
        raise not_joined()
    hashed = hash_token(token)
    participant = session.scalar(
        sa.select(Participant)
        .join(Board, Board.id == Participant.board_id)
        .where(Board.code == normalise_code(code), Participant.token_hash == hashed)
    )
    if participant is None:
        board = board_by_code(session, code)  # an unknown board says so, not "join first"
        stored = board.projector_token_hash
        if stored is not None and hmac.compare_digest(stored, hashed):
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

    What everyone sees at a seq is drawn once (``PublicSnapshots``): a hall of phones
    joining, none of them with a post yet, each reads only who they are, the head count,
    and their dots and their groups' drafts if they have any.
    """
    with read_snapshot() as session:
        reader = feed.viewer(session, actor)
        board, me, staff = reader.board, reader.me, reader.staff
        wanted = feed.sizes()
        cache = PublicSnapshots.of_app()
        joined, has_posts, has_dots = session.execute(
            sa.select(
                sa.select(sa.func.count())
                .where(Participant.board_id == board.id)
                .scalar_subquery(),
                sa.exists().where(Post.board_id == board.id, Post.author_id == me.id),
                sa.exists().where(Dot.board_id == board.id, Dot.participant_id == me.id),
            )
        ).one()
        # The viewer's own posts (held back or hidden ones too) join their first screen.
        plain = not staff and not has_posts
        kept = cache.get(board, wanted) if plain else None
        posts: Sequence[Post] = ()
        if kept is None:
            window = feed.first_screen(session, reader, wanted)
            posts = window.posts
            kept = Public(
                {
                    "board": board_out(board),
                    "session": session_out(board),
                    "posts": [post_out(p) for p in window.posts],
                    "window": window.out(),
                    "groups": [group_out(g) for g in board_groups(session, board.id)],
                    "moderation": moderation_summary(session, board.id),
                },
                proposal_rows(session, board.id),
            )
            if plain:
                cache.put(board, wanted, kept)
        my_dots = feed.all_my_dots(session, reader) if has_dots else {}
        shaped: dict[str, Any] = {
            **kept.shaped,
            "seq": board.last_seq,
            "server_time": events.iso(utcnow()),
            "me": {**participant_out(me), "muted": me.muted_at is not None},
            "participants": joined,
            "my_dots": my_dots,
            "dots_spent": sum(my_dots.values()),
            "proposals": kept.proposals_for(session, me, staff),
        }
        if staff:
            shaped["staff"] = staff_view(session, board, posts)
        return shaped


@dataclass(frozen=True)
class Public:
    """What everyone sees of a board at one seq, and its proposals for any viewer."""

    shaped: dict[str, Any]
    #: (group id, seen by everyone, ``proposal_public_out``) for each proposal, oldest first.
    proposals: list[tuple[int | None, bool, dict[str, Any]]]

    def proposals_for(self, session: so.Session, me: Participant, staff: bool) -> list[Any]:
        """The proposals this viewer may see (a group's draft only to its members)."""
        if staff or all(public for _, public, _ in self.proposals):
            return [shaped for _, _, shaped in self.proposals]
        mine = my_groups(session, me.id)
        return [shaped for group, public, shaped in self.proposals if public or group in mine]


class PublicSnapshots:
    """The part of a snapshot everyone without a post of their own sees, per board and seq.

    Every change to what the snapshot shows is a board event, so a board's seq names its
    public state; the few changes made without one (the redaction of old events) call
    ``forget``. An entry also lives at most BOARD_SNAPSHOT_CACHE_S seconds, so nothing
    outlives that long if one is ever missed. One per app (a test's apps share no board
    ids), at most ``KEEP`` boards, the least recently read dropped first.
    """

    KEEP = 64

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[tuple[Any, ...], float, Public]] = OrderedDict()

    @classmethod
    def of_app(cls) -> PublicSnapshots:
        """The current app's cache."""
        extensions = current_app.extensions
        found = extensions.get("board_public_snapshots")
        if found is None:
            found = extensions.setdefault(
                "board_public_snapshots", cls(current_app.config["BOARD_SNAPSHOT_CACHE_S"])
            )
        cache: PublicSnapshots = found
        return cache

    @staticmethod
    def _key(board: Board, wanted: Any) -> tuple[Any, ...]:
        return (board.code, board.last_seq, wanted)

    def get(self, board: Board, wanted: Any) -> Public | None:
        """The public part of the board at its seq, or None."""
        with self._lock:
            entry = self._entries.get(board.id)
            if entry is None:
                return None
            key, until, public = entry
            if key != self._key(board, wanted) or time.monotonic() > until:
                return None
            self._entries.move_to_end(board.id)
            return public

    def put(self, board: Board, wanted: Any, public: Public) -> None:
        """Keep the public part of the board at its seq (read in the same transaction)."""
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries[board.id] = (
                self._key(board, wanted),
                time.monotonic() + self.seconds,
                public,
            )
            self._entries.move_to_end(board.id)
            while len(self._entries) > self.KEEP:
                self._entries.popitem(last=False)

    def forget(self, board_id: int) -> None:
        """Drop what is kept of a board (it changed without a new seq)."""
        with self._lock:
            self._entries.pop(board_id, None)


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


def proposal_rows(
    session: so.Session, board_id: int
) -> list[tuple[int | None, bool, dict[str, Any]]]:
    """The board's proposals, oldest first: (group id, seen by everyone, public shape).

    Everyone sees a proposal once it has been submitted; a draft (or a draft withdrawn
    before it was ever submitted) only its group's members and facilitators (not the
    projector)."""
    rows = session.scalars(
        sa.select(Proposal)
        .where(Proposal.board_id == board_id)
        .order_by(Proposal.id)
        .options(so.selectinload(Proposal.transitions))
    ).all()
    return [
        (p.group_id, any(t.to_state == "submitted" for t in p.transitions), proposal_public_out(p))
        for p in rows
    ]


def visible_proposals(
    session: so.Session, board_id: int, me: Participant, staff: bool
) -> list[dict[str, Any]]:
    """The board's proposals as this viewer may see them (``proposal_rows``)."""
    return Public({}, proposal_rows(session, board_id)).proposals_for(session, me, staff)


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
