"""A client holding part of a busy board stays exact, against the real server process.

The reader subscribes to a 150-post board whose first screen is small, then loads every
page of ``posts.page`` (newest first, then most supported) while another client supports,
comments, edits, hides, restores and posts, inside the first screen and outside it. The
reader keeps its posts by the contract's client rule (docs/API.md, "Keeping a partial
board exact"), written here as a small reference client; at the end it holds exactly what a
fresh read of every page gives, and it saw every seq once, in order.
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import ASYNC_MODES, LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e

#: Events that carry the whole post: they add a post the client does not hold.
WHOLE_POST = ("post.created", "post.updated", "post.approved", "post.restored")
#: Events after which a participant no longer sees the post.
GONE = ("post.hidden", "post.deleted")
KEEP = 1000


class PartialClient(LiveClient):
    """LiveClient plus the client rule: posts held with the seq they were loaded at."""

    def __init__(self, server: Server, code: str, token: str) -> None:
        super().__init__(server, code, token)
        self.posts: dict[int, dict[str, Any]] = {}
        self.loaded_at: dict[int, int] = {}
        self.kept: collections.deque[dict[str, Any]] = collections.deque(maxlen=KEEP)
        self.window: dict[str, Any] | None = None
        self.pages_behind = self.pages_ahead = self.pages_asked_again = 0

    def took_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.window = snapshot["window"]
        self.posts = {p["id"]: p for p in snapshot["posts"]}
        self.loaded_at = {p["id"]: snapshot["seq"] for p in snapshot["posts"]}

    def took_event(self, envelope: dict[str, Any]) -> None:
        self.kept.append(envelope)
        self.apply(envelope, None)

    def apply(self, envelope: dict[str, Any], only: set[int] | None) -> None:
        """One event onto the posts it is about (``only``: onto these posts alone)."""
        kind, data, seq = envelope["type"], envelope["data"], envelope["seq"]
        if kind in WHOLE_POST:
            post = data["post"]
            if only is not None and post["id"] not in only:
                return
            if post["id"] not in self.posts or seq > self.loaded_at[post["id"]]:
                self.posts[post["id"]] = post
                self.loaded_at[post["id"]] = seq
            return
        post_id = data.get("post_id") or (data.get("comment") or {}).get("post_id")
        if post_id not in self.posts or (only is not None and post_id not in only):
            return
        if seq <= self.loaded_at[post_id]:
            return  # the post as loaded already has it
        held = self.posts[post_id]
        if kind in GONE:
            del self.posts[post_id]
            del self.loaded_at[post_id]
        elif kind == "support.changed":
            ids = set(held["supporter_ids"])
            ids = (
                ids | {data["participant_id"]}
                if data["supported"]
                else ids - {data["participant_id"]}
            )
            self.posts[post_id] = {
                **held,
                "supporter_ids": sorted(ids),
                "support_count": data["count"],
            }
        elif kind == "comment.created":
            self.posts[post_id] = {**held, "comments": [*held["comments"], data["comment"]]}
        else:
            raise AssertionError(f"the reference client does not know {kind}")

    def merge_page(self, page: dict[str, Any]) -> bool:
        """A page read at its seq merged in; False when it must be asked for again."""
        with self.changed:
            assert self.last_seq is not None
            read_at = page["seq"]
            added = {p["id"]: p for p in page["posts"] if p["id"] not in self.posts}
            later = [e for e in self.kept if e["seq"] > read_at]
            if read_at < self.last_seq and (not later or later[0]["seq"] != read_at + 1):
                self.pages_asked_again += 1
                return False  # the kept envelopes no longer reach back to the page
            for post_id, post in added.items():
                self.posts[post_id] = post
                self.loaded_at[post_id] = read_at
            if read_at < self.last_seq:
                self.pages_behind += 1
                for envelope in later:
                    self.apply(envelope, set(added))
            elif read_at > self.last_seq:
                self.pages_ahead += 1
            return True

    def read_pages(self, sort: str, after: str | None, limit: int) -> int:
        """Every page of one list, from ``after`` on; how many pages."""
        pages = 0
        while True:
            asked = {"sort": sort, "limit": limit, **({"after": after} if after else {})}
            ack = self.call("posts.page", **asked)
            assert ack["ok"], ack
            if not self.merge_page(ack["data"]):
                continue
            pages += 1
            after = ack["data"]["next"]
            if after is None:
                return pages


@pytest.fixture(scope="module", params=ASYNC_MODES)
def small_screen(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real server whose first screen holds a few posts of each reason."""
    folder: Path = tmp_path_factory.mktemp(f"partial-{request.param}")
    running = Server(
        folder,
        request.param,
        BOARD_FIRST_SCREEN="pinned=2,mine=2,newest=8,supported=3,pending=2,reported=2",
    ).start()
    yield running
    running.stop()


