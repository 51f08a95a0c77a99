"""version columns for accounts, learning questions and report schedules (optimistic locking)

Revision ID: d5a0c3e1f7b2
Revises: 5e7a1c2d9b40
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a0c3e1f7b2'
down_revision = '5e7a1c2d9b40'
branch_labels = None
depends_on = None

TABLES = ('users', 'learning_questions', 'report_schedules')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
