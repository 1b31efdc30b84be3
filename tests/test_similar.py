"""Fewer duplicates: posts a title being written may repeat, and the word forms they share."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from board.services import moderation, offers, posts, similar
from tests.conftest import actor_of, join, new_board, op


@pytest.fixture
def hall(ctx: Flask) -> dict[str, Any]:
    entry = new_board()
    code = entry.board_code
    people = {name: actor_of(join(code, name)) for name in ("Aisha", "Tomasz", "Priya", "Kemi")}
    people["facilitator"] = actor_of(entry)
    return {"code": code, **people}


def titles(found: list[dict[str, Any]]) -> list[str]:
    return [p["title"] for p in found]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("carpenter", "carpentry"),
        ("carpenters", "carpentry"),
        ("gardener", "gardening"),
        ("painter", "paintings"),
        ("plumber", "plumbing"),
        ("baker", "baking"),
        ("bakery", "bakes"),
        ("joiner", "joinery"),
        ("deliveries", "delivering"),
        ("driver", "lifts"),
        ("bookkeeper", "accountant"),
    ],
)
def test_word_forms_of_a_trade_fold_together(one: str, other: str) -> None:
    assert offers.stem(one) == offers.stem(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("corner", "corn"), ("poster", "post"), ("flower", "flow"), ("country", "count")],
)
def test_words_that_only_end_like_a_trade_stay_apart(one: str, other: str) -> None:
    assert offers.stem(one) != offers.stem(other)


def test_short_words_keep_their_ending() -> None:
    assert [offers.stem(w) for w in ("water", "paper", "every", "pantry")] == [
        "water",
        "paper",
        "every",
        "pantry",
    ]


def test_offer_search_matches_word_forms(hall: dict[str, Any]) -> None:
    posts.create_post(hall["Tomasz"], op(), "skill", "Carpentry and shelves", tag="repair")
    posts.create_post(hall["Priya"], op(), "need", "A gardener for the church yard")
    assert titles(offers.search_offers(hall["Aisha"], q="carpenter")) == ["Carpentry and shelves"]
    assert titles(offers.search_offers(hall["Aisha"], q="gardening")) == [
        "A gardener for the church yard"
    ]
    assert offers.search_offers(hall["Aisha"], q="carpenter gardening") == []


def test_a_title_close_to_a_post_finds_it_first(hall: dict[str, Any]) -> None:
    cafe = posts.create_post(hall["Tomasz"], op(), "idea", "Repair café in the empty shop")
    posts.create_post(hall["Priya"], op(), "idea", "Repair the swings in the park")
    posts.create_post(hall["Kemi"], op(), "idea", "Plant trees on the high street")
    posts.create_post(hall["Kemi"], op(), "skill", "I repair cafés' coffee machines")

    found = similar.similar_posts(hall["Aisha"], "A repair cafe", "idea")
    # "repair" and "cafe" both, then "repair" alone; the skill offer is another kind.
    assert titles(found) == ["Repair café in the empty shop", "Repair the swings in the park"]
    assert found[0]["id"] == cafe["post"]["id"]
    assert found[0]["supporter_ids"] == []
    assert similar.similar_posts(hall["Aisha"], "Trees for the street", "idea")[0]["title"] == (
        "Plant trees on the high street"
    )


def test_more_supported_posts_come_first_among_equals(hall: dict[str, Any]) -> None:
    older = posts.create_post(hall["Tomasz"], op(), "idea", "Bike racks by the station")
    posts.create_post(hall["Priya"], op(), "idea", "Bike lanes everywhere")
    assert titles(similar.similar_posts(hall["Aisha"], "bikes")) == [
        "Bike lanes everywhere",
        "Bike racks by the station",
    ]
    posts.toggle_support(hall["Kemi"], op(), older["post"]["id"])
    assert titles(similar.similar_posts(hall["Aisha"], "bikes")) == [
        "Bike racks by the station",
        "Bike lanes everywhere",
    ]


def test_at_most_three_and_half_the_words(hall: dict[str, Any]) -> None:
    for n in range(5):
        posts.create_post(hall["Tomasz"], op(), "idea", f"Community garden number {n + 1}")
    assert len(similar.similar_posts(hall["Aisha"], "community garden")) == similar.MAX_SIMILAR
    # One shared word of four is not close enough.
    assert similar.similar_posts(hall["Aisha"], "garden party with music and dancing") == []
    assert len(similar.similar_posts(hall["Aisha"], "garden party")) == similar.MAX_SIMILAR


def test_only_open_posts_by_others(hall: dict[str, Any]) -> None:
    mine = posts.create_post(hall["Aisha"], op(), "idea", "Street party in June")
    hidden = posts.create_post(hall["Tomasz"], op(), "idea", "Street party with a band")
    moderation.hide_post(hall["facilitator"], op(), hidden["post"]["id"], "spam")
    assert similar.similar_posts(hall["Aisha"], "street party") == []
    assert titles(similar.similar_posts(hall["Priya"], "street party")) == ["Street party in June"]
    assert mine["post"]["id"]


def test_no_meaningful_words_finds_nothing(hall: dict[str, Any]) -> None:
    posts.create_post(hall["Tomasz"], op(), "idea", "We can do it")
    assert similar.similar_posts(hall["Aisha"], "we can do it") == []


def test_similar_posts_over_http(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    made = client.post("/api/v1/boards", json={"title": "Westcliff 2030"}).get_json()
    code = made["board"]["code"]
    auth = {"Authorization": f"Bearer {made['token']}"}
    joined = client.post(
        f"/api/v1/boards/{code}/participants", json={"display_name": "Tomasz"}
    ).get_json()
    client.post(
        f"/api/v1/boards/{code}/posts",
        json={"op_id": op(), "kind": "idea", "title": "Repair café in the empty shop"},
        headers={"Authorization": f"Bearer {joined['token']}"},
    )
    answer = client.get(
        f"/api/v1/boards/{code}/posts/similar", query_string={"title": "repair cafe"}, headers=auth
    )
    assert answer.status_code == 200
    assert titles(answer.get_json()["similar"]) == ["Repair café in the empty shop"]
    other_kind = client.get(
        f"/api/v1/boards/{code}/posts/similar",
        query_string={"title": "repair cafe", "kind": "need"},
        headers=auth,
    )
    assert other_kind.get_json() == {"similar": []}
    blank = client.get(
        f"/api/v1/boards/{code}/posts/similar", query_string={"title": "  "}, headers=auth
    )
    assert blank.status_code == 422
    assert blank.get_json()["error"]["fields"] == {"title": "must not be empty"}
    bad_kind = client.get(
        f"/api/v1/boards/{code}/posts/similar",
        query_string={"title": "cafe", "kind": "poem"},
        headers=auth,
    )
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.get_json()["error"]["fields"]
    stranger = client.get(f"/api/v1/boards/{code}/posts/similar", query_string={"title": "x"})
    assert stranger.status_code == 401
