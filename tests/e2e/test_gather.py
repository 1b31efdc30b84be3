"""Counters gathered per tick (board.events.Outbox), against the real server: a burst of
supports reaches each phone in a few messages, every seq once and in order, and nothing
else waits behind them."""

from __future__ import annotations

import concurrent.futures

import pytest

from tests.e2e.conftest import LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e


def test_a_burst_of_supports_travels_together_in_seq_order(
    server: Server, clients: list[LiveClient]
) -> None:
    made = new_board(server)
    code = made["board"]["code"]
    watcher = LiveClient(server, code, made["token"]).connect()
    voters = [LiveClient(server, code, join(server, code, f"Voter {n}")["token"]) for n in range(6)]
    clients += [watcher, *voters]
    for voter in voters:
        voter.connect()
    for client in (watcher, *voters):
        client.wait_subscribed()
    ideas = [
        voters[0].call("post.create", op_id=op(), kind="idea", title=f"Idea {n}") for n in range(4)
    ]
    post_ids = [idea["data"]["post"]["id"] for idea in ideas]
    # The watcher holds the ideas before the votes start (their events may still be on
    # their way when the last ack comes back).
    start = ideas[-1]["data"]["seq"]
    watcher.wait_for(lambda c: c.last_seq == start)

    def vote(voter: LiveClient) -> list[dict[str, object]]:
        return [voter.call("support.toggle", op_id=op(), post_id=pid) for pid in post_ids]

    with concurrent.futures.ThreadPoolExecutor(len(voters)) as pool:
        acks = [ack for done in pool.map(vote, voters) for ack in done]
    assert all(ack["ok"] for ack in acks), acks
    # Then something that must not wait: it takes any waiting supports with it, in order.
    voters[1].call("post.create", op_id=op(), kind="idea", title="After the votes")
    expected = start + len(acks) + 1
    watcher.wait_for(lambda c: c.last_seq == expected, timeout=10)
    seqs = [envelope["seq"] for envelope in watcher.received]
    after = [s for s in seqs if s > start]
    assert after == list(range(start + 1, expected + 1))  # each once, in order, none missing
    assert watcher.applied[-1]["type"] == "post.created"
    assert any(len(batch) > 1 for batch in watcher.batches), watcher.batches
    assert sum(len(batch) for batch in watcher.batches) < len(acks) + 1
    assert all(batch == sorted(batch) for batch in watcher.batches)
