"""The side-by-side suite: its scenarios, and the tables made from a run's JSON.

Standard library only, so tests/test_performance_doc.py can import it without starting
anything: the table in docs/PERFORMANCE.md must be exactly ``render(latest.json)``.
bench/run.py runs the scenarios; this module says what they are and how they read.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from typing import Any

#: The servers side by side: the app, and the two bare relays speaking its protocol.
APP, FLASK, NODE = "app", "flask", "node"
SERVER_NAMES = {
    "app": "this app (gevent)",
    "app-eventlet": "this app (eventlet)",
    "flask": "bare Flask-SocketIO relay (gevent)",
    "flask-eventlet": "bare Flask-SocketIO relay (eventlet)",
    "node": "bare Node socket.io relay",
}
#: No value, and "times" (the table's typography, spelled out for the linter).
DASH, TIMES = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"
DOC_BEGIN = "<!-- bench:table -->"
DOC_END = "<!-- /bench:table -->"

_MIX = {"post": 0.2, "support": 0.35, "comment": 0.25, "dot": 0.2}

#: Every scenario of the full suite, in the order it runs. ``kind`` is loadgen.mjs's
#: scenario (or ``page``, timed by run.py itself); the rest are its parameters.
SUITE: list[dict[str, Any]] = [
    {"id": "fanout-300", "kind": "fanout", "clients": 300},
    {"id": "fanout-1000", "kind": "fanout", "clients": 1000},
    {"id": "fanout-2000", "kind": "fanout", "clients": 2000},
    {"id": "join-rush-300", "kind": "join_rush", "phones": 300, "over_s": 10},
    {"id": "reconnect-1000", "kind": "reconnect", "clients": 1000},
    {"id": "workshop-300", "kind": "workshop", "phones": 300, "rate": 20, "duration_s": 30},
    {"id": "page-1000", "kind": "page", "posts": 1000},
    {"id": "page-10000", "kind": "page", "posts": 10000},
]

#: How each kind reads in a table, from its parameters (so a quick run says its sizes).
TITLES = {
    "fanout": "fan-out to {clients}",
    "join_rush": "join rush, {phones} phones in {over_s} s",
    "reconnect": "reconnect storm, {clients} phones",
    "workshop": "workshop mix, {phones} phones, {rate} actions/s for {duration_s} s",
    "page": "board of {posts:,} posts",
}

#: What every scenario of a kind shares (a scenario's own values win).
DEFAULTS: dict[str, dict[str, Any]] = {
    "fanout": {"posts": 20, "rate": 10},
    "join_rush": {},
    "reconnect": {"rate": 10, "warm_s": 3},
    "workshop": {"seed_posts": 10, "dot_budget": 20, "seed": 7, "mix": _MIX},
    "page": {"requests": 20, "budget_s": 45, "least": 3},
}

#: ``--quick``: the same scenarios, small enough for a smoke run of about two minutes.
QUICK: dict[str, dict[str, Any]] = {
    "fanout-300": {"clients": 30, "posts": 5},
    "fanout-1000": {"clients": 60, "posts": 5},
    "fanout-2000": {"clients": 100, "posts": 5},
    "join-rush-300": {"phones": 30, "over_s": 2},
    "reconnect-1000": {"clients": 60, "warm_s": 1},
    "workshop-300": {"phones": 30, "rate": 10, "duration_s": 3},
    "page-1000": {"posts": 100, "requests": 5},
    "page-10000": {"posts": 300, "requests": 5},
}

LATENCIES = ("p50", "p95", "p99", "max")
#: What the deliveries table adds up over the runs, in its columns' order.
COUNTED = ("gaps", "duplicates", "out_of_order")
#: The sizes the pages table shows of the last answer, in its columns' order.
SIZES = ("wire_bytes", "gzip_bytes", "raw_bytes")
#: The phase whose server CPU a scenario reports (loadgen.mjs's phase names).
MAIN_PHASE = {"fanout": "posts", "join_rush": "rush", "reconnect": "storm", "workshop": "mix"}


def scenarios(quick: bool = False) -> list[dict[str, Any]]:
    """The suite's scenarios with every parameter filled in, and their titles."""
    filled = [{**DEFAULTS[s["kind"]], **s, **(QUICK[s["id"]] if quick else {})} for s in SUITE]
    return [{**s, "title": TITLES[s["kind"]].format(**s)} for s in filled]


# ---------------------------------------------------------------- reading one result


