"""A big board, quickly and validly: through the app's own import.

    python bench/seed.py http://127.0.0.1:5000 ADMIN_TOKEN --posts 10000

Makes a small board over HTTP (a facilitator and ``--people`` participants), takes its
export as the template (so the file has whatever format and fields the running app
writes), fills it with ``--posts`` posts of every kind with varied lengths, supports from
different people and comments on every fourth post, and imports it with an instance
administrator's token (``flask --app wsgi board admin-token NAME``). The import checks
every row like any other file and writes the board in one transaction; the imported
board's seq starts at 0 with an empty event log, so snapshots and replays stay consistent.
Prints the new board's join code. Loopback only.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

KINDS = ("idea", "need", "skill", "tool")
TOPICS = (
    "a tool library in the old library building",
    "a repair café on the first Saturday of the month",
    "more benches along the river path",
    "a walking bus to the primary school",
    "a community fridge outside the corner shop",
    "planters on the high street, looked after by each shop",
    "a noticeboard for lifts to the hospital",
)
SENTENCE = "Neighbours said they would give an hour a week, and the hall is free on Tuesdays. "
#: The import refuses files over 8 MiB; stay clear of it.
IMPORT_LIMIT = 8 * 1024 * 1024


def _stamp(start: datetime, seconds: float) -> str:
    return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def template(url: str, people: int) -> dict[str, Any]:
    """The export of a fresh board with a facilitator and ``people`` participants."""
    made = requests.post(
        url + "/api/v1/boards",
        json={"title": "Seeded board", "prompt": "What should our street do next?"},
        timeout=30,
    )
    made.raise_for_status()
    code, token = made.json()["board"]["code"], made.json()["token"]
    with requests.Session() as session:
        for n in range(people):
            session.post(
                f"{url}/api/v1/boards/{code}/participants",
                json={"display_name": f"Neighbour {n + 1}"},
                timeout=30,
            ).raise_for_status()
        exported = session.get(
            f"{url}/api/v1/boards/{code}/export",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    exported.raise_for_status()
    document: dict[str, Any] = exported.json()
    return document


def fill(document: dict[str, Any], posts: int) -> dict[str, Any]:
    """The template with ``posts`` posts, supports and comments added (ids from 1)."""
    people = [p["id"] for p in document["participants"]]
    start = datetime.now(UTC) - timedelta(days=30)
    rows: list[dict[str, Any]] = []
    supports: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for n in range(1, posts + 1):
        at = _stamp(start, n * 60)
        topic = TOPICS[n % len(TOPICS)]
        rows.append(
            {
                "id": n,
                "author_id": people[n % len(people)],
                "kind": KINDS[n % len(KINDS)],
                "title": f"{topic.capitalize()} ({n})"[:120],
                "body": (SENTENCE * (1 + n % 3))[: 60 + (n * 37) % 180],
                "tag": None,
                "availability": None,
                "state": "visible",
                "rejected_reason": None,
                "hidden_at": None,
                "hidden_reason": None,
                "pinned_at": None,
                "on_behalf_of": None,
                "merged": False,
                "merged_into_id": None,
                "created_at": at,
                "updated_at": None,
            }
        )
        for k in range(n % 4):
            supporter = people[(n + 1 + k) % len(people)]
            supports.append({"post_id": n, "participant_id": supporter, "created_at": at})
        if n % 4 == 0:
            comments.append(
                {
                    "post_id": n,
                    "author_id": people[(n + 3) % len(people)],
                    "body": f"I could help with {topic} on weekday evenings.",
                    "created_at": at,
                }
            )
    return {**document, "posts": rows, "supports": supports, "comments": comments}


def seed(url: str, admin_token: str, posts: int, people: int = 60) -> str:
    """Import a board of ``posts`` posts into the server at ``url``; its join code."""
    body = json.dumps(fill(template(url, people), posts), separators=(",", ":")).encode()
    if len(body) > IMPORT_LIMIT:
        raise SystemExit(f"seed: the board file is {len(body)} bytes, over the import limit")
    imported = requests.post(
        url + "/api/v1/boards/import",
        data=body,
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
        timeout=300,
    )
    if imported.status_code != 201:
        raise SystemExit(f"seed: import answered {imported.status_code}: {imported.text[:300]}")
    code: str = imported.json()["board"]["code"]
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("admin_token")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--people", type=int, default=60)
    args = parser.parse_args()
    print(seed(args.url.rstrip("/"), args.admin_token, args.posts, args.people))


if __name__ == "__main__":
    main()
