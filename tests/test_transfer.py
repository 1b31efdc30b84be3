"""Board export (complete JSON and CSV) and import into another instance.

A rich board is built once through the services, exported, and imported into fresh
databases (SQLite, and PostgreSQL when ./dev test provides it): the board that comes back
is compared with the original row by row, with ids replaced by stable keys.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from flask import Flask

from board.demo import DEMO_DATA, create_demo_board
from board.errors import BoardError
from board.extensions import db
from board.models import (
    Board,
    BoardEvent,
    Comment,
    Dot,
    Group,
    GroupMember,
    GroupMessage,
    Link,
    ModerationAction,
    OfficerToken,
    Participant,
    Post,
    Proposal,
    Report,
    Support,
    WebhookDelivery,
)
from board.services import (
    Actor,
    admins,
    boards,
    groups,
    links,
    moderation,
    posts,
    proposals,
    transfer,
    workshop,
)
from board.services.boards import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from tests.conftest import build_app, op, postgres_url, reset_postgres

TABLES = (
    "boards",
    "participants",
    "posts",
    "supports",
    "dots",
    "reports",
    "comments",
    "links",
    "groups",
    "group_members",
    "group_messages",
    "proposals",
    "proposal_transitions",
    "moderation_actions",
    "board_events",
    "operations",
)


# The rich board ---------------------------------------------------------------------------


@dataclass
class Source:
    """The original instance: its app, the board, tokens, and the board as exported."""

    app: Flask
    code: str
    tokens: dict[str, str]
    document: dict[str, Any]
    described: dict[str, Any]

    @property
    def imported(self) -> dict[str, Any]:
        """The board as an import makes it: the council's side of its proposals left out."""
        return as_imported(self.described)


#: A proposal's record of the council's decision, and what an import leaves in it.
DECISION = {
    "decision": None,
    "decision_date": None,
    "decision_maker": "",
    "decision_reasons": "",
    "conditions": "",
    "alternatives_rejected": "",
    "minutes_url": "",
}
COUNCIL_STATES = ("received", "under_review", "decided")


def as_imported(described: dict[str, Any]) -> dict[str, Any]:
    """``describe``'s board as an import of it looks: officers' steps gone, the decision
    record empty, a proposal the council had reached back at submitted, and a step by the
    import saying so (its note and time not compared)."""
    out = copy.deepcopy(described)
    for proposal in out["proposals"]:
        state = proposal["state"]
        officers = [t for t in proposal["transitions"] if t[3] == "officer"]
        changed = bool(officers) or any(proposal[k] != v for k, v in DECISION.items())
        proposal.update(DECISION)
        steps = [
            ("submitted" if t[0] in COUNCIL_STATES else t[0], *t[1:])
            for t in proposal["transitions"]
            if t[3] != "officer"
        ]
        if state in COUNCIL_STATES:
            proposal["state"] = "submitted"
        if changed or state in COUNCIL_STATES:
            steps.append((state, proposal["state"], "board import", "import", mock.ANY, mock.ANY))
        proposal["transitions"] = steps
    return out


def as_imported_document(document: dict[str, Any]) -> dict[str, Any]:
    """An export file as its import exports again (see ``as_imported``)."""
    out = copy.deepcopy(document)
    for proposal in out["proposals"]:
        state = proposal["state"]
        officers = [t for t in proposal["transitions"] if t["actor_kind"] == "officer"]
        changed = bool(officers) or any(proposal[k] != v for k, v in DECISION.items())
        proposal.update(DECISION)
        proposal["transitions"] = [
            {
                **t,
                "from_state": "submitted" if t["from_state"] in COUNCIL_STATES else t["from_state"],
            }
            for t in proposal["transitions"]
            if t["actor_kind"] != "officer"
        ]
        if state in COUNCIL_STATES:
            proposal["state"] = "submitted"
        if changed or state in COUNCIL_STATES:
            proposal["transitions"].append(
                {
                    "from_state": state,
                    "to_state": proposal["state"],
                    "actor": "board import",
                    "actor_kind": "import",
                    "note": mock.ANY,
                    "created_at": mock.ANY,
                }
            )
    return out


def _post_id(actor: Actor, title: str) -> int:
    found = [p["id"] for p in boards.snapshot(actor)["posts"] if p["title"] == title]
    assert len(found) == 1, title
    return found[0]


