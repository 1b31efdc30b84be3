"""The side-by-side benchmark suite, in one command.

    python bench/run.py                    # the full suite (about 15 minutes), latest.json
    python bench/run.py --quick            # a smoke run (about 2 minutes), quick.json
    python bench/run.py --write-doc        # the full suite, then docs/PERFORMANCE.md's table
    python bench/run.py --write-doc --from bench/results/latest.json   # the table only
    python bench/run.py --render bench/results/latest.json             # print the table

Every scenario of bench/suite.py runs against three servers, one at a time, each a fresh
process on a free loopback port: the app (``python wsgi.py``, gevent, BOARD_RATE_LIMITS=0,
its own SQLite database; ``--async-mode gevent eventlet`` adds eventlet), the bare
Flask-SocketIO relay on the same stack (bench/relay_flask.py) and the bare Node socket.io
relay (bench/node/relay_node.mjs). One load generator, bench/node/loadgen.mjs (the official
socket.io-client over WebSocket), drives them all and counts every delivery.

The relays answer with the app's own bytes: before the suite, loadgen captures the app's
entries, envelopes and acks (``capture``); each socket scenario then saves the snapshot the
app's phones got, and each page scenario the app's board page and snapshot as sent. So the
app runs first in every scenario, the relays after it with what it sent.

``--repeat N`` runs the whole suite N times (the tables show the median and the range);
``--only ID ...`` runs some scenarios and merges them into the output file. Loopback only.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import http.client
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import seed  # noqa: E402
import suite  # noqa: E402
from server import CLOCK_TICK, App, Server  # noqa: E402

ROOT = BENCH.parent
NODE_DIR = BENCH / "node"
LOADGEN = NODE_DIR / "loadgen.mjs"
RESULTS = BENCH / "results"
DOC = ROOT / "docs" / "PERFORMANCE.md"
#: Longest a single loadgen run may take before it counts as failed (and is stopped).
LOADGEN_TIMEOUT = 900


def log(message: str) -> None:
    print(f"run: {message}", flush=True)


def raise_open_file_limit() -> None:
    """2000 sockets each side: lift the soft limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---------------------------------------------------------------- the servers


class FlaskRelay(Server):
    def __init__(self, folder: Path, mode: str, capture: Path) -> None:
        self.name = f"flask-{mode}"
        self.mode = mode
        self.capture = capture
        super().__init__(folder)

    def command(self) -> list[str]:
        relay = str(BENCH / "relay_flask.py")
        port, capture = str(self.port), str(self.capture)
        return [
            sys.executable,
            relay,
            "--port",
            port,
            "--capture",
            capture,
            "--async-mode",
            self.mode,
        ]


class NodeRelay(Server):
    name = "node"

    def __init__(self, folder: Path, capture: Path) -> None:
        self.capture = capture
        super().__init__(folder)

    def command(self) -> list[str]:
        relay = NODE_DIR / "relay_node.mjs"
        return ["node", str(relay), "--port", str(self.port), "--capture", str(self.capture)]


def relays(modes: list[str], folder: Path, capture: Path) -> list[tuple[str, Server]]:
    """The relays of a scenario, by result key, each answering with what ``capture`` holds."""
    flask: list[tuple[str, Server]] = [
        (server_key("flask", mode), FlaskRelay(folder / f"flask-{mode}", mode, capture))
        for mode in modes
    ]
    return [*flask, ("node", NodeRelay(folder / "node", capture))]


def server_key(kind: str, mode: str) -> str:
    """The result's key: "app", "flask" for gevent, "app-eventlet" and so on for others."""
    return kind if mode == "gevent" else f"{kind}-{mode}"


# ---------------------------------------------------------------- the load generator


