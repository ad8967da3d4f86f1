"""record who approved a notice and when

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))

    # Backfill from the recorded history: the last transition to 已审核 says who approved and when.
    op.execute(
        """
        UPDATE disclosure SET
          approved_at = (SELECT max(sc.created_at) FROM status_change sc
                         WHERE sc.disclosure_id = disclosure.id AND sc.to_status = 'approved'),
          approved_by = coalesce((SELECT sc.by_user FROM status_change sc
                         WHERE sc.disclosure_id = disclosure.id AND sc.to_status = 'approved'
                         ORDER BY sc.created_at DESC LIMIT 1), '')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by')
