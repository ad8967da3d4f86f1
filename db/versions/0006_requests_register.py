"""依申请公开: the request register (requests, their private part, third-party consultations, 复议/诉讼,
letters with 文号) and the yearly report snapshot.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annual_report',
    sa.Column('township_id', sa.String(length=36), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('exported', sa.Boolean(), nullable=False),
    sa.Column('manual', sa.JSON(), nullable=False),
    sa.Column('table2', sa.JSON(), nullable=False),
    sa.Column('table3', sa.JSON(), nullable=False),
    sa.Column('table4', sa.JSON(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('carried_out', sa.JSON(), nullable=False),
    sa.Column('generated_by', sa.String(length=50), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_annual_report_township_id_township')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report')),
    sa.UniqueConstraint('year', name=op.f('uq_annual_report_year'))
    )
    op.create_table('info_request',
    sa.Column('township_id', sa.String(length=36), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('requester_type', sa.String(length=20), nullable=False),
    sa.Column('requester_masked', sa.String(length=100), nullable=False),
    sa.Column('content_masked', sa.Text(), nullable=False),
    sa.Column('form_wanted', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('correction_sent_on', sa.Date(), nullable=True),
    sa.Column('correction_received_on', sa.Date(), nullable=True),
    sa.Column('correction_deadline', sa.Date(), nullable=True),
    sa.Column('correction_items', sa.Text(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('extension_approver', sa.String(length=100), nullable=False),
    sa.Column('extension_notified_on', sa.Date(), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_reason', sa.String(length=20), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('carried_over_year', sa.Integer(), nullable=True),
    sa.Column('registered_by', sa.String(length=50), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('in_person', 'mail', 'letter', 'online', 'fax')", name=op.f('ck_info_request_channel_known')),
    sa.CheckConstraint("requester_type IN ('person', 'company', 'research', 'ngo', 'legal', 'other')", name=op.f('ck_info_request_requester_type_known')),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_info_request_township_id_township')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_request')),
    sa.UniqueConstraint('year', 'seq', name='uq_info_request_year_seq')
    )
    with op.batch_alter_table('info_request', schema=None) as batch_op:
        batch_op.create_index('ix_info_request_received_on', ['received_on'], unique=False)
        batch_op.create_index('ix_info_request_status', ['status'], unique=False)

    op.create_table('info_request_appeal',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['info_request.id'], name=op.f('fk_info_request_appeal_request_id_info_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_request_appeal'))
    )
    with op.batch_alter_table('info_request_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_request_appeal_request_id'), ['request_id'], unique=False)

    op.create_table('info_request_consultation',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('opinion', sa.String(length=20), nullable=False),
    sa.Column('third_party_masked', sa.String(length=100), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['info_request.id'], name=op.f('fk_info_request_consultation_request_id_info_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_request_consultation'))
    )
    with op.batch_alter_table('info_request_consultation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_request_consultation_request_id'), ['request_id'], unique=False)

    op.create_table('info_request_letter',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('doc_number', sa.String(length=80), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=50), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['info_request.id'], name=op.f('fk_info_request_letter_request_id_info_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_request_letter')),
    sa.UniqueConstraint('request_id', 'kind', 'ref_id', name='uq_info_request_letter_request_id'),
    sa.UniqueConstraint('year', 'seq', name='uq_info_request_letter_year_seq')
    )
    with op.batch_alter_table('info_request_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_request_letter_request_id'), ['request_id'], unique=False)

    op.create_table('info_request_private',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=30), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('third_parties', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['info_request.id'], name=op.f('fk_info_request_private_request_id_info_request')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_info_request_private'))
    )


def downgrade() -> None:
    op.drop_table('info_request_private')
    with op.batch_alter_table('info_request_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_request_letter_request_id'))

    op.drop_table('info_request_letter')
    with op.batch_alter_table('info_request_consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_request_consultation_request_id'))

    op.drop_table('info_request_consultation')
    with op.batch_alter_table('info_request_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_request_appeal_request_id'))

    op.drop_table('info_request_appeal')
    with op.batch_alter_table('info_request', schema=None) as batch_op:
        batch_op.drop_index('ix_info_request_status')
        batch_op.drop_index('ix_info_request_received_on')

    op.drop_table('info_request')
    op.drop_table('annual_report')
