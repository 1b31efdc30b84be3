"""Board events: what each one means, how it is logged, and the one place that emits them.

Every change to a board appends one event to that board's log in the same transaction,
with the next per-board seq. Events are published to the board's Socket.IO room only
after the transaction commits; a rollback publishes nothing. Nothing else emits board
state. Each dataclass's docstring is the spec of its ``data``.

An event's fields are its ``data``, in order. Each field's annotation is what services
hand in (a shaped dict, a plain str); where the wire type is more precise, ``Wire(...)``
in the annotation's metadata names it (a model from board.outputs, a Literal). From these,
every event class gets ``Data``: a pydantic model of its data that forbids undeclared
fields and needs every declared one. Every recorded event is checked against its model
(same keys, same order, same values) before it is logged: a payload that strays from its
spec is an error in the write, never sent (the check takes about 10 µs a post).

Most events are public. A *private* event (a post waiting for approval, a dot while dots
are hidden, a report) goes in full only to the board's facilitators and, when it names
one, to one participant (``private_to``: the author, the voter). Everyone else receives the
same seq as ``{"type": "private", "data": {}}``, live and in replay, so every client's seq
stays gapless and nobody learns the content.
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import logging
import threading
import typing
from typing import Annotated, Any, ClassVar, Literal, Protocol

import pydantic
import pydantic_core
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from pydantic import BaseModel, ConfigDict, Field

from board.extensions import socketio
from board.models import Board, BoardEvent, GroupMember, Participant, utcnow
from board.outputs import (
    CommentOut,
    Count,
    GroupMessageOut,
    GroupOut,
    Id,
    LinkOut,
    ModerationReason,
    ModerationSummaryOut,
    ParticipantOut,
    PostOut,
    ProposalPublicOut,
    ReportReason,
    SessionField,
    SessionOut,
    iso,
)

log = logging.getLogger(__name__)

PENDING_KEY = "board_events_pending"
#: Prune the log every this many events, keeping at least ``keep`` of the newest.
PRUNE_EVERY = 100


class Wire:
    """A field's type on the wire, where the annotation is what services hand in."""

    def __init__(self, wire_type: Any) -> None:
        self.type = wire_type

    def __repr__(self) -> str:
        return f"Wire({self.type!r})"


# The shaped dicts services hand in, with the models they must match.
ParticipantData = Annotated[dict[str, Any], Wire(ParticipantOut)]
PostData = Annotated[dict[str, Any], Wire(PostOut)]
CommentData = Annotated[dict[str, Any], Wire(CommentOut)]
LinkData = Annotated[dict[str, Any], Wire(LinkOut)]
GroupData = Annotated[dict[str, Any], Wire(GroupOut)]
GroupMessageData = Annotated[dict[str, Any], Wire(GroupMessageOut)]
SessionData = Annotated[dict[str, Any], Wire(SessionOut)]
ProposalData = Annotated[dict[str, Any], Wire(ProposalPublicOut)]
# post.hidden and post.restored always carry the summary (the constructors' None default
# is left from before it did: an event recorded without one is a bug the check catches).
SummaryData = Annotated[dict[str, Any] | None, Wire(ModerationSummaryOut)]
Reason = Annotated[str, Wire(ModerationReason)]
#: A post id as a JSON object's key.
IdText = Annotated[str, Field(pattern=r"^[1-9][0-9]*$")]


