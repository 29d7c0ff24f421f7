"""member: when a member last chose a new name, so a name taken lately is asked about

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Members already here keep an empty time: their names were not changed since this began.
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_changed_at', storage.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('name_changed_at')
