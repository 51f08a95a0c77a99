"""totp second factor and login failures per ip

Revision ID: 9ed1f6dfb978
Revises: cf5ae8a7c79b
Create Date: 2026-11-21 20:04:00.497857

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = '9ed1f6dfb978'
down_revision = 'cf5ae8a7c79b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('created_dt', programme.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_ip_created_dt', 'login_failures', ['ip', 'created_dt'], unique=False)
    # Plain ADD COLUMN (nullable, no default): SQLite needs no copy of the users table, which the
    # foreign keys pointing at it would block.
    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), again without copying the table.
    op.drop_column('users', 'totp_last_step')
    op.drop_column('users', 'totp_secret')
    op.drop_index('ix_login_failures_ip_created_dt', table_name='login_failures')
    op.drop_table('login_failures')
