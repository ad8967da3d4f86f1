"""Photos: the QR codes read in each photo (`photo.qr`) and further postings one photo proves (`photo_link`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qr', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table(
        'photo_link',
        sa.Column('photo_id', sa.String(length=36), nullable=False),
        sa.Column('posting_id', sa.String(length=36), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('row_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_photo_link_photo_id_photo')),
        sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_photo_link_posting_id_posting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_link')),
        sa.UniqueConstraint('photo_id', 'posting_id', name=op.f('uq_photo_link_photo_id')),
    )
    with op.batch_alter_table('photo_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_link_photo_id'), ['photo_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_link_posting_id'), ['posting_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('photo_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_link_posting_id'))
        batch_op.drop_index(batch_op.f('ix_photo_link_photo_id'))
    op.drop_table('photo_link')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_column('qr')
