"""opening: its number of places is `seats`, so `place` alone means where it happens

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 05:00:00
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.alter_column('places', new_column_name='seats')


def downgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.alter_column('seats', new_column_name='places')
