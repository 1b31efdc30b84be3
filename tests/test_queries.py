"""Reads of the board run the same queries for 20 posts and for 400: every post's parts load
together, and the first screen and pages are chosen in SQL, not from every post."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from board.extensions import db
from board.models import (
    Board,
    Comment,
    Dot,
    Group,
    GroupMember,
    Link,
    Participant,
    Post,
    Report,
    Support,
    utcnow,
)
from board.services import Actor, boards, feed, posts, workshop
from board.services.boards import hash_token
from tests.conftest import actor_of, join, new_board, op


@contextmanager
def counting() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


@dataclasses.dataclass(frozen=True)
class Busy:
    """A board filled in bulk, and who looks at it (with their tokens, for the pages)."""

    code: str
    lead: Actor
    aisha: Actor
    dev: Actor
    tokens: dict[str, str]


def busy_board(posts_wanted: int, groups_every: int = 3) -> Busy:
    """A board of ``posts_wanted`` posts, one in ten by Aisha and the others each by its own
    neighbour, inserted in bulk (a thousand in a second).

    Every post has supports and a comment; ideas and needs have Dev's offer as a helper; an
    idea in every ``groups_every`` posts has a group (0: none); every third is reported, and
    some are pinned, hidden or waiting for approval, so every part of a card and every reason
    of the first screen is there at any size, in each list read. The rows keep the model's
    rules: what the services would have written, without the events (no client replays
    this board).
    """
    entry = new_board()
    lead = actor_of(entry)
    aisha_entry = join(entry.board_code, "Aisha")
    dev_entry = join(entry.board_code, "Dev")
    aisha, dev = actor_of(aisha_entry), actor_of(dev_entry)
    offer = posts.create_post(dev, op(), "skill", "Carpentry", "Shelves, doors")["post"]["id"]
    workshop.update_session(lead, op(), dot_budget=20)
    board_id = lead.board_id
    session = db.session
    neighbours = session.scalars(
        sa.insert(Participant).returning(Participant.id),
        [
            {
                "board_id": board_id,
                "display_name": f"Neighbour {n}",
                "anonymous": n % 5 == 0,
                "role": "participant",
                "token_hash": hash_token(secrets.token_urlsafe(16)),
            }
            for n in range(posts_wanted)
        ],
    ).all()
    start = utcnow() - timedelta(hours=2)
    kinds = ("idea", "need", "idea", "tool")
    rows = [
        {
            "board_id": board_id,
            "author_id": aisha.participant_id if n % 10 == 0 else neighbours[n],
            "kind": kinds[n % 4],
            "title": f"Idea {n}: a bench by the library",
            "body": "Somewhere to sit on the way back from the shops. " * (1 + n % 3),
            "tag": ("green spaces", "older people", None)[n % 3],
            "created_at": start + timedelta(seconds=n),
            "state": "pending" if n % 7 == 3 else "visible",
            "hidden_at": start if n % 9 == 5 else None,
            "hidden_reason": "spam" if n % 9 == 5 else None,
            "pinned_at": start if n % 11 == 1 else None,
        }
        for n in range(posts_wanted)
    ]
    ids = session.scalars(sa.insert(Post).returning(Post.id), rows).all()
    supports, comments, links, reports, dots = [], [], [], [], []
    for n, post_id in enumerate(ids):
        for k in range(1 + n % 3):
            supports.append({"post_id": post_id, "participant_id": neighbours[(n + k) % len(ids)]})
        comments.append({"post_id": post_id, "author_id": neighbours[n], "body": "Yes please"})
        if kinds[n % 4] in ("idea", "need"):
            links.append(
                {
                    "board_id": board_id,
                    "target_id": post_id,
                    "offer_id": offer,
                    "helper_id": dev.participant_id,
                }
            )
        if n % 3 == 0:
            reports.append(
                {
                    "board_id": board_id,
                    "post_id": post_id,
                    "participant_id": dev.participant_id,
                    "reason": "spam",
                }
            )
        if n % 13 == 0:
            dots.append(
                {"board_id": board_id, "post_id": post_id, "participant_id": aisha.participant_id}
            )
    session.execute(sa.insert(Support), supports)
    session.execute(sa.insert(Comment), comments)
    session.execute(sa.insert(Link), links)
    session.execute(sa.insert(Report), reports)
    session.execute(sa.insert(Dot), dots)
    for n, idea in enumerate(ids):
        if groups_every and kinds[n % 4] == "idea" and n % groups_every == 2:
            group = Group(board_id=board_id, idea_id=idea, name=f"Group {idea}")
            group.coordinator_id = dev.participant_id
            group.members.append(GroupMember(participant_id=dev.participant_id))
            session.add(group)
    session.execute(
        sa.update(Board).where(Board.id == board_id).values(spotlight_post_id=ids[len(ids) // 2])
    )
    session.commit()
    workshop.update_session(lead, op(), phase="prioritise")
    tokens = {"lead": entry.token, "aisha": aisha_entry.token, "dev": dev_entry.token}
    return Busy(entry.board_code, lead, aisha, dev, tokens)


def signed_in(app: Flask, busy: Busy, who: str) -> FlaskClient:
    """A browser that opened ``who``'s personal link."""
    browser = app.test_client()
    assert browser.get(f"/b/{busy.code}/enter/{busy.tokens[who]}").status_code == 302
    return browser


