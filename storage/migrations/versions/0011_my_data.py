"""member: left and erased; erasure: who erased someone's data and when; checkin_run: kept totals

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', storage.models.UTCDateTime(), nullable=True))
    op.create_table(
        'erasure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_pseudonym', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('erased_by_member_id', sa.Integer(), nullable=True),
        sa.Column('erased_at', storage.models.UTCDateTime(), nullable=False),
        sa.Column('on_request', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['erased_by_member_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('checkin_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totals', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('checkin_run', schema=None) as batch_op:
        batch_op.drop_column('totals')
    op.drop_table('erasure')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('left_at')
