"""member: when someone said OK, or no thanks, to what the bot keeps and why

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_given_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_refused_at', storage.models.UTCDateTime(), nullable=True))
    # Members who were told before there was an OK to press, and went on using the bot, keep
    # getting what they got: their OK is taken as the moment they were told.
    op.execute("UPDATE member SET consent_given_at = consent_shown_at")


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('consent_refused_at')
        batch_op.drop_column('consent_given_at')
