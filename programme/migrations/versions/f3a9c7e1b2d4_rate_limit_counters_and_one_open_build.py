"""rate limit counters, and one open requested build per identical report

Revision ID: f3a9c7e1b2d4
Revises: e8b4d2f6a1c3
Create Date: 2026-12-02 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c7e1b2d4'
down_revision = 'e8b4d2f6a1c3'
branch_labels = None
depends_on = None

OPEN_REQUEST = "trigger = 'manual' AND status IN ('queued', 'running')"
INDEXES = (
    ('uq_report_builds_open_request', ['kind', 'period_code'], f"initiative_id IS NULL AND {OPEN_REQUEST}"),
    ('uq_report_builds_open_factsheet_request', ['kind', 'period_code', 'initiative_id'],
     f"initiative_id IS NOT NULL AND {OPEN_REQUEST}"),
)


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )
    # Builds asked for twice before this guarantee: keep the oldest open one, fail the others.
    op.execute(
        "UPDATE report_builds SET status = 'failed', error = 'Dubbele aanvraag' "
        f"WHERE {OPEN_REQUEST} AND EXISTS (SELECT 1 FROM report_builds AS older "
        "WHERE older.kind = report_builds.kind AND older.period_code = report_builds.period_code "
        "AND COALESCE(older.initiative_id, 0) = COALESCE(report_builds.initiative_id, 0) "
        "AND older.trigger = 'manual' AND older.status IN ('queued', 'running') AND older.id < report_builds.id)")
    for name, columns, where in INDEXES:
        op.create_index(name, 'report_builds', columns, unique=True, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def downgrade():
    for name, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name='report_builds')
    op.drop_table('rate_limit_counters')
