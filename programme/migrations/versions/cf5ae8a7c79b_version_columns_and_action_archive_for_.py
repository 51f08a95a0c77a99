"""version columns (optimistic locking) and action archive for manager editing

Revision ID: cf5ae8a7c79b
Revises: 422a331e6ff0
Create Date: 2026-11-21 19:58:01.942929

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cf5ae8a7c79b'
down_revision = '422a331e6ff0'
branch_labels = None
depends_on = None


TABLES = ("action_plannings", "actions", "budget_lines", "impact_indicators", "impact_targets")


def upgrade():
    # Plain ADD COLUMN with literal defaults: SQLite needs no table copy (which foreign keys
    # pointing at these tables would block) and existing rows get version 1, not archived.
    for table in TABLES:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('actions', sa.Column('is_archived', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), again without copying tables.
    op.drop_column('actions', 'is_archived')
    for table in reversed(TABLES):
        op.drop_column(table, 'version')
