"""Running the room: pre-moderation, silent brainstorming, dots, merge, reports, session rules.

Services are called directly; each test reads what each kind of viewer would get (snapshot
and replay) and what was published to whom.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from board import events
from board.errors import BoardError
from board.services import Actor, boards, links, moderation, posts, results, workshop
from tests.conftest import actor_of, join, new_board, op


@dataclasses.dataclass
class Hall:
    code: str
    lead: Actor
    aisha: Actor
    dev: Actor
    projector: Actor


@pytest.fixture
def hall(any_db_app: Flask) -> Iterator[Hall]:
    """A board with a facilitator, two residents and the projector, on SQLite and PostgreSQL."""
    with any_db_app.app_context():
        yield _hall()


def _hall() -> Hall:
    lead = new_board()
    code = lead.board_code
    lead_actor = actor_of(lead)
    return Hall(
        code,
        lead_actor,
        actor_of(join(code, "Aisha")),
        actor_of(join(code, "Dev")),
        dataclasses.replace(lead_actor, public_view=True),
    )


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], list[str] | None]]:
    """Every published event with the rooms it went to in full (None: everyone)."""
    out: list[tuple[dict[str, Any], list[str] | None]] = []
    monkeypatch.setattr(events, "publish", lambda message, rooms=None: out.append((message, rooms)))
    return out


def titles(actor: Actor) -> list[str]:
    return [p["title"] for p in boards.snapshot(actor)["posts"]]


def replayed(actor: Actor) -> list[str]:
    return [e["type"] for e in boards.events_since(actor, 0) or []]


def refused(code: str, call: Any, *args: Any, **kwargs: Any) -> BoardError:
    with pytest.raises(BoardError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def idea(actor: Actor, title: str, kind: str = "idea", **kw: Any) -> dict[str, Any]:
    return posts.create_post(actor, op(), kind, title, **kw)["post"]


def test_pre_moderation_hides_a_post_from_everyone_but_its_author_until_approved(
    hall: Hall, sent: list
) -> None:
    workshop.update_session(hall.lead, op(), premoderation=True)
    queued = idea(hall.aisha, "Free bike repair on Saturdays")
    assert queued["state"] == "pending"
    assert titles(hall.aisha) == ["Free bike repair on Saturdays"]
    assert titles(hall.lead) == ["Free bike repair on Saturdays"]  # the queue
    assert titles(hall.dev) == [] and titles(hall.projector) == []
    message, rooms = sent[-1]
    assert message["type"] == "post.created"
    lead_id, aisha_id = hall.lead.participant_id, hall.aisha.participant_id
    assert rooms == sorted([f"board:{hall.code}:p:{lead_id}", f"board:{hall.code}:p:{aisha_id}"])
    # Replay: everyone else gets the seq with nothing in it.
    dev_view = boards.events_since(hall.dev, 0)
    assert dev_view and dev_view[-1] == {**message, "type": "private", "data": {}}
    assert boards.events_since(hall.projector, 0)[-1]["type"] == "private"
    assert boards.events_since(hall.aisha, 0)[-1] == message
    # Nobody else can act on it; its author sees why.
    refused("post_not_found", posts.toggle_support, hall.dev, op(), queued["id"])
    refused("post_not_open", posts.toggle_support, hall.aisha, op(), queued["id"])
    # Facilitators' own posts skip the queue.
    assert idea(hall.lead, "Welcome! Post your ideas")["state"] == "visible"

    approved = moderation.approve_post(hall.lead, op(), queued["id"])
    assert approved["post"]["state"] == "visible"
    message, rooms = sent[-1]
    assert message["type"] == "post.approved" and rooms is None
    assert "Free bike repair on Saturdays" in titles(hall.dev)
    assert "Free bike repair on Saturdays" in titles(hall.projector)
    refused("not_pending", moderation.approve_post, hall.lead, op(), queued["id"])


def test_a_rejected_post_is_seen_only_by_its_author_with_the_reason(hall: Hall, sent: list) -> None:
    workshop.update_session(hall.lead, op(), premoderation=True)
    queued = idea(hall.dev, "Buy my car")
    moderation.reject_post(hall.lead, op(), queued["id"], "off-topic", "Try the market board")
    message, rooms = sent[-1]
    assert message["type"] == "post.rejected" and rooms is not None
    assert message["data"] == {
        "post_id": queued["id"],
        "title": "Buy my car",
        "reason": "off-topic",
        "note": "Try the market board",
    }
    mine = boards.snapshot(hall.dev)["posts"]
    assert [(p["state"], p["rejected_reason"]) for p in mine] == [("rejected", "off-topic")]
    assert titles(hall.aisha) == [] and titles(hall.projector) == []
    refused("post_closed", posts.update_post, hall.dev, op(), queued["id"], title="Car")
    assert posts.delete_post(hall.dev, op(), queued["id"])["deleted"]
    log = [e["action"] for e in moderation.moderation_log(hall.lead)]
    assert log == ["set_premoderation", "reject"]


def test_silent_brainstorming_reveals_every_held_post_at_once(hall: Hall, sent: list) -> None:
    workshop.update_session(hall.lead, op(), silent=True)
    first = idea(hall.aisha, "Community fridge")
    idea(hall.dev, "Street party")
    idea(hall.dev, "Tool library", kind="tool")
    assert first["state"] == "silent"
    assert titles(hall.aisha) == ["Community fridge"]
    assert titles(hall.dev) == ["Street party", "Tool library"]
    assert titles(hall.projector) == []
    assert len(titles(hall.lead)) == 3
    before = len(sent)
    workshop.update_session(hall.lead, op(), silent=False)
    kinds = [m["type"] for m, _ in sent[before:]]
    assert kinds == ["session.changed", "posts.revealed"]
    revealed, rooms = sent[-1]
    assert rooms is None
    assert [p["title"] for p in revealed["data"]["posts"]] == [
        "Community fridge",
        "Street party",
        "Tool library",
    ]
    assert all(p["state"] == "visible" for p in revealed["data"]["posts"])
    for viewer in (hall.aisha, hall.dev, hall.projector):
        assert titles(viewer) == ["Community fridge", "Street party", "Tool library"]
    # After the reveal, new posts show at once.
    assert idea(hall.aisha, "Benches")["state"] == "visible"


def test_merge_moves_supports_once_per_person_comments_links_and_dots(
    hall: Hall, sent: list
) -> None:
    keep = idea(hall.aisha, "Repair café at the library")
    dup = idea(hall.dev, "Repair cafe in the library")
    offer = idea(hall.dev, "I can fix bikes", kind="skill")
    for who in (hall.aisha, hall.dev):
        posts.toggle_support(who, op(), dup["id"])
    posts.toggle_support(hall.aisha, op(), keep["id"])  # Aisha supported both
    posts.add_comment(hall.aisha, op(), dup["id"], "Saturdays please")
    links.link_help(hall.dev, op(), dup["id"], offer["id"])
    links.link_help(hall.dev, op(), keep["id"], offer["id"])  # the same help on both
    links.link_help(hall.aisha, op(), dup["id"])
    workshop.update_session(hall.lead, op(), phase="prioritise")
    workshop.place_dot(hall.dev, op(), dup["id"])

    merged = moderation.merge_posts(hall.lead, op(), dup["id"], keep["id"])
    into = merged["into"]
    assert into["supporter_ids"] == sorted([hall.aisha.participant_id, hall.dev.participant_id])
    assert into["support_count"] == 2
    assert [c["body"] for c in into["comments"]] == ["Saturdays please"]
    helpers = sorted((h["helper"]["name"], bool(h["offer"])) for h in into["helpers"])
    assert helpers == [("Aisha", False), ("Dev", True)]
    assert into["dot_count"] == 1
    message, rooms = sent[-1]
    assert message["type"] == "post.merged" and rooms is None
    assert message["data"]["from_id"] == dup["id"]
    assert message["data"]["from_author_id"] == hall.dev.participant_id
    assert message["data"]["into"]["author"]["id"] == hall.aisha.participant_id
    # The duplicate is gone for everyone but its author (who is told) and facilitators.
    assert "Repair cafe in the library" not in titles(hall.aisha)
    dev_copy = [p for p in boards.snapshot(hall.dev)["posts"] if p["id"] == dup["id"]]
    assert dev_copy[0]["merged_into_id"] == keep["id"]
    assert boards.snapshot(hall.aisha)["moderation"]["hidden"] == 0
    refused("post_not_open", moderation.merge_posts, hall.lead, op(), dup["id"], keep["id"])
    refused("invalid_input", moderation.merge_posts, hall.lead, op(), keep["id"], keep["id"])


def test_dots_respect_the_budget_phase_and_hidden_reveal(hall: Hall, sent: list) -> None:
    a = idea(hall.aisha, "Zebra crossing")
    b = idea(hall.dev, "More bins")
    offer = idea(hall.dev, "Ladder", kind="tool")
    refused("not_prioritising", workshop.place_dot, hall.aisha, op(), a["id"])
    workshop.update_session(hall.lead, op(), phase="prioritise", dot_budget=2, dots_hidden=True)
    refused("posting_paused", posts.create_post, hall.aisha, op(), "idea", "Late idea")
    refused("invalid_target", workshop.place_dot, hall.aisha, op(), offer["id"])
    first = workshop.place_dot(hall.aisha, op(), a["id"])
    assert (first["mine"], first["spent"], first["budget"]) == (1, 1, 2)
    message, rooms = sent[-1]
    assert message["type"] == "dots.changed" and rooms is not None  # hidden: private
    assert boards.events_since(hall.dev, 0)[-1]["type"] == "private"
    workshop.place_dot(hall.aisha, op(), a["id"])
    refused("no_dots_left", workshop.place_dot, hall.aisha, op(), b["id"])
    back = workshop.take_back_dot(hall.aisha, op(), a["id"])
    assert (back["mine"], back["spent"]) == (1, 1)
    refused("no_dot_here", workshop.take_back_dot, hall.aisha, op(), b["id"])
    workshop.place_dot(hall.aisha, op(), b["id"])
    workshop.place_dot(hall.dev, op(), b["id"])
    # Hidden: nobody but facilitators sees totals; everyone sees their own.
    dev_view = boards.snapshot(hall.dev)
    assert {p["dot_count"] for p in dev_view["posts"]} == {None}
    assert dev_view["my_dots"] == {str(b["id"]): 1} and dev_view["dots_spent"] == 1
    assert boards.snapshot(hall.lead)["staff"]["dot_totals"] == {str(a["id"]): 1, str(b["id"]): 2}
    assert results.results(hall.dev)["ranked"][0]["dot_count"] is None
    workshop.update_session(hall.lead, op(), dots_hidden=False)
    message, rooms = sent[-1]
    assert message["type"] == "dots.revealed" and rooms is None
    assert message["data"]["totals"] == {str(a["id"]): 1, str(b["id"]): 2}
    ranked = results.results(hall.projector)["ranked"]
    assert [(r["title"], r["dot_count"]) for r in ranked] == [
        ("More bins", 2),
        ("Zebra crossing", 1),
    ]
    assert [o["title"] for o in results.results(hall.projector)["offers"]] == ["Ladder"]
    workshop.update_session(hall.lead, op(), phase="closed")
    refused("board_closed", workshop.place_dot, hall.aisha, op(), a["id"])


def test_reports_hide_a_post_at_the_threshold_and_restore_dismisses_them(
    hall: Hall, sent: list
) -> None:
    spam = idea(hall.aisha, "Cheap loans, call now")
    others = [actor_of(join(hall.code, f"Neighbour {n}")) for n in range(2)]
    workshop.update_session(hall.lead, op(), report_threshold=2)
    refused("invalid_input", moderation.report_post, hall.aisha, op(), spam["id"], "spam")
    moderation.report_post(hall.dev, op(), spam["id"], "spam")
    message, rooms = sent[-1]
    assert message["type"] == "post.reported" and rooms == [f"board:{hall.code}:p:1"]
    refused("already_reported", moderation.report_post, hall.dev, op(), spam["id"], "offensive")
    assert "Cheap loans, call now" in titles(hall.dev)
    moderation.report_post(others[0], op(), spam["id"], "spam")
    assert [m["type"] for m, _ in sent[-2:]] == ["post.reported", "post.hidden"]
    assert "Cheap loans, call now" not in titles(hall.dev)
    assert boards.snapshot(hall.dev)["moderation"] == {"hidden": 1, "by_reason": {"spam": 1}}
    assert boards.snapshot(hall.lead)["staff"]["reports"] == {str(spam["id"]): 2}
    moderation.restore_post(hall.lead, op(), spam["id"], "A genuine credit union")
    assert boards.snapshot(hall.lead)["staff"]["reports"] == {}
    # Reports start again from nothing.
    moderation.report_post(others[1], op(), spam["id"], "spam")
    assert "Cheap loans, call now" in titles(hall.dev)


def test_lock_mute_remove_and_slow_mode(hall: Hall) -> None:
    post = idea(hall.aisha, "Planters on the high street")
    workshop.update_session(hall.lead, op(), locked=True)
    for call, args in [
        (posts.create_post, ("idea", "More trees")),
        (posts.toggle_support, (post["id"],)),
        (posts.add_comment, (post["id"], "Yes")),
        (moderation.report_post, (post["id"], "spam")),
    ]:
        refused("board_locked", call, hall.dev, op(), *args)
    assert idea(hall.lead, "Facilitators can still post")["state"] == "visible"
    workshop.update_session(hall.lead, op(), locked=False)

    moderation.mute_participant(hall.lead, op(), hall.dev.participant_id)
    refused("muted", posts.create_post, hall.dev, op(), "idea", "Shouting")
    refused("muted", posts.add_comment, hall.dev, op(), post["id"], "Shouting")
    assert posts.toggle_support(hall.dev, op(), post["id"])["supported"]  # still votes
    assert boards.snapshot(hall.dev)["me"]["muted"] is True
    moderation.mute_participant(hall.lead, op(), hall.dev.participant_id, muted=False)
    idea(hall.dev, "Back again")

    workshop.update_session(hall.lead, op(), slow_mode_seconds=60)
    error = refused("slow_down", posts.create_post, hall.dev, op(), "idea", "Too soon")
    assert error.status == 429 and 0 < int(error.fields["retry_after"]) <= 60
    idea(hall.lead, "Facilitators are not slowed")

    moderation.remove_participant(hall.lead, op(), hall.dev.participant_id, "abusive")
    refused("access_revoked", posts.toggle_support, hall.dev, op(), post["id"])
    refused("forbidden", moderation.mute_participant, hall.lead, op(), hall.lead.participant_id)
    people = {p["name"]: p for p in moderation.participants(hall.lead)}
    assert people["Dev"]["removed"] and people["Dev"]["posts"] == 1


def test_timer_and_spotlight_are_the_same_for_everyone(hall: Hall, sent: list) -> None:
    post = idea(hall.aisha, "Allotments")
    answer = workshop.set_timer(hall.lead, op(), 180)
    timer = answer["session"]["timer"]
    assert timer["seconds"] == 180
    assert boards.snapshot(hall.dev)["session"]["timer"] == timer
    assert boards.snapshot(hall.projector)["session"]["timer"] == timer
    workshop.spotlight(hall.lead, op(), post["id"])
    assert boards.snapshot(hall.dev)["session"]["spotlight_post_id"] == post["id"]
    assert [m["type"] for m, _ in sent[-2:]] == ["session.changed", "session.changed"]
    assert sent[-1][0]["data"]["changed"] == ["spotlight_post_id"]
    # Hiding the spotlighted post ends the spotlight.
    moderation.hide_post(hall.lead, op(), post["id"], "personal information")
    assert boards.snapshot(hall.dev)["session"]["spotlight_post_id"] is None
    workshop.set_timer(hall.lead, op(), 0)
    assert boards.snapshot(hall.dev)["session"]["timer"] is None
    refused("invalid_input", workshop.update_session, hall.lead, op())


def test_assisted_posts_are_marked_and_fairness_counts_voices(hall: Hall) -> None:
    assisted = idea(hall.lead, "A bench by the bus stop", on_behalf_of="Maureen")
    assert assisted["on_behalf_of"] == "Maureen"
    refused("forbidden", posts.create_post, hall.aisha, op(), "idea", "X", on_behalf_of="Bob")
    quiet = [actor_of(join(hall.code, f"Quiet {n}")) for n in range(8)]
    for n in range(6):
        idea(hall.aisha, f"Aisha's idea {n}")
    idea(hall.dev, "Dev's idea")
    posts.toggle_support(quiet[0], op(), assisted["id"])
    view = results.fairness(hall.lead)
    assert view["joined"] == 10 and view["posted"] == 2 and view["not_posted"] == 8
    assert view["assisted_posts"] == 1
    assert view["top_tenth"] == {"people": 1, "posts": 6, "share": round(6 / 7, 3)}
    assert view["supports"]["people"] == 1
    assert "Quiet 0" in view["not_posted_names"]
    refused("forbidden", results.fairness, hall.aisha)
