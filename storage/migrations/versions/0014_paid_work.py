"""paid work: an opening's rate, hours confirmed after the work, amounts, statuses, expenses

Existing openings keep their free text as the note beside the pay, with no rate (unpaid). Those
already closed or cancelled count as asked about their hours, so nobody is asked about old work.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 09:20:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_minor', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('rate_unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('work_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hours_asked_at', storage.models.UTCDateTime(), nullable=True))
    # Openings that closed before this are not asked about: their posters would get a message
    # for every one at once, about work long done.
    op.execute("UPDATE opening SET hours_asked_at = closed_at WHERE status <> 'open'")
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_confirmed', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('sessions_confirmed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('amount_minor', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column(
                'pay_status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='offered'
            )
        )
        batch_op.add_column(sa.Column('confirmed_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_involvement_paid_by_member', 'member', ['paid_by'], ['id'])
    op.create_table(
        'expense',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('what_for', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('receipt', sa.LargeBinary(), nullable=True),
        sa.Column('receipt_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('receipt_mime', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
        sa.Column('decided_at', storage.models.UTCDateTime(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('paid_at', storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by'], ['member.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['opening_id'], ['opening.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('expense', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expense_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_opening_id'), ['opening_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('expense', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_opening_id'))
        batch_op.drop_index(batch_op.f('ix_expense_member_id'))
    op.drop_table('expense')
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.drop_constraint('fk_involvement_paid_by_member', type_='foreignkey')
        for name in (
            'paid_by', 'paid_at', 'approved_at', 'confirmed_at', 'pay_status', 'currency', 'amount_minor',
            'sessions_confirmed', 'hours_confirmed',
        ):
            batch_op.drop_column(name)
    # Dropped in place (SQLite 3.35 and later can): copying the table, as a batch would on
    # SQLite, fails while selections and interest refer to it.
    for name in ('hours_asked_at', 'work_ends_on', 'currency', 'rate_unit', 'rate_minor'):
        op.execute(f"ALTER TABLE opening DROP COLUMN {name}")
