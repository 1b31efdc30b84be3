"""The benchmark's load generator counts every delivery exactly.

bench/node/selftest_server.mjs sends every client a known sequence: one seq never sent,
one sent twice, two swapped, three in one batched ``events`` message, a batch repeating an
envelope already sent, and one seq sent to only half of the room. loadgen.mjs drives it
with its real ``fanout`` scenario, and the counts must come out exactly, so a benchmark
figure cannot hide a lost, doubled or batched delivery.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci

NODE_DIR = Path(__file__).resolve().parents[1] / "bench" / "node"
CLIENTS = 10  # the author and nine phones
POSTS = 20


def _needs_node() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node")
    if not (NODE_DIR / "node_modules" / "socket.io-client").is_dir():
        missing.append("bench/node/node_modules (npm ci)")
    if missing:
        message = f"the load generator needs {' and '.join(missing)}"
        if in_ci():
            pytest.fail(message + ": ./dev test installs both")
        pytest.skip(message)
    assert node is not None
    return node


@pytest.fixture
def selftest_url() -> Iterator[str]:
    """The misbehaving server on a free loopback port, stopped after the test."""
    node = _needs_node()
    server = subprocess.Popen(
        [node, "selftest_server.mjs"], cwd=NODE_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("selftest listening on "), line
        yield f"http://127.0.0.1:{int(line.split()[-1])}"
    finally:
        server.terminate()
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()


def _loadgen(scenario: dict[str, object]) -> dict[str, object]:
    done = subprocess.run(
        [shutil.which("node") or "node", "loadgen.mjs", "-"],
        cwd=NODE_DIR,
        input=json.dumps(scenario),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_loadgen_counts_gaps_duplicates_order_and_batches_exactly(selftest_url: str) -> None:
    result = _loadgen(
        {
            "kind": "fanout",
            "url": selftest_url,
            "clients": CLIENTS,
            "posts": POSTS,
            "rate": 50,
            "drain_s": 2,
        }
    )
    assert result["ok"], result["error"]
    assert result["subscribed"] == CLIENTS
    # Every phone expects the 20 posts after its snapshot; the author, who subscribed
    # before the nine joins, expects their nine envelopes too.
    expected = CLIENTS * POSTS + (CLIENTS - 1)
    half = math.ceil(CLIENTS / 2)
    assert result["expected"] == expected
    # Post 3 reached nobody; post 15 only the first half of the room.
    missing = CLIENTS + (CLIENTS - half)
    assert result["received"] == expected - missing
    assert result["gaps"] == missing
    assert result["clients_with_gaps"] == CLIENTS
    # Post 5 twice, and post 12 again in the second batch: two per client, not deliveries.
    assert result["duplicates"] == 2 * CLIENTS
    # Post 7 after post 8: once per client.
    assert result["out_of_order"] == CLIENTS
    assert result["messages"]["events"] == 2 * CLIENTS  # both batches reached everyone
    assert result["failures"] == {"total": 0}
    assert result["phases"]["posts"]["all_delivered"] is False
    # Each delivered post has a latency; the joins (not this run's writes) have none.
    assert result["latency_ms"]["n"] == CLIENTS * POSTS - missing
    assert result["ack_ms"]["n"] == POSTS


def test_loadgen_says_when_a_scenario_could_not_run(selftest_url: str) -> None:
    """A server that refuses the board shows as a failed run with the reason, not as zeros."""
    result = _loadgen(
        {"kind": "fanout", "url": selftest_url + "/nowhere", "clients": 3, "posts": 1}
    )
    assert not result["ok"]
    assert "404" in str(result["error"])