def build_rich_board() -> tuple[str, dict[str, str]]:
    """The demo workshop, plus every state and setting a board can be in."""
    code, lead_token = create_demo_board(json.loads(DEMO_DATA.read_text()))
    tokens = {"lead": lead_token}

    def enter(name: str | None, anonymous: bool = False) -> Actor:
        made = boards.join_board(code, name, anonymous)
        tokens[name or f"anonymous-{len(tokens)}"] = made.token
        return boards.identify(db.session, code, made.token)

    lead = boards.identify(db.session, code, lead_token)
    zoe, yusuf, wren, quinn = (enter(n) for n in ("Zoe", "Yusuf", "Wren", "Quinn"))
    enter(None, anonymous=True)  # stays anonymous
    shy = enter(None, anonymous=True)  # names themselves when joining a group
    co = moderation.invite_facilitator(lead, "Former helper")
    officer = moderation.invite_facilitator(lead, "Council officer")
    tokens["co"], tokens["officer"] = co.token, officer.token

    cafe = _post_id(lead, "Repair café in the empty shop on Hamlet Road")
    youth = _post_id(lead, "Youth club evenings at the church hall")
    edible = _post_id(lead, "Incredible Edible beds outside the station")
    lifts = _post_id(lead, "Lifts to the surgery for my neighbour")
    crossing = _post_id(lead, "Safer crossing by the primary school")
    warm = _post_id(lead, "Warm space on weekday afternoons")
    bikes_for_kids = _post_id(lead, "Bike maintenance sessions for kids")
    pa = _post_id(lead, "PA system and two microphones")
    bins = _post_id(lead, "Spare compost bins and seed trays")

    # A duplicate merged into the repair café; another merged into a post later deleted.
    dup = posts.create_post(wren, op(), "idea", "Repair cafe on Hamlet Rd")["post"]["id"]
    moderation.merge_posts(lead, op(), dup, cafe)
    verges = posts.create_post(quinn, op(), "idea", "Tidy the verges")["post"]["id"]
    verges_dup = posts.create_post(wren, op(), "idea", "Tidy the verges please")["post"]["id"]
    moderation.merge_posts(lead, op(), verges_dup, verges)
    # A draft proposal with no group, whose idea is then deleted (the proposal stays).
    proposals.promote(lead, op(), verges)
    posts.delete_post(lead, op(), verges)
    # Hidden with a reason; hidden then deleted (the log outlives it).
    moderation.hide_post(lead, op(), pa, "off-topic", "Not for today")
    moderation.hide_post(lead, op(), bins, "spam")
    posts.delete_post(lead, op(), bins)
    # Entered for someone from a paper card, pinned, and a cell a spreadsheet would run.
    posts.create_post(
        lead,
        op(),
        "idea",
        "Benches along the high street",
        "Somewhere to rest between the shops.\nEvery 200 m?",
        tag="high street",
        availability="any time",
        on_behalf_of="Doris (paper card)",
    )
    moderation.pin_post(lead, op(), youth)
    posts.create_post(zoe, op(), "need", "=1+1 more bins", "-formula body", tag="food")
    posts.update_post(zoe, op(), _post_id(lead, "=1+1 more bins"), body="@edited")
    # Supports, comments, "I can help" without an offer, groups with a thread, a closed one.
    posts.toggle_support(zoe, op(), warm)
    posts.add_comment(zoe, op(), cafe, "I can bring tea and cake")
    links.link_help(zoe, op(), lifts)
    cafe_group = groups.join_group(zoe, op(), cafe)["group"]["id"]
    groups.post_message(zoe, op(), cafe_group, "First Saturday of the month?")
    groups.post_message(lead, op(), cafe_group, "The council can lend the hall.")
    groups.join_group(shy, op(), warm, display_name="Pat")
    closed = groups.join_group(yusuf, op(), crossing)["group"]["id"]
    groups.post_message(yusuf, op(), closed, "Anyone else walk this way?")
    groups.leave_group(yusuf, op(), closed)
    # A proposal all the way to the council's decision: promoted by its group's
    # coordinator, shaped by a member, with a named contact and a member named.
    edible_group = groups.join_group(wren, op(), edible)["group"]["id"]  # Wren coordinates
    groups.join_group(quinn, op(), edible)
    decided = proposals.promote(wren, op(), edible)["proposal"]["id"]
    proposals.update(
        quinn,
        op(),
        decided,
        **{
            "short_summary": "Raised beds of herbs and vegetables outside the station.",
            "what_we_want": "Four raised beds, planted and kept by volunteers.\nAnyone picks.",
            "asks": ["money", "permission"],
            "amount_gbp": 1850.5,
            "ward": "Westcliff",
            "address": "Station Approach",
            "latitude": 51.5412,
            "longitude": 0.6891,
            "capital_gbp": 1200,
            "options": "Do nothing; planters on the platform; beds by the entrance.",
            "route": "ward_panel",
        },
    )
    proposals.volunteer_contact(wren, op(), decided, "Wren", "wren@example.org", True)
    proposals.set_named(wren, op(), edible_group, True)
    proposals.submit(wren, op(), decided, "Ready for the ward panel")
    council_token = proposals.create_officer_token("Jo Patel, Community Grants Officer")
    tokens["council"] = council_token
    council = proposals.officer_by_token(council_token)
    proposals.officer_move(council, decided, "received")
    proposals.officer_move(
        council,
        decided,
        "decided",
        "Agreed at the November panel",
        decision="accepted_with_conditions",
        decision_date="2026-11-26",
        decision_maker="Westcliff Ward Panel",
        decision_reasons="Cheap, popular, and the station agrees.",
        conditions="Beds kept clear of the footpath.",
        alternatives_rejected="Planters on the platform.",
        minutes_url="https://example.org/minutes/2026-11",
    )
    # A draft withdrawn: promoted by a facilitator, edited by a member.
    withdrawn = proposals.promote(lead, op(), cafe)["proposal"]["id"]
    proposals.update(zoe, op(), withdrawn, title="A repair café once a month")
    proposals.set_named(zoe, op(), cafe_group, True)
    proposals.withdraw(lead, op(), withdrawn, "Not this year")
    # Reports: two hide a post at a threshold of two; one stays a report.
    workshop.update_session(lead, op(), report_threshold=2)
    moderation.report_post(zoe, op(), bikes_for_kids, "spam")
    moderation.report_post(quinn, op(), bikes_for_kids, "off-topic")
    moderation.report_post(zoe, op(), edible, "off-topic")
    # People: muted, removed, a co-facilitator's link withdrawn.
    moderation.mute_participant(lead, op(), zoe.participant_id)
    moderation.remove_participant(lead, op(), yusuf.participant_id, "Asked to leave")
    moderation.revoke_facilitator(lead, op(), co.participant_id)
    # Pre-moderation: one waiting, one rejected.
    workshop.update_session(lead, op(), premoderation=True)
    posts.create_post(wren, op(), "idea", "A mural under the bridge")
    rejected = posts.create_post(wren, op(), "skill", "Buy my stuff cheap")["post"]["id"]
    moderation.reject_post(lead, op(), rejected, "spam", "An advert")
    # Silent brainstorming: one held back.
    workshop.update_session(lead, op(), premoderation=False, silent=True)
    posts.create_post(quinn, op(), "idea", "A street party in June")
    # Prioritising with hidden dots.
    workshop.update_session(lead, op(), phase="prioritise", dot_budget=5, dots_hidden=True)
    workshop.place_dot(zoe, op(), cafe)
    workshop.place_dot(zoe, op(), cafe)
    workshop.place_dot(quinn, op(), lifts)
    workshop.place_dot(wren, op(), cafe)
    # Timer, spotlight, slow mode, locked.
    workshop.set_timer(lead, op(), 300)
    workshop.spotlight(lead, op(), youth)
    workshop.update_session(lead, op(), locked=True, slow_mode_seconds=30)
    return code, tokens


