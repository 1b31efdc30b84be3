"""The public part of a snapshot, drawn once per board and seq (boards.PublicSnapshots).

A hall joining at once reads the board once: each later phone with no post of its own gets
what everyone sees from memory, with only its own parts (who it is, the head count, its
dots, its groups' drafts) read for it. These tests check that what it gets is exactly what
a snapshot drawn afresh says, for every kind of viewer, and that nothing kept outlives the
seq it was drawn at.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from board.extensions import db
from board.services import Actor, boards, groups, moderation, posts, proposals, workshop
from tests.conftest import actor_of, join, new_board, op
from tests.test_queries import counting


def fresh(actor: Actor) -> dict[str, Any]:
    """The actor's snapshot drawn from the database, nothing kept."""
    boards.PublicSnapshots.of_app().forget(actor.board_id)
    return boards.snapshot(actor)


def same(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two snapshots say the same, but for the time each was read."""

    def timeless(shaped: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in shaped.items() if name != "server_time"}

    return timeless(one) == timeless(other)


def test_a_hall_joining_reads_the_board_once_and_each_phone_gets_what_a_fresh_read_gives(
    ctx: Flask,
) -> None:
    lead_entry = new_board()
    code, lead = lead_entry.board_code, actor_of(lead_entry)
    aisha = actor_of(join(code, "Aisha"))
    for title in ("Repair café", "Tool library", "Street party"):
        posts.create_post(aisha, op(), "idea", title)
    first = actor_of(join(code, "Phone 1"))
    db.session.remove()
    with counting() as drawn:
        boards.snapshot(first)
    for n in range(2, 6):
        phone = actor_of(join(code, f"Phone {n}"))
        db.session.remove()
        with counting() as kept:
            shaped = boards.snapshot(phone)
        assert len(kept) < len(drawn) - 4, (kept, drawn)
        assert shaped["me"]["name"] == f"Phone {n}"
        assert shaped["participants"] == 2 + n  # the lead, Aisha and the phones so far
        assert same(shaped, fresh(phone))
    # The facilitator and the author never take what was kept for the others.
    assert same(boards.snapshot(lead), fresh(lead))
    assert same(boards.snapshot(aisha), fresh(aisha))


def test_a_write_is_in_the_next_snapshot_of_everyone(ctx: Flask) -> None:
    lead_entry = new_board()
    code, lead = lead_entry.board_code, actor_of(lead_entry)
    aisha, kemi = actor_of(join(code, "Aisha")), actor_of(join(code, "Kemi"))
    idea = posts.create_post(aisha, op(), "idea", "Repair café")["post"]["id"]
    before = boards.snapshot(kemi)
    posts.create_post(aisha, op(), "need", "A van on Saturday")
    workshop.update_session(lead, op(), phase="prioritise")
    after = boards.snapshot(kemi)
    assert after["seq"] > before["seq"]
    assert after["session"]["phase"] == "prioritise"
    assert {p["title"] for p in after["posts"]} == {"Repair café", "A van on Saturday"}
    moderation.pin_post(lead, op(), idea)
    pinned = boards.snapshot(kemi)
    assert next(p for p in pinned["posts"] if p["id"] == idea)["pinned"]
    assert same(pinned, fresh(kemi))


def test_a_post_waiting_for_approval_shows_only_to_its_author_and_the_facilitators(
    ctx: Flask,
) -> None:
    lead_entry = new_board()
    code, lead = lead_entry.board_code, actor_of(lead_entry)
    aisha, kemi = actor_of(join(code, "Aisha")), actor_of(join(code, "Kemi"))
    posts.create_post(aisha, op(), "idea", "Repair café")
    off_topic = posts.create_post(aisha, op(), "idea", "Buy my car")["post"]["id"]
    moderation.hide_post(lead, op(), off_topic, "off-topic", "Not for today")
    workshop.update_session(lead, op(), premoderation=True)
    waiting = posts.create_post(aisha, op(), "idea", "Bulbs for the verges")["post"]["id"]
    boards.snapshot(kemi)  # what everyone sees is kept now
    shown = {
        name: {p["id"] for p in boards.snapshot(who)["posts"]}
        for name, who in (("kemi", kemi), ("aisha", aisha), ("lead", lead))
    }
    assert waiting not in shown["kemi"] and off_topic not in shown["kemi"]
    assert waiting in shown["aisha"] and off_topic not in shown["aisha"]
    assert {waiting, off_topic} <= shown["lead"]
    assert boards.snapshot(kemi)["moderation"]["hidden"] == 1
    for viewer in (kemi, aisha, lead):
        assert same(boards.snapshot(viewer), fresh(viewer))


def test_dots_and_a_groups_draft_are_each_viewers_own(ctx: Flask) -> None:
    lead_entry = new_board()
    code, lead = lead_entry.board_code, actor_of(lead_entry)
    aisha, kemi, priya = (actor_of(join(code, name)) for name in ("Aisha", "Kemi", "Priya"))
    cafe = posts.create_post(aisha, op(), "idea", "Repair café")["post"]["id"]
    groups.join_group(kemi, op(), cafe)  # the first member coordinates the group
    draft = proposals.promote(kemi, op(), cafe)["proposal"]["id"]
    workshop.update_session(lead, op(), phase="prioritise")
    workshop.place_dot(kemi, op(), cafe)
    boards.snapshot(priya)  # what everyone sees is kept now
    assert boards.snapshot(priya)["proposals"] == []
    assert boards.snapshot(priya)["my_dots"] == {}
    kemis = boards.snapshot(kemi)
    assert [p["id"] for p in kemis["proposals"]] == [draft]
    assert kemis["my_dots"] == {str(cafe): 1} and kemis["dots_spent"] == 1
    assert [p["id"] for p in boards.snapshot(lead)["proposals"]] == [draft]
    for viewer in (priya, kemi, lead):
        assert same(boards.snapshot(viewer), fresh(viewer))


def test_nothing_is_kept_when_the_cache_is_off(tmp_path: Any) -> None:
    from tests.conftest import build_app

    app = build_app(tmp_path, BOARD_SNAPSHOT_CACHE_S=0)
    with app.app_context():
        code = new_board().board_code
        kemi = actor_of(join(code, "Kemi"))
        boards.snapshot(kemi)
        db.session.remove()
        with counting() as again:
            boards.snapshot(kemi)
        db.session.remove()
        with counting() as afresh:
            fresh(kemi)
        assert len(again) == len(afresh)
