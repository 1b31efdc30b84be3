"""Offers, "I can help" links, suggestions and groups, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from board import events
from board.errors import BoardError
from board.services import Actor, boards, groups, links, offers, posts
from tests.conftest import actor_of, join, new_board, op


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(events, "publish", lambda message, rooms=None: sent.append(message))
    return sent


def refused(code: str, attempt: Any, board_code: str) -> None:
    """The attempt fails with ``code`` and leaves the board's log as it was."""
    head = boards.head(board_code)
    with pytest.raises(BoardError) as error:
        attempt()
    assert error.value.code == code, error.value.message
    assert len(error.value.message) > 10
    assert boards.head(board_code) == head, "a refused action changed the board"


@pytest.fixture
def hall(ctx: Flask) -> dict[str, Any]:
    entry = new_board()
    code = entry.board_code
    people = {name: actor_of(join(code, name)) for name in ("Aisha", "Tomasz", "Priya", "Kemi")}
    people["facilitator"] = actor_of(entry)
    cafe = posts.create_post(people["Aisha"], op(), "idea", "Repair café in the empty shop")
    bikes = posts.create_post(
        people["Tomasz"], op(), "skill", "I can fix bikes", availability="Saturday mornings"
    )
    books = posts.create_post(people["Priya"], op(), "skill", "Bookkeeping for community groups")
    return {
        "code": code,
        **people,
        "cafe": cafe["post"]["id"],
        "bikes": bikes["post"]["id"],
        "books": books["post"]["id"],
    }


def test_linking_an_offer_and_oneself(hall: dict[str, Any], published: list) -> None:
    made = links.link_help(hall["Tomasz"], op(), hall["cafe"], hall["bikes"])
    link = made["link"]
    assert link["offer"]["title"] == "I can fix bikes"
    assert link["offer"]["availability"] == "Saturday mornings"
    assert link["helper"]["name"] == "Tomasz"
    me_too = links.link_help(hall["Kemi"], op(), hall["cafe"])["link"]
    assert me_too["offer"] is None and me_too["helper"]["name"] == "Kemi"
    assert [e["type"] for e in published] == ["link.created", "link.created"]
    snapshot = boards.snapshot(hall["Aisha"])
    cafe = next(p for p in snapshot["posts"] if p["id"] == hall["cafe"])
    assert [h["helper"]["name"] for h in cafe["helpers"]] == ["Tomasz", "Kemi"]

    removed = links.unlink_help(hall["Tomasz"], op(), link["id"])
    assert removed["removed"] and published[-1]["type"] == "link.removed"
    assert published[-1]["data"] == {"link_id": link["id"], "target_id": hall["cafe"]}


def test_linking_refuses_bad_input(hall: dict[str, Any]) -> None:
    code = hall["code"]
    links.link_help(hall["Tomasz"], op(), hall["cafe"], hall["bikes"])
    cases = [
        ("forbidden", lambda: links.link_help(hall["Kemi"], op(), hall["cafe"], hall["bikes"])),
        (
            "already_linked",
            lambda: links.link_help(hall["Tomasz"], op(), hall["cafe"], hall["bikes"]),
        ),
        (
            "invalid_target",
            lambda: links.link_help(hall["Priya"], op(), hall["bikes"], hall["books"]),
        ),
        ("invalid_offer", lambda: links.link_help(hall["Aisha"], op(), hall["cafe"], hall["cafe"])),
        ("post_not_found", lambda: links.link_help(hall["Aisha"], op(), 999_999)),
        ("link_not_found", lambda: links.unlink_help(hall["Aisha"], op(), 999_999)),
    ]
    for code_expected, attempt in cases:
        refused(code_expected, attempt, code)
    theirs = boards.snapshot(hall["Aisha"])["posts"][0]["helpers"][0]["id"]
    refused("forbidden", lambda: links.unlink_help(hall["Kemi"], op(), theirs), code)
    # A facilitator may take any link down.
    assert links.unlink_help(hall["facilitator"], op(), theirs)["removed"]


