"""Live fan-out benchmark: gevent and eventlet side by side, in one run.

For each audience size and each async mode, a fresh ``python wsgi.py`` (BOARD_DEMO=0, its
own instance folder and SQLite database, a free loopback port) gets one board with
``N`` subscribed Socket.IO clients: the facilitator, a co-facilitator, the projector (the
facilitator's token with ``view: "public"``), the author and ``N - 4`` participants. The
author (in this process) sends ``--events`` public posts at ``--rate`` per second; then the
facilitator turns pre-moderation on (``PATCH .../session``) and the author sends as many
again, now private (facilitators and the author get ``post.created``, everyone else
``{"type": "private"}`` with the same seq).

Every client records the arrival time of every envelope; the latency of a delivery is its
arrival minus the moment the author sent the write (``time.monotonic()``, one clock for
all processes on Linux). Deliveries are counted: expected = events x clients. Every
client's seqs must be gapless from its snapshot to the last event.

The clients are python-socketio AsyncClients over WebSocket, split over ``--workers``
processes (asyncio tasks inside each). Needs aiohttp::

    pip install "python-socketio[asyncio_client]"
    python bench/fanout.py --clients 100 300 --events 30

Traffic goes to 127.0.0.1 only. See docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import json
import math
import multiprocessing
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import socketio
from server import WSGI, App

MODES = ("gevent", "eventlet")
#: Clients connecting at once in each load process (a QR-code rush, but not a stampede).
CONNECT_BATCH = 25
#: Roles whose connections are in a private event's audience (full event, then the copy).
AUDIENCE_ROLES = ("facilitator", "cofacilitator", "author")
#: ``--gc-log``: run wsgi.py through this, which logs the server's garbage collections
#: (generation, monotonic start, seconds) to argv[2]: gen 1 and 2, and any gen 0 over 2 ms.
GC_WRAPPER = """
import gc, runpy, sys, time
log = open(sys.argv[2], "a", buffering=1)
began = {}
def note(phase, info):
    gen = info["generation"]
    if phase == "start":
        began[gen] = time.monotonic()
    elif gen in began:
        start = began.pop(gen)
        took = time.monotonic() - start
        if gen or took > 0.002:
            log.write(f"{gen} {start:.6f} {took:.6f}\\n")
gc.callbacks.append(note)
sys.argv = sys.argv[1:2]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


# ---------------------------------------------------------------- the server under test


class Server(App):
    """The app (bench/server.py), with ``--gc-log`` run through GC_WRAPPER."""

    def __init__(self, folder: Path, mode: str, gc_log: bool = False) -> None:
        self.gc_log = folder / "gc.log" if gc_log else None
        super().__init__(folder, mode)
        self.log_path = folder / "server.log"

    def command(self) -> list[str]:
        if self.gc_log:
            return [sys.executable, "-c", GC_WRAPPER, str(WSGI), str(self.gc_log)]
        return super().command()

    def gc_pauses(self, start: float, end: float) -> list[tuple[int, float]]:
        """``--gc-log``: (generation, ms) of each collection that began in [start, end]."""
        if not self.gc_log or not self.gc_log.exists():
            return []
        pauses = []
        for line in self.gc_log.read_text().splitlines():
            gen, began, took = line.split()
            if start <= float(began) <= end:
                pauses.append((int(gen), round(1000 * float(took), 1)))
        return pauses


# ---------------------------------------------------------------- one measuring client


