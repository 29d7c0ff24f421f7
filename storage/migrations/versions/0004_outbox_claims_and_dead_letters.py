"""outbox: claims with a lease (sending happens outside the transaction) and dead letters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('dead_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_dead_at'), ['dead_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_dead_at'))
        batch_op.drop_column('dead_at')
        batch_op.drop_column('claimed_until')
