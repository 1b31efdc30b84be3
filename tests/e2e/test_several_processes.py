"""Several server processes behind one board, as a council runs them: PostgreSQL and a Redis
message queue. Every event reaches every client whichever process it is connected to, and
a private event (a queued post) still reaches only its audience."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import postgres_url, reset_postgres
from tests.e2e.conftest import ASYNC_MODES, LiveClient, Server, join, op

pytestmark = pytest.mark.e2e


@pytest.fixture(params=ASYNC_MODES)
def two_servers(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str
) -> Iterator[list[Server]]:
    database = postgres_url()
    assert database is not None
    reset_postgres(database)
    shared = {
        "BOARD_DATABASE_URL": database,
        "BOARD_MESSAGE_QUEUE": redis_url,
        "BOARD_SECRET_KEY": "one-key-for-every-process",
        # No heartbeat during the test: a client must get each event live, not by catching up.
        "BOARD_HEAD_INTERVAL": "600",
    }
    servers: list[Server] = []
    try:
        # One after the other: the first migrates the database, the second finds it done.
        for n in range(2):
            folder = tmp_path / f"process-{n}"
            folder.mkdir()
            servers.append(Server(folder, request.param, **shared).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def gapless(client: LiveClient) -> None:
    seqs = [e["seq"] for e in client.applied]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs


def live(client: LiveClient, seq: int) -> dict[str, Any]:
    """The event with this seq as the client received it live (not from a replay)."""
    found = [e for e in client.received if e["seq"] == seq]
    assert found, f"seq {seq} did not arrive live at {client.server.url}"
    return found[0]


def test_events_cross_processes_and_private_ones_keep_their_audience(
    two_servers: list[Server], clients: list[LiveClient]
) -> None:
    first, second = two_servers
    made = requests.post(f"{first.url}/api/v1/boards", json={"title": "Two processes"}, timeout=5)
    code, lead_token = made.json()["board"]["code"], made.json()["token"]
    # The lead and Dev on the first process; Aisha and the projector on the second.
    lead = LiveClient(first, code, lead_token).connect()
    dev = LiveClient(first, code, join(first, code, "Dev")["token"]).connect()
    aisha = LiveClient(second, code, join(second, code, "Aisha")["token"]).connect()
    projector = LiveClient(second, code, lead_token, view="public").connect()
    everyone = [lead, dev, aisha, projector]
    clients += everyone
    for client in everyone:
        client.wait_subscribed()

    # A public post written on one process reaches clients of both.
    posted = dev.call("post.create", op_id=op(), kind="idea", title="Benches")
    assert posted["ok"], posted
    for client in everyone:
        client.wait_for(lambda c: any(e["type"] == "post.created" for e in c.applied))
        assert live(client, posted["data"]["seq"])["type"] == "post.created"

    # Pre-moderation: Aisha's post, written on the second process, is private.
    switched = lead.call("session.update", op_id=op(), premoderation=True)
    assert switched["ok"], switched
    queued = aisha.call("post.create", op_id=op(), kind="idea", title="Community fridge")
    assert queued["ok"] and queued["data"]["post"]["state"] == "pending"
    seq = queued["data"]["seq"]
    for client in everyone:
        client.wait_for(lambda c: c.last_seq is not None and c.last_seq >= seq)

    def at(client: LiveClient) -> dict[str, Any]:
        return live(client, seq)

    assert at(lead)["type"] == "post.created"  # the facilitator, on the other process
    assert at(aisha)["type"] == "post.created"  # the author
    for outsider in (dev, projector):
        assert at(outsider)["type"] == "private" and at(outsider)["data"] == {}
        assert "Community fridge" not in repr(outsider.received)

    approved = lead.call("post.approve", op_id=op(), post_id=queued["data"]["post"]["id"])
    assert approved["ok"], approved
    for client in everyone:
        client.wait_for(lambda c: any(e["type"] == "post.approved" for e in c.applied))
        assert live(client, approved["data"]["seq"])["type"] == "post.approved"
        gapless(client)
    since = posted["data"]["seq"]
    assert [e for e in dev.applied if e["seq"] >= since] == [
        e for e in projector.applied if e["seq"] >= since
    ]