def loadgen(scenario: dict[str, Any], server: Server, folder: Path) -> dict[str, Any]:
    """Run loadgen.mjs with one scenario against one server; its JSON result."""
    folder.mkdir(parents=True, exist_ok=True)
    given = {**scenario, "url": server.url, "server_pid": server.pid, "clock_tick": CLOCK_TICK}
    path = folder / f"{server.name}.scenario.json"
    path.write_text(json.dumps(given))
    with (folder / f"{server.name}.loadgen.log").open("wb") as progress:
        try:
            done = subprocess.run(
                ["node", str(LOADGEN), str(path)],
                cwd=NODE_DIR,
                stdout=subprocess.PIPE,
                stderr=progress,
                timeout=LOADGEN_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"loadgen timed out after {LOADGEN_TIMEOUT} s"}
    lines = done.stdout.decode().strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"ok": False, "error": f"loadgen exited {done.returncode} with no result"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def capture_app(mode: str, folder: Path) -> dict[str, Any]:
    """The app's wire shapes for the relays: entries, envelopes and acks of each write."""
    with App(folder / "capture", mode) as app:
        result = loadgen({"kind": "capture"}, app, folder / "capture")
    if not result.get("ok"):
        raise SystemExit(f"capturing the app's shapes failed: {result.get('error')}")
    captured: dict[str, Any] = result["capture"]
    return captured


def wire_sizes(captured: dict[str, Any]) -> dict[str, int]:
    """Bytes of each write's envelope as the app sent it (the relays send the same)."""
    return {
        name: len(json.dumps({"board": "XXXXXX", "seq": 1, **write}, separators=(",", ":")))
        for name, write in captured["writes"].items()
    }


# ---------------------------------------------------------------- socket scenarios


def socket_scenario(
    spec: dict[str, Any], modes: list[str], base: dict[str, Any], folder: Path
) -> dict[str, Any]:
    """The app in each mode, then the relays with the snapshot the app's phones got."""
    scenario = {k: v for k, v in spec.items() if k not in ("id", "title")}
    results: dict[str, Any] = {}
    snapshot = folder / "snapshot.json"
    for mode in modes:
        with App(folder / f"app-{mode}", mode) as app:
            wanted = {**scenario, "snapshot_out": str(snapshot)} if mode == modes[0] else scenario
            results[server_key("app", mode)] = loadgen(wanted, app, folder)
        report(spec, server_key("app", mode), results[server_key("app", mode)])
    capture = folder / "capture.json"
    shown = json.loads(snapshot.read_text()) if snapshot.exists() else {"seq": 0}
    capture.write_text(json.dumps({**base, "snapshot": shown}))
    for key, relay in relays(modes, folder, capture):
        with relay:
            results[key] = loadgen(scenario, relay, folder)
        report(spec, key, results[key])
    return results


def report(spec: dict[str, Any], key: str, result: dict[str, Any]) -> None:
    """One line per server as the suite goes; ``!!!`` when something was lost or failed."""
    if "page" in result:
        page, snap = result["page"], result["snapshot"]
        log(
            f"{spec['id']} {key}: page {page['median_ms']:.1f} ms ({page['gzip_bytes']:,} B gz),"
            f" snapshot {snap['median_ms']:.1f} ms ({snap['raw_bytes']:,} B)"
        )
        return
    lat = result.get("latency_ms") or {}
    phase = (result.get("phases") or {}).get(suite.MAIN_PHASE[spec["kind"]]) or {}
    p95 = lat.get("p95")
    log(
        f"{spec['id']} {key}: {result.get('received')}/{result.get('expected')} delivered, "
        f"p95 {'-' if p95 is None else f'{p95:.0f}'} ms, "
        f"server CPU {phase.get('server_cpu_s') or 0:.2f} s, "
        f"failures {(result.get('failures') or {}).get('total')}"
    )
    if not result.get("ok") or suite.lost(result):
        log(f"!!! {spec['id']} {key}: {result.get('error')} {result.get('failure_samples')}")


# ---------------------------------------------------------------- page scenarios


