"""Printed posters remember the planned posting day (printed before posting) and the 公示期 they printed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('printed_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_posted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('printed_version', schema=None) as batch_op:
        batch_op.drop_column('period')
        batch_op.drop_column('planned_posted_on')