class EventData(BaseModel):
    """Base of the events' data models: undeclared fields and loose types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every board event; ``type`` names it on the wire."""

    type: ClassVar[str]
    #: The model of ``data()`` (made from the fields once every event is declared).
    Data: ClassVar[builtins.type[EventData]]

    def data(self) -> dict[str, Any]:
        """The event's payload as sent to clients."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class PostCreated(Event):
    """A post was added. ``post``: the full post, shaped as in the snapshot."""

    type: ClassVar[str] = "post.created"
    post: PostData


@dataclasses.dataclass(frozen=True)
class PostUpdated(Event):
    """Its author edited a post. ``post``: the full post after the edit."""

    type: ClassVar[str] = "post.updated"
    post: PostData


@dataclasses.dataclass(frozen=True)
class PostDeleted(Event):
    """A post was deleted with everything hanging on it: its supports, comments and
    helpers; every link that offered it; and, for an idea, its group and thread.

    ``post_id``; ``by``: "author" or "facilitator"; ``moderation``: the public summary
    after it, when the post was hidden (then everyone gets this event). Clients drop those
    too.
    """

    type: ClassVar[str] = "post.deleted"
    post_id: Id
    by: Annotated[str, Wire(Literal["author", "facilitator"])]
    #: When the post was hidden: the public summary after it went (see post.hidden).
    moderation: Annotated[dict[str, Any] | None, Wire(ModerationSummaryOut | None)] = None


@dataclasses.dataclass(frozen=True)
class SupportChanged(Event):
    """A participant added or withdrew their support.

    ``post_id``, ``participant_id``, ``supported`` (now), ``count`` (supports on the post now).
    """

    type: ClassVar[str] = "support.changed"
    post_id: Id
    participant_id: Id
    supported: bool
    count: Count


@dataclasses.dataclass(frozen=True)
class CommentCreated(Event):
    """A comment was added. ``comment``: {id, post_id, body, author, created_at}."""

    type: ClassVar[str] = "comment.created"
    comment: CommentData


@dataclasses.dataclass(frozen=True)
class ParticipantRenamed(Event):
    """An anonymous participant chose a display name. ``participant``: {id, name, anonymous,
    role}."""

    type: ClassVar[str] = "participant.renamed"
    participant: ParticipantData


@dataclasses.dataclass(frozen=True)
class LinkCreated(Event):
    """Someone said "I can help" on an idea or need. ``link``: {id, target_id, helper, offer}."""

    type: ClassVar[str] = "link.created"
    link: LinkData


@dataclasses.dataclass(frozen=True)
class LinkRemoved(Event):
    """A helper withdrew. ``link_id``, ``target_id``."""

    type: ClassVar[str] = "link.removed"
    link_id: Id
    target_id: Id


@dataclasses.dataclass(frozen=True)
class GroupChanged(Event):
    """Base of the group events: ``group`` is the whole group after the change."""

    group: GroupData


@dataclasses.dataclass(frozen=True)
class GroupCreated(GroupChanged):
    """The first "I'm in" on an idea made its group. ``group``; its first member coordinates."""

    type: ClassVar[str] = "group.created"


@dataclasses.dataclass(frozen=True)
class GroupMemberJoined(GroupChanged):
    """Someone said "I'm in". ``group``, ``participant_id``."""

    type: ClassVar[str] = "group.member_joined"
    participant_id: Id


@dataclasses.dataclass(frozen=True)
class GroupMemberLeft(GroupChanged):
    """A member left. ``group``, ``participant_id``."""

    type: ClassVar[str] = "group.member_left"
    participant_id: Id


@dataclasses.dataclass(frozen=True)
class GroupCoordinatorChanged(GroupChanged):
    """The coordinator handed over (or left). ``group``, ``from_id``, ``to_id``."""

    type: ClassVar[str] = "group.coordinator_changed"
    from_id: Id | None
    to_id: Id


@dataclasses.dataclass(frozen=True)
class GroupRenamed(GroupChanged):
    """The coordinator renamed the group. ``group``."""

    type: ClassVar[str] = "group.renamed"


@dataclasses.dataclass(frozen=True)
class GroupClosed(GroupChanged):
    """The last member left: the group is closed, not deleted. ``group``."""

    type: ClassVar[str] = "group.closed"


@dataclasses.dataclass(frozen=True)
class GroupMessagePosted(Event):
    """A message in a group's thread. ``message``: {id, group_id, body, author, created_at}."""

    type: ClassVar[str] = "group.message_posted"
    message: GroupMessageData


