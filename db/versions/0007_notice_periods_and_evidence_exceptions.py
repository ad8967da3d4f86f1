"""The stored 公示期 (per posting and per version), the planned posting day, correction kind and reason,
objections linked to the corrected version, and reviewers' 情况说明 for missing photo evidence.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('planned_posting_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('correction_kind', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('correction_reason', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.JSON(), nullable=True))
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_objection_correction_id_disclosure'), 'disclosure', ['correction_id'], ['id'])
    # Corrections made before this revision came from `notice correct` or an objection: say which.
    op.execute(
        """
        UPDATE disclosure SET correction_kind = 'content' WHERE replaces_id IS NOT NULL
        """
    )
    op.create_table(
        'evidence_exception',
        sa.Column('disclosure_id', sa.String(length=36), nullable=False),
        sa.Column('posting_id', sa.String(length=36), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=50), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_evidence_exception_disclosure_id_disclosure')),
        sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_evidence_exception_posting_id_posting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_exception')),
    )
    with op.batch_alter_table('evidence_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_exception_disclosure_id'), ['disclosure_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_exception_disclosure_id'))
    op.drop_table('evidence_exception')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_objection_correction_id_disclosure'), type_='foreignkey')
        batch_op.drop_column('correction_id')
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_column('period')
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('correction_kind')
        batch_op.drop_column('planned_posting_day')
        batch_op.drop_column('period')