class Listener:
    """One subscribed connection; it records every envelope with its arrival time."""

    def __init__(self, url: str, code: str, spec: dict[str, Any]) -> None:
        self.url = url
        self.code = code
        self.spec = spec
        #: (seq, type, monotonic arrival) for every envelope, duplicates included.
        self.arrivals: list[tuple[int, str, float]] = []
        self.seen: set[int] = set()
        self.presence = 0
        self.presence_messages = 0
        self.heads = 0
        self.disconnects = 0
        self.snapshot_seq: int | None = None
        self.error: str | None = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event)
        self.sio.on("presence", self._on_presence)
        self.sio.on("head", self._on_head)
        self.sio.on("disconnect", self._on_disconnect)

    def _on_event(self, envelope: dict[str, Any]) -> None:
        arrived = time.monotonic()
        self.arrivals.append((envelope["seq"], envelope["type"], arrived))
        self.seen.add(envelope["seq"])

    def _on_presence(self, message: dict[str, Any]) -> None:
        self.presence = max(self.presence, message["count"])
        self.presence_messages += 1

    def _on_head(self, _message: dict[str, Any]) -> None:
        self.heads += 1

    def _on_disconnect(self, *_args: Any) -> None:
        self.disconnects += 1

    async def start(self) -> None:
        try:
            await self.sio.connect(self.url, transports=["websocket"], wait_timeout=30)
            request = {"board": self.code, "token": self.spec["token"]}
            if self.spec.get("view"):
                request["view"] = self.spec["view"]
            ack = await self.sio.call("subscribe", request, timeout=60)
            if not ack["ok"]:
                raise RuntimeError(ack["error"])
            self.snapshot_seq = ack["data"]["snapshot"]["seq"]
            self.presence = max(self.presence, ack["data"]["presence"])
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.sio.disconnect(), 5)

    def result(self) -> dict[str, Any]:
        return {
            "cid": self.spec["cid"],
            "role": self.spec["role"],
            "snapshot_seq": self.snapshot_seq,
            "arrivals": self.arrivals,
            "presence": self.presence,
            "presence_messages": self.presence_messages,
            "heads": self.heads,
            "disconnects": self.disconnects,
            "error": self.error,
        }


async def start_all(listeners: list[Listener]) -> None:
    gate = asyncio.Semaphore(CONNECT_BATCH)

    async def one(listener: Listener) -> None:
        async with gate:
            await listener.start()

    await asyncio.gather(*(one(listener) for listener in listeners))


def delivered(listeners: list[Listener], seqs: list[int]) -> int:
    return sum(1 for listener in listeners for seq in seqs if seq in listener.seen)


# ---------------------------------------------------------------- load processes


def worker_main(conn: Any, url: str, code: str, specs: list[dict[str, Any]]) -> None:
    """A load process: its share of the clients, driven by commands over ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cleans up on Ctrl-C
    asyncio.run(_worker(conn, url, code, specs))


async def _worker(conn: Any, url: str, code: str, specs: list[dict[str, Any]]) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def readable() -> None:
        try:
            inbox.put_nowait(conn.recv())
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            inbox.put_nowait({"cmd": "exit"})

    loop.add_reader(conn.fileno(), readable)
    listeners = [Listener(url, code, spec) for spec in specs]
    while True:
        message = await inbox.get()
        command = message["cmd"]
        if command == "connect":
            await start_all(listeners)
            errors = [lsn.error for lsn in listeners if lsn.error]
            conn.send({"connected": len(listeners) - len(errors), "errors": errors[:5]})
        elif command == "presence":
            conn.send({"min": min(lsn.presence for lsn in listeners)})
        elif command == "cpu":
            conn.send({"cpu": time.process_time()})
        elif command == "progress":
            conn.send({"delivered": delivered(listeners, message["seqs"])})
        elif command == "results":
            conn.send({"clients": [lsn.result() for lsn in listeners]})
        elif command == "exit":
            await asyncio.gather(*(lsn.stop() for lsn in listeners))
            with contextlib.suppress(Exception):
                conn.send({"bye": True})
            return


class Worker:
    """The parent's handle on one load process."""

    def __init__(self, url: str, code: str, specs: list[dict[str, Any]]) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, url, code, specs), daemon=True
        )
        self.process.start()
        child.close()
        self.size = len(specs)

    async def ask(self, message: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
        self.conn.send(message)

        def answer() -> dict[str, Any]:
            if not self.conn.poll(timeout):
                raise TimeoutError(f"load process gave no answer to {message['cmd']}")
            return self.conn.recv()

        return await asyncio.to_thread(answer)

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(Exception):
                self.conn.send({"cmd": "exit"})
            self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


async def ask_all(workers: list[Worker], message: dict[str, Any]) -> list[dict[str, Any]]:
    return await asyncio.gather(*(worker.ask(message) for worker in workers))


# ---------------------------------------------------------------- one block: mode x audience


def http(method: str, url: str, token: str | None = None, **body: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.request(method, url, json=body, headers=headers, timeout=30)
    if answer.status_code >= 300:
        raise RuntimeError(f"{method} {url}: {answer.status_code} {answer.text}")
    return answer.json()


def make_audience(server: Server, clients: int) -> tuple[str, list[dict[str, Any]]]:
    """A board and its people: facilitator, co-facilitator, projector, author, participants."""
    made = http("POST", f"{server.url}/api/v1/boards", title="Church hall workshop")
    code, boss = made["board"]["code"], made["token"]
    cofac = http(
        "POST", f"{server.url}/api/v1/boards/{code}/facilitators", boss, display_name="Co-host"
    )["token"]
    specs = [
        {"cid": 0, "role": "facilitator", "token": boss},
        {"cid": 1, "role": "cofacilitator", "token": cofac},
        {"cid": 2, "role": "projector", "token": boss, "view": "public"},
    ]

    def join(index: int) -> str:
        url = f"{server.url}/api/v1/boards/{code}/participants"
        return http("POST", url, display_name=f"Neighbour {index}")["token"]

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(join, range(3, clients)))
    specs.append({"cid": 3, "role": "author", "token": tokens[0]})
    specs += [
        {"cid": 4 + i, "role": "participant", "token": token} for i, token in enumerate(tokens[1:])
    ]
    return code, specs


async def settle(server: Server, quiet: float = 0.05, longest: float = 30) -> float:
    """Wait until the server's CPU use over 0.5 s falls below ``quiet`` of a core."""
    started = time.monotonic()
    while time.monotonic() - started < longest:
        before = server.cpu_seconds()
        await asyncio.sleep(0.5)
        if server.cpu_seconds() - before < quiet * 0.5:
            break
    return time.monotonic() - started


async def send_posts(
    author: Listener, code: str, count: int, rate: float, label: str
) -> list[dict[str, Any]]:
    """``count`` post.create writes, one every 1/rate s, without waiting for the acks."""

    async def one(index: int) -> dict[str, Any]:
        payload = {
            "board": code,
            "op_id": uuid.uuid4().hex,
            "kind": "idea",
            "title": f"{label} idea {index + 1}: a bench by the bus stop",
            "body": "Somewhere to sit while waiting, with a bit of shade in summer.",
        }
        sent = time.monotonic()
        try:
            ack = await author.sio.call("post.create", payload, timeout=60)
        except socketio.exceptions.SocketIOError as exc:
            ack = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {"sent": sent, "acked": time.monotonic(), "ack": ack}

    start = time.monotonic() + 0.1
    tasks = []
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(index)))
    return await asyncio.gather(*tasks)


