"""Board events are typed: every payload is checked against its model before it is logged.

The rest of the suite records events through the services, so every event it causes is
checked there; these tests show the check refusing what strays from the spec, and keep the
declarations whole (every event has a model, every model is used).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import sqlalchemy as sa
from flask import Flask

from board import events, models, outputs
from board.extensions import db
from board.models import Board, BoardEvent, Post
from board.outputs import post_out
from tests.conftest import join, new_board

ROOT = Path(__file__).resolve().parent.parent


def subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def models_in(annotation: Any) -> Iterator[type[pydantic.BaseModel]]:
    """The pydantic models an annotation names, however deeply (lists, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from models_in(field.annotation)
        return
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


@pytest.fixture
def scene(ctx: Flask) -> tuple[Board, Post]:
    """A board with one post on it, made without the services (whose signatures move)."""
    entry = new_board()
    aisha = join(entry.board_code, "Aisha")
    board = db.session.scalars(sa.select(Board).where(Board.code == entry.board_code)).one()
    post = Post(
        board_id=board.id,
        author_id=aisha.participant_id,
        kind="idea",
        title="Repair café",
        body="In the old shoe shop",
    )
    db.session.add(post)
    db.session.commit()
    return board, post


def logged(board: Board) -> list[BoardEvent]:
    return list(
        db.session.scalars(
            sa.select(BoardEvent).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)
        )
    )


def test_every_event_class_has_a_model_of_exactly_its_fields() -> None:
    declared = {cls for cls in subclasses(events.Event) if "type" in vars(cls)}
    assert declared == set(events.EVENT_TYPES.values())
    for name, cls in events.EVENT_TYPES.items():
        assert cls.type == name
        assert issubclass(cls.Data, events.EventData), name
        assert cls.Data.model_config["extra"] == "forbid", name
        assert list(cls.Data.model_fields) == [f.name for f in dataclasses.fields(cls)], name
        # A constructor default does not make a field optional: the data always has it.
        assert all(f.is_required() for f in cls.Data.model_fields.values()), name
        assert cls.Data.__doc__ == cls.__doc__, name


def test_every_model_is_used() -> None:
    carried = {m for cls in events.EVENT_TYPES.values() for m in models_in(cls.Data)}
    shapes = set(subclasses(outputs.Shape))
    assert shapes <= carried, f"shapes no event carries: {shapes - carried}"
    assert carried - shapes == {cls.Data for cls in events.EVENT_TYPES.values()}
    # And every event (so every event model) is recorded somewhere on the board.
    sources = "\n".join(
        p.read_text() for p in (ROOT / "board").rglob("*.py") if p.name != "events.py"
    )
    for cls in events.EVENT_TYPES.values():
        assert re.search(rf"\b{cls.__name__}\b", sources), f"{cls.type} is never recorded"


@pytest.mark.parametrize(
    ("wire", "values"),
    [
        (outputs.Role, models.ROLES),
        (outputs.PostKind, models.POST_KINDS),
        (outputs.PostState, models.POST_STATES),
        (outputs.ModerationReason, models.MODERATION_REASONS),
        (outputs.ReportReason, models.REPORT_REASONS),
        (outputs.Phase, models.PHASES),
        (outputs.ProposalState, models.PROPOSAL_STATES),
        (outputs.DecisionOutcome, models.DECISIONS),
        (outputs.SessionField, tuple(outputs.SessionOut.model_fields)),
    ],
)
def test_the_wire_literals_are_the_sets_the_models_know(wire: Any, values: tuple[str]) -> None:
    assert typing.get_args(wire) == values


def test_event_types_describe_themselves_for_the_docs() -> None:
    for name, cls in events.EVENT_TYPES.items():
        schema = cls.Data.model_json_schema()
        assert schema["description"] == inspect.cleandoc(cls.__doc__ or ""), name
        assert list(schema["properties"]) == list(cls.Data.model_fields), name
        assert schema["required"] == list(cls.Data.model_fields), name
        assert schema["additionalProperties"] is False, name
    post = events.PostCreated.Data.model_json_schema()["$defs"]["PostOut"]["properties"]
    assert post["kind"]["enum"] == list(models.POST_KINDS)
    assert "dots hidden" in post["dot_count"]["description"]


