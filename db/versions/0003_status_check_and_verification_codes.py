"""Notice statuses limited to the known set; 核验码 table for poster QR codes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATUSES = ('draft', 'pending_review', 'approved', 'publishing', 'expired', 'archived', 'withdrawn')


def upgrade() -> None:
    values = ", ".join(f"'{s}'" for s in STATUSES)
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', f"status IN ({values})")
    op.create_table(
        'verification_code',
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('township_id', sa.String(length=36), nullable=False),
        sa.Column('disclosure_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.String(length=36), nullable=True),
        sa.Column('village_name', sa.String(length=100), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['notice_board.id'], name=op.f('fk_verification_code_board_id_notice_board')),
        sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_verification_code_disclosure_id_disclosure')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_code')),
        sa.UniqueConstraint('code', name=op.f('uq_verification_code_code')),
    )
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_code_disclosure_id'), ['disclosure_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_code_disclosure_id'))
    op.drop_table('verification_code')
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_constraint('status_known', type_='check')
