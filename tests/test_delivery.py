"""Static files as phones get them: comments left out of our stylesheets and scripts."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from board.web.delivery import without_comments

STATIC = Path(__file__).resolve().parents[1] / "board" / "static"


def test_a_script_loses_its_comment_lines_but_keeps_its_code_and_template_literals() -> None:
    source = "\n".join(
        [
            "// A comment line",
            "/** A block",
            " * over lines. */",
            "const a = 1; // after code: kept",
            "/* one line */",
            "const b = `",
            "// inside a template literal: kept",
            "/* also kept */",
            "`;",
            "/* a block */ const c = 3;",
            "const url = 'http://example.org';",
        ]
    )
    assert without_comments(source, "js/x.js").split("\n") == [
        "const a = 1; // after code: kept",
        "const b = `",
        "// inside a template literal: kept",
        "/* also kept */",
        "`;",
        "/* a block */ const c = 3;",
        "const url = 'http://example.org';",
    ]


def test_a_stylesheet_loses_its_comments_and_vendored_files_stay_as_they_came() -> None:
    assert without_comments("/* why */\na { color: red; } /* x */", "css/a.css") == (
        "\na { color: red; } "
    )
    assert without_comments("// kept\n", "vendor/x/y.mjs") == "// kept\n"
    assert without_comments("// kept\n", "img/x.svg") == "// kept\n"


@pytest.mark.parametrize("path", sorted((STATIC / "js").glob("*.js")), ids=lambda p: p.name)
def test_every_script_still_parses_without_its_comments(path: Path, tmp_path: Path) -> None:
    stripped = tmp_path / path.name.replace(".js", ".mjs")
    stripped.write_text(without_comments(path.read_text(encoding="utf-8"), f"js/{path.name}"))
    checked = subprocess.run(["node", "--check", str(stripped)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_gzipped_stylesheet_is_served_without_comments(client: FlaskClient) -> None:
    served = client.get("/static/css/board.css", headers={"Accept-Encoding": "gzip"})
    assert served.headers["Content-Encoding"] == "gzip"
    css = gzip.decompress(served.data).decode()
    assert "/*" not in css and ".card-more" in css


def test_the_static_folder_for_nginx_holds_what_the_app_sends(
    client: FlaskClient, tmp_path: Path
) -> None:
    """``board static FOLDER`` writes each file as the app sends it, and drops files the
    checkout no longer has (the nginx end-to-end test serves such a folder)."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "gone.js").write_text("// an old file\n")
    runner = client.application.test_cli_runner()
    done = runner.invoke(args=["board", "static", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "js" / "gone.js").exists()
    for name in ("css/board.css", "js/board.js", "vendor/mustache/mustache.mjs"):
        sent = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        body = gzip.decompress(sent.data) if sent.headers.get("Content-Encoding") else sent.data
        assert (tmp_path / name).read_bytes() == body, name
    assert b"/*" not in (tmp_path / "css" / "board.css").read_bytes()
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert names == {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
