"""BOARD_RATE_LIMITS=0 (a benchmark, a test that floods on purpose) turns the limits off."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_app


def test_the_board_serves_with_the_limits_off(tmp_path: Path) -> None:
    app = build_app(tmp_path, BOARD_RATE_LIMITS=False, BOARD_CODE_MISSES="1 per minute")
    client = app.test_client()
    made = client.post("/api/v1/boards", json={"title": "Westcliff 2030"})
    assert made.status_code == 201
    code = made.json["board"]["code"]
    for _ in range(3):
        assert client.get("/api/v1/boards/ZZZZZZ").status_code == 404  # never slow_down
    joined = client.post(f"/api/v1/boards/{code}/participants", json={"display_name": "Aisha"})
    assert joined.status_code == 201