def stamp(moment: datetime | None) -> str | None:
    """A timestamp compared to the microsecond, whatever the database hands back."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def describe(code: str) -> dict[str, Any]:
    """Everything stored about the board, with ids replaced by stable keys (participants by
    their order of joining and name, posts by title), so two instances can be compared."""
    s = db.session
    board = boards.board_by_code(s, code)

    def rows(model: Any, *where: Any) -> list[Any]:
        query = sa.select(model)
        for clause in where:
            query = query.where(clause)
        return list(s.scalars(query.order_by(model.id)))

    people = rows(Participant, Participant.board_id == board.id)
    who = {p.id: f"{n}:{p.display_name}" for n, p in enumerate(people)}
    post_rows = rows(Post, Post.board_id == board.id)
    what = {p.id: p.title for p in post_rows}
    assert len(set(what.values())) == len(what), "post titles must be unique to be keys"
    group_rows = rows(Group, Group.board_id == board.id)
    group_of = {g.id: what[g.idea_id] for g in group_rows}
    in_board = [Post.board_id == board.id]

    def merged(post: Post) -> str | None:
        if post.merged_into_id is None:
            return None
        return what.get(post.merged_into_id, "<a deleted post>")

    return {
        "board": {
            "title": board.title,
            "prompt": board.prompt,
            "kind": board.kind,
            "tags": board.tags,
            "created_at": stamp(board.created_at),
            **{name: getattr(board, name) for name in workshop.SETTINGS},
            "spotlight": what.get(board.spotlight_post_id) if board.spotlight_post_id else None,
            "timer_ends_at": stamp(board.timer_ends_at),
            "timer_seconds": board.timer_seconds,
        },
        "participants": [
            (
                who[p.id],
                p.display_name,
                p.anonymous,
                p.role,
                p.token_hash,
                stamp(p.created_at),
                stamp(p.revoked_at),
                stamp(p.muted_at),
            )
            for p in people
        ],
        "posts": [
            {
                "title": p.title,
                "author": who[p.author_id],
                "kind": p.kind,
                "body": p.body,
                "tag": p.tag,
                "availability": p.availability,
                "state": p.state,
                "rejected_reason": p.rejected_reason,
                "hidden_at": stamp(p.hidden_at),
                "hidden_reason": p.hidden_reason,
                "pinned_at": stamp(p.pinned_at),
                "on_behalf_of": p.on_behalf_of,
                "merged_into": merged(p),
                "created_at": stamp(p.created_at),
                "updated_at": stamp(p.updated_at),
            }
            for p in post_rows
        ],
        "supports": [
            (what[x.post_id], who[x.participant_id], stamp(x.created_at))
            for x in s.scalars(sa.select(Support).join(Post).where(*in_board).order_by(Support.id))
        ],
        "dots": [
            (what[x.post_id], who[x.participant_id], stamp(x.created_at))
            for x in rows(Dot, Dot.board_id == board.id)
        ],
        "reports": [
            (what[x.post_id], who[x.participant_id], x.reason, stamp(x.created_at))
            for x in rows(Report, Report.board_id == board.id)
        ],
        "comments": [
            (what[x.post_id], who[x.author_id], x.body, stamp(x.created_at))
            for x in s.scalars(sa.select(Comment).join(Post).where(*in_board).order_by(Comment.id))
        ],
        "links": [
            (
                what[x.target_id],
                what[x.offer_id] if x.offer_id else None,
                who[x.helper_id],
                stamp(x.created_at),
            )
            for x in rows(Link, Link.board_id == board.id)
        ],
        "groups": [
            {
                "idea": what[g.idea_id],
                "name": g.name,
                "coordinator": who.get(g.coordinator_id) if g.coordinator_id else None,
                "created_at": stamp(g.created_at),
                "closed_at": stamp(g.closed_at),
                "members": [
                    (who[m.participant_id], stamp(m.joined_at), m.named_in_proposal)
                    for m in rows(GroupMember, GroupMember.group_id == g.id)
                ],
                "messages": [
                    (who[m.author_id], m.body, stamp(m.created_at))
                    for m in rows(GroupMessage, GroupMessage.group_id == g.id)
                ],
            }
            for g in group_rows
        ],
        "proposals": [
            {
                **{
                    column.key: getattr(p, column.key)
                    for column in Proposal.__table__.columns
                    if not column.key.endswith("_id") and column.key != "id"
                },
                "idea": what.get(p.idea_id) if p.idea_id is not None else None,
                "group": group_of[p.group_id] if p.group_id is not None else None,
                "contact": who.get(p.contact_id) if p.contact_id is not None else None,
                "created_by": who.get(p.created_by_id) if p.created_by_id is not None else None,
                "created_at": stamp(p.created_at),
                "updated_at": stamp(p.updated_at),
                "transitions": [
                    (t.from_state, t.to_state, t.actor, t.actor_kind, t.note, stamp(t.created_at))
                    for t in p.transitions
                ],
            }
            for p in rows(Proposal, Proposal.board_id == board.id)
        ],
        "moderation_log": [
            (
                who[a.actor_id],
                a.action,
                what.get(a.post_id) if a.post_id is not None else None,
                who.get(a.participant_id) if a.participant_id is not None else None,
                a.reason,
                a.note,
                stamp(a.created_at),
            )
            for a in rows(ModerationAction, ModerationAction.board_id == board.id)
        ],
    }


@pytest.fixture(autouse=True)
def _imports_back_to_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests import one file after another as fast as they can: no rest between."""
    monkeypatch.setattr(admins, "IMPORTS", admins.ImportGate(per_hour=10_000, rest=0))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """The original instance with the rich board, exported once (read-only afterwards)."""
    # The rich board is built faster than anyone types: the write bucket would refuse it.
    app = build_app(tmp_path_factory.mktemp("source"), BOARD_WRITE_BURST=100_000)
    with app.app_context():
        code, tokens = build_rich_board()
        lead = boards.identify(db.session, code, tokens["lead"])
        document = transfer.export_board(lead)
        described = describe(code)
        db.session.remove()
    yield Source(app, code, tokens, document, described)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Another instance on a fresh database: SQLite, then PostgreSQL."""
    url = None
    if request.param == "postgresql":
        url = postgres_url()
        reset_postgres(url)
    app = build_app(tmp_path, url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Flask]:
    """Another instance on a fresh SQLite database."""
    app = build_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def fingerprint(app: Flask) -> tuple[int, ...]:
    """Row counts of every table: any write changes it."""
    with app.app_context(), db.engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The rich board is what it claims to be ---------------------------------------------------


def test_the_rich_board_covers_every_state(source: Source) -> None:
    d = source.described
    states = {p["state"] for p in d["posts"]}
    assert states == {"visible", "pending", "rejected", "silent"}
    assert any(p["hidden_reason"] == "off-topic" for p in d["posts"])
    assert any(
        p["merged_into"] == "Repair café in the empty shop on Hamlet Road" for p in d["posts"]
    )
    assert any(p["merged_into"] == "<a deleted post>" for p in d["posts"])
    assert any(p["pinned_at"] for p in d["posts"])
    assert any(p["on_behalf_of"] for p in d["posts"])
    assert d["dots"] and d["reports"] and d["comments"] and d["supports"]
    assert {link[1] is None for link in d["links"]} == {True, False}
    assert any(g["closed_at"] for g in d["groups"]) and any(g["messages"] for g in d["groups"])
    people = d["participants"]
    assert any(p[7] for p in people), "someone is muted"
    assert any(p[6] and p[3] == "participant" for p in people), "someone was removed"
    assert any(p[6] and p[3] == "facilitator" for p in people), "a link was withdrawn"
    assert any(p[2] for p in people), "someone is anonymous"
    settings = d["board"]
    assert settings["phase"] == "prioritise" and settings["dots_hidden"] and settings["locked"]
    assert settings["spotlight"] and settings["timer_seconds"] == 300
    log = d["moderation_log"]
    assert any(a[1] == "hide" and a[2] is None for a in log), "a log row outlives its post"
    orphan, decided, withdrawn = d["proposals"]
    assert orphan["state"] == "draft" and orphan["idea"] is None and orphan["group"] is None
    assert [t[:2] for t in decided["transitions"]] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "received"),
        ("received", "decided"),
    ]
    assert decided["transitions"][-1][3] == "officer" and decided["decision"]
    assert decided["contact"] and decided["created_by"] and decided["group"]
    assert decided["amount_pence"] == 185050 and decided["latitude"] == 51.5412
    assert withdrawn["state"] == "withdrawn" and withdrawn["transitions"][-1][0] == "draft"
    named = {m[2] for g in d["groups"] for m in g["members"]}
    assert named == {True, False}
    document = json.dumps(source.document)
    assert proposals.hash_token(source.tokens["council"]) not in document
    assert "Jo Patel" in document  # the officer's name, in the history only


# Round trip -------------------------------------------------------------------------------


def test_export_then_import_into_a_fresh_database_gives_an_equal_board(
    source: Source, target: Flask
) -> None:
    # Through a file, as a facilitator would carry it.
    document = json.loads(json.dumps(source.document))
    with target.app_context():
        made = transfer.import_board(document)
        assert made.board_code == source.code and not made.code_changed
        assert made.participants_remapped == 0
        assert describe(made.board_code) == source.imported
        board = db.session.get_one(Board, made.board_id)
        assert board.last_seq == 0
        # No events, and nothing of the old instance's: no officer tokens, no webhooks.
        for model in (BoardEvent, OfficerToken, WebhookDelivery):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0

        # The original facilitator's link opens the imported board, with the whole snapshot.
        lead = boards.identify(db.session, made.board_code, source.tokens["lead"])
        seen = boards.snapshot(lead)
        assert seen["me"]["role"] == "facilitator" and seen["seq"] == 0
        assert seen["session"]["phase"] == "prioritise"
        assert "staff" in seen and seen["staff"]["muted_ids"]
        titles = {p["title"] for p in seen["posts"]}
        assert {
            "A mural under the bridge",
            "Buy my stuff cheap",
            "A street party in June",
        } <= titles
        # Residents' links work too; a withdrawn co-facilitator's and a removed person's do not.
        zoe = boards.identify(db.session, made.board_code, source.tokens["Zoe"])
        assert boards.snapshot(zoe)["me"]["muted"] is True
        for gone in ("co", "Yusuf"):
            with pytest.raises(BoardError) as refused:
                boards.identify(db.session, made.board_code, source.tokens[gone])
            assert refused.value.code == "access_revoked"

        # Exporting the copy gives the same document, but for its own ids and times.
        again = transfer.export_board(lead)
    assert strip_ids(again) == strip_ids(as_imported_document(source.document))


def strip_ids(document: dict[str, Any]) -> dict[str, Any]:
    """A document without exported_at and with every id replaced by its position."""
    doc = copy.deepcopy(document)
    doc.pop("exported_at")
    people = {p["id"]: n for n, p in enumerate(doc["participants"])}
    posts_ = {p["id"]: n for n, p in enumerate(doc["posts"])}

    def swap(row: dict[str, Any], keys: tuple[str, ...], table: dict[int, int]) -> None:
        for key in keys:
            if row.get(key) is not None:
                row[key] = table.get(row[key], "gone")

    for p in doc["participants"]:
        p.pop("id")
    for p in doc["posts"]:
        p.pop("id")
        swap(p, ("author_id",), people)
        swap(p, ("merged_into_id",), posts_)
    swap(doc["board"], ("spotlight_post_id",), posts_)
    doc["board"].pop("code")
    for table, post_keys, people_keys in (
        ("supports", ("post_id",), ("participant_id",)),
        ("dots", ("post_id",), ("participant_id",)),
        ("reports", ("post_id",), ("participant_id",)),
        ("comments", ("post_id",), ("author_id",)),
        ("links", ("target_id", "offer_id"), ("helper_id",)),
        ("moderation_log", ("post_id",), ("actor_id", "participant_id")),
    ):
        for row in doc[table]:
            swap(row, post_keys, posts_)
            swap(row, people_keys, people)
    for g in doc["groups"]:
        swap(g, ("idea_id",), posts_)
        swap(g, ("coordinator_id",), people)
        for m in g["members"]:
            swap(m, ("participant_id",), people)
        for m in g["messages"]:
            swap(m, ("author_id",), people)
    for p in doc["proposals"]:  # group_id is already a position in groups
        p.pop("id")
        swap(p, ("idea_id",), posts_)
        swap(p, ("contact_id", "created_by_id"), people)
    return doc


def test_importing_twice_into_one_database_makes_two_boards(source: Source, fresh: Flask) -> None:
    with fresh.app_context():
        first = transfer.import_board(source.document)
        second = transfer.import_board(source.document)
        assert first.board_id != second.board_id and first.board_code != second.board_code
        assert second.code_changed and not first.code_changed
        people = len(source.document["participants"])
        assert (first.participants_remapped, second.participants_remapped) == (0, people)

        one, two = describe(first.board_code), describe(second.board_code)
        assert one == source.imported
        # The copy is the same board but for the token hashes, which are all new, and the
        # proposals' references, rebuilt with the copy's join code.
        hashes = {p[4] for p in one["participants"]}
        assert not hashes & {p[4] for p in two["participants"]}
        strip = [p[:4] + p[5:] for p in one["participants"]]
        assert strip == [p[:4] + p[5:] for p in two["participants"]]
        references = [p.pop("reference") for p in one["proposals"]]
        assert [p.pop("reference") for p in two["proposals"]] == [
            r.replace(f"-{first.board_code}-", f"-{second.board_code}-") for r in references
        ]
        for described in (one, two):  # each import's own step is taken when it runs
            for proposal in described["proposals"]:
                proposal["transitions"] = [t[:5] for t in proposal["transitions"]]
        assert {**one, "participants": None} == {**two, "participants": None}

        # Every reference in the copy points into the copy.
        board_of_post = dict(db.session.execute(sa.select(Post.id, Post.board_id)).all())
        board_of_person = dict(
            db.session.execute(sa.select(Participant.id, Participant.board_id)).all()
        )
        for link in db.session.scalars(sa.select(Link).where(Link.board_id == second.board_id)):
            assert board_of_post[link.target_id] == second.board_id
            assert link.offer_id is None or board_of_post[link.offer_id] == second.board_id
            assert board_of_person[link.helper_id] == second.board_id
        for group in db.session.scalars(sa.select(Group).where(Group.board_id == second.board_id)):
            assert board_of_post[group.idea_id] == second.board_id
        board_of_group = dict(db.session.execute(sa.select(Group.id, Group.board_id)).all())
        copied = db.session.scalars(sa.select(Proposal).where(Proposal.board_id == second.board_id))
        for proposal in copied:
            assert proposal.idea_id is None or board_of_post[proposal.idea_id] == second.board_id
            assert proposal.group_id is None or board_of_group[proposal.group_id] == second.board_id
            for person in (proposal.contact_id, proposal.created_by_id):
                assert person is None or board_of_person[person] == second.board_id
        for post in db.session.scalars(sa.select(Post).where(Post.board_id == second.board_id)):
            assert board_of_person[post.author_id] == second.board_id
            if post.merged_into_id:
                assert board_of_post[post.merged_into_id] == second.board_id

        # The old link opens the first copy only.
        assert boards.identify(db.session, first.board_code, source.tokens["lead"])
        with pytest.raises(BoardError) as refused:
            boards.identify(db.session, second.board_code, source.tokens["lead"])
        assert refused.value.code == "not_joined"


def test_a_file_from_before_proposals_still_imports(source: Source, target: Flask) -> None:
    """No ``proposals``, no ``named_in_proposal``: still version 1, and it imports."""
    old = copy.deepcopy(source.document)
    del old["proposals"]
    for group in old["groups"]:
        for member in group["members"]:
            del member["named_in_proposal"]
    expected = copy.deepcopy(source.imported)
    expected["proposals"] = []
    for group in expected["groups"]:
        group["members"] = [(who, joined, False) for who, joined, _named in group["members"]]
    with target.app_context():
        made = transfer.import_json(json.dumps(old))
        assert describe(made.board_code) == expected


def test_references_stay_unique_on_the_instance(source: Source, fresh: Flask) -> None:
    kept = [p["reference"] for p in source.document["proposals"]]
    assert kept == [f"CG-{source.code}-{n}" for n in (1, 2, 3)]

    def references(code: str) -> list[str]:
        return [p["reference"] for p in describe(code)["proposals"]]

    with fresh.app_context():
        first = transfer.import_board(source.document)
        assert references(first.board_code) == kept
        # The same file again: a new join code, and references rebuilt with it.
        second = transfer.import_board(source.document)
        assert second.code_changed
        assert references(second.board_code) == [f"CG-{second.board_code}-{n}" for n in (1, 2, 3)]
        # A file whose code is free here but whose references are taken: fresh ones, in the
        # same pattern; one that is free (and not in the pattern) is kept.
        moved = copy.deepcopy(source.document)
        free = next(
            c * JOIN_CODE_LENGTH
            for c in JOIN_CODE_ALPHABET
            if c * JOIN_CODE_LENGTH not in (first.board_code, second.board_code)
        )
        moved["board"]["code"] = free
        moved["proposals"][1]["reference"] = "WESTCLIFF-2026-07"
        third = transfer.import_board(moved)
        assert third.board_code == free and not third.code_changed
        assert references(third.board_code) == [f"CG-{free}-1", "WESTCLIFF-2026-07", f"CG-{free}-3"]
        everything = list(db.session.scalars(sa.select(Proposal.reference)))
        assert len(everything) == len(set(everything)) == 9
        # Promoting on a copy numbers on from its proposals.
        board = db.session.get_one(Board, first.board_id)
        board.locked = False
        db.session.commit()
        lead = boards.identify(db.session, first.board_code, source.tokens["lead"])
        youth = _post_id(lead, "Youth club evenings at the church hall")
        made = proposals.promote(lead, op(), youth)["proposal"]
        assert made["reference"] == f"CG-{first.board_code}-4"


# HTTP -------------------------------------------------------------------------------------


def test_export_over_http_json_and_csv(source: Source) -> None:
    client = source.app.test_client()
    lead = bearer(source.tokens["lead"])
    answer = client.get(f"/api/v1/boards/{source.code.lower()}/export", headers=lead)
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="board-{source.code}.json"'
    assert answer.headers["Cache-Control"] == "no-store"
    document = answer.json
    assert document["format"] == "common-ground-board" and document["version"] == 1
    assert strip_ids(document) == strip_ids(source.document)
    assert list(document) == [
        "format",
        "version",
        "exported_at",
        "board",
        "participants",
        "posts",
        "supports",
        "dots",
        "reports",
        "comments",
        "links",
        "groups",
        "proposals",
        "moderation_log",
    ]
    assert client.get(f"/api/v1/boards/{source.code}/export?format=json", headers=lead).json

    answer = client.get(f"/api/v1/boards/{source.code}/export?format=csv", headers=lead)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="board-{source.code}.csv"'
    )
    table = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert tuple(table[0]) == transfer.CSV_COLUMNS
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert len(rows) == len(source.document["posts"])
    assert [int(r["id"]) for r in rows] == [p["id"] for p in source.document["posts"]]
    by_title = {r["title"]: r for r in rows}
    # A cell a spreadsheet would run as a formula is text; multi-line bodies survive.
    assert "'=1+1 more bins" in by_title and by_title["'=1+1 more bins"]["body"] == "'@edited"
    benches = by_title["Benches along the high street"]
    assert benches["body"] == "Somewhere to rest between the shops.\nEvery 200 m?"
    assert benches["on_behalf_of"] == "Doris (paper card)"
    assert benches["author"] == "Facilitator (Sam, council)"
    # Facilitators see the dots even while they are hidden from everyone else.
    cafe = by_title["Repair café in the empty shop on Hamlet Road"]
    assert cafe["dots"] == "3" and cafe["group"] == "Hamlet Road Repair Café"
    assert int(cafe["helpers"]) >= 3 and int(cafe["comments"]) >= 1 and int(cafe["supports"]) > 0
    assert by_title["Youth club evenings at the church hall"]["pinned"] == "yes"
    assert by_title["PA system and two microphones"]["hidden_reason"] == "off-topic"
    states = {r["title"]: r["state"] for r in rows}
    assert states["A mural under the bridge"] == "pending"
    assert states["Buy my stuff cheap"] == "rejected"
    assert states["A street party in June"] == "silent"
    assert by_title["Safer crossing by the primary school"]["author"] == "(anonymous)"


@pytest.mark.parametrize(
    ("who", "query", "status", "code"),
    [
        ("Zoe", "", 403, "forbidden"),
        ("Wren", "?format=csv", 403, "forbidden"),
        ("co", "", 403, "access_revoked"),
        (None, "", 401, "not_joined"),
        ("lead", "?format=xml", 422, "invalid_input"),
        ("officer", "?format=csv", 200, None),
    ],
)
def test_export_is_for_facilitators(
    source: Source, who: str | None, query: str, status: int, code: str | None
) -> None:
    client = source.app.test_client()
    headers = bearer(source.tokens[who]) if who else {}
    answer = client.get(f"/api/v1/boards/{source.code}/export{query}", headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    if code:
        assert answer.json["error"]["code"] == code


def test_export_services_refuse_participants(source: Source) -> None:
    with source.app.app_context():
        zoe = boards.identify(db.session, source.code, source.tokens["Zoe"])
        for export in (transfer.export_board, transfer.export_csv):
            with pytest.raises(BoardError) as refused:
                export(zoe)
            assert refused.value.status == 403


def admin(app: Flask) -> dict[str, str]:
    """An instance administrator's Authorization header, with a token made for it."""
    with app.app_context():
        return bearer(admins.create_admin_token("Test administrator"))