async def wait_delivered(
    workers: list[Worker], author: Listener, seqs: list[int], clients: int, longest: float
) -> bool:
    """Wait until every client has every seq in ``seqs`` (or ``longest`` seconds)."""
    deadline = time.monotonic() + longest
    expected = len(seqs) * clients
    while True:
        answers = await ask_all(workers, {"cmd": "progress", "seqs": seqs})
        got = sum(a["delivered"] for a in answers) + delivered([author], seqs)
        if got >= expected:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)


async def worker_cpu(workers: list[Worker]) -> list[float]:
    return [a["cpu"] for a in await ask_all(workers, {"cmd": "cpu"})]


async def run_phase(
    server: Server,
    workers: list[Worker],
    author: Listener,
    code: str,
    args: argparse.Namespace,
    label: str,
) -> dict[str, Any]:
    cpu_before, load_before = server.cpu_seconds(), await worker_cpu(workers)
    own_before = time.process_time()
    started = time.monotonic()
    writes = await send_posts(author, code, args.events, args.rate, label)
    failed = [w["ack"] for w in writes if not w["ack"]["ok"]]
    seqs = sorted(w["ack"]["data"]["seq"] for w in writes if w["ack"]["ok"])
    complete = await wait_delivered(workers, author, seqs, args.audience, args.drain)
    ended = time.monotonic()
    wall = ended - started
    cpu_after, load_after = server.cpu_seconds(), await worker_cpu(workers)
    return {
        "label": label,
        "writes": [
            {"seq": w["ack"]["data"]["seq"], "sent": w["sent"], "acked": w["acked"]}
            for w in writes
            if w["ack"]["ok"]
        ],
        "states": sorted({w["ack"]["data"]["post"]["state"] for w in writes if w["ack"]["ok"]}),
        "failed_writes": failed,
        "complete": complete,
        "wall_s": wall,
        "gc_pauses": server.gc_pauses(started, ended),
        "server_cpu_s": cpu_after - cpu_before,
        "load_cpu_s": [b - a for a, b in zip(load_before, load_after, strict=True)],
        "author_process_cpu_s": time.process_time() - own_before,
    }