def _get(result: dict[str, Any] | None, *path: str) -> Any:
    value: Any = result
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def phase_cpu(kind: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: _get(r, "phases", MAIN_PHASE[kind], "server_cpu_s")


#: The headline measures of each kind: (label, unit, read one server's result).
MEASURES: dict[str, list[tuple[str, str, Callable[[dict[str, Any]], Any]]]] = {
    "fanout": [
        ("p95 delivery", "ms", lambda r: _get(r, "latency_ms", "p95")),
        ("server CPU, all posts", "s", phase_cpu("fanout")),
        ("memory per connection", "KB", lambda r: _get(r, "memory_per_connection_kib")),
    ],
    "join_rush": [
        ("p95 until subscribed", "ms", lambda r: _get(r, "until_subscribed_ms", "p95")),
        ("server CPU until idle", "s", phase_cpu("join_rush")),
    ],
    "reconnect": [
        ("all caught up", "s", lambda r: _get(r, "all_caught_up_s")),
        ("server CPU, storm", "s", phase_cpu("reconnect")),
    ],
    "workshop": [
        ("p95 delivery", "ms", lambda r: _get(r, "latency_ms", "p95")),
        ("server CPU, the mix", "s", phase_cpu("workshop")),
    ],
    "page": [
        ("board page, median", "ms", lambda r: _get(r, "page", "median_ms")),
        ("snapshot API, median", "ms", lambda r: _get(r, "snapshot", "median_ms")),
    ],
}


def lost(result: dict[str, Any] | None) -> int | None:
    """Deliveries missing plus failures (connects, subscribes, acks, HTTP): 0 is clean."""
    if result is None:
        return None
    if "page" in result:
        return int(result.get("failures", 0))
    gaps = result.get("gaps") or 0
    return int(gaps + (_get(result, "failures", "total") or 0) + (0 if result.get("ok") else 1))


# ---------------------------------------------------------------- formatting


def _median(values: list[Any]) -> float | None:
    found = [float(v) for v in values if isinstance(v, int | float)]
    return statistics.median(found) if found else None


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "ms":
        return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    if unit == "KB":
        return f"{value:,.0f} KB"
    return f"{value:,.0f}"


def _cell(values: list[Any], unit: str) -> str:
    """The median over repeats, with the range when there were several."""
    middle = _median(values)
    shown = _number(middle, unit)
    found = [float(v) for v in values if isinstance(v, int | float)]
    if len(found) > 1 and middle is not None:
        shown += f" ({_plain(min(found))}{DASH}{_plain(max(found))})"
    return shown


def _plain(value: float | None, places: int | None = None) -> str:
    """A table number without its unit: whole above 10, one decimal below (or ``places``)."""
    if value is None:
        return DASH
    if places is not None:
        return f"{value:.{places}f}"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _ratio(app: float | None, relay: float | None) -> str:
    if app is None or relay is None or relay <= 0:
        return DASH
    times = app / relay
    if times >= 100:
        return f"{times:,.0f}{TIMES}"
    return f"{times:.2f}{TIMES}" if times < 10 else f"{times:.1f}{TIMES}"


def _runs(data: dict[str, Any], scenario: str, server: str) -> list[dict[str, Any]]:
    runs = data["scenarios"].get(scenario, {}).get("runs", [])
    return [run[server] for run in runs if run.get(server) is not None]


def headline(data: dict[str, Any]) -> str:
    """One row per scenario and measure: the app, both relays, and the two ratios."""
    lines = [
        "| scenario | measure | this app (gevent) | bare Flask-SocketIO relay | Node relay "
        "| app ÷ Flask relay | app ÷ Node relay | lost or failed (app / Flask / Node) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for spec in data["suite"]:
        for label, unit, read in MEASURES[spec["kind"]]:
            cells = {}
            middles = {}
            for server in (APP, FLASK, NODE):
                values = [read(r) for r in _runs(data, spec["id"], server)]
                cells[server] = _cell(values, unit)
                middles[server] = _median(values)
            losses = []
            for server in (APP, FLASK, NODE):
                counted = [lost(r) for r in _runs(data, spec["id"], server)]
                known = [c for c in counted if c is not None]
                losses.append(str(sum(known)) if known else DASH)
            lines.append(
                f"| {spec['title']} | {label} | {cells[APP]} | {cells[FLASK]} | {cells[NODE]} "
                f"| {_ratio(middles[APP], middles[FLASK])} | {_ratio(middles[APP], middles[NODE])} "
                f"| {' / '.join(losses)} |"
            )
    return "\n".join(lines)


def _servers(data: dict[str, Any]) -> list[str]:
    return [s for s in SERVER_NAMES if s in data.get("servers", [])]


def _row(*cells: object) -> str:
    """One row of a Markdown table."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _scenario_runs(
    data: dict[str, Any], of_pages: bool
) -> Iterator[tuple[dict[str, Any], str, list[dict[str, Any]]]]:
    """(scenario, server, its runs) of the page scenarios, or of the socket ones, for every
    server that ran them, in the suite's order."""
    for spec in data["suite"]:
        if (spec["kind"] == "page") != of_pages:
            continue
        for server in _servers(data):
            runs = _runs(data, spec["id"], server)
            if runs:
                yield spec, server, runs


def deliveries(data: dict[str, Any]) -> str:
    """Every socket scenario and server: what was counted, and what it cost."""
    lines = [
        "| scenario | server | received / expected | gaps | duplicates | out of order "
        "| failures | p50 ms | p95 ms | p99 ms | max ms | server CPU s | memory per connection KB "
        "| load generator CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for spec, server, runs in _scenario_runs(data, of_pages=False):

        def mid(read: Callable[[dict[str, Any]], Any], runs: list[Any] = runs) -> Any:
            return _median([read(r) for r in runs])

        phase = MAIN_PHASE[spec["kind"]]
        share = mid(
            lambda r, p=phase: (
                (_get(r, "phases", p, "loadgen_cpu_s") or 0)
                / max(1e-9, _get(r, "phases", p, "wall_s") or 0)
            )
        )
        received = sum(r.get("received") or 0 for r in runs)
        expected = sum(r.get("expected") or 0 for r in runs)
        failures = sum((_get(r, "failures", "total") or 0) + (not r.get("ok")) for r in runs)
        latency = [mid(lambda r, q=q: _get(r, "latency_ms", q)) for q in LATENCIES]
        lines.append(
            _row(
                spec["title"],
                SERVER_NAMES[server],
                f"{received:,} / {expected:,}",
                *(sum(r.get(name) or 0 for r in runs) for name in COUNTED),
                failures,
                *(_plain(v) for v in latency),
                _plain(mid(phase_cpu(spec["kind"])), 2),
                _plain(mid(lambda r: r.get("memory_per_connection_kib"))),
                DASH if share is None else f"{share:.0%}",
            )
        )
    return "\n".join(lines)


def pages(data: dict[str, Any]) -> str:
    """The page scenarios: time, size on the wire, and server CPU per request."""
    lines = [
        "| board | server | request | median ms | requests | bytes sent | gzipped bytes "
        "| uncompressed bytes | server CPU ms per request |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for spec, server, runs in _scenario_runs(data, of_pages=True):
        for request in ("page", "snapshot"):
            measured = [r[request] for r in runs if r.get(request)]
            if not measured:
                continue
            median = _median([m["median_ms"] for m in measured])
            cpu = _median([m.get("server_cpu_ms_per_request") for m in measured])
            lines.append(
                _row(
                    spec["title"],
                    SERVER_NAMES[server],
                    request,
                    _plain(median),
                    sum(m["n"] for m in measured),
                    *(f"{measured[-1][name]:,}" for name in SIZES),
                    _plain(cpu),
                )
            )
    return "\n".join(lines)


def render(data: dict[str, Any]) -> str:
    """The tables docs/PERFORMANCE.md shows between its markers, from one run's JSON."""
    meta = data.get("meta", {})
    repeats = meta.get("repeat", 1)
    about = (
        f"Run of {meta.get('date', '?')} at commit `{meta.get('commit', '?')}`"
        f"{' (quick)' if meta.get('quick') else ''}, {repeats} repeat{'s' * (repeats != 1)}"
        f" ({'the median, then the range' if repeats > 1 else 'one value each'}), "
        f"{meta.get('wall_s', 0) / 60:.0f} minutes in all; {meta.get('machine', '?')}. "
        f"Versions: {meta.get('versions', '?')}."
    )
    return "\n\n".join(
        [
            about,
            headline(data),
            "Deliveries, counted per client from its first snapshot to the last write's seq "
            "(latency: from sending the write to each client's handler; server CPU over the "
            "scenario's measured phase):",
            deliveries(data),
            "Board page and snapshot (each server sends the app's bytes; the time is the "
            "whole answer, read on loopback):",
            pages(data),
        ]
    )


def with_table(document: str, table: str) -> str:
    """``document`` with the text between the markers replaced by ``table``."""
    start = document.index(DOC_BEGIN) + len(DOC_BEGIN)
    end = document.index(DOC_END)
    return document[:start] + "\n\n" + table + "\n\n" + document[end:]


def table_in(document: str) -> str:
    """The text between the markers, as render() printed it."""
    start = document.index(DOC_BEGIN) + len(DOC_BEGIN)
    return document[start : document.index(DOC_END)].strip("\n")