def test_import_over_http(source: Source, fresh: Flask) -> None:
    client = fresh.test_client()
    body = json.dumps(source.document, indent=2)
    assert len(body) > 8 * 1024
    answer = client.post("/api/v1/boards/import", data=body, headers=admin(fresh))
    assert answer.status_code == 201, answer.json
    assert answer.json["board"]["code"] == source.code
    assert answer.json["board"]["seq"] == 0
    assert answer.json["participants_remapped"] == 0
    again = client.post(
        "/api/v1/boards/import",
        data=body,
        headers={"Content-Type": "application/json", **admin(fresh)},
    )
    assert again.status_code == 201
    assert again.json["board"]["code"] != source.code
    assert again.json["participants_remapped"] == len(source.document["participants"])
    # The facilitator's old link opens the imported board over HTTP too.
    seen = client.get(
        f"/api/v1/boards/{source.code}/snapshot", headers=bearer(source.tokens["lead"])
    )
    assert seen.status_code == 200 and seen.json["me"]["role"] == "facilitator"


def test_import_reads_files_larger_than_an_ordinary_request(source: Source, fresh: Flask) -> None:
    big = copy.deepcopy(source.document)
    author = big["posts"][0]["author_id"]
    start = max(p["id"] for p in big["posts"]) + 1
    for n in range(200):
        big["posts"].append(
            {**big["posts"][0], "id": start + n, "title": f"Idea {n}", "body": "x" * 1900}
        )
        big["posts"][-1]["author_id"] = author
    body = json.dumps(big)
    assert len(body) > fresh.config["MAX_CONTENT_LENGTH"]
    answer = fresh.test_client().post("/api/v1/boards/import", data=body, headers=admin(fresh))
    assert answer.status_code == 201, answer.json
    # Other requests keep the usual limit.
    too_big = fresh.test_client().post("/api/v1/boards", data=body)
    assert too_big.status_code == 413


