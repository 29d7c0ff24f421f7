"""service_setting: choices coordinators make for the whole service, like the digest's day

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 07:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'service_setting',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('changed_by', sa.Integer(), nullable=True),
        sa.Column('changed_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by'], ['member.id']),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('service_setting')
