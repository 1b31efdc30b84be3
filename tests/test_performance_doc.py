"""docs/PERFORMANCE.md shows the latest benchmark run, whole, from one command.

The table between its markers must be exactly what ``python bench/run.py --render
bench/results/latest.json`` prints (bench/suite.py's ``render``, imported here: no
benchmark runs in CI), and it must have a row for every measure of every scenario of the
suite, each with both ratios (the app to the bare Flask-SocketIO relay and to the Node
relay).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "PERFORMANCE.md"
LATEST = ROOT / "bench" / "results" / "latest.json"
RATIO = re.compile(r"^\d[\d,]*(\.\d+)?\N{MULTIPLICATION SIGN}$")


@pytest.fixture(scope="module")
def suite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_suite", ROOT / "bench" / "suite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def latest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LATEST.read_text())
    return data


def _headline_rows(table: str) -> list[list[str]]:
    """The first table's body rows, as cells."""
    block = table.split("\n\n")[1]
    lines = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_doc_shows_exactly_the_rendered_latest_run(
    suite: ModuleType, latest: dict[str, Any]
) -> None:
    shown = suite.table_in(DOC.read_text())
    assert shown == suite.render(latest), (
        "docs/PERFORMANCE.md's table is not latest.json's: "
        "python bench/run.py --write-doc --from bench/results/latest.json"
    )


def test_the_latest_run_is_the_whole_suite(suite: ModuleType, latest: dict[str, Any]) -> None:
    assert not latest["meta"]["quick"], "latest.json must be a full run, not --quick"
    assert [s["id"] for s in latest["suite"]] == [s["id"] for s in suite.SUITE]
    assert latest["suite"] == suite.scenarios(), "latest.json ran other sizes than the suite's"
    for spec in latest["suite"]:
        runs = latest["scenarios"][spec["id"]]["runs"]
        assert runs, spec["id"]
        for run in runs:
            assert {"app", "flask", "node"} <= set(run), spec["id"]


def test_every_scenario_has_its_rows_with_both_ratios(
    suite: ModuleType, latest: dict[str, Any]
) -> None:
    rows = _headline_rows(suite.table_in(DOC.read_text()))
    for spec in suite.scenarios():
        mine = [row for row in rows if row[0] == spec["title"]]
        measures = [label for label, _unit, _read in suite.MEASURES[spec["kind"]]]
        assert [row[1] for row in mine] == measures, spec["title"]
        for row in mine:
            to_flask, to_node = row[5], row[6]
            assert RATIO.match(to_flask), (spec["title"], row[1], to_flask)
            assert RATIO.match(to_node), (spec["title"], row[1], to_node)


def test_a_partial_rerun_keeps_the_other_scenarios(suite: ModuleType) -> None:
    """``--only`` merges into the results: the table still covers the whole suite."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    full = suite.scenarios()
    old = {
        "meta": {},
        "servers": ["app", "flask", "node"],
        "suite": full,
        "scenarios": {s["id"]: {"runs": [{"app": {"old": True}}]} for s in full},
    }
    new = {
        "meta": {"commit": "new"},
        "servers": ["app", "app-eventlet", "flask", "flask-eventlet", "node"],
        "suite": [full[2]],
        "scenarios": {full[2]["id"]: {"runs": [{"app": {"old": False}}]}},
    }
    merged = run.merge(old, new)
    assert [s["id"] for s in merged["suite"]] == [s["id"] for s in full]
    assert merged["scenarios"][full[2]["id"]]["runs"][0]["app"] == {"old": False}
    assert merged["scenarios"][full[0]["id"]]["runs"][0]["app"] == {"old": True}
    assert merged["meta"]["rerun"] == [full[2]["id"]]