async def run_block(
    mode: str, audience: int, folder: Path, args: argparse.Namespace, servers: list[Server]
) -> dict[str, Any]:
    print(f"\n== {mode}, {audience} clients", flush=True)
    server = Server(folder, mode, args.gc_log)
    servers.append(server)  # main() stops it too, whatever happens here
    workers: list[Worker] = []
    author: Listener | None = None
    try:
        server.start()
        block: dict[str, Any] = {"mode": mode, "audience": audience, "events": args.events}
        block["pid"] = server.pid
        block["gc_log"] = bool(args.gc_log)
        block["memory_idle_kib"] = server.memory_kib()
        code, specs = await asyncio.to_thread(make_audience, server, audience)
        author_spec = next(s for s in specs if s["role"] == "author")
        others = [s for s in specs if s["role"] != "author"]
        shares = [others[i :: args.workers] for i in range(args.workers)]
        workers = [Worker(server.url, code, share) for share in shares if share]
        author = Listener(server.url, code, author_spec)
        # The join rush: every client connects and subscribes; each new person makes the
        # server tell the whole room the new head count (presence).
        cpu_before, load_before = server.cpu_seconds(), await worker_cpu(workers)
        started = time.monotonic()
        await author.start()
        answers = await ask_all(workers, {"cmd": "connect"})
        block["connect_s"] = time.monotonic() - started
        connected = sum(a["connected"] for a in answers) + (author.error is None)
        errors = [e for a in answers for e in a["errors"]]
        errors += [author.error] if author.error else []
        block["connected"] = connected
        if connected < audience:
            print(f"!!! only {connected}/{audience} clients subscribed: {errors}", flush=True)
        # Everyone should hear that everyone else is here (the projector shares a person).
        people = audience - 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lowest = min(a["min"] for a in await ask_all(workers, {"cmd": "presence"}))
            if min(lowest, author.presence) >= people:
                break
            await asyncio.sleep(0.2)
        block["settle_s"] = await settle(server)
        block["connect_cpu_s"] = server.cpu_seconds() - cpu_before
        load_after = await worker_cpu(workers)
        block["connect_load_cpu_s"] = [b - a for a, b in zip(load_before, load_after, strict=True)]
        print(
            f"   {connected} subscribed in {block['connect_s']:.1f} s, settled after "
            f"{block['settle_s']:.1f} s more; server CPU {block['connect_cpu_s']:.1f} s",
            flush=True,
        )
        block["public"] = await run_phase(server, workers, author, code, args, "public")
        boss = specs[0]["token"]
        changed = await asyncio.to_thread(
            http,
            "PATCH",
            f"{server.url}/api/v1/boards/{code}/session",
            boss,
            op_id=uuid.uuid4().hex,
            premoderation=True,
        )
        block["session_seq"] = changed["seq"]
        await wait_delivered(workers, author, [changed["seq"]], audience, args.drain)
        await settle(server, longest=5)
        block["private"] = await run_phase(server, workers, author, code, args, "private")
        block["memory_kib"] = server.memory_kib()
        answers = await ask_all(workers, {"cmd": "results"})
        block["clients"] = [c for a in answers for c in a["clients"]] + [author.result()]
    finally:
        server.stop()
        if author is not None:
            await author.stop()
        for worker in workers:
            await asyncio.to_thread(worker.stop)
    analyse(block)
    report_block(block)
    return block


