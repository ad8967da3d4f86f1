"""Ten years of a large township stay fast: search by name, statistics per village, syncs with nothing new.

- `item_name`: every distinct name on a notice line, kept by two triggers on
  `disclosure_item` (insert, and update of the name), filled here from the
  lines already stored. 公示管理's search matches the typed text against
  these names (tens of thousands) and goes from a matching name to its
  notices through `ix_disclosure_item_name` (name, disclosure_id), instead
  of a LIKE over a million lines;
- `ix_disclosure_item_village_totals` (disclosure_id, village_name,
  change_type, people, amount_fen): the statistics' sums per notice and village read the index
  only;
- `synced_blob`: files the county has confirmed it holds, so a sync asks it
  only about new ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TRIGGERS = {
    "tr_item_name_insert": "AFTER INSERT ON disclosure_item",
    "tr_item_name_update": "AFTER UPDATE OF name ON disclosure_item",
}


def upgrade() -> None:
    op.create_table(
        'item_name',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_item_name')),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'synced_blob',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_synced_blob')),
    )
    with op.batch_alter_table('disclosure_item', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_item_name', ['name', 'disclosure_id'], unique=False)
        batch_op.create_index('ix_disclosure_item_village_totals',
                              ['disclosure_id', 'village_name', 'change_type', 'people', 'amount_fen'], unique=False)
    op.execute("INSERT OR IGNORE INTO item_name (name) SELECT DISTINCT name FROM disclosure_item")
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN "
                   "INSERT OR IGNORE INTO item_name (name) VALUES (NEW.name); END")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('disclosure_item', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_item_village_totals')
        batch_op.drop_index('ix_disclosure_item_name')
    op.drop_table('synced_blob')
    op.drop_table('item_name')