def _http(server: Server, token: str, method: str, path: str, **body: Any) -> requests.Response:
    return requests.request(
        method,
        f"{server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def every_post(server: Server, code: str, token: str) -> tuple[int, dict[int, dict[str, Any]]]:
    """A fresh read of every page over HTTP: the posts, and the seq (the same for each)."""
    found: dict[int, dict[str, Any]] = {}
    seqs, after = set(), None
    while True:
        query = {"limit": 100, **({"after": after} if after else {})}
        page = requests.get(
            f"{server.url}/api/v1/boards/{code}/posts",
            params=query,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        seqs.add(page["seq"])
        for post in page["posts"]:
            assert post["id"] not in found, "a fresh read lists a post twice"
            found[post["id"]] = post
        after = page["next"]
        if after is None:
            assert len(seqs) == 1, seqs
            return seqs.pop(), found


def changes(server: Server, code: str, lead: str, writer: str, ids: list[int]) -> None:
    """Supports, comments, edits, hides, restores and new posts, anywhere on the board."""
    chance = random.Random(12)
    hidden: list[int] = []
    board = f"/boards/{code}"
    for step in range(160):
        post_id = ids[-1 - step % 12] if step % 2 else chance.choice(ids)  # inside, outside
        what = chance.choice(["support", "support", "comment", "edit", "hide", "post"])
        if what == "support":
            who = chance.choice([lead, writer])
            answer = _http(server, who, "POST", f"{board}/posts/{post_id}/support", op_id=op())
        elif what == "comment":
            answer = _http(
                server, writer, "POST", f"{board}/posts/{post_id}/comments",
                op_id=op(), body=f"Comment {step}",
            )  # fmt: skip
        elif what == "edit":
            answer = _http(
                server, lead, "PATCH", f"{board}/posts/{post_id}", op_id=op(), title=f"Edit {step}"
            )
        elif what == "hide" and hidden and chance.random() < 0.5:
            back = hidden.pop(0)
            answer = _http(server, lead, "POST", f"{board}/posts/{back}/restore", op_id=op())
        elif what == "hide":
            answer = _http(
                server, lead, "POST", f"{board}/posts/{post_id}/hide", op_id=op(), reason="spam"
            )
            if answer.status_code == 200:
                hidden.append(post_id)
        else:
            answer = _http(
                server, lead, "POST", f"{board}/posts", op_id=op(), kind="idea", title=f"New {step}"
            )
            if answer.status_code == 201:
                ids.append(answer.json()["post"]["id"])
        # A hidden post takes no supports or comments (409): the board said no, as it should.
        assert answer.status_code in (200, 201, 409), answer.text


def test_a_partial_client_ends_with_exactly_the_board(
    small_screen: Server, clients: list[LiveClient]
) -> None:
    server = small_screen
    made = new_board(server)
    code, lead = made["board"]["code"], made["token"]
    writer = join(server, code, "Dev")["token"]
    reader_token = join(server, code, "Aisha")["token"]
    ids = []
    for n in range(150):
        answer = _http(
            server,
            lead,
            "POST",
            f"/boards/{code}/posts",
            op_id=op(),
            kind="idea",
            title=f"Idea {n}",
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["post"]["id"])
    for post_id in ids[::7]:
        _http(server, writer, "POST", f"/boards/{code}/posts/{post_id}/support", op_id=op())

    reader = PartialClient(server, code, reader_token).connect()
    clients.append(reader)
    reader.wait_subscribed()
    window = reader.window
    assert window is not None and window["complete"] is False and window["total"] == 150
    assert window["older"] is not None and len(reader.posts) < 30

    # Once each, for certain: a page read behind the client, then one read ahead of it.
    comment = f"/boards/{code}/posts/{{}}/comments"
    behind = reader.call("posts.page", after=window["older"], limit=7)["data"]
    target = behind["posts"][0]["id"]
    said = _http(server, writer, "POST", comment.format(target), op_id=op(), body="Behind")
    reader.wait_for(lambda c: c.last_seq == said.json()["seq"])
    assert reader.merge_page(behind) and reader.pages_behind == 1
    assert [c["body"] for c in reader.posts[target]["comments"]] == ["Behind"]
    first = reader.call("posts.page", after=behind["next"], limit=7)["data"]
    target = first["posts"][0]["id"]
    with reader.changed:  # the comment's event waits for the lock; the page does not
        said = _http(server, writer, "POST", comment.format(target), op_id=op(), body="Ahead")
        ahead = reader.call("posts.page", after=behind["next"], limit=7)["data"]
        assert ahead["seq"] == said.json()["seq"] > reader.last_seq
        assert reader.merge_page(ahead) and reader.pages_ahead == 1
    reader.wait_for(lambda c: c.last_seq == said.json()["seq"])
    assert [c["body"] for c in reader.posts[target]["comments"]] == ["Ahead"]

    writing = threading.Thread(target=changes, args=(server, code, lead, writer, ids))
    writing.start()
    pages = 0
    while writing.is_alive():
        pages += reader.read_pages("newest", window["older"], limit=7)
        pages += reader.read_pages("supported", None, limit=9)
    writing.join()
    pages += reader.read_pages("newest", window["older"], limit=7)

    head, fresh = every_post(server, code, reader_token)
    reader.wait_for(lambda c: c.last_seq == head, timeout=10)
    with reader.changed:
        held = dict(reader.posts)
        seqs = [e["seq"] for e in reader.applied]
    assert held == fresh
    first = reader.replays[0]["snapshot"]["seq"]
    assert seqs == list(range(first + 1, head + 1)), "every seq once, in order"
    assert pages > 20 and reader.pages_asked_again == 0
