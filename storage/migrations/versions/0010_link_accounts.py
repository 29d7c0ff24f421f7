"""link_code, link_try, member.dm_platform: one person's accounts on several platforms as one member

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 07:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dm_platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.create_table(
        'link_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.Column('used_at', storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('link_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_code_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_code_member_id'), ['member_id'], unique=False)
    op.create_table(
        'link_try',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('tried_at', storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('link_try', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_try_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_try_tried_at'), ['tried_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_try', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_try_tried_at'))
        batch_op.drop_index(batch_op.f('ix_link_try_account_id'))
    op.drop_table('link_try')
    with op.batch_alter_table('link_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_code_member_id'))
        batch_op.drop_index(batch_op.f('ix_link_code_code_hash'))
    op.drop_table('link_code')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('dm_platform')
