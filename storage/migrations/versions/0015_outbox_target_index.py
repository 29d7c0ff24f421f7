"""outbox target index: the last message to an account is found without reading the whole outbox

`home_account` asks whether an account's last direct message went (bot/members.py, _receives),
for every profile and every direct message to a member with two accounts. Without an index on the
target that read every outbox row: about 50 ms at 200,000 rows.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:45:00
"""

from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_target', ['platform', 'workspace', 'target_kind', 'target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_target')
