"""provisional reports and the time of a report's data

Revision ID: 5c1e2d7a9b30
Revises: 9ed1f6dfb978
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = '5c1e2d7a9b30'
down_revision = '9ed1f6dfb978'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_provisional', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_as_of', programme.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_provisional', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Reports issued before: their data were read moments before they were archived.
    op.execute("UPDATE issued_reports SET data_as_of = created_dt")


def downgrade():
    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.drop_column('is_provisional')
        batch_op.drop_column('data_as_of')
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.drop_column('is_provisional')
