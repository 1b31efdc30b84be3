"""Server commands: ``flask --app wsgi board export|import|officer-token|docs|static|admin-token``.

They act with the server's own database access: ``export`` reads a board as its first
facilitator (its creator) would, so it needs no token; anyone who can run it can read the
database anyway.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from board import inputs
from board.errors import BoardError
from board.extensions import db
from board.models import Participant
from board.services import Actor, boards, transfer

board_cli = AppGroup(
    "board",
    help="Export a board to a file, import one, make a council officer's or an instance "
    "administrator's API token, rewrite docs/API.md's reference tables, or write the static "
    "files for nginx.",
)


def _creator(code: str) -> Actor:
    """The board's first facilitator, as whom the server exports it."""
    board = boards.board_by_code(db.session(), code)
    first = db.session.scalar(
        sa.select(sa.func.min(Participant.id)).where(
            Participant.board_id == board.id, Participant.role == "facilitator"
        )
    )
    if first is None:
        raise BoardError("forbidden", "That board has no facilitator to export it as.", 403)
    return Actor(board.id, first)


@board_cli.command("export")
@click.argument("code")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: the whole board, for importing elsewhere; csv: one row per post.",
)
def export_command(code: str, file: str, fmt: str) -> None:
    """Write board CODE to FILE ("-" for standard output)."""
    try:
        actor = _creator(code)
        if fmt == "csv":
            text = transfer.export_csv(actor)
        else:
            text = json.dumps(transfer.export_board(actor), ensure_ascii=False, indent=1) + "\n"
    except BoardError as exc:
        raise click.ClickException(exc.message) from exc
    if file == "-":
        click.echo(text, nl=False)
        return
    # Owner-only, like the instance's secret key: it holds everyone's posts and names.
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    click.echo(f"Exported board {boards.normalise_code(code)} to {file}", err=True)


@board_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
def import_command(file: str) -> None:
    """Create a board from a JSON export FILE ("-" for standard input); print its code."""
    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        with open(file, "rb") as source:
            raw = source.read()
    try:
        made = transfer.import_json(raw)
    except BoardError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(made.board_code)
    if made.code_changed:
        click.echo("The file's join code is taken here: the board has a new one.", err=True)
    if made.participants_remapped:
        click.echo(
            f"{made.participants_remapped} participants' links already open a board here "
            "(this board is already on this server): their links do not open this copy.",
            err=True,
        )


@board_cli.command("officer-token")
@click.argument("name")
def officer_token_command(name: str) -> None:
    """Create an API token for a council officer NAME (e.g. "Jo Patel, Grants"); print it once.

    Officers use it as ``Authorization: Bearer <token>`` on /api/v1/officer/... and to sign
    in on the /officer page. It is stored hashed: keep the printed copy safe.
    """
    from board.services.proposals import create_officer_token

    try:
        cleaned = inputs.OfficerName.parse({"name": name}).name
    except BoardError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(create_officer_token(cleaned))


@board_cli.command("docs")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the tables are stale.")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="The document to rewrite (default: docs/API.md of this checkout).",
)
def docs_command(check: bool, path: str | None) -> None:
    """Rewrite docs/API.md's reference tables (between its markers) from the code."""
    from flask import current_app

    from board import reference

    target = Path(path) if path else reference.API_DOC
    text = target.read_text(encoding="utf-8")
    try:
        fresh = reference.rewrite(text, current_app)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if check:
        if fresh != text:
            stale = [
                name
                for name, table in reference.regions(fresh).items()
                if reference.regions(text).get(name) != table
            ]
            click.echo(
                f"{target}: stale reference tables ({', '.join(stale)}); "
                "run flask --app wsgi board docs",
                err=True,
            )
            sys.exit(1)
        click.echo(f"{target}: reference tables are current", err=True)
        return
    if fresh != text:
        target.write_text(fresh, encoding="utf-8")
        click.echo(f"Rewrote the reference tables in {target}", err=True)
    else:
        click.echo(f"{target}: reference tables are current", err=True)


@board_cli.command("static")
@click.argument("folder", type=click.Path(file_okay=False, writable=True))
def static_command(folder: str) -> None:
    """Write every static file, as the app serves it, into FOLDER: for nginx to serve
    itself (docs/DEPLOY.md). Run again after each update; stale files are removed."""
    from flask import current_app

    from board.web.delivery import write_served

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = write_served(Path(current_app.static_folder or ""), target)
    click.echo(f"Wrote {len(written)} static files to {target}", err=True)


@board_cli.command("admin-token")
@click.argument("name")
def admin_token_command(name: str) -> None:
    """Create an instance administrator's API token for NAME; print it once.

    It is sent as ``Authorization: Bearer <token>`` to import boards over the API
    (``POST /api/v1/boards/import``). It is stored hashed: keep the printed copy safe.
    """
    from board.services.admins import create_admin_token

    try:
        cleaned = inputs.OfficerName.parse({"name": name}).name
    except BoardError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(create_admin_token(cleaned))


@board_cli.command("anonymise-closed")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Anonymise boards closed longer than this (default: BOARD_RETENTION_DAYS).",
)
def anonymise_closed_command(days: int | None) -> None:
    """Anonymise every board closed longer than the retention period; safe to run from cron.

    Each person on such a board is erased (their name becomes "Former participant", the
    event log too) and paper cards lose the names they were entered for. A board already
    anonymised is left alone, so running it again changes nothing.
    """
    from flask import current_app

    from board.services.privacy import anonymise_closed

    keep = int(current_app.config["BOARD_RETENTION_DAYS"]) if days is None else days
    done = anonymise_closed(keep)
    for code, people in done:
        click.echo(f"{code}: anonymised ({people} people erased)")
    click.echo(f"{len(done)} boards anonymised (closed more than {keep} days)")


def register_cli(app: Flask) -> None:
    """Add the ``board`` command group to the app's ``flask`` command."""
    app.cli.add_command(board_cli)
