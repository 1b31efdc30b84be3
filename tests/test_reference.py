"""docs/API.md's generated reference tables match the code, and cover all of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from board import events, reference
from board.web.actions import BINDINGS

API_DOC = reference.API_DOC.read_text(encoding="utf-8")


def _codes_in(table: str, column: int = 0) -> set[str]:
    """The backticked words in one column of a Markdown table."""
    found = set()
    for line in table.splitlines()[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
        found |= set(re.findall(r"`([^`]+)`", cells[column]))
    return found


def _hand_table(heading: str) -> str:
    """The first table after a line of the document's hand-written prose."""
    rest = API_DOC[API_DOC.index(heading) :]
    start = rest.index("\n|") + 1
    end = rest.index("\n\n", start)
    return rest[start:end]


def test_the_committed_tables_are_the_generated_ones(app: Flask) -> None:
    committed = reference.regions(API_DOC)
    assert set(committed) == set(reference.REGIONS), "a region's markers are missing"
    for name, table in reference.render(app).items():
        assert committed[name] == table, (
            f"docs/API.md's {name} table is stale: run flask --app wsgi board docs"
        )


def test_every_action_is_in_the_actions_and_routes_tables(app: Flask) -> None:
    tables = reference.render(app)
    names = {b.name for b in BINDINGS}
    assert _codes_in(tables["actions"]) == names
    routed = {b.name for b in BINDINGS if b.http or b.form}
    assert routed <= _codes_in(tables["routes"], 2)
    # An input may have no fields at all (the server makes everything): nothing to list.
    with_fields = {b.name for b in BINDINGS if b.action.input and b.action.input.model_fields}
    assert with_fields <= _codes_in(tables["fields"])


def test_every_input_field_is_in_the_fields_table(app: Flask) -> None:
    table = reference.render(app)["fields"].splitlines()[2:]
    rows: set[tuple[str, str]] = set()
    action = ""
    for line in table:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        action = cells[0].split("`")[1] if cells[0] else action
        rows.add((action, cells[1].strip("`")))
    for b in BINDINGS:
        if b.action.input is not None:
            for field in b.action.input.model_fields:
                assert (b.name, field) in rows, f"{b.name}'s {field} is not in the fields table"


def test_every_event_type_is_in_the_events_table(app: Flask) -> None:
    table = reference.render(app)["events"]
    assert _codes_in(table) == set(events.EVENT_TYPES)
    for type_, cls in events.EVENT_TYPES.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{type_}` |"))
        for field in cls.Data.model_fields:
            assert f'"{field}"' in row, f"{type_}'s {field} is not in its row"


def test_private_events_say_so() -> None:
    table = reference.events_table()
    rows = {line.split("|")[1].strip(" `"): line for line in table.splitlines()[2:]}
    assert "**private** (facilitators)" in rows["post.reported"]
    assert "**private** (voter and facilitators) while dots are hidden" in rows["dots.changed"]
    assert "[private](#private-events)" in rows["post.created"]
    assert "[private](#private-events)" in rows["proposal.changed"]
    assert "| everyone |" in rows["support.changed"]


def test_every_error_code_is_in_the_errors_table(app: Flask) -> None:
    # The same net as tests/test_docs.py: every literal BoardError code in board/.
    sources = "\n".join(
        p.read_text()
        for p in reference.PACKAGE.rglob("*.py")
        if p.relative_to(reference.PACKAGE).parts[0] not in reference.SERVER_ONLY
    )
    codes = set(re.findall(r'BoardError\(\s*"([a-z_]+)"', sources))
    codes |= {"board_not_found", "post_not_found", "forbidden", "not_joined", "access_revoked"}
    codes |= {"not_found", "method_not_allowed", "request_entity_too_large", "internal"}
    assert codes <= reference.error_codes()
    assert _codes_in(reference.render(app)["errors"]) >= codes


def test_errors_have_their_status_and_where_they_are_raised() -> None:
    rows = {
        tuple(c.strip(" `") for c in line.split("|")[1:3]): line
        for line in reference.errors_table().splitlines()[2:]
    }
    assert "`post.hide`" in rows[("already_hidden", "409")]
    # A helper's calls count: forbidden() is raised by the service that calls it.
    assert "`post.update`" in rows[("forbidden", "403")]
    assert "board.services.rules" in rows[("post_not_open", "409")]
    assert ("invalid_input", "400") in rows and ("invalid_input", "422") in rows
    assert ("request_entity_too_large", "413") in rows
    # The server's own commands are not a client's errors.
    assert "board.cli" not in reference.errors_table()


def test_every_code_says_when_it_is_sent() -> None:
    assert _codes_in(_hand_table("When each code is sent:")) == reference.error_codes()


def test_every_http_action_says_what_it_answers() -> None:
    answered = _codes_in(_hand_table("### What each action answers"))
    assert answered == {b.name for b in BINDINGS if b.http}


def test_every_route_is_in_the_routes_table(app: Flask) -> None:
    table = reference.render(app)["routes"]
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert f"| `{method}` | `{path}` |" in table, f"{method} {path}"


def test_the_tables_do_not_change_from_run_to_run(app: Flask) -> None:
    assert reference.render(app) == reference.render(app)


def test_the_command_rewrites_and_checks(app: Flask, tmp_path: Path) -> None:
    doc = tmp_path / "API.md"
    doc.write_text(API_DOC, encoding="utf-8")
    runner = app.test_cli_runner()

    def docs(*args: str) -> Result:
        return runner.invoke(args=["board", "docs", "--file", str(doc), *args])

    assert docs("--check").exit_code == 0
    # One generated line edited by hand: the check fails, naming the table.
    edited = API_DOC.replace("| `post.create` | participant |", "| `post.create` | anyone |", 1)
    assert edited != API_DOC
    doc.write_text(edited, encoding="utf-8")
    stale = docs("--check")
    assert stale.exit_code == 1 and "actions" in stale.output
    assert doc.read_text(encoding="utf-8") == edited, "--check must change nothing"
    # The command puts the generated table back, and the check passes again.
    assert docs().exit_code == 0
    assert doc.read_text(encoding="utf-8") == API_DOC
    assert docs("--check").exit_code == 0


def test_a_missing_region_is_an_error(app: Flask, tmp_path: Path) -> None:
    doc = tmp_path / "API.md"
    doc.write_text(API_DOC.replace("<!-- /reference:events -->", ""), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["board", "docs", "--file", str(doc)])
    assert result.exit_code != 0 and "events" in result.output


@pytest.mark.parametrize("name", sorted(reference.REGIONS))
def test_each_region_is_under_its_markers_once(name: str) -> None:
    assert API_DOC.count(f"<!-- reference:{name} -->") == 1
    assert API_DOC.count(f"<!-- /reference:{name} -->") == 1
