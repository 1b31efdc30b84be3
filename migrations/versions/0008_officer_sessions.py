"""officers' page sessions, kept server-side

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('officer_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_token_id', sa.Integer(), nullable=False),
    sa.Column('handle_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_token_id'], ['officer_tokens.id'], name=op.f('fk_officer_sessions_officer_token_id_officer_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_sessions')),
    sa.UniqueConstraint('handle_hash', name=op.f('uq_officer_sessions_handle_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('officer_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_sessions_officer_token_id'), ['officer_token_id'], unique=False)


def downgrade():
    with op.batch_alter_table('officer_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_sessions_officer_token_id'))

    op.drop_table('officer_sessions')
