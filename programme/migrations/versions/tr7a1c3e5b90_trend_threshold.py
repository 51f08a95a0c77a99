"""monitor indicators get a trend threshold: a change between editions smaller than it counts as equal

Revision ID: tr7a1c3e5b90
Revises: ed7c41a9e2b0
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tr7a1c3e5b90'
down_revision = 'ed7c41a9e2b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monitor_indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trend_threshold', sa.Numeric(precision=12, scale=4), nullable=True))


def downgrade():
    with op.batch_alter_table('monitor_indicators', schema=None) as batch_op:
        batch_op.drop_column('trend_threshold')
