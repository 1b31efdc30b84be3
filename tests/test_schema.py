"""Migrating an empty database to head gives exactly the schema the models describe."""

from __future__ import annotations

import concurrent.futures

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from board.errors import BoardError
from board.extensions import db
from board.models import Board, BoardEvent, Dot, Operation, Proposal
from board.services import posts, workshop
from tests.conftest import actor_of, join, new_board, op


def test_migrated_schema_matches_models(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"boards", "participants", "posts", "supports", "comments"} <= tables
        assert {"board_events", "operations", "alembic_version"} <= tables


def test_constraints_live_in_the_schema(any_db_app: Flask) -> None:
    """One support per person per post, unique op ids, unique per-board seq: enforced by the DB."""
    with any_db_app.app_context():
        inspector = sa.inspect(db.engine)
        uniques = {
            table: {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
            for table in ("supports", "operations", "board_events", "boards")
        }
        assert ("post_id", "participant_id") in uniques["supports"]
        assert ("participant_id", "op_id") in uniques["operations"]
        assert ("board_id", "seq") in uniques["board_events"]
        assert ("code",) in uniques["boards"]

        code = new_board().board_code
        aisha = actor_of(join(code, "Aisha"))
        posts.create_post(aisha, "duplicate-op-id", "idea", "Once")
        board_id = aisha.board_id
        for row in (
            BoardEvent(board_id=board_id, seq=1, type="x", payload={}),
            Operation(
                participant_id=aisha.participant_id, op_id="duplicate-op-id", action="x", result={}
            ),
        ):
            db.session.add(row)
            try:
                db.session.commit()
            except sa.exc.IntegrityError:
                db.session.rollback()
            else:
                raise AssertionError(f"{type(row).__name__} duplicate was accepted")


def test_concurrent_writes_keep_seq_gapless(any_db_app: Flask) -> None:
    """Writers on several connections at once: every seq used exactly once, in order."""
    with any_db_app.app_context():
        code = new_board().board_code
        writers = [actor_of(join(code, f"Writer {n}")) for n in range(4)]
        db.session.remove()

    def write(n: int) -> int:
        with any_db_app.app_context():
            actor = writers[n % len(writers)]
            made = posts.create_post(actor, op(), "idea", f"Idea {n}")
            db.session.remove()
            return made["post"]["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(write, range(40)))
    assert len(set(ids)) == 40
    with any_db_app.app_context():
        seqs = db.session.scalars(
            sa.select(BoardEvent.seq).where(BoardEvent.board_id == writers[0].board_id)
        ).all()
        assert sorted(seqs) == list(range(1, 40 + 1))


def test_concurrent_dots_never_exceed_the_budget(any_db_app: Flask) -> None:
    """One person spending dots from many connections at once gets exactly the budget."""
    with any_db_app.app_context():
        lead = new_board()
        code = lead.board_code
        target = posts.create_post(actor_of(lead), op(), "idea", "Zebra crossing")["post"]["id"]
        workshop.update_session(actor_of(lead), op(), phase="prioritise", dot_budget=3)
        voter = actor_of(join(code, "Aisha"))
        db.session.remove()

    def place(_n: int) -> str:
        with any_db_app.app_context():
            try:
                workshop.place_dot(voter, op(), target)
                return "placed"
            except BoardError as error:
                return error.code
            finally:
                db.session.remove()

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(place, range(12)))
    assert sorted(outcomes) == ["no_dots_left"] * 9 + ["placed"] * 3
    with any_db_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Dot)) == 3


def test_proposal_amounts_hold_a_hundred_million_pounds(any_db_app: Flask) -> None:
    """Pence beyond 32 bits (the form allows up to £100m) are stored as they are."""
    with any_db_app.app_context():
        code = new_board().board_code
        board_id = db.session.scalar(sa.select(Board.id).where(Board.code == code))
        db.session.add(
            Proposal(
                board_id=board_id,
                reference="CG-TEST-1",
                title="A big ask",
                amount_pence=10_000_000_000,
                capital_pence=9_999_999_999,
            )
        )
        db.session.commit()
        stored = db.session.scalar(sa.select(Proposal.amount_pence))
        assert stored == 10_000_000_000
