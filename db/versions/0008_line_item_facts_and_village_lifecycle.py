"""Line items carry 家庭人口, 保障人数, the change type and funding parts; villages and groups can be retired or merged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Plain ADD COLUMNs on disclosure_item (instant even for a 50,000-line notice);
village is rebuilt in batch mode for its new self-reference (撤并村: merged_into_id).
Existing lines get their typed change type from the label they already carry
in `extra` (新增/调整/续保/停保/减保); the totals of notices not yet approved
are recomputed without their 停保 lines (approved and later ones keep the
totals they were printed with).
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('covered_people', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('change_type', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('funding', sa.JSON(), nullable=True))
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(op.f('fk_village_merged_into_id_village'), 'village', ['merged_into_id'], ['id'])
    with op.batch_alter_table('village_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    cases = " ".join(f"WHEN '{label}' THEN '{code}'" for label, code in CHANGE_TYPES)
    labels = ", ".join(f"'{label}'" for label, _ in CHANGE_TYPES)
    op.execute(f"UPDATE disclosure_item SET change_type = CASE json_extract(extra, '$.change_type') {cases} END "
               f"WHERE json_extract(extra, '$.change_type') IN ({labels})")
    op.execute(
        "UPDATE disclosure SET "
        "total_amount_fen = (SELECT COALESCE(SUM(CASE WHEN i.change_type = 'stop' THEN 0 ELSE COALESCE(i.amount_fen, 0) END), 0) "
        "FROM disclosure_item i WHERE i.disclosure_id = disclosure.id), "
        "total_people = (SELECT COALESCE(SUM(CASE WHEN i.change_type = 'stop' THEN 0 ELSE COALESCE(i.people, 0) END), 0) "
        "FROM disclosure_item i WHERE i.disclosure_id = disclosure.id) "
        "WHERE status IN ('draft', 'pending_review') "
        "AND id IN (SELECT disclosure_id FROM disclosure_item WHERE change_type = 'stop')"
    )


CHANGE_TYPES = (("新增", "new"), ("调整", "adjust"), ("续保", "continue"), ("停保", "stop"), ("减保", "reduce"))


def downgrade() -> None:
    with op.batch_alter_table('village_group', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_village_merged_into_id_village'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('active')
    with op.batch_alter_table('disclosure_item', schema=None) as batch_op:
        batch_op.drop_column('funding')
        batch_op.drop_column('change_type')
        batch_op.drop_column('covered_people')
        batch_op.drop_column('family_size')