def test_acting_on_another_board_is_not_found(hall: dict[str, Any]) -> None:
    elsewhere = new_board("Elsewhere").board_code
    stranger = actor_of(join(elsewhere, "Stranger"))
    their_idea = posts.create_post(stranger, op(), "idea", "Far away")["post"]["id"]
    group = groups.join_group(hall["Aisha"], op(), hall["cafe"])["group"]
    code = hall["code"]
    refused("post_not_found", lambda: links.link_help(stranger, op(), hall["cafe"]), elsewhere)
    refused("post_not_found", lambda: groups.join_group(hall["Aisha"], op(), their_idea), code)
    refused("post_not_found", lambda: links.link_help(hall["Tomasz"], op(), their_idea), code)
    refused("group_not_found", lambda: groups.leave_group(stranger, op(), group["id"]), elsewhere)
    refused(
        "group_not_found",
        lambda: groups.post_message(stranger, op(), group["id"], "hello"),
        elsewhere,
    )
    # An offer of another board cannot be linked here either.
    their_offer = posts.create_post(stranger, op(), "tool", "Ladder")["post"]["id"]
    refused(
        "post_not_found",
        lambda: links.link_help(hall["Aisha"], op(), hall["cafe"], their_offer),
        code,
    )


def test_group_forms_on_first_im_in_and_changes_hands(
    hall: dict[str, Any], published: list
) -> None:
    code = hall["code"]
    first = groups.join_group(hall["Aisha"], op(), hall["cafe"])["group"]
    assert first["name"] == "Repair café in the empty shop"
    assert first["coordinator_id"] == hall["Aisha"].participant_id
    assert published[-1]["type"] == "group.created"
    groups.join_group(hall["Tomasz"], op(), hall["cafe"])
    joined = groups.join_group(hall["Priya"], op(), hall["cafe"])["group"]
    assert published[-1]["type"] == "group.member_joined"
    assert [m["name"] for m in joined["members"]] == ["Aisha", "Tomasz", "Priya"]
    refused("already_member", lambda: groups.join_group(hall["Priya"], op(), hall["cafe"]), code)
    refused("invalid_target", lambda: groups.join_group(hall["Priya"], op(), hall["bikes"]), code)

    gid = first["id"]
    refused("forbidden", lambda: groups.hand_over(hall["Tomasz"], op(), gid, 1), code)
    refused(
        "not_a_member",
        lambda: groups.hand_over(hall["Aisha"], op(), gid, hall["Kemi"].participant_id),
        code,
    )
    handed = groups.hand_over(hall["Aisha"], op(), gid, hall["Priya"].participant_id)["group"]
    assert handed["coordinator_id"] == hall["Priya"].participant_id
    assert published[-1]["type"] == "group.coordinator_changed"
    assert published[-1]["data"]["from_id"] == hall["Aisha"].participant_id

    refused("forbidden", lambda: groups.rename_group(hall["Tomasz"], op(), gid, "Mine"), code)
    renamed = groups.rename_group(hall["Priya"], op(), gid, "Hamlet Road Repair Café")["group"]
    assert renamed["name"] == "Hamlet Road Repair Café"
    assert published[-1]["type"] == "group.renamed"

    # The coordinator leaving hands over to the longest-standing member.
    groups.leave_group(hall["Priya"], op(), gid)
    assert [e["type"] for e in published[-2:]] == [
        "group.member_left",
        "group.coordinator_changed",
    ]
    assert published[-1]["data"]["group"]["coordinator_id"] == hall["Aisha"].participant_id
    refused("not_a_member", lambda: groups.leave_group(hall["Priya"], op(), gid), code)
    refused("not_a_member", lambda: groups.post_message(hall["Kemi"], op(), gid, "hi"), code)
    said = groups.post_message(hall["Tomasz"], op(), gid, "Saturday 10am?")["message"]
    assert said["author"]["name"] == "Tomasz" and published[-1]["type"] == "group.message_posted"

    groups.leave_group(hall["Aisha"], op(), gid)
    closing = groups.leave_group(hall["Tomasz"], op(), gid)["group"]
    assert closing["closed"] and closing["members"] == []
    assert published[-1]["type"] == "group.closed"
    # Closed, not deleted: the thread is still there; nobody can join or write.
    page = groups.group_page(hall["Aisha"], gid)
    assert [m["body"] for m in page["messages"]] == ["Saturday 10am?"]
    refused("group_closed", lambda: groups.join_group(hall["Kemi"], op(), hall["cafe"]), code)
    refused("group_closed", lambda: groups.post_message(hall["Aisha"], op(), gid, "hi"), code)


