"""The demo board: realistic workshop content, created once per instance."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from board.errors import BoardError
from board.extensions import db
from board.services import Actor, boards, groups, links, posts

DEMO_DATA = Path(__file__).resolve().parent / "data" / "demo-workshop.json"


@dataclass(frozen=True)
class DemoBoard:
    """Where the demo board lives and how its facilitator gets in."""

    code: str
    facilitator_token: str
    base_url: str

    def describe(self) -> str:
        """The lines printed when the server starts."""
        return "\n".join(
            [
                f"Demo board:        {self.base_url}/b/{self.code}",
                f"Join code:         {self.code}  (join at {self.base_url}/b/{self.code}/join)",
                f"Facilitator link:  {self.base_url}/b/{self.code}/enter/{self.facilitator_token}",
            ]
        )


def _op() -> str:
    return uuid.uuid4().hex


def _marker() -> Path:
    return Path(current_app.instance_path) / "demo-board.json"


def ensure_demo_board(base_url: str = "http://127.0.0.1:5000") -> DemoBoard:
    """Return the demo board, creating it from the demo data the first time."""
    marker = _marker()
    if marker.exists():
        saved = json.loads(marker.read_text())
        try:
            boards.board_info(saved["code"])
            return DemoBoard(saved["code"], saved["facilitator_token"], base_url)
        except BoardError:
            pass  # the database was reset: make the demo again
    demo = create_demo_board(json.loads(DEMO_DATA.read_text()))
    marker.write_text(json.dumps({"code": demo[0], "facilitator_token": demo[1]}))
    return DemoBoard(demo[0], demo[1], base_url)


def create_demo_board(data: dict[str, Any]) -> tuple[str, str]:
    """Build a board from demo data through the services; return (code, facilitator token)."""
    spec = data["board"]
    people = data["participants"]
    facilitator = next(p for p in people if p.get("role") == "facilitator")
    entry = boards.create_board(
        spec["title"], spec["prompt"], spec["kind"], spec["tags"], facilitator["name"]
    )
    code = entry.board_code
    actors: dict[str, Actor] = {facilitator["name"]: Actor(_board_id(code), entry.participant_id)}
    for person in people:
        if person is facilitator:
            continue
        joined = boards.join_board(code, person["name"], bool(person.get("anonymous")))
        actors[person["name"]] = Actor(actors[facilitator["name"]].board_id, joined.participant_id)

    post_ids: dict[str, int] = {}
    for post in data["posts"]:
        made = posts.create_post(
            actors[post["author"]], _op(), post["kind"], post["title"], post["body"], post["tag"]
        )
        post_ids[post["id"]] = made["post"]["id"]

    authors = {p["id"]: p["author"] for p in data["posts"]}
    residents = [name for name in actors if name != facilitator["name"]]
    extra = 0
    for key, count in data["supports"].items():
        supporters = [name for name in residents if name != authors[key]]
        # More supports than named people: the rest came from people who only supported.
        while len(supporters) < count:
            extra += 1
            name = f"visitor-{extra}"
            joined = boards.join_board(code, None, True)
            actors[name] = Actor(actors[facilitator["name"]].board_id, joined.participant_id)
            residents.append(name)
            supporters.append(name)
        for name in supporters[:count]:
            posts.toggle_support(actors[name], _op(), post_ids[key])

    for comment in data["comments"]:
        posts.add_comment(
            actors[comment["author"]], _op(), post_ids[comment["post"]], comment["body"]
        )
    for link in data.get("links", []):
        helper = actors[authors[link["offer"]]]
        links.link_help(helper, _op(), post_ids[link["to"]], post_ids[link["offer"]])
    for group in data.get("groups", []):
        # The coordinator joins first: the first member coordinates.
        coordinator = group["coordinator"]
        members = [coordinator] + [m for m in group["members"] if m != coordinator]
        for name in members:
            made = groups.join_group(actors[name], _op(), post_ids[group["idea"]])
        groups.rename_group(actors[coordinator], _op(), made["group"]["id"], group["name"])
    return code, entry.token


def _board_id(code: str) -> int:
    return boards.board_by_code(db.session(), code).id
