"""Running the room against the real server: dot budgets under concurrent tabs, and private
events (pre-moderation, silent brainstorming) reaching only their audience, live."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
import requests

from tests.e2e.conftest import LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e


def as_facilitator(server: Server, token: str, method: str, path: str, body: Any) -> Any:
    answer = requests.request(
        method,
        f"{server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_two_tabs_cannot_spend_more_dots_than_the_budget(
    server: Server, clients: list[LiveClient]
) -> None:
    made = new_board(server)
    code, lead = made["board"]["code"], made["token"]
    ideas = []
    for title in ("Zebra crossing", "More bins", "Repair café"):
        answer = requests.post(
            f"{server.url}/api/v1/boards/{code}/posts",
            json={"op_id": op(), "kind": "idea", "title": title},
            headers={"Authorization": f"Bearer {lead}"},
            timeout=5,
        )
        ideas.append(answer.json()["post"]["id"])
    as_facilitator(
        server, lead, "PATCH", f"/boards/{code}/session", {"op_id": op(), "phase": "prioritise"}
    )
    aisha = join(server, code, "Aisha")["token"]
    tabs = [LiveClient(server, code, aisha).connect() for _ in range(2)]
    clients += tabs
    for tab in tabs:
        tab.wait_subscribed()

    # Twelve dots at once: six from each tab, and four more over HTTP, on all three ideas.
    def by_socket(n: int) -> dict[str, Any]:
        return tabs[n % 2].call("dot.place", op_id=op(), post_id=ideas[n % 3])

    def by_http(n: int) -> dict[str, Any]:
        answer = requests.post(
            f"{server.url}/api/v1/boards/{code}/posts/{ideas[n % 3]}/dots",
            json={"op_id": op()},
            headers={"Authorization": f"Bearer {aisha}"},
            timeout=10,
        )
        body = answer.json()
        return {"ok": True, "data": body} if answer.ok else {"ok": False, **body}

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(by_socket, n) for n in range(12)]
        futures += [pool.submit(by_http, n) for n in range(4)]
        answers = [f.result(timeout=30) for f in futures]

    placed = [a for a in answers if a["ok"]]
    refusals = {a["error"]["code"] for a in answers if not a["ok"]}
    assert len(placed) == 3, answers
    assert refusals == {"no_dots_left"}
    assert sorted(a["data"]["spent"] for a in placed) == [1, 2, 3]
    snapshot = requests.get(
        f"{server.url}/api/v1/boards/{code}/snapshot",
        headers={"Authorization": f"Bearer {aisha}"},
        timeout=5,
    ).json()
    assert snapshot["dots_spent"] == 3 and sum(snapshot["my_dots"].values()) == 3
    assert sum(p["dot_count"] for p in snapshot["posts"]) == 3
    # Both tabs saw the same three dots.changed events, in order.
    for tab in tabs:
        tab.wait_for(lambda c: sum(e["type"] == "dots.changed" for e in c.applied) == 3)
    assert tabs[0].applied[-3:] == tabs[1].applied[-3:]


def test_a_queued_post_reaches_only_its_audience_until_approved(
    server: Server, clients: list[LiveClient]
) -> None:
    made = new_board(server)
    code, lead_token = made["board"]["code"], made["token"]
    as_facilitator(
        server,
        lead_token,
        "PATCH",
        f"/boards/{code}/session",
        {"op_id": op(), "premoderation": True},
    )
    lead = LiveClient(server, code, lead_token).connect()
    projector = LiveClient(server, code, lead_token, view="public").connect()
    aisha = LiveClient(server, code, join(server, code, "Aisha")["token"]).connect()
    dev = LiveClient(server, code, join(server, code, "Dev")["token"]).connect()
    everyone = [lead, projector, aisha, dev]
    clients += everyone
    for client in everyone:
        client.wait_subscribed()

    posted = aisha.call("post.create", op_id=op(), kind="idea", title="Community fridge")
    assert posted["ok"] and posted["data"]["post"]["state"] == "pending"
    seq = posted["data"]["seq"]
    for client in everyone:
        client.wait_for(lambda c: c.last_seq is not None and c.last_seq >= seq)

    def at(client: LiveClient, n: int) -> dict[str, Any]:
        return next(e for e in client.applied if e["seq"] == n)

    assert at(lead, seq)["type"] == "post.created"
    assert at(aisha, seq)["data"]["post"]["title"] == "Community fridge"
    for outsider in (dev, projector):
        assert at(outsider, seq) == {**at(lead, seq), "type": "private", "data": {}}
    # Nothing about it reached the outsiders in any form.
    for outsider in (dev, projector):
        assert "Community fridge" not in repr(outsider.received)

    post_id = posted["data"]["post"]["id"]
    approved = lead.call("post.approve", op_id=op(), post_id=post_id)
    assert approved["ok"], approved
    for client in everyone:
        client.wait_for(lambda c: any(e["type"] == "post.approved" for e in c.applied))
        seqs = [e["seq"] for e in client.applied]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # gapless for everyone
    shown = next(e for e in dev.applied if e["type"] == "post.approved")
    assert shown["data"]["post"]["title"] == "Community fridge"

    # A reconnecting outsider's replay has the same redacted seq, then the approval.
    late = LiveClient(server, code, dev.token)
    late.last_seq = seq - 1
    clients.append(late.connect())
    late.wait_subscribed()
    assert [e["type"] for e in late.replays[0]["events"]] == ["private", "post.approved"]


def test_silent_brainstorming_reveals_everything_at_once_live(
    server: Server, clients: list[LiveClient]
) -> None:
    made = new_board(server)
    code, lead_token = made["board"]["code"], made["token"]
    as_facilitator(
        server, lead_token, "PATCH", f"/boards/{code}/session", {"op_id": op(), "silent": True}
    )
    aisha = LiveClient(server, code, join(server, code, "Aisha")["token"]).connect()
    dev = LiveClient(server, code, join(server, code, "Dev")["token"]).connect()
    projector = LiveClient(server, code, lead_token, view="public").connect()
    clients += [aisha, dev, projector]
    for client in (aisha, dev, projector):
        client.wait_subscribed()
    for who, title in ((aisha, "Street party"), (dev, "Tool library"), (aisha, "Benches")):
        assert who.call("post.create", op_id=op(), kind="idea", title=title)["ok"]
    as_facilitator(
        server, lead_token, "PATCH", f"/boards/{code}/session", {"op_id": op(), "silent": False}
    )
    for client in (aisha, dev, projector):
        client.wait_for(lambda c: any(e["type"] == "posts.revealed" for e in c.applied))
        created = [e for e in client.applied if e["type"] == "post.created"]
        revealed = next(e for e in client.applied if e["type"] == "posts.revealed")
        assert [p["title"] for p in revealed["data"]["posts"]] == [
            "Street party",
            "Tool library",
            "Benches",
        ]
        own = {"Street party", "Benches"} if client is aisha else set()
        own = {"Tool library"} if client is dev else own
        assert {e["data"]["post"]["title"] for e in created} == own
