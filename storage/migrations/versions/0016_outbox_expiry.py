"""outbox expiry: a moment after which a message is let go instead of sent late

`expires_at` is when a message stops being of use (a session reminder: the session's start);
`expired_at` is when the dispatcher let it go. Rows already queued have no expiry.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 12:20:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('expired_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_expired_at'), ['expired_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_expired_at'))
        batch_op.drop_column('expired_at')
        batch_op.drop_column('expires_at')