def reads(app: Flask, posts_wanted: int) -> dict[str, int]:
    """How many queries each read of the board runs, for each viewer."""
    with app.app_context():
        busy = busy_board(posts_wanted)
        viewers = {
            "lead": busy.lead,
            "projector": dataclasses.replace(busy.lead, public_view=True),
            "aisha": busy.aisha,
            "dev": busy.dev,
        }
        counted: dict[str, int] = {}
        for name, actor in viewers.items():
            db.session.remove()
            with counting() as seen:
                shaped = boards.snapshot(actor)
            counted[f"snapshot {name}"] = len(seen)
            assert shaped["posts"] and shaped["window"]["complete"] == (posts_wanted <= 20)
            for asked in ({}, {"sort": "supported", "limit": 10}, {"q": "bench", "kind": "idea"}):
                db.session.remove()
                with counting() as seen:
                    page = feed.posts_page(actor, **asked)
                assert page["posts"]
                counted[f"page {name} {asked}"] = len(seen)
        db.session.remove()
    for who in ("lead", "aisha", "dev"):
        browser = signed_in(app, busy, who)
        for path in ("", "?sort=supported", "?kind=idea&q=bench", "/projector", "/facilitate"):
            with app.app_context(), counting() as seen:
                answer = browser.get(f"/b/{busy.code}{path}")
            assert answer.status_code in (200, 403), path
            counted[f"{who} GET /b/code{path}"] = len(seen)
    return counted


def test_reads_run_the_same_queries_for_20_posts_and_for_400(app: Flask) -> None:
    small, large = reads(app, 20), reads(app, 400)
    assert small == large


@pytest.mark.parametrize("who", ["lead", "aisha"])
def test_the_snapshot_of_a_busy_board_holds_its_first_screen(app: Flask, who: str) -> None:
    with app.app_context():
        busy = busy_board(400)
        actor = busy.lead if who == "lead" else busy.aisha
        shaped = boards.snapshot(actor)
        window = shaped["window"]
        assert window["complete"] is False and window["older"] is not None
        assert len(shaped["posts"]) <= 10 + 1 + 10 + 30 + 10 + 50 + 20
        assert {p["id"] for p in shaped["posts"]} == set(map(int, window["why"]))
        rest = feed.posts_page(actor, after=window["older"], limit=100)
        newest = sorted((int(k) for k, v in window["why"].items() if "newest" in v), reverse=True)
        assert len(newest) == 30
        together = feed.posts_page(actor, limit=100)
        following = [p["id"] for p in rest["posts"]]
        assert [p["id"] for p in together["posts"]] == (newest + following)[:100]
