"""outbox: claims with a lease (sending happens outside the transaction) and dead letters;
platform events seen, so a retry is handled once by any process

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

    op.create_table('seen_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('seen_at', storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'event_id')
    )
    with op.batch_alter_table('seen_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_event_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seen_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_event_seen_at'))
    op.drop_table('seen_event')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_dead_at'))
        batch_op.drop_column('dead_at')
        batch_op.drop_column('claimed_until')
