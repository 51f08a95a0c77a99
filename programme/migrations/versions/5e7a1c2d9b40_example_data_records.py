"""example data records: what `flask example-data` created

Revision ID: 5e7a1c2d9b40
Revises: 5c1e2d7a9b30
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = '5e7a1c2d9b40'
down_revision = '5c1e2d7a9b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('example_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', programme.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_example_records')),
    sa.UniqueConstraint('table_name', 'record_id', name=op.f('uq_example_records_table_name_record_id'))
    )


def downgrade():
    op.drop_table('example_records')
