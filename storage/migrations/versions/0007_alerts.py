"""alert: a partner's call for support, and who took it and finished it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 07:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('prompt_id', sa.Integer(), nullable=True),
        sa.Column('checkin', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('reached', sa.Boolean(), nullable=False),
        sa.Column('tell_partner', sa.Boolean(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.Column('taken_by', sa.Integer(), nullable=True),
        sa.Column('taken_at', storage.models.UTCDateTime(), nullable=True),
        sa.Column('done_by', sa.Integer(), nullable=True),
        sa.Column('done_at', storage.models.UTCDateTime(), nullable=True),
        sa.Column('done_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('escalated_at', storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['done_by'], ['member.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['prompt_id'], ['checkin_prompt.id']),
        sa.ForeignKeyConstraint(['taken_by'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_escalated_at'), ['escalated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_member_id'))
        batch_op.drop_index(batch_op.f('ix_alert_escalated_at'))
        batch_op.drop_index(batch_op.f('ix_alert_created_at'))
    op.drop_table('alert')
