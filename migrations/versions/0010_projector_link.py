"""a board's view-only projector link

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # A plain add_column: SQLite must not rebuild boards (its DROP would cascade).
    op.add_column('boards', sa.Column('projector_token_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('projector_token_hash')