# Bad input --------------------------------------------------------------------------------

Change = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Change:
    """Set the value at a dotted path (list indexes as numbers)."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        here: Any = doc
        for part in parents:
            here = here[int(part)] if isinstance(here, list) else here[part]
        if isinstance(here, list):
            here[int(last)] = value
        else:
            here[last] = value

    return change


def _drop(path: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        here: Any = doc
        for part in parents:
            here = here[int(part)] if isinstance(here, list) else here[part]
        del here[last]

    return change


def _no_facilitator(doc: dict[str, Any]) -> None:
    for person in doc["participants"]:
        person["role"] = "participant"


def _duplicate(table: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        doc[table].append(dict(doc[table][0]))

    return change


def _same_id(doc: dict[str, Any]) -> None:
    doc["participants"][1]["id"] = doc["participants"][0]["id"]


def _same_hash(doc: dict[str, Any]) -> None:
    doc["participants"][1]["token_hash"] = doc["participants"][0]["token_hash"]


def _two_groups_one_idea(doc: dict[str, Any]) -> None:
    doc["groups"][1]["idea_id"] = doc["groups"][0]["idea_id"]


def _same_reference(doc: dict[str, Any]) -> None:
    doc["proposals"][2]["reference"] = doc["proposals"][1]["reference"]


def _same_proposal_id(doc: dict[str, Any]) -> None:
    doc["proposals"][1]["id"] = doc["proposals"][0]["id"]


def _two_live_proposals_one_idea(doc: dict[str, Any]) -> None:
    doc["proposals"][0]["idea_id"] = doc["proposals"][1]["idea_id"]


def _merged_without_flag(doc: dict[str, Any]) -> None:
    post = next(p for p in doc["posts"] if p["merged_into_id"] is not None)
    post["merged"] = False


NOWHERE = 987654321
BAD: list[tuple[str, Any, str]] = [
    ("not JSON", b"{this is not json", "file"),
    ("not UTF-8", b'{"format": "\xc3\x28"}', "file"),
    ("a list", [], "file"),
    ("no format", _drop("format"), "format"),
    ("another format", _set("format", "trello-board"), "format"),
    ("a later version", _set("version", 2), "version"),
    ("version as text", _set("version", "1"), "version"),
    ("no board", _drop("board"), "file"),
    ("board not an object", _set("board", []), "board"),
    ("no participants", _drop("participants"), "file"),
    ("posts not a list", _set("posts", {}), "posts"),
    ("post not an object", _set("posts.0", "a post"), "posts[0]"),
    ("post without title", _drop("posts.0.title"), "posts[0]"),
    ("empty title", _set("posts.0.title", ""), "posts[0].title"),
    ("title too long", _set("posts.0.title", "x" * 121), "posts[0].title"),
    ("body too long", _set("posts.0.body", "x" * 2001), "posts[0].body"),
    ("tag too long", _set("posts.0.tag", "x" * 41), "posts[0].tag"),
    ("availability too long", _set("posts.0.availability", "x" * 81), "availability"),
    ("on behalf of too long", _set("posts.0.on_behalf_of", "x" * 41), "on_behalf_of"),
    ("control character", _set("posts.0.title", "Bad\x00title"), "posts[0].title"),
    ("unknown kind", _set("posts.0.kind", "poem"), "posts[0].kind"),
    ("unknown state", _set("posts.0.state", "deleted"), "posts[0].state"),
    ("unknown hide reason", _set("posts.0.hidden_reason", "boring"), "hidden_reason"),
    ("title a number", _set("posts.0.title", 7), "posts[0].title"),
    ("id as text", _set("posts.0.id", "1"), "posts[0].id"),
    ("id zero", _set("posts.0.id", 0), "posts[0].id"),
    ("a bad time", _set("posts.0.created_at", "yesterday"), "posts[0].created_at"),
    ("a time out of range", _set("posts.0.created_at", "9999-12-31T23:00:00-05:00"), "created_at"),
    ("a lone surrogate", _set("posts.0.title", "Caf\ud800"), "posts[0].title"),
    ("nested too deep", b"[" * 100_000, "file"),
    ("a time as a number", _set("posts.0.created_at", 1700000000), "created_at"),
    ("a post by nobody", _set("posts.0.author_id", NOWHERE), "posts[0].author_id"),
    ("author as true", _set("posts.0.author_id", True), "posts[0].author_id"),
    ("merged into nothing", _set("posts.0.merged_into_id", NOWHERE), "merged_into_id"),
    ("merged without the flag", _merged_without_flag, "merged"),
    ("spotlight on nothing", _set("board.spotlight_post_id", NOWHERE), "spotlight_post_id"),
    ("support of nothing", _set("supports.0.post_id", NOWHERE), "supports[0].post_id"),
    ("support by nobody", _set("supports.0.participant_id", NOWHERE), "participant_id"),
    ("dot on nothing", _set("dots.0.post_id", NOWHERE), "dots[0].post_id"),
    ("report reason", _set("reports.0.reason", "duplicate"), "reports[0].reason"),
    ("comment on nothing", _set("comments.0.post_id", NOWHERE), "comments[0].post_id"),
    ("empty comment", _set("comments.0.body", ""), "comments[0].body"),
    ("comment too long", _set("comments.0.body", "x" * 1001), "comments[0].body"),
    ("link to nothing", _set("links.0.target_id", NOWHERE), "links[0].target_id"),
    ("offer of nothing", _set("links.0.offer_id", NOWHERE), "links[0].offer_id"),
    ("helper nobody", _set("links.0.helper_id", NOWHERE), "links[0].helper_id"),
    ("group on nothing", _set("groups.0.idea_id", NOWHERE), "groups[0].idea_id"),
    ("coordinator nobody", _set("groups.0.coordinator_id", NOWHERE), "coordinator_id"),
    ("member nobody", _set("groups.0.members.0.participant_id", NOWHERE), "members[0]"),
    ("message by nobody", _set("groups.0.messages.0.author_id", NOWHERE), "messages[0]"),
    ("empty message", _set("groups.0.messages.0.body", ""), "messages[0].body"),
    ("group name too long", _set("groups.0.name", "x" * 121), "groups[0].name"),
    ("log by nobody", _set("moderation_log.0.actor_id", NOWHERE), "moderation_log[0]"),
    ("log post id as text", _set("moderation_log.0.post_id", "7"), "moderation_log[0]"),
    ("log note too long", _set("moderation_log.0.note", "x" * 501), "moderation_log[0].note"),
    ("board title too long", _set("board.title", "x" * 121), "board.title"),
    ("board prompt too long", _set("board.prompt", "x" * 501), "board.prompt"),
    ("board kind", _set("board.kind", "party"), "board.kind"),
    ("board phase", _set("board.phase", "lunch"), "board.phase"),
    ("dot budget as text", _set("board.dot_budget", "3"), "board.dot_budget"),
    ("dot budget too big", _set("board.dot_budget", 21), "board.dot_budget"),
    ("locked as 1", _set("board.locked", 1), "board.locked"),
    ("tags not a list", _set("board.tags", "food"), "board.tags"),
    ("code too long", _set("board.code", "ABCDEFG"), "board.code"),
    ("name too long", _set("participants.0.display_name", "x" * 41), "display_name"),
    ("named nobody", _set("participants.1.display_name", None), "display_name"),
    ("anonymous as text", _set("participants.0.anonymous", "no"), "anonymous"),
    ("unknown role", _set("participants.0.role", "mayor"), "participants[0].role"),
    ("token hash", _set("participants.0.token_hash", "abc"), "token_hash"),
    ("the same token hash", _same_hash, "token_hash"),
    ("the same participant id", _same_id, "participants[1]"),
    ("no facilitator", _no_facilitator, "participants"),
    ("a support twice", _duplicate("supports"), "supports["),
    ("a report twice", _duplicate("reports"), "reports["),
    ("a link twice", _duplicate("links"), "links["),
    ("two groups on one idea", _two_groups_one_idea, "groups[1].idea_id"),
    # Proposals (0: a draft whose idea was deleted; 1: decided; 2: withdrawn).
    ("proposals not a list", _set("proposals", {}), "proposals"),
    ("proposal not an object", _set("proposals.1", "a proposal"), "proposals[1]"),
    ("proposal without title", _drop("proposals.1.title"), "proposals[1]"),
    ("proposal without id", _drop("proposals.1.id"), "proposals[1]"),
    ("the same proposal id", _same_proposal_id, "proposals[1]"),
    ("empty proposal title", _set("proposals.1.title", ""), "proposals[1].title"),
    ("proposal title too long", _set("proposals.1.title", "x" * 121), "proposals[1].title"),
    ("short summary too long", _set("proposals.1.short_summary", "x" * 126), "short_summary"),
    ("proposal summary too long", _set("proposals.1.summary", "x" * 4001), "proposals[1].summary"),
    ("ward too long", _set("proposals.1.ward", "x" * 81), "proposals[1].ward"),
    ("contact email too long", _set("proposals.1.contact_email", "x" * 201), "contact_email"),
    ("minutes url too long", _set("proposals.1.minutes_url", "x" * 501), "minutes_url"),
    ("proposal text a number", _set("proposals.1.options", 3), "proposals[1].options"),
    ("proposal text control", _set("proposals.1.risks", "a\x07b"), "proposals[1].risks"),
    ("proposal state", _set("proposals.1.state", "approved"), "proposals[1].state"),
    ("proposal route", _set("proposals.1.route", "email"), "proposals[1].route"),
    ("proposal decision", _set("proposals.1.decision", "maybe"), "proposals[1].decision"),
    ("decision date", _set("proposals.1.decision_date", "26/11/2026"), "decision_date"),
    ("decision date a week", _set("proposals.1.decision_date", "2026-W48-4"), "decision_date"),
    ("asks not a list", _set("proposals.1.asks", "money"), "proposals[1].asks"),
    ("an unknown ask", _set("proposals.1.asks", ["cake"]), "proposals[1].asks"),
    ("an ask twice", _set("proposals.1.asks", ["money", "money"]), "proposals[1].asks"),
    ("amount below zero", _set("proposals.1.amount_pence", -1), "amount_pence"),
    ("amount as text", _set("proposals.1.amount_pence", "185050"), "amount_pence"),
    ("amount too big", _set("proposals.1.capital_pence", 10_000_000_001), "capital_pence"),
    ("latitude out of range", _set("proposals.1.latitude", 90.5), "proposals[1].latitude"),
    ("longitude as text", _set("proposals.1.longitude", "0.69"), "proposals[1].longitude"),
    ("latitude as true", _set("proposals.1.latitude", True), "proposals[1].latitude"),
    ("consent as text", _set("proposals.1.contact_consent", "yes"), "contact_consent"),
    ("proposal on nothing", _set("proposals.1.idea_id", NOWHERE), "proposals[1].idea_id"),
    ("proposal group nowhere", _set("proposals.1.group_id", 99), "proposals[1].group_id"),
    ("proposal group as text", _set("proposals.1.group_id", "0"), "proposals[1].group_id"),
    ("proposal group below 0", _set("proposals.1.group_id", -1), "proposals[1].group_id"),
    ("contact nobody", _set("proposals.1.contact_id", NOWHERE), "proposals[1].contact_id"),
    ("created by nobody", _set("proposals.1.created_by_id", NOWHERE), "created_by_id"),
    ("proposal bad time", _set("proposals.1.created_at", "soon"), "proposals[1].created_at"),
    ("empty reference", _set("proposals.1.reference", ""), "proposals[1].reference"),
    ("reference too long", _set("proposals.1.reference", "x" * 33), "proposals[1].reference"),
    ("the same reference", _same_reference, "proposals[2].reference"),
    ("two live proposals on one idea", _two_live_proposals_one_idea, "proposals[1].idea_id"),
    ("transitions missing", _drop("proposals.1.transitions"), "proposals[1]"),
    ("transitions not a list", _set("proposals.1.transitions", {}), "transitions"),
    ("transition state", _set("proposals.1.transitions.1.to_state", "sent"), "transitions[1]"),
    ("transition from", _set("proposals.1.transitions.1.from_state", 1), "from_state"),
    ("transition kind", _set("proposals.1.transitions.3.actor_kind", "robot"), "actor_kind"),
    ("transition actor", _set("proposals.1.transitions.0.actor", ""), "transitions[0].actor"),
    ("transition note", _set("proposals.1.transitions.1.note", "x" * 1001), "transitions[1]"),
    ("transition time", _set("proposals.1.transitions.0.created_at", None), "created_at"),
    ("named as text", _set("groups.0.members.0.named_in_proposal", "yes"), "named_in_proposal"),
]


def _bad_body(source: Source, change: Any) -> bytes:
    if isinstance(change, bytes):
        return change
    if not callable(change):
        return json.dumps(change).encode()
    doc = copy.deepcopy(source.document)
    change(doc)
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def refusing(source: Source, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An instance that already holds the board: a refused import must leave it as it was."""
    app = build_app(tmp_path_factory.mktemp("refusing"))
    made = app.test_client().post("/api/v1/boards/import", json=source.document, headers=admin(app))
    assert made.status_code == 201
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("name", "change", "where"), BAD, ids=[row[0] for row in BAD])
def test_bad_files_are_refused_and_write_nothing(
    source: Source, refusing: Flask, name: str, change: Any, where: str
) -> None:
    client = refusing.test_client()
    headers = admin(refusing)
    before = fingerprint(refusing)
    answer = client.post("/api/v1/boards/import", data=_bad_body(source, change), headers=headers)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    error = answer.json["error"]
    assert error["code"] == "invalid_import"
    assert error["message"].startswith("The board file cannot be imported: ")
    assert any(where in key for key in error["fields"]), (where, error)
    assert fingerprint(refusing) == before
    with refusing.app_context(), pytest.raises(BoardError) as refused:
        transfer.import_json(_bad_body(source, change))
    assert refused.value.code == "invalid_import" and refused.value.status == 422


