"""Declaring a service action, and the one write path every board write takes.

A service action is declared where it is written: ``@board_write`` on a write's body
(``@declared`` on the few actions that are not writes to one board, ``@board_read`` on a
read) names it, says who may do it, and takes its input model from the annotation of the
body's ``cmd`` argument. Transports bind these actions to socket events, API routes and
forms (board.web.actions) and read the declaration from ``service.action``.

``@board_write`` owns, for every board write: the participant's write rate (a token bucket,
board.services.limits), the write transaction, the board's lock, the
authorisation check (who may), op-id idempotency (a retry returns the first result, and an
op id reused for a different request is refused, fingerprinted from the validated input),
and the commit after which the body's recorded events are published. The body only checks
the domain's rules, changes data and records events.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_type_hints

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.errors import BoardError, access_revoked, forbidden
from board.inputs import Input
from board.models import Board, Operation, Participant
from board.services import Actor
from board.services.limits import take_write
from board.services.rules import VIEW_ONLY, acting, require_facilitator
from board.storage import write_transaction

#: Who may take an action. ``anyone``: no identity needed (create or join a board);
#: ``participant``: anyone who joined the board (the domain's rules may narrow it: an
#: author, a coordinator, a member); ``facilitator``: the board's facilitators; ``officer``:
#: a council officer's token; ``admin``: the instance administrator's token.
Who = Literal["anyone", "participant", "facilitator", "officer", "admin"]

In = TypeVar("In", bound=Input)
#: A write's body: ``body(write, cmd)`` returns the answer (and the op id's stored result).
Body = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Action:
    """What a service action is: its name, its input, who may take it, what it does."""

    name: str
    input: type[Input] | None
    who: Who
    summary: str
    #: A write (changes data, answers with its seq) or a read.
    writes: bool


@dataclass(frozen=True)
class Write:
    """What a write's body works with, inside the transaction and the board's lock."""

    session: so.Session
    board: Board
    actor: Actor
    #: The acting participant, already checked to be allowed this action.
    me: Participant


def _summary(fn: Callable[..., Any]) -> str:
    """The first paragraph of the docstring, on one line."""
    return (inspect.getdoc(fn) or "").split("\n\n")[0].replace("\n", " ")


def _input_of(fn: Callable[..., Any]) -> type[Input] | None:
    hint = get_type_hints(fn).get("cmd")
    return hint if isinstance(hint, type) and issubclass(hint, Input) else None


def declared(
    name: str, *, who: Who, input: type[Input] | None = None, writes: bool = True
) -> Callable[[Any], Any]:
    """Declare a service action that takes plain arguments: the fields of ``input``.

    For actions outside the one write path: creating or joining a board (no actor yet),
    the council's officers (no participant), and reads.
    """

    def declare(fn: Any) -> Any:
        fn.action = Action(name, input or _input_of(fn), who, _summary(fn), writes)
        return fn

    return declare


def board_read(
    name: str, *, who: Who = "participant", input: type[Input] | None = None
) -> Callable[[Any], Any]:
    """Declare a read of a board (the read checks who may see what, as reads differ)."""
    return declared(name, who=who, input=input, writes=False)


def command_of(input_type: type[In], args: tuple[Any, ...], kwargs: dict[str, Any]) -> In:
    """The input a service was called with: the model itself, or its fields as arguments."""
    if len(args) == 1 and not kwargs and isinstance(args[0], input_type):
        return args[0]
    return input_type.from_call(args, kwargs)


def board_write(name: str, *, who: Who = "participant") -> Callable[[Body], Callable[..., Any]]:
    """Declare a write to the actor's board and run it through the one write path.

    The decorated function is called as ``service(actor, cmd)`` or, from Python,
    ``service(actor, *fields, **fields)`` (validated into the input model all the same).
    """

    def declare(body: Body) -> Callable[..., Any]:
        input_type = _input_of(body)
        if input_type is None:
            raise TypeError(f"{body.__qualname__}: annotate cmd with its input model")

        @functools.wraps(body)
        def service(actor: Actor, *args: Any, **kwargs: Any) -> Any:
            cmd = command_of(input_type, args, kwargs)
            if actor.view_only:  # before the bucket and the lock: it may never write
                raise forbidden(VIEW_ONLY)
            take_write(actor)  # before the transaction: a flood never holds the board's lock
            with write_transaction() as session:
                board = lock_board(session, actor.board_id)
                me = authorise(session, actor, who)
                op_id = getattr(cmd, "op_id", None)
                if op_id is None:
                    return body(Write(session, board, actor, me), cmd)
                fingerprint = _fingerprint(name, cmd)
                done = session.scalar(
                    sa.select(Operation).where(
                        Operation.participant_id == actor.participant_id,
                        Operation.op_id == op_id,
                    )
                )
                if done is not None:
                    if done.request_hash != fingerprint:
                        what = f"a different {name}" if done.action == name else done.action
                        raise BoardError(
                            "op_id_reused",
                            f"This op id was already used for {what}; "
                            "send a new op id for a new write.",
                            409,
                        )
                    return done.result
                result = body(Write(session, board, actor, me), cmd)
                session.add(
                    Operation(
                        participant_id=actor.participant_id,
                        op_id=op_id,
                        action=name,
                        request_hash=fingerprint,
                        result=result,
                    )
                )
                return result

        service.action = Action(name, input_type, who, _summary(body), True)  # type: ignore[attr-defined]
        return service

    return declare


def authorise(session: so.Session, actor: Actor, who: Who) -> Participant:
    """The acting participant if they may take an action open to ``who``; else a refusal."""
    if who == "facilitator":
        return require_facilitator(session, actor)
    me = acting(session, actor)
    if me.revoked_at is not None:
        # A socket subscribed before the link was withdrawn still names this participant.
        raise access_revoked()
    return me


def lock_board(session: so.Session, board_id: int) -> Board:
    """Lock the board's row for this write: writes to one board happen one at a time.

    On PostgreSQL this is a row lock; SQLite's write transaction already holds the lock.
    """
    return session.execute(
        sa.select(Board)
        .where(Board.id == board_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _fingerprint(name: str, cmd: Input) -> str:
    """What was asked, from the validated input: a retry must ask the same thing."""
    asked = cmd.model_dump(mode="json", exclude={"op_id"}, exclude_unset=cmd.partial)
    text = json.dumps({"action": name, **asked}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
