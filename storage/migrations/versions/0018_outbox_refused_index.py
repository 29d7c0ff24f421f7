"""outbox refused index: whether an account can receive is one look in a small index

`home_account` asks whether an account's last direct message went (bot/members.py, _receives),
on every profile and every direct message to a member with two accounts. Nearly every account has
no direct message given up on; an index of only the rows given up on answers that at once, where
the target index read each of the account's messages (about 0.3 ms a profile at 200 each).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 15:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

GIVEN_UP = sa.text('dead_at IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_refused',
            ['platform', 'workspace', 'target_kind', 'target_id'],
            unique=False,
            sqlite_where=GIVEN_UP,
            postgresql_where=GIVEN_UP,
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_refused')