def test_the_table_of_bad_files_starts_from_a_good_one(source: Source, fresh: Flask) -> None:
    """Each row changes one thing: the unchanged document imports."""
    with fresh.app_context():
        assert transfer.import_json(json.dumps(source.document)).board_code == source.code
    for _name, change, _where in BAD:
        if callable(change):
            doc = copy.deepcopy(source.document)
            change(doc)
            assert json.dumps(doc) != json.dumps(source.document), _name


# The command line -------------------------------------------------------------------------


def test_cli_export_and_import(source: Source, fresh: Flask, tmp_path: Path) -> None:
    exported = tmp_path / "board.json"
    result = source.app.test_cli_runner().invoke(
        args=["board", "export", source.code, str(exported)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert strip_ids(document) == strip_ids(source.document)
    as_csv = source.app.test_cli_runner().invoke(
        args=["board", "export", source.code, "-", "--format", "csv"]
    )
    assert as_csv.exit_code == 0 and as_csv.stdout.startswith(",".join(transfer.CSV_COLUMNS))

    runner = fresh.test_cli_runner()
    made = runner.invoke(args=["board", "import", str(exported)])
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == source.code
    again = runner.invoke(args=["board", "import", str(exported)])
    assert again.exit_code == 0
    assert again.stdout.strip() != source.code
    assert "links already open a board here" in again.stderr
    assert exported.stat().st_mode & 0o077 == 0, "the export is readable by its owner only"

    broken = tmp_path / "broken.json"
    broken.write_text("{")
    refused = runner.invoke(args=["board", "import", str(broken)])
    assert refused.exit_code == 1 and "not valid JSON" in refused.output
    unknown = source.app.test_cli_runner().invoke(args=["board", "export", "QQQQQQ", "-"])
    assert unknown.exit_code == 1 and "No board has that code" in unknown.output
