"""monitor editions are published or withdrawn, imports keep the source of each value, indicators their range

Revision ID: ed7c41a9e2b0
Revises: geo1a2b3c4d5
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = 'ed7c41a9e2b0'
down_revision = 'geo1a2b3c4d5'
branch_labels = None
depends_on = None

# The ranges the indicators' names state (monitor.yaml sets the same on `flask seed`).
RANGES = {
    "trust_institutional": (79, 101), "trust_total": (73, 92),
    "digital_information_items": (0, 6), "digital_social_items": (0, 6),
    **{code: (0, 100) for code in ("mdi_income", "mdi_work", "mdi_health", "mdi_education", "mdi_housing",
                                   "mdi_safety", "mdi_living_environment", "mdi_total")},
}


def upgrade():
    op.create_table('monitor_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('layout', sa.String(length=10), nullable=False),
    sa.Column('created_dt', programme.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=True),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('only_valid', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_monitor_imports_actor_id_users')),
    sa.ForeignKeyConstraint(['edition_id'], ['monitor_editions.id'],
                            name=op.f('fk_monitor_imports_edition_id_monitor_editions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_imports'))
    )
    with op.batch_alter_table('monitor_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitor_imports_edition_id'), ['edition_id'], unique=False)

    with op.batch_alter_table('monitor_editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('is_example', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('monitor_indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minimum', sa.Numeric(precision=12, scale=4), nullable=True))
        batch_op.add_column(sa.Column('maximum', sa.Numeric(precision=12, scale=4), nullable=True))

    with op.batch_alter_table('monitor_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_sheet', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('source_row', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_column', sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f('ix_monitor_values_import_id'), ['import_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_monitor_values_import_id_monitor_imports'),
                                    'monitor_imports', ['import_id'], ['id'])

    indicators = sa.table('monitor_indicators', sa.column('code', sa.String), sa.column('minimum', sa.Numeric),
                          sa.column('maximum', sa.Numeric))
    for code, (low, high) in RANGES.items():
        op.execute(indicators.update().where(indicators.c.code == code).values(minimum=low, maximum=high))


def downgrade():
    with op.batch_alter_table('monitor_values', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_monitor_values_import_id_monitor_imports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_monitor_values_import_id'))
        batch_op.drop_column('source_column')
        batch_op.drop_column('source_row')
        batch_op.drop_column('source_sheet')
        batch_op.drop_column('import_id')

    with op.batch_alter_table('monitor_indicators', schema=None) as batch_op:
        batch_op.drop_column('maximum')
        batch_op.drop_column('minimum')

    with op.batch_alter_table('monitor_editions', schema=None) as batch_op:
        batch_op.drop_column('is_example')
        batch_op.drop_column('status')

    with op.batch_alter_table('monitor_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitor_imports_edition_id'))

    op.drop_table('monitor_imports')