def fetch_raw(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[float, bytes, dict[str, str]]:
    """One GET on a kept-alive connection: seconds until the whole answer, its body as sent,
    and the headers a relay needs to send the same (type and encoding)."""
    start = time.monotonic()
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    body = answer.read()
    took = time.monotonic() - start
    if answer.status != 200:
        raise RuntimeError(f"GET {path}: {answer.status} {body[:200]!r}")
    kept = {
        name: answer.getheader(name)
        for name in ("Content-Type", "Content-Encoding")
        if answer.getheader(name)
    }
    return took, body, kept  # type: ignore[return-value]


def time_requests(
    server: Server, path: str, headers: dict[str, str], spec: dict[str, Any]
) -> tuple[dict[str, Any], bytes, dict[str, str]]:
    """``requests`` GETs back to back (fewer once ``budget_s`` has gone, at least ``least``);
    the median and the sizes, and the bytes and headers as sent (for the relays)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    headers = {**headers, "Accept-Encoding": "gzip"}
    times: list[float] = []
    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    body, sent = b"", {}
    while len(times) < spec["requests"] and (
        len(times) < spec["least"] or time.monotonic() - started < spec["budget_s"]
    ):
        took, body, sent = fetch_raw(connection, path, headers)
        times.append(took)
    cpu = server.cpu_seconds() - cpu_before
    connection.close()
    gzipped = sent.get("Content-Encoding") == "gzip"
    raw = gzip.decompress(body) if gzipped else body
    measured = {
        "n": len(times),
        "median_ms": 1000 * statistics.median(times),
        "min_ms": 1000 * min(times),
        "max_ms": 1000 * max(times),
        "wire_bytes": len(body),
        "gzip_bytes": len(body) if gzipped else len(gzip.compress(raw, 6)),
        "raw_bytes": len(raw),
        "encoding": sent.get("Content-Encoding"),
        "server_cpu_ms_per_request": 1000 * cpu / len(times),
    }
    return measured, body, sent


def viewer(app: App, code: str) -> tuple[str, str]:
    """A participant's token and signed cookie on the board (the enter link, not followed)."""
    joined = requests.post(
        f"{app.url}/api/v1/boards/{code}/participants",
        json={"display_name": "Viewer"},
        timeout=60,
    )
    joined.raise_for_status()
    with requests.Session() as session:
        session.get(joined.json()["enter_url"], allow_redirects=False, timeout=60)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return joined.json()["token"], cookie


def page_scenario(
    spec: dict[str, Any], modes: list[str], base: dict[str, Any], folder: Path
) -> dict[str, Any]:
    """A board of ``posts`` posts: its page and snapshot from the app, then from the relays."""
    results: dict[str, Any] = {}
    captured: dict[str, Any] = {}
    for mode in modes:
        with App(folder / f"app-{mode}", mode) as app:
            code = seed.seed(app.url, app.admin_token(), spec["posts"])
            token, cookie = viewer(app, code)
            page, page_body, page_headers = time_requests(
                app, f"/b/{code}", {"Cookie": cookie}, spec
            )
            snap, snap_body, snap_headers = time_requests(
                app, f"/api/v1/boards/{code}/snapshot", {"Authorization": f"Bearer {token}"}, spec
            )
        results[server_key("app", mode)] = {"ok": True, "page": page, "snapshot": snap}
        report(spec, server_key("app", mode), results[server_key("app", mode)])
        if not captured:
            captured = {
                "page": {"body_b64": base64.b64encode(page_body).decode(), "headers": page_headers},
                "snapshot_http": {
                    "body_b64": base64.b64encode(snap_body).decode(),
                    "headers": snap_headers,
                },
            }
    capture = folder / "capture.json"
    capture.write_text(json.dumps({**base, "snapshot": {"seq": 0}, **captured}))
    for key, relay in relays(modes, folder, capture):
        with relay:
            page, _, _ = time_requests(relay, "/b/RELAYS", {}, spec)
            snap, _, _ = time_requests(relay, "/api/v1/boards/RELAYS/snapshot", {}, spec)
        results[key] = {"ok": True, "page": page, "snapshot": snap}
        report(spec, key, results[key])
    return results


# ---------------------------------------------------------------- the run


def versions() -> str:
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    lock = json.loads((NODE_DIR / "package-lock.json").read_text())["packages"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    python = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "Flask",
            "Flask-SocketIO",
            "python-socketio",
            "python-engineio",
            "gevent",
            "gevent-websocket",
            "eventlet",
        )
    )
    return (
        f"Python {platform.python_version()}, {python}; Node {node}, socket.io "
        f"{lock['node_modules/socket.io']['version']} and socket.io-client "
        f"{lock['node_modules/socket.io-client']['version']}"
    )


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Linux {platform.release()}"


def commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return described.stdout.strip() or "?"


def run_suite(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    chosen = [s for s in suite.scenarios(args.quick) if not args.only or s["id"] in args.only]
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    measured = commit()  # the tree at the start: others may commit while the suite runs
    log(f"capturing the app's wire shapes ({args.async_mode[0]})")
    base = capture_app(args.async_mode[0], folder)
    runs: dict[str, list[dict[str, Any]]] = {s["id"]: [] for s in chosen}
    for repeat in range(1, args.repeat + 1):
        for spec in chosen:
            log(f"{spec['id']} (repeat {repeat}/{args.repeat})")
            where = folder / f"{spec['id']}-{repeat}"
            play = page_scenario if spec["kind"] == "page" else socket_scenario
            runs[spec["id"]].append(play(spec, args.async_mode, base, where))
    servers = [server_key(k, m) for k in ("app", "flask") for m in args.async_mode] + ["node"]
    return {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "commit": measured,
            "commit_at_end": commit(),
            "quick": args.quick,
            "repeat": args.repeat,
            "wall_s": time.monotonic() - started,
            "machine": machine(),
            # Others' work on the machine shows here: the suite alone keeps it under about 2.
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "versions": versions(),
            "envelope_bytes": wire_sizes(base),
        },
        "servers": servers,
        "suite": chosen,
        "scenarios": {sid: {"runs": found} for sid, found in runs.items()},
    }


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``--only``: the new scenarios' results in place of the old ones', the rest kept."""
    ids = [s["id"] for s in old.get("suite", [])]
    specs = {s["id"]: s for s in old.get("suite", [])} | {s["id"]: s for s in new["suite"]}
    order = [s["id"] for s in suite.SUITE if s["id"] in specs]
    merged = {**new, "scenarios": {**old.get("scenarios", {}), **new["scenarios"]}}
    merged["suite"] = [specs[i] for i in order]
    merged["servers"] = sorted(set(old.get("servers", [])) | set(new["servers"]))
    merged["meta"] = {**new["meta"], "rerun": [s["id"] for s in new["suite"]], "kept": ids}
    return merged


def write_doc(data: dict[str, Any]) -> None:
    text = DOC.read_text()
    DOC.write_text(suite.with_table(text, suite.render(data)))
    log(f"wrote the table into {DOC.relative_to(ROOT)}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="run the suite this often")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--async-mode",
        nargs="+",
        choices=("gevent", "eventlet"),
        default=["gevent"],
        help="the app's and the Flask relay's modes (gevent first: the ratios use it)",
    )
    parser.add_argument("--only", nargs="+", choices=[s["id"] for s in suite.SUITE])
    parser.add_argument("--out", type=Path, help="the results file (default: latest.json)")
    parser.add_argument("--write-doc", action="store_true", help="rewrite PERFORMANCE.md's table")
    parser.add_argument("--from", dest="source", type=Path, help="use this JSON: no run")
    parser.add_argument("--render", type=Path, metavar="FILE", help="print FILE's table")
    parser.add_argument("--keep", action="store_true", help="keep the servers' folders and logs")
    args = parser.parse_args()
    if args.async_mode[0] != "gevent":
        parser.error("--async-mode: gevent comes first (the headline ratios use it)")
    if args.out is None:
        args.out = RESULTS / ("quick.json" if args.quick else "latest.json")
    return args


def main() -> None:
    args = parse_args()
    if args.render:
        print(suite.render(json.loads(args.render.read_text())))
        return
    if args.source:
        data = json.loads(args.source.read_text())
    else:
        if not (NODE_DIR / "node_modules" / "socket.io").is_dir():
            raise SystemExit("bench/node/node_modules is missing: cd bench/node && npm ci")
        raise_open_file_limit()
        folder = Path(tempfile.mkdtemp(prefix="bench-"))
        try:
            data = run_suite(args, folder)
        finally:
            if args.keep:
                log(f"servers' folders kept in {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        if args.only and args.out.exists():
            data = merge(json.loads(args.out.read_text()), data)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=1) + "\n")
        log(f"results in {args.out}")
        print(suite.render(data))
    if args.write_doc:
        write_doc(data)


if __name__ == "__main__":
    main()