def test_group_lists_linked_offers(hall: dict[str, Any]) -> None:
    gid = groups.join_group(hall["Aisha"], op(), hall["cafe"])["group"]["id"]
    links.link_help(hall["Tomasz"], op(), hall["cafe"], hall["bikes"])
    page = groups.group_page(hall["Aisha"], gid)
    assert [o["offer"]["title"] for o in page["group"]["offers"]] == ["I can fix bikes"]


def test_anonymous_members_are_counted_unless_they_choose_a_name(hall: dict[str, Any]) -> None:
    code = hall["code"]
    shy = actor_of(join(code, None, anonymous=True))
    bold = actor_of(join(code, None, anonymous=True))
    groups.join_group(hall["Aisha"], op(), hall["cafe"])
    groups.join_group(shy, op(), hall["cafe"])
    named = groups.join_group(bold, op(), hall["cafe"], display_name="Grace")["group"]
    assert [m["name"] for m in named["members"]] == ["Aisha", "Grace"]
    assert named["anonymous_members"] == 1
    log = boards.events_since(hall["Aisha"], 0)
    assert "participant.renamed" in [e["type"] for e in log]


def test_suggestions_rank_driving_above_unrelated_offers_for_a_lift(ctx: Flask) -> None:
    """The need asks for lifts to the surgery. A driving offer shares the word (lift and
    drive are one word here, and the need also says "drives"), so it scores 2 per shared
    word; sewing only shares the theme tag "older people" (1); bikes share nothing."""
    code = new_board(tags=["older people", "getting around"]).board_code
    hannah = actor_of(join(code, "Hannah"))
    need = posts.create_post(
        hannah,
        op(),
        "need",
        "Lifts to the surgery for my neighbour",
        "My neighbour is 88 and can't manage the bus. Is there anyone who drives who could "
        "help once a fortnight?",
        "older people",
    )["post"]["id"]
    sewing = posts.create_post(
        actor_of(join(code, "Marjorie")),
        op(),
        "skill",
        "Sewing and alterations",
        "Forty years of dressmaking.",
        "older people",
    )["post"]["id"]
    driving = posts.create_post(
        actor_of(join(code, "Sean")),
        op(),
        "skill",
        "I can drive people to appointments",
        "I have a car and free weekday mornings.",
        "getting around",
        "weekday mornings",
    )["post"]["id"]
    posts.create_post(actor_of(join(code, "Tomasz")), op(), "skill", "I can fix bikes")

    found = offers.suggest_offers(hannah, need)
    assert [s["offer"]["id"] for s in found] == [driving, sewing]
    top = found[0]
    assert top["shared_words"] == ["drive"] and top["score"] == 2
    assert "both mention" in top["why"] and "drive" in top["why"]
    assert found[1]["same_tag"] and found[1]["why"] == "same theme: older people"


def test_offers_directory_filters_and_searches(hall: dict[str, Any]) -> None:
    posts.create_post(
        hall["Kemi"],
        op(),
        "tool",
        "Ladder and hedge trimmer",
        tag="green spaces",
        availability="weekends",
    )
    posts.create_post(hall["Aisha"], op(), "need", "A paid youth worker", tag="young people")
    everything = offers.search_offers(hall["Aisha"])
    assert {p["kind"] for p in everything} == {"skill", "tool", "need"}
    assert all(p["kind"] != "idea" for p in everything)
    assert [p["title"] for p in offers.search_offers(hall["Aisha"], kind="tool")] == [
        "Ladder and hedge trimmer"
    ]
    assert [p["title"] for p in offers.search_offers(hall["Aisha"], tag="young people")] == [
        "A paid youth worker"
    ]
    by_words = offers.search_offers(hall["Aisha"], q="weekend ladders")
    assert [p["title"] for p in by_words] == ["Ladder and hedge trimmer"]
    assert offers.search_offers(hall["Aisha"], q="unicycle") == []


def test_replies_to_actor_of_unknown_post(ctx: Flask) -> None:
    code = new_board().board_code
    aisha: Actor = actor_of(join(code, "Aisha"))
    with pytest.raises(BoardError) as error:
        offers.suggest_offers(aisha, 424242)
    assert error.value.code == "post_not_found"