@dataclasses.dataclass(frozen=True)
class PostHidden(Event):
    """A facilitator hid a post: clients that are not facilitators drop it.

    ``post_id``, ``reason`` (one of the moderation reasons), ``moderation`` (the public
    summary after it). Facilitators keep it, marked.
    """

    type: ClassVar[str] = "post.hidden"
    post_id: Id
    reason: Reason
    #: The public summary after the change: {hidden, by_reason}, as in the snapshot.
    moderation: SummaryData = None


@dataclasses.dataclass(frozen=True)
class PostRestored(Event):
    """A facilitator restored a hidden post. ``post``: the full post, back for everyone;
    ``moderation``: the public summary after it."""

    type: ClassVar[str] = "post.restored"
    post: PostData
    moderation: SummaryData = None


@dataclasses.dataclass(frozen=True)
class FacilitatorRevoked(Event):
    """A co-facilitator's link was withdrawn. ``participant_id``."""

    type: ClassVar[str] = "facilitator.revoked"
    participant_id: Id


@dataclasses.dataclass(frozen=True)
class PostApproved(Event):
    """A facilitator approved a post from the pre-moderation queue. ``post``: the full post,
    now on the board for everyone (clients that did not have it add it)."""

    type: ClassVar[str] = "post.approved"
    post: PostData


@dataclasses.dataclass(frozen=True)
class PostRejected(Event):
    """Private (author and facilitators): a queued post was not approved.

    ``post_id``, ``title``, ``reason`` (a moderation reason), ``note``.
    """

    type: ClassVar[str] = "post.rejected"
    post_id: Id
    title: str
    reason: Reason
    note: str


@dataclasses.dataclass(frozen=True)
class PostsRevealed(Event):
    """The facilitator ended silent brainstorming: ``posts``, every post held back until now,
    in full, appear for everyone at once."""

    type: ClassVar[str] = "posts.revealed"
    posts: Annotated[list[dict[str, Any]], Wire(list[PostOut])]


@dataclasses.dataclass(frozen=True)
class PostMerged(Event):
    """A facilitator merged a duplicate into another post.

    ``from_id`` (dropped from the board), ``from_title``, ``from_author_id``, ``into``: the
    full post it was merged into, now carrying the duplicate's supports (one per person),
    comments and helpers. Both authors are told by their clients.
    """

    type: ClassVar[str] = "post.merged"
    from_id: Id
    from_title: str
    from_author_id: Id
    into: PostData


@dataclasses.dataclass(frozen=True)
class PostPinned(Event):
    """A facilitator pinned a post to the top, or unpinned it. ``post_id``, ``pinned``."""

    type: ClassVar[str] = "post.pinned"
    post_id: Id
    pinned: bool


@dataclasses.dataclass(frozen=True)
class PostReported(Event):
    """Private (facilitators): someone reported a post.

    ``post_id``, ``reason`` (this report's), ``reports`` (how many people have reported it),
    ``hidden`` (whether this report reached the board's threshold and hid it).
    """

    type: ClassVar[str] = "post.reported"
    post_id: Id
    reason: Annotated[str, Wire(ReportReason)]
    reports: Count
    hidden: bool


@dataclasses.dataclass(frozen=True)
class ParticipantMuted(Event):
    """Private (that participant and facilitators): a facilitator muted or unmuted someone.
    ``participant_id``, ``muted``. A muted person can read, support and place dots but
    cannot post or comment."""

    type: ClassVar[str] = "participant.muted"
    participant_id: Id
    muted: bool


@dataclasses.dataclass(frozen=True)
class ParticipantRemoved(Event):
    """A facilitator removed someone from the board: their link opens nothing from now on.
    ``participant_id``. Their posts stay unless a facilitator hides them."""

    type: ClassVar[str] = "participant.removed"
    participant_id: Id


