"""The board's posts in parts: the first screen, pages by filters and cursors, who sees what."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from board.config import FirstScreen, first_screen
from board.errors import BoardError
from board.extensions import db
from board.models import Participant, Post
from board.services import Actor, boards, feed, moderation, posts, workshop
from board.services.rules import can_see, can_see_clause, is_staff
from tests.conftest import actor_of, join, new_board, op, socket_client


@pytest.fixture
def both(any_db_app: Flask) -> Iterator[Flask]:
    """An app context on SQLite, then on PostgreSQL: the SQL must mean the same on each."""
    with any_db_app.app_context():
        yield any_db_app


@dataclasses.dataclass
class Kinds:
    """A board with a post of every kind, and who looks at it."""

    code: str
    token: str
    lead: Actor
    aisha: Actor
    dev: Actor
    carol: Actor
    ids: dict[str, int]


def every_kind_of_post() -> Kinds:
    """Open, pending, rejected, held back, hidden and merged posts, by two authors."""
    entry = new_board()
    lead = actor_of(entry)
    aisha = actor_of(join(entry.board_code, "Aisha"))
    dev = actor_of(join(entry.board_code, "Dev"))
    carol = actor_of(join(entry.board_code, "Carol"))

    def post(who: Actor, title: str) -> int:
        made: int = posts.create_post(who, op(), "idea", title, "words")["post"]["id"]
        return made

    ids = {"open": post(aisha, "Open"), "dev_open": post(dev, "Dev's open")}
    ids["staff_open"] = post(lead, "The facilitator's")
    ids["hidden"] = post(aisha, "Hidden")
    moderation.hide_post(lead, op(), ids["hidden"], "spam")
    ids["merged"] = post(aisha, "A duplicate")
    moderation.merge_posts(lead, op(), ids["merged"], ids["dev_open"])
    moderation.pin_post(lead, op(), ids["open"])
    workshop.update_session(lead, op(), premoderation=True)
    ids["pending"] = post(aisha, "Waiting")
    ids["dev_pending"] = post(dev, "Dev waiting")
    ids["rejected"] = post(aisha, "Not approved")
    moderation.reject_post(lead, op(), ids["rejected"], "off-topic")
    ids["pending_hidden"] = post(aisha, "Waiting, then hidden")
    moderation.hide_post(lead, op(), ids["pending_hidden"], "spam")
    workshop.update_session(lead, op(), premoderation=False, silent=True)
    ids["silent"] = post(aisha, "Held back")
    ids["dev_silent"] = post(dev, "Dev held back")
    return Kinds(entry.board_code, entry.token, lead, aisha, dev, carol, ids)


def test_the_sql_rule_is_can_see_for_every_post_and_viewer(both: Flask) -> None:
    board = every_kind_of_post()
    viewers = [board.lead, dataclasses.replace(board.lead, public_view=True)]
    viewers += [board.aisha, board.dev, board.carol]
    everything = db.session.scalars(sa.select(Post).where(Post.board_id == board.lead.board_id))
    every_post = list(everything)
    assert len(every_post) == len(board.ids)
    for actor in viewers:
        me = db.session.get_one(Participant, actor.participant_id)
        staff = is_staff(me, actor)
        in_sql = set(
            db.session.scalars(
                sa.select(Post.id).where(Post.board_id == actor.board_id, can_see_clause(me, staff))
            )
        )
        assert in_sql == {p.id for p in every_post if can_see(p, me, staff)}, actor
    # The rule is not trivially everything: each viewer but the facilitator misses some.
    aisha = db.session.get_one(Participant, board.aisha.participant_id)
    assert board.ids["hidden"] not in {p.id for p in every_post if can_see(p, aisha, False)}


def test_pages_and_the_first_screen_follow_the_same_rule(both: Flask) -> None:
    board = every_kind_of_post()
    for actor in (board.lead, board.aisha, board.dev, board.carol):
        me = db.session.get_one(Participant, actor.participant_id)
        seen = {
            p.id
            for p in db.session.scalars(sa.select(Post).where(Post.board_id == actor.board_id))
            if can_see(p, me, is_staff(me, actor)) and p.merged_into_id is None
        }
        page = feed.posts_page(actor, limit=100)
        assert {p["id"] for p in page["posts"]} == seen
        assert page["total"] == len(seen)
        shaped = boards.snapshot(actor)
        # Aisha's merged duplicate has left the board, but she is shown where it went.
        own_merged = {board.ids["merged"]} if actor == board.aisha else set()
        assert {p["id"] for p in shaped["posts"]} == seen | own_merged
        assert shaped["window"]["total"] == len(seen)
        assert shaped["window"]["complete"] is True
        assert shaped["window"]["older"] is None


def test_the_first_screen_says_why_each_post_is_there(both: Flask) -> None:
    both.config["BOARD_FIRST_SCREEN"] = FirstScreen(
        pinned=2, mine=2, newest=3, supported=2, pending=2, reported=2
    )
    entry = new_board()
    lead = actor_of(entry)
    aisha = actor_of(join(entry.board_code, "Aisha"))
    dev = actor_of(join(entry.board_code, "Dev"))
    made = [
        posts.create_post(dev if n % 2 else aisha, op(), "idea", f"Idea {n}")["post"]["id"]
        for n in range(12)
    ]
    posts.toggle_support(dev, op(), made[0])
    posts.toggle_support(lead, op(), made[0])
    posts.toggle_support(lead, op(), made[2])
    moderation.pin_post(lead, op(), made[1])
    workshop.spotlight(lead, op(), made[4])
    moderation.report_post(dev, op(), made[6], "spam")
    workshop.update_session(lead, op(), premoderation=True)
    waiting = posts.create_post(aisha, op(), "idea", "Waiting")["post"]["id"]

    shaped = boards.snapshot(aisha)
    why = shaped["window"]["why"]
    assert why[str(made[1])] == ["pinned"]
    assert why[str(made[4])] == ["spotlight"]
    assert why[str(made[10])] == ["mine", "newest"]  # Aisha wrote the even ones
    assert why[str(made[0])] == ["supported"] and why[str(made[2])] == ["supported"]
    assert why[str(waiting)] == ["mine", "newest"]  # not "pending" for its author
    assert [k for k, v in why.items() if "newest" in v] == [
        str(made[10]),
        str(made[11]),
        str(waiting),
    ]
    assert sorted(int(k) for k in why) == [p["id"] for p in shaped["posts"]]
    assert shaped["window"]["total"] == 13
    assert shaped["window"]["complete"] is False
    assert shaped["window"]["older"] == f"n{made[10]}"
    assert "staff" not in shaped

    staff = boards.snapshot(lead)
    assert staff["window"]["why"][str(waiting)] == ["newest", "pending"]
    assert staff["window"]["why"][str(made[6])] == ["reported"]
    assert staff["staff"]["reports"] == {str(made[6]): 1}
    shown = {p["id"] for p in staff["posts"]}
    assert set(map(int, staff["staff"]["dot_totals"])) <= shown

    projector = boards.snapshot(dataclasses.replace(lead, public_view=True))
    assert str(waiting) not in projector["window"]["why"]
    assert str(made[6]) not in projector["window"]["why"]


def _all_pages(actor: Actor, **asked: Any) -> tuple[list[int], set[int]]:
    seen: list[int] = []
    totals = set()
    after = None
    while True:
        page = feed.posts_page(actor, after=after, **asked)
        seen += [p["id"] for p in page["posts"]]
        totals.add(page["total"])
        after = page["next"]
        if after is None:
            return seen, totals


def test_pages_go_through_every_post_once_in_order(both: Flask) -> None:
    entry = new_board()
    lead = actor_of(entry)
    aisha = actor_of(join(entry.board_code, "Aisha"))
    made = []
    for n in range(23):
        made.append(posts.create_post(aisha, op(), "idea", f"Idea {n}")["post"]["id"])
        if n % 4 == 0:
            posts.toggle_support(lead, op(), made[-1])
        if n % 8 == 0:
            posts.toggle_support(aisha, op(), made[-1])
    newest, totals = _all_pages(aisha, limit=5)
    assert newest == sorted(made, reverse=True) and totals == {23}
    supported, _ = _all_pages(aisha, limit=4, sort="supported")
    counts = {p: (2 if i % 8 == 0 else 1 if i % 4 == 0 else 0) for i, p in enumerate(made)}
    assert supported == sorted(made, key=lambda p: (counts[p], p), reverse=True)
    first = feed.posts_page(aisha, limit=4, sort="supported")
    assert first["next"] == f"s1-{supported[3]}"
    assert first["seq"] == boards.head(entry.board_code)


def test_filters_and_search(both: Flask) -> None:
    entry = new_board()
    aisha = actor_of(join(entry.board_code, "Aisha"))
    posts.create_post(aisha, op(), "idea", "Plant TREES on Elm Street", "", "green spaces")
    posts.create_post(aisha, op(), "need", "A lift", "to the tree nursery", "older people")
    posts.create_post(aisha, op(), "skill", "Bookkeeping", "100% reliable_ish")
    posts.create_post(aisha, op(), "skill", "Sewing", "100 percent")

    def titles(**asked: Any) -> list[str]:
        return [p["title"] for p in feed.posts_page(aisha, **asked)["posts"]]

    assert titles(q="tree") == ["A lift", "Plant TREES on Elm Street"]
    assert titles(q="tree", kind="idea") == ["Plant TREES on Elm Street"]
    assert titles(tag="older people") == ["A lift"]
    assert titles(kind="skill") == ["Sewing", "Bookkeeping"]
    assert titles(q="100%") == ["Bookkeeping"]  # % and _ are letters, not wildcards
    assert titles(q="k_e") == []  # as a wildcard it would match "Bookkeeping"
    assert titles(q="nobody wrote this") == []
    assert feed.posts_page(aisha, kind="skill")["total"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=n5&sort=supported", "after"),
        ("after=s1-4", "after"),
        ("after=banana", "after"),
        ("after=n9999999999999999999", "after"),  # past what the database holds
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("sort=oldest", "sort"),
        ("kind=poem", "kind"),
        ("q=" + "x" * 101, "q"),
        ("page=2", "page"),
    ],
)
def test_a_bad_page_request_is_a_422_naming_the_field(
    client: FlaskClient, app: Flask, query: str, field: str
) -> None:
    with app.app_context():
        entry = new_board()
    answer = client.get(
        f"/api/v1/boards/{entry.board_code}/posts?{query}",
        headers={"Authorization": f"Bearer {entry.token}"},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["code"] == "invalid_input"
    assert field in answer.json["error"]["fields"]


def test_a_page_over_http_and_over_the_socket(client: FlaskClient, app: Flask) -> None:
    with app.app_context():
        board = every_kind_of_post()
        moderation.report_post(board.dev, op(), board.ids["open"], "spam")
        expected = feed.posts_page(board.lead, limit=3)
    bearer = {"Authorization": f"Bearer {board.token}"}
    over_http = client.get(f"/api/v1/boards/{board.code}/posts?limit=3", headers=bearer).json
    assert over_http == expected
    assert over_http["staff"]["reports"] == {} or set(over_http["staff"]["reports"]) <= {
        str(p["id"]) for p in over_http["posts"]
    }
    sio = socket_client(app)
    refused = sio.emit("posts.page", {"board": board.code}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "not_joined"
    assert sio.emit("subscribe", {"board": board.code, "token": board.token}, callback=True)["ok"]
    ack = sio.emit("posts.page", {"board": board.code, "limit": 3}, callback=True)
    assert ack == {"ok": True, "data": expected}
    bad = sio.emit(
        "posts.page", {"board": board.code, "after": "n1", "sort": "supported"}, callback=True
    )
    assert bad["ok"] is False and "after" in bad["error"]["fields"]
    sio.disconnect()


def test_the_first_screen_setting_reads_name_value_pairs() -> None:
    assert first_screen("") == FirstScreen()
    assert first_screen(" newest=5, pinned=2 ") == FirstScreen(newest=5, pinned=2)
    for wrong in ("newest", "newest=0", "newest=x", "oldest=3"):
        with pytest.raises(RuntimeError, match="BOARD_FIRST_SCREEN"):
            first_screen(wrong)


def test_a_page_refuses_a_cursor_of_the_other_sort(ctx: Flask) -> None:
    entry = new_board()
    lead = actor_of(entry)
    with pytest.raises(BoardError) as refused:
        feed.posts_page(lead, sort="supported", after="n3")
    assert refused.value.fields == {"after": "is not a cursor of a supported page"}
