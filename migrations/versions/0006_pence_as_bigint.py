"""money in pence as 64-bit integers on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:55:00

SQLite's integers are already 64-bit, and altering a column there would rebuild the table,
so only PostgreSQL changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ("amount_pence", "capital_pence", "revenue_pence")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.alter_column("proposals", column, type_=sa.BigInteger(), existing_nullable=True)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.alter_column("proposals", column, type_=sa.Integer(), existing_nullable=True)
