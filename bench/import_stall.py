"""How long a large board import stalls everyone else's requests.

A fresh ``python wsgi.py`` (bench/server.py's App: gevent, BOARD_DEMO=0, limits off, its
own instance folder and SQLite database, a free loopback port) gets one small board and an
instance administrator's token (``flask board admin-token``). A probe thread sends
``GET /api/v1/boards/{code}`` back to back on its own connection and records each answer's
latency. While it runs, the script posts a board file of about ``--megabytes`` MiB (the
small board's export with its posts repeated up to that size) to
``POST /api/v1/boards/import``: first one import alone, then ``--concurrent`` at once. For
each round it prints the imports' statuses and durations and the probe's GETs during the
round: how many, the median, the 99th percentile and the worst.

    python bench/import_stall.py --megabytes 8 --concurrent 5

Traffic goes to 127.0.0.1 only. Nothing here asserts on timings (a benchmark, not a test);
see docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import multiprocessing
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from server import App


def big_file(server: App, megabytes: float) -> tuple[str, bytes]:
    """A small board's code, and its export grown to about ``megabytes`` MiB of posts."""
    made = requests.post(
        server.url + "/api/v1/boards",
        json={"title": "Stall probe", "prompt": "What should we do?", "kind": "workshop"},
        timeout=10,
    )
    made.raise_for_status()
    code, token = made.json()["board"]["code"], made.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    posted = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts",
        json={"op_id": "stall-probe-1", "kind": "idea", "title": "A first idea", "body": "x"},
        headers=auth,
        timeout=10,
    )
    posted.raise_for_status()
    document = requests.get(
        f"{server.url}/api/v1/boards/{code}/export", headers=auth, timeout=10
    ).json()
    template = document["posts"][0]
    body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 35
    posts = [template]
    size = len(json.dumps(document))
    while size < megabytes * 1024 * 1024:
        post = copy.deepcopy(template)
        post["id"] = len(posts) + 10_000
        post["title"] = f"Idea number {len(posts)}"
        post["body"] = body[:2000]
        posts.append(post)
        size += len(json.dumps(post)) + 2
    document["posts"] = posts
    return code, json.dumps(document).encode()


def _probe(url: str, stopping: Any, out: Any) -> None:
    samples = []
    with requests.Session() as session:
        while not stopping.is_set():
            start = time.monotonic()
            status = session.get(url, timeout=60).status_code
            samples.append((start, time.monotonic() - start, status))
    out.put(samples)


class Probe:
    """Back-to-back small GETs from another process (the clock is the system's monotonic
    one, shared by every process), each answer's (start, latency, status)."""

    def __init__(self, url: str) -> None:
        self.stopping = multiprocessing.Event()
        self.out: Any = multiprocessing.Queue()
        self.process = multiprocessing.Process(
            target=_probe, args=(url, self.stopping, self.out), daemon=True
        )
        self.samples: list[tuple[float, float, int]] = []

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.stopping.set()
        self.samples = self.out.get(timeout=120)
        self.process.join(10)

    def longest_wait(self, start: float, end: float) -> float:
        """The longest time in [start, end] with no GET answered: what a phone waits."""
        answered = sorted(began + took for began, took, _ in self.samples)
        marks = [start, *(t for t in answered if start < t < end), end]
        return max(b - a for a, b in itertools.pairwise(marks))

    def between(self, start: float, end: float) -> list[float]:
        """The latencies of the GETs that were waiting at any moment in [start, end]."""
        return [took for began, took, _ in self.samples if began <= end and began + took >= start]


def import_once(url: str, token: str, body: bytes) -> tuple[int, float, str]:
    start = time.monotonic()
    answer = requests.post(
        url + "/api/v1/boards/import",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=120,
    )
    code = "" if answer.ok else answer.json()["error"]["code"]
    return answer.status_code, time.monotonic() - start, code


def summary(latencies: list[float]) -> dict[str, Any]:
    ms = sorted(1000 * t for t in latencies)
    if not ms:
        return {"gets": 0}
    return {
        "gets": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1),
        "worst_ms": round(ms[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--megabytes", type=float, default=7.9, help="the import's size (the limit is 8 MiB)"
    )
    parser.add_argument("--concurrent", type=int, default=5, help="imports in the second round")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--save", type=Path, help="also write the board file here")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="import-stall-") as tmp, App(Path(tmp)) as server:
        token = server.admin_token()
        code, body = big_file(server, args.megabytes)
        print(f"board file: {len(body) / 1024 / 1024:.2f} MiB")
        if args.save:
            args.save.write_bytes(body)
        probe = Probe(f"{server.url}/api/v1/boards/{code}")
        probe.start()
        time.sleep(0.5)
        windows = {"no import": (time.monotonic(), time.monotonic() + 1.5)}
        time.sleep(1.5)
        for at_once in (1, args.concurrent):
            start = time.monotonic()
            with ThreadPoolExecutor(at_once) as pool:
                imports = list(
                    pool.map(lambda _n: import_once(server.url, token, body), range(at_once))
                )
            name = f"{at_once} import(s) at once"
            windows[name] = (start, time.monotonic())
            statuses = [f"{s}{' ' + c if c else ''} in {t:.2f}s" for s, t, c in imports]
            print(f"{name} ({windows[name][1] - start:.2f}s): {statuses}")
            results[name] = {"imports": imports}
            time.sleep(6)  # past import_busy's retry_after, for the next round
        probe.stop()
        for name, (start, end) in windows.items():
            gets = summary(probe.between(start, end))
            gets["longest_wait_ms"] = round(1000 * probe.longest_wait(start, end), 1)
            print(f"GETs during {name}: {gets}")
            results.setdefault(name, {})["gets"] = gets
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