# ---------------------------------------------------------------- analysis and report


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def analyse(block: dict[str, Any]) -> None:
    clients = block["clients"]
    last_seq = max(
        [w["seq"] for phase in ("public", "private") for w in block[phase]["writes"]],
        default=0,
    )
    gaps = 0
    out_of_order = 0
    for client in clients:
        start = client["snapshot_seq"]
        seqs = {a[0] for a in client["arrivals"]}
        if start is None or any(s not in seqs for s in range(start + 1, last_seq + 1)):
            gaps += 1
        firsts = [a[0] for a in client["arrivals"]]
        out_of_order += sum(1 for a, b in itertools.pairwise(firsts) if b < a)
    block["clients_with_gaps"] = gaps
    block["out_of_order_arrivals"] = out_of_order
    block["disconnects"] = sum(c["disconnects"] for c in clients)
    block["presence_messages"] = sum(c["presence_messages"] for c in clients)
    for phase_name in ("public", "private"):
        phase = block[phase_name]
        sent = {w["seq"]: w["sent"] for w in phase["writes"]}
        latencies: list[float] = []
        slowest: dict[int, float] = {}
        wrong = leaked = duplicates = missing = 0
        for client in clients:
            audience = client["role"] in AUDIENCE_ROLES
            first: dict[int, tuple[str, float]] = {}
            copies: dict[int, list[str]] = {}
            for seq, kind, arrived in client["arrivals"]:
                if seq in sent:
                    first.setdefault(seq, (kind, arrived))
                    copies.setdefault(seq, []).append(kind)
            for seq, sent_at in sent.items():
                if seq not in first:
                    missing += 1
                    continue
                kind, arrived = first[seq]
                latency = arrived - sent_at
                latencies.append(latency)
                slowest[seq] = max(slowest.get(seq, 0.0), latency)
                duplicates += len(copies[seq]) - 1
                if phase_name == "public":
                    wrong += kind != "post.created"
                elif audience:
                    wrong += copies[seq] != ["post.created", "private"]
                else:
                    leaked += kind != "private"
                    wrong += copies[seq] != ["private"]
        phase["expected"] = block["events"] * block["audience"]
        phase["received"] = len(sent) * len(clients) - missing
        phase["lost"] = phase["expected"] - phase["received"]
        phase["duplicates"] = duplicates
        phase["wrong_shape"] = wrong
        phase["leaked"] = leaked
        ms = [1000 * x for x in latencies]
        phase["latency_ms"] = {
            "p50": percentile(ms, 0.50),
            "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99),
            "max": max(ms, default=float("nan")),
            "mean": statistics.fmean(ms) if ms else float("nan"),
        }
        last_screen = [1000 * x for x in slowest.values()]
        phase["last_screen_ms"] = {
            "p50": percentile(last_screen, 0.5),
            "max": max(last_screen, default=float("nan")),
        }
        acks = [1000 * (w["acked"] - w["sent"]) for w in phase["writes"]]
        phase["ack_ms"] = {"p50": percentile(acks, 0.5), "max": max(acks, default=float("nan"))}


def report_block(block: dict[str, Any]) -> None:
    for name in ("public", "private"):
        phase = block[name]
        lat = phase["latency_ms"]
        load = ", ".join(f"{c / phase['wall_s']:.0%}" for c in phase["load_cpu_s"])
        print(
            f"   {name:7} {phase['received']}/{phase['expected']} delivered; "
            f"p50 {lat['p50']:.0f} p95 {lat['p95']:.0f} max {lat['max']:.0f} ms; "
            f"last screen p50 {phase['last_screen_ms']['p50']:.0f} ms; "
            f"ack p50 {phase['ack_ms']['p50']:.0f} ms; server CPU {phase['server_cpu_s']:.2f} s "
            f"over {phase['wall_s']:.1f} s; load processes {load} of a core",
            flush=True,
        )
        if phase["lost"] or phase["failed_writes"]:
            print(
                f"!!! {name}: LOST {phase['lost']} deliveries, "
                f"{len(phase['failed_writes'])} failed writes {phase['failed_writes'][:3]}",
                flush=True,
            )
        if phase["leaked"] or phase["wrong_shape"]:
            print(
                f"!!! {name}: {phase['leaked']} private events leaked in full, "
                f"{phase['wrong_shape']} deliveries of the wrong shape",
                flush=True,
            )
        if phase["gc_pauses"]:
            gen2 = [ms for gen, ms in phase["gc_pauses"] if gen == 2]
            print(
                f"   {name:7} server GC: {len(phase['gc_pauses'])} collections logged, "
                f"longest {max(ms for _, ms in phase['gc_pauses']):.0f} ms; "
                f"full (gen 2): {gen2}",
                flush=True,
            )
        if max(phase["load_cpu_s"], default=0) / phase["wall_s"] > 0.85:
            print("!!! a load process was near 100% of a core: it may be the bottleneck")
    if block["clients_with_gaps"]:
        print(f"!!! {block['clients_with_gaps']} clients have gaps in their seqs", flush=True)
    print(
        f"   peak RSS {block['memory_kib']['VmHWM'] / 1024:.0f} MiB "
        f"(idle {block['memory_idle_kib']['VmRSS'] / 1024:.0f} MiB); "
        f"gapless clients {len(block['clients']) - block['clients_with_gaps']}"
        f"/{len(block['clients'])}; disconnects {block['disconnects']}",
        flush=True,
    )


