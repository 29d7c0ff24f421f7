"""outbox edit_of index: the edits of one message are found without reading the whole outbox

Every new edit of a message (a session's live count, on every sign-up) lets go of the older
edits of that message still waiting (bot/outbox.py, enqueue_edit), and an edit's turn looks for
newer ones. Without an index on `edit_of` each of those read every outbox row: about 180 ms a
sign-up at 200,000 rows (bench/latency.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 13:50:00
"""

from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_edit_of'), ['edit_of'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_edit_of'))
