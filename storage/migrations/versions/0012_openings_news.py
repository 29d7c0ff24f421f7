"""member: how they hear of openings that match their interests (each, weekly or none)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'openings_news',
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default='each',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('openings_news')
