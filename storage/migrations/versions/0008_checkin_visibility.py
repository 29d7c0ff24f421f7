"""checkin, checkin_run: who sees the answers, by name, as totals or anonymously; anonymous answers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('checkin', 'checkin_run'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='named')
            )
        op.execute(f"UPDATE {table} SET visibility = 'totals' WHERE NOT named")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('visibility', server_default=None)
            batch_op.drop_column('named')
    op.create_table(
        'anonymous_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['checkin_run.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('anonymous_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anonymous_answer_run_id'), ['run_id'], unique=False)
    with op.batch_alter_table('checkin_prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_anonymously', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('checkin_prompt', schema=None) as batch_op:
        batch_op.alter_column('answered_anonymously', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('checkin_prompt', schema=None) as batch_op:
        batch_op.drop_column('answered_anonymously')
    with op.batch_alter_table('anonymous_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anonymous_answer_run_id'))
    op.drop_table('anonymous_answer')
    for table in ('checkin', 'checkin_run'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('named', sa.Boolean(), nullable=False, server_default=sa.true()))
        op.execute(f"UPDATE {table} SET named = (visibility = 'named')")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('named', server_default=None)
            batch_op.drop_column('visibility')