@dataclasses.dataclass(frozen=True)
class SessionChanged(Event):
    """A facilitator changed how the session runs. ``session``: the whole session after the
    change (as in the snapshot); ``changed``: the names of the fields that changed."""

    type: ClassVar[str] = "session.changed"
    session: SessionData
    changed: Annotated[list[str], Wire(list[SessionField])]


@dataclasses.dataclass(frozen=True)
class DotsChanged(Event):
    """Someone placed or took back a dot. Private (voter and facilitators) while dots are
    hidden.

    ``post_id``, ``participant_id``, ``mine`` (that person's dots on the post now),
    ``spent`` (that person's dots on the whole board now), ``total`` (dots on the post now).
    """

    type: ClassVar[str] = "dots.changed"
    post_id: Id
    participant_id: Id
    mine: Count
    spent: Count
    total: Count


@dataclasses.dataclass(frozen=True)
class DotsRevealed(Event):
    """The facilitator revealed the dots. ``totals``: {post id (as text): dots}, every post."""

    type: ClassVar[str] = "dots.revealed"
    totals: Annotated[dict[str, int], Wire(dict[IdText, Count])]


@dataclasses.dataclass(frozen=True)
class ProposalChanged(Event):
    """A proposal was promoted, edited, moved on (submitted, received, under review,
    decided, withdrawn) or its named people changed. ``proposal``: {id, reference, idea_id,
    group_id, title, short_summary, state, decision (null, or {outcome, date,
    decision_maker, reasons, conditions, alternatives_rejected, minutes_url}),
    updated_at}. Clients show it on the idea's card."""

    type: ClassVar[str] = "proposal.changed"
    proposal: ProposalData


def _data_model(cls: type[Event]) -> type[EventData]:
    """The pydantic model of an event's data: its fields in order, each with its wire type."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        wire = [m.type for m in getattr(hint, "__metadata__", ()) if isinstance(m, Wire)]
        # Required even where the constructor has a default: the data always carries it.
        fields[field.name] = (wire[0] if wire else hint, ...)
    return pydantic.create_model(
        f"{cls.__name__}Data",
        __base__=EventData,
        __doc__=cls.__doc__,
        __module__=__name__,
        **fields,
    )


#: Every event class by its ``type``; each has its data model as ``Data``.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        PostCreated,
        PostUpdated,
        PostDeleted,
        SupportChanged,
        CommentCreated,
        ParticipantRenamed,
        LinkCreated,
        LinkRemoved,
        GroupCreated,
        GroupMemberJoined,
        GroupMemberLeft,
        GroupCoordinatorChanged,
        GroupRenamed,
        GroupClosed,
        GroupMessagePosted,
        PostHidden,
        PostRestored,
        FacilitatorRevoked,
        PostApproved,
        PostRejected,
        PostsRevealed,
        PostMerged,
        PostPinned,
        PostReported,
        ParticipantMuted,
        ParticipantRemoved,
        SessionChanged,
        DotsChanged,
        DotsRevealed,
        ProposalChanged,
    )
}
for _cls in EVENT_TYPES.values():
    _cls.Data = _data_model(_cls)


class EventDataError(ValueError):
    """An event's data is not what its class declares."""


def check(event_type: str, data: dict[str, Any]) -> None:
    """Raise EventDataError unless ``data`` is exactly what the event's model declares.

    Undeclared, missing and mistyped fields fail validation; keys out of the declared
    order (or values the model would change) fail the comparison with the model's dump.
    """
    model = EVENT_TYPES[event_type].Data
    try:
        checked = model.model_validate(data)
    except pydantic.ValidationError as error:
        raise EventDataError(f"{event_type}: {error}") from error
    # One serializer for both sides, so only order and values can differ.
    sent, declared = pydantic_core.to_json(data), checked.model_dump_json().encode()
    if sent != declared:
        raise EventDataError(
            f"{event_type}: not in its model's order or form:\n"
            f"  sent:     {sent.decode()}\n  declared: {declared.decode()}"
        )


