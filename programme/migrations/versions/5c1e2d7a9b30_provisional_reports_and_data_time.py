"""provisional reports and the time of a report's data

Revision ID: 5c1e2d7a9b30
Revises: b7e3c1a95d20
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = '5c1e2d7a9b30'
down_revision = 'b7e3c1a95d20'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (SQLite 3.35+, PostgreSQL): no table copy, which SQLite's foreign keys to the
    # archive (builds, deliveries) would refuse.
    op.add_column('report_builds', sa.Column('is_provisional', sa.Boolean(), server_default=sa.false(),
                                             nullable=False))
    op.add_column('issued_reports', sa.Column('data_as_of', programme.core.db.UTCDateTime(timezone=True),
                                              nullable=True))
    op.add_column('issued_reports', sa.Column('is_provisional', sa.Boolean(), server_default=sa.false(),
                                              nullable=False))
    # Reports issued before: their data were read moments before they were archived.
    op.execute("UPDATE issued_reports SET data_as_of = created_dt")


def downgrade():
    op.drop_column('issued_reports', 'is_provisional')
    op.drop_column('issued_reports', 'data_as_of')
    op.drop_column('report_builds', 'is_provisional')