def table(blocks: list[dict[str, Any]]) -> str:
    head = (
        "| server | clients | round | events | received / expected | p50 ms | p95 ms | max ms "
        "| last screen p50 ms | ack p50 ms | server CPU s | CPU µs / delivery | peak RSS MiB "
        "| longest GC ms |\n"
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for block in sorted(blocks, key=lambda b: (b["audience"], b["mode"], b["round"])):
        for name in ("public", "private"):
            phase = block[name]
            lat = phase["latency_ms"]
            per = 1e6 * phase["server_cpu_s"] / max(1, phase["received"])
            lost = "" if not phase["lost"] else " **LOST**"
            pauses = [ms for _, ms in phase["gc_pauses"]]
            longest_gc = f"{max(pauses):.0f}" if pauses else "none" if block["gc_log"] else "-"
            rows.append(
                f"| {block['mode']} | {block['audience']} | {block['round']} | {name} "
                f"| {phase['received']} / {phase['expected']}{lost} "
                f"| {lat['p50']:.0f} | {lat['p95']:.0f} | {lat['max']:.0f} "
                f"| {phase['last_screen_ms']['p50']:.0f} | {phase['ack_ms']['p50']:.0f} "
                f"| {phase['server_cpu_s']:.2f} "
                f"| {per:.0f} | {block['memory_kib']['VmHWM'] / 1024:.0f} | {longest_gc} |"
            )
    return head + "\n".join(rows)


def join_table(blocks: list[dict[str, Any]]) -> str:
    """The join rush: every client connecting and subscribing (not timed per delivery)."""
    head = (
        "| server | clients | round | all subscribed s | server CPU s | presence messages "
        "| load processes CPU s |\n|---|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = [
        f"| {b['mode']} | {b['audience']} | {b['round']} | {b['connect_s']:.1f} "
        f"| {b['connect_cpu_s']:.2f} | {b['presence_messages']} "
        f"| {' + '.join(f'{c:.1f}' for c in b['connect_load_cpu_s'])} |"
        for b in sorted(blocks, key=lambda b: (b["audience"], b["mode"], b["round"]))
    ]
    return head + "\n".join(rows)


def machine() -> dict[str, str]:
    def run(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout
        except OSError:
            return "?"

    return {
        "nproc": run("nproc").strip(),
        "free -g": run("free", "-g").rstrip(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--events", type=int, default=30, help="posts per phase")
    parser.add_argument("--rate", type=float, default=5.0, help="posts per second")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--workers", type=int, default=2, help="load processes")
    parser.add_argument("--rounds", type=int, default=2, help="repeat every block this often")
    parser.add_argument("--drain", type=float, default=15.0, help="seconds to wait after sends")
    parser.add_argument("--json", type=Path, help="write every number (and arrivals) here")
    parser.add_argument(
        "--gc-log", action="store_true", help="log the servers' garbage collections (diagnosis)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the servers' folders")
    args = parser.parse_args()
    if min(args.clients) < 5:
        parser.error("--clients: at least 5 (facilitators, projector, author, a participant)")
    return args


async def main_async(args: argparse.Namespace, folder: Path, servers: list[Server]) -> None:
    blocks = []
    turn = 0
    for round_ in range(1, args.rounds + 1):
        for audience in args.clients:
            # Alternate which server goes first (ABBA...), so a drift in the machine's
            # load does not always favour the same one.
            order = args.modes if turn % 2 == 0 else list(reversed(args.modes))
            turn += 1
            for mode in order:
                args.audience = audience
                where = folder / f"{mode}-{audience}-{round_}"
                block = await run_block(mode, audience, where, args, servers)
                block["round"] = round_
                blocks.append(block)
    print("\n" + table(blocks))
    print("\n" + join_table(blocks))
    lost = sum(b[p]["lost"] for b in blocks for p in ("public", "private"))
    gaps = sum(b["clients_with_gaps"] for b in blocks)
    print(f"\nlost deliveries: {lost}; clients with seq gaps: {gaps}")
    if lost or gaps:
        print("!!! SOME DELIVERIES WERE LOST: see above")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "blocks": blocks}, indent=1))
        print(f"raw numbers: {args.json}")


def main() -> None:
    args = parse_args()
    if importlib.util.find_spec("aiohttp") is None:
        sys.exit('AsyncClient needs aiohttp: pip install "python-socketio[asyncio_client]"')
    info = machine()
    print(f"nproc {info['nproc']}; python {info['python']}; {info['platform']}")
    print(info["free -g"])
    folder = Path(tempfile.mkdtemp(prefix="fanout-"))
    servers: list[Server] = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        asyncio.run(main_async(args, folder, servers))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted: stopping the servers")
        raise SystemExit(130) from None
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"server folders kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