#: What everyone but an event's audience receives in its place.
PRIVATE_TYPE = "private"


@dataclasses.dataclass(frozen=True)
class Audience:
    """A private event's audience: the board's facilitators, ``participant_id`` if set, and
    the members of group ``group_id`` if set (a draft proposal)."""

    participant_id: int | None = None
    group_id: int | None = None


#: Facilitators only.
STAFF = Audience()


def room(board_code: str) -> str:
    """The Socket.IO room of a board: every connection subscribed to it."""
    return f"board:{board_code}"


def person_room(board_code: str, participant_id: int) -> str:
    """One participant's own connections to a board (projector views do not join it)."""
    return f"board:{board_code}:p:{participant_id}"


def envelope(board_code: str, row: BoardEvent) -> dict[str, Any]:
    """An event as it travels: the same shape live and in replay."""
    return {
        "board": board_code,
        "seq": row.seq,
        "type": row.type,
        "data": row.payload,
        "at": iso(row.created_at),
    }


def redacted(message: dict[str, Any]) -> dict[str, Any]:
    """A private event as everyone outside its audience receives it: the seq, no content."""
    return {**message, "type": PRIVATE_TYPE, "data": {}}


class Private(Protocol):
    """Who a logged event is private to (a BoardEvent row, or a Logged kept in memory)."""

    @property
    def private(self) -> bool: ...
    @property
    def private_to(self) -> int | None: ...
    @property
    def private_group_id(self) -> int | None: ...


@dataclasses.dataclass(frozen=True)
class Logged:
    """A committed event as this process published it: the envelope and who may see it."""

    seq: int
    message: dict[str, Any]
    private: bool
    private_to: int | None
    private_group_id: int | None


class RecentEvents:
    """The last events this process published, per board, so a reconnecting phone is
    caught up from memory instead of the database (a reconnect storm of 1000 phones).

    Only events committed here are kept, in seq order; ``since`` answers only when what it
    keeps runs unbroken from ``since + 1`` to the board's head, so anything missing (another
    process wrote, the server restarted) falls back to the log. A redaction rewrites logged
    events, so it makes this process forget the board (``forget``); with several processes
    a redaction in one could not reach the others, so the app keeps nothing in memory then
    (``BOARD_MESSAGE_QUEUE`` set).
    """

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._boards: dict[str, collections.deque[Logged]] = {}

    def add(self, board_code: str, logged: Logged) -> None:
        with self._lock:
            kept = self._boards.get(board_code)
            if kept is None or (kept and kept[-1].seq != logged.seq - 1):
                kept = self._boards[board_code] = collections.deque(maxlen=self.size)
            kept.append(logged)

    def since(self, board_code: str, since: int, head: int) -> list[Logged] | None:
        """Events ``since + 1 .. head`` in order, or None if memory does not hold them all."""
        with self._lock:
            kept = self._boards.get(board_code)
            if not kept or kept[-1].seq != head or kept[0].seq > since + 1:
                return None
            return [logged for logged in kept if logged.seq > since]

    def forget(self, board_code: str) -> None:
        with self._lock:
            self._boards.pop(board_code, None)


#: This process's recent events (see RecentEvents).
recent = RecentEvents()


def visible_to(
    row: Private, participant_id: int, staff: bool, groups: frozenset[int] = frozenset()
) -> bool:
    """Whether a viewer gets this logged event in full (``staff``: a facilitator's own view;
    ``groups``: the groups the viewer is in now)."""
    if not row.private or staff or row.private_to == participant_id:
        return True
    return row.private_group_id is not None and row.private_group_id in groups


