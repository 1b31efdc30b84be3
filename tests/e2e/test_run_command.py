"""The README's run command serves the app with the demo board, created once."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import ROOT, free_port

pytestmark = pytest.mark.e2e


def start_run_command(folder: Path, port: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``./dev run`` and read the demo board lines it prints."""
    env = {**os.environ, "BOARD_PORT": str(port), "BOARD_INSTANCE_PATH": str(folder)}
    env.pop("BOARD_DATABASE_URL", None)
    process = subprocess.Popen(
        ["./dev", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: dict[str, str] = {}
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline and "Facilitator link" not in lines:
        line = process.stdout.readline()
        if not line:
            break
        key, _, value = line.partition(":")
        lines[key.strip()] = value.strip()
    if "Facilitator link" not in lines:
        stop(process)
        raise AssertionError(f"./dev run printed no demo board: {lines}")
    return process, lines


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    if process.stdout is not None:
        process.stdout.close()


def test_run_command_serves_the_demo_board(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./dev run" in readme and "./dev test" in readme
    assert "./dev test" in (ROOT / ".ci" / "run").read_text()

    port = free_port()
    process, lines = start_run_command(tmp_path, port)
    try:
        code = re.search(r"Join code:\s+(\w{6})", "Join code: " + lines["Join code"]).group(1)
        assert lines["Demo board"] == f"http://127.0.0.1:{port}/b/{code}"
        phone = requests.Session()
        join_page = phone.get(lines["Demo board"], timeout=5)
        assert join_page.url.endswith(f"/b/{code}/join")
        assert "Westcliff 2030: what would make our streets better?" in join_page.text

        laptop = requests.Session()
        board = laptop.get(lines["Facilitator link"], timeout=5)
        assert board.url.endswith(f"/b/{code}")
        assert 'data-role="facilitator"' in board.text
        assert board.text.count('class="post post-') == 18
        assert "Repair café in the empty shop on Hamlet Road" in board.text
    finally:
        stop(process)

    # Restarting keeps the same demo board instead of making another.
    process, again = start_run_command(tmp_path, port)
    try:
        assert again["Join code"] == lines["Join code"]
    finally:
        stop(process)
