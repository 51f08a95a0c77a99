"""lease and heartbeat on report builds (recovery of a dead worker's build)

Revision ID: e8b4d2f6a1c3
Revises: d5a0c3e1f7b2
Create Date: 2026-12-02 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = 'e8b4d2f6a1c3'
down_revision = 'd5a0c3e1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', programme.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_dt', programme.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_dt')
        batch_op.drop_column('lease_until')