def record(
    session: so.Session, board: Board, event: Event, audience: Audience | None = None
) -> int:
    """Append ``event`` to the board's log inside the caller's transaction; return its seq.

    ``audience`` makes the event private to the board's facilitators (and one participant).
    Raises EventDataError, before the log is touched, if the data strays from its model.
    """
    payload = event.data()
    # Before the seq moves: a stray payload takes nothing from the board's log.
    check(event.type, payload)
    keep = int(current_app.config["BOARD_EVENT_LOG_KEEP"])
    seq = session.execute(
        sa.update(Board)
        .where(Board.id == board.id)
        .values(last_seq=Board.last_seq + 1)
        .returning(Board.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    board.last_seq = seq
    row = BoardEvent(board_id=board.id, seq=seq, type=event.type, payload=payload)
    row.created_at = utcnow()
    row.private = audience is not None
    row.private_to = audience.participant_id if audience else None
    row.private_group_id = audience.group_id if audience else None
    session.add(row)
    if seq % PRUNE_EVERY == 0 and seq > keep:
        session.execute(
            sa.delete(BoardEvent).where(
                BoardEvent.board_id == board.id, BoardEvent.seq <= seq - keep
            )
        )
    message = envelope(board.code, row)
    rooms: list[str] | None = None
    if audience is not None:
        # Facilitators as of this transaction: a withdrawn link is not among them.
        staff = session.scalars(
            sa.select(Participant.id).where(
                Participant.board_id == board.id,
                Participant.role == "facilitator",
                Participant.revoked_at.is_(None),
            )
        ).all()
        people = {*staff, *([audience.participant_id] if audience.participant_id else [])}
        if audience.group_id is not None:
            people |= set(
                session.scalars(
                    sa.select(GroupMember.participant_id).where(
                        GroupMember.group_id == audience.group_id
                    )
                )
            )
        rooms = [person_room(board.code, pid) for pid in sorted(people)]
    logged = Logged(seq, message, row.private, row.private_to, row.private_group_id)
    keep = current_app.config["BOARD_MESSAGE_QUEUE"] is None  # see RecentEvents
    session.info.setdefault(PENDING_KEY, []).append((logged, rooms, keep))
    return seq


#: Events that may wait a moment to travel with others: the counters a room changes all at
#: once (everyone placing their dots, a wave of supports after a pitch).
GATHERED = frozenset({"support.changed", "dots.changed"})


class Outbox:
    """Committed events on their way to each board's room, in seq order.

    Most go at once, alone, as an ``event`` message. A counter (GATHERED) waits up to
    ``gather`` seconds, and whatever else is committed meanwhile goes with it: a burst of N
    changes reaches each phone as one ``events`` message (``{"board", "events": [...]}``,
    in seq order) per tick instead of N, so the room's fan-out costs one send per phone per
    tick. Any other event, and the head heartbeat, first sends what is waiting, so the order
    holds on every connection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[dict[str, Any]]] = {}

    def send(self, message: dict[str, Any], private_rooms: list[str] | None, gather: float) -> None:
        code = message["board"]
        with self._lock:
            if private_rooms is None and message["type"] in GATHERED and gather > 0:
                waiting = self._waiting.setdefault(code, [])
                waiting.append(message)
                if len(waiting) == 1:
                    socketio.start_background_task(self._send_later, code, gather)
                return
            self._send_waiting(code)
            if private_rooms is None:
                socketio.emit("event", message, to=room(code))
                return
            if private_rooms:
                # Socket.IO takes a list of rooms; the stubs say one.
                socketio.emit("event", message, to=private_rooms)  # type: ignore[arg-type]
            socketio.emit("event", redacted(message), to=room(code))

    def flush(self, board_code: str) -> None:
        """Send what is waiting for the board now."""
        with self._lock:
            self._send_waiting(board_code)

    def _send_later(self, board_code: str, gather: float) -> None:
        socketio.sleep(gather)  # type: ignore[arg-type]  # seconds; floats work
        self.flush(board_code)

    def _send_waiting(self, board_code: str) -> None:
        waiting = self._waiting.pop(board_code, [])
        if len(waiting) == 1:
            socketio.emit("event", waiting[0], to=room(board_code))
        elif waiting:
            batch = {"board": board_code, "events": waiting}
            socketio.emit("events", batch, to=room(board_code))


outbox = Outbox()


def publish(message: dict[str, Any], private_rooms: list[str] | None = None) -> None:
    """Send one committed event: the only place board events are sent (through ``outbox``).

    A private event goes in full to its audience's rooms first, then redacted to the
    board's room; a client in both applies the first and ignores the second as a duplicate
    of a seq it has (the order holds per connection, and through the message queue).
    """
    gather = int(current_app.config["BOARD_GATHER_MS"]) / 1000
    outbox.send(message, private_rooms, gather)


def publish_presence(board_code: str, count: int, participants: int) -> None:
    """Tell a board's room how many people are connected now (``count``) and how many have
    joined it (``participants``). Not logged: it is not history, and it is sent at most once
    per tick however many join or leave in it."""
    message = {"board": board_code, "count": count, "participants": participants}
    socketio.emit("presence", message, to=room(board_code))


def publish_head(board_code: str, seq: int) -> None:
    """Tell a board's room its newest seq, so a client that missed the last event notices,
    and the server's clock (``now``), which timers count down on."""
    message = {"board": board_code, "seq": seq, "now": iso(utcnow())}
    outbox.flush(board_code)  # a head ahead of what has been sent would start a catch-up
    socketio.emit("head", message, to=room(board_code))


@sa.event.listens_for(so.Session, "after_commit")
def _publish_after_commit(session: so.Session) -> None:
    for logged, private_rooms, keep in session.info.pop(PENDING_KEY, []):
        message = logged.message
        if keep:
            recent.add(message["board"], logged)
        try:
            publish(message, private_rooms)
        except Exception:
            # The change is committed and logged: clients recover it by replay.
            log.exception("could not publish board event %s", message.get("seq"))


@sa.event.listens_for(so.Session, "after_rollback")
def _drop_after_rollback(session: so.Session) -> None:
    session.info.pop(PENDING_KEY, None)


# -- Redaction: what is taken out of the board goes out of its log too ---------------------

#: What a removed post's text reads as where an event still has to carry the post.
REMOVED_TITLE = ""
#: A post's own words: an edit replaces them in the log, a deletion blanks them.
POST_TEXT = ("kind", "title", "body", "tag", "availability")
#: Events that carry one post and nothing else, found by the post's id.
_ABOUT_POST = {
    "post.created": ("post", "id"),
    "post.updated": ("post", "id"),
    "post.approved": ("post", "id"),
    "post.restored": ("post", "id"),
    "post.rejected": ("post_id",),
    "comment.created": ("comment", "post_id"),
    "link.created": ("link", "target_id"),
}


def _dig(payload: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = payload
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _is_post(value: dict[str, Any]) -> bool:
    return "supporter_ids" in value and "title" in value


def _is_offer_brief(value: dict[str, Any]) -> bool:
    return set(value) == set(OFFER_BRIEF_KEYS)


def _is_participant(value: dict[str, Any]) -> bool:
    return set(value) == {"id", "name", "anonymous", "role"}


def _is_group(value: dict[str, Any]) -> bool:
    return "member_ids" in value or set(value) == {"id", "name", "member_count", "closed"}


OFFER_BRIEF_KEYS = ("id", "kind", "title", "tag", "availability", "author")


def _rewrite(value: Any, fix: Any) -> Any:
    """``value`` with every dict in it passed through ``fix`` (innermost first)."""
    if isinstance(value, list):
        return [_rewrite(item, fix) for item in value]
    if isinstance(value, dict):
        return fix({key: _rewrite(item, fix) for key, item in value.items()})
    return value


def redact(
    session: so.Session,
    board: Board,
    *,
    post_id: int | None = None,
    text: dict[str, Any] | None = None,
    staff_may_see: bool = False,
    participant: dict[str, Any] | None = None,
    group: tuple[int, str] | None = None,
) -> int:
    """Rewrite the board's logged events so replay no longer carries what was taken out.

    Call it in the transaction that takes it out; seqs stay as they are (payloads are
    rewritten in place, no row is deleted), and every rewritten payload still matches its
    event's model. Returns how many events changed.

    - ``post_id`` with ``text`` (the post's words now, after an edit): the words it had
      before are replaced by these wherever the log carries the post or its offer brief.
    - ``post_id`` alone (a deletion): its words are blanked wherever the log carries the
      post or its offer brief, and so are its comments and, for an idea, its group's name
      and thread (they went with it).
    - ``post_id`` with ``staff_may_see`` (hidden): events only about the post and its
      comments stay in full for facilitators and go ``private`` for everyone else; where
      another event carries it, its words are blanked.
    - ``participant`` (their shape after erasure): every mention of that participant
      becomes it.
    - ``group`` (id, name): that group's name becomes this one wherever the log has it (an
      idea's group named after the idea's words before an edit).
    """
    recent.forget(board.code)  # what it kept is the words before
    rows = session.scalars(
        sa.select(BoardEvent).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)
    ).all()
    deleting = post_id is not None and text is None and not staff_may_see
    # A deleted idea takes its group's events and thread with it.
    groups: set[int] = set()
    if deleting:
        for row in rows:
            carried = row.payload.get("group")
            if isinstance(carried, dict) and carried.get("idea_id") == post_id:
                groups.add(carried["id"])

    def blank(words: dict[str, Any]) -> dict[str, Any]:
        if text is not None:
            return {**words, **{k: v for k, v in text.items() if k in words}}
        return {
            **words,
            "title": REMOVED_TITLE,
            "body": "" if "body" in words else None,
            "tag": None,
            "availability": None,
        }

    def fix(value: dict[str, Any]) -> dict[str, Any]:
        if post_id is not None and value.get("id") == post_id:
            if _is_post(value):
                fixed = {k: v for k, v in blank(value).items() if k in value}
                if text is None:
                    fixed |= {"on_behalf_of": None, "comments": [], "helpers": [], "group": None}
                return fixed
            if _is_offer_brief(value):
                return {k: v for k, v in blank(value).items() if k in value and k != "body"}
        if deleting and _is_group(value) and value.get("id") in groups:
            return {**value, "name": REMOVED_TITLE}
        if deleting and value.get("post_id") == post_id and "body" in value:
            return {**value, "body": ""}
        if deleting and value.get("group_id") in groups and "body" in value:
            return {**value, "body": ""}
        if group is not None and value.get("id") == group[0] and _is_group(value):
            return {**value, "name": group[1]}
        if participant is not None and _is_participant(value) and value["id"] == participant["id"]:
            return dict(participant)
        return value

    changed = 0
    for row in rows:
        payload = row.payload
        about = _ABOUT_POST.get(row.type)
        only_this = post_id is not None and about is not None and _dig(payload, about) == post_id
        if only_this and staff_may_see:
            if not (row.private and row.private_to is None and row.private_group_id is None):
                row.private, row.private_to, row.private_group_id = True, None, None
                changed += 1
            continue
        fresh = _rewrite(payload, fix)
        if post_id is not None and row.type in ("post.merged", "post.rejected"):
            key = "from_id" if row.type == "post.merged" else "post_id"
            if payload[key] == post_id:
                title = "from_title" if row.type == "post.merged" else "title"
                fresh[title] = text["title"] if text else REMOVED_TITLE
                if deleting and row.type == "post.rejected":
                    fresh["note"] = ""
        if fresh != payload:
            check(row.type, fresh)
            row.payload = fresh
            changed += 1
    session.flush()
    return changed