def test_a_recorded_event_goes_out_exactly_as_shaped(scene: tuple[Board, Post]) -> None:
    board, post = scene
    shaped = post_out(post)
    seq = events.record(db.session, board, events.PostCreated(shaped))
    db.session.commit()
    row = logged(board)[-1]
    assert (row.seq, row.type) == (seq, "post.created")
    assert row.payload == {"post": shaped}
    assert list(row.payload["post"]) == list(outputs.PostOut.model_fields)
    assert list(row.payload["post"]["author"]) == ["id", "name", "anonymous", "role"]


def stray(change: Callable[[dict[str, Any]], None]) -> Callable[[Post], events.Event]:
    """A post.created whose post has been changed by ``change``."""

    def make(post: Post) -> events.Event:
        shaped = post_out(post)
        change(shaped)
        return events.PostCreated(shaped)

    return make


def reordered(shaped: dict[str, Any]) -> None:
    shaped["title"] = shaped.pop("title")


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (stray(lambda p: p.update(token_hash="0" * 64)), "post.token_hash\n  Extra inputs"),
        (stray(lambda p: p["author"].update(email="a@b.c")), "post.author.email\n  Extra"),
        (stray(lambda p: p.pop("supporter_ids")), "post.supporter_ids\n  Field required"),
        (stray(lambda p: p.update(support_count="0")), "post.support_count\n  Input should be"),
        (stray(lambda p: p.update(pinned=0)), "post.pinned\n  Input should be a valid bool"),
        (stray(lambda p: p.update(kind="rumour")), "post.kind\n  Input should be 'idea'"),
        (stray(lambda p: p.update(created_at="yesterday")), "post.created_at\n  String should"),
        (stray(reordered), "not in its model's order or form"),
        (lambda post: events.PostPinned(post.id, 1), "pinned\n  Input should be a valid bool"),
        (lambda post: events.SupportChanged(post.id, post.author_id, True, -1), "count\n"),
        # The constructor's default is no excuse: post.hidden always carries the summary.
        (lambda post: events.PostHidden(post.id, "spam"), "moderation\n  Input should be"),
        (lambda post: events.PostHidden(post.id, "rude", {"hidden": 1, "by_reason": {}}), "reason"),
        (lambda post: events.DotsRevealed({"one": 2}), "totals.one.[key]\n  String should"),
    ],
)
def test_a_payload_that_strays_from_its_model_is_refused(
    scene: tuple[Board, Post], make: Callable[[Post], events.Event], complaint: str
) -> None:
    board, post = scene
    before, head = len(logged(board)), board.last_seq
    with pytest.raises(events.EventDataError) as refused:
        events.record(db.session, board, make(post))
    assert complaint in str(refused.value)
    db.session.rollback()
    assert (len(logged(board)), db.session.get_one(Board, board.id).last_seq) == (before, head)


def test_check_names_what_is_wrong() -> None:
    with pytest.raises(events.EventDataError, match=r"post\.pinned: .*\nby\n  Extra inputs"):
        events.check("post.pinned", {"post_id": 1, "pinned": True, "by": 3})
    with pytest.raises(events.EventDataError, match=r"(?s)pinned\n  Field required"):
        events.check("post.pinned", {"post_id": 1})
    events.check("post.pinned", {"post_id": 1, "pinned": True})


def test_joining_is_not_a_board_event(ctx: Flask) -> None:
    """A join moves no seq: a hall of 300 joining would otherwise send every phone 300
    events and invalidate every cached snapshot 300 times (``presence`` carries the count)."""
    entry = new_board()
    join(entry.board_code, None, anonymous=True)
    join(entry.board_code, "Aisha")
    board = db.session.scalars(sa.select(Board).where(Board.code == entry.board_code)).one()
    assert logged(board) == [] and board.last_seq == 0
    assert "participant.joined" not in events.EVENT_TYPES
