"""progress update: who submitted it (four eyes at review)

Revision ID: b7c41e2a9d10
Revises: 3b7c1e2a9d40
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e2a9d10'
down_revision = '3b7c1e2a9d40'
branch_labels = None
depends_on = None

FK_NAME = 'fk_progress_updates_submitted_by_id_users'


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A plain ADD COLUMN with its named reference: a batch copy of progress_updates would be
        # blocked by the foreign keys pointing at it, and Alembic adds no constraint on SQLite.
        op.execute(f'ALTER TABLE progress_updates ADD COLUMN submitted_by_id INTEGER '
                   f'CONSTRAINT {FK_NAME} REFERENCES users (id)')
    else:
        op.add_column('progress_updates', sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FK_NAME, 'progress_updates', 'users', ['submitted_by_id'], ['id'])
    # Updates submitted before: the actor of their last 'progress.submit' in the audit trail.
    op.execute("""
        UPDATE progress_updates SET submitted_by_id = (
            SELECT a.actor_id FROM audit_entries a
            WHERE a.object_type = 'ProgressUpdate' AND a.object_id = progress_updates.id
              AND a.action = 'progress.submit' AND a.result = 'ok'
            ORDER BY a.id DESC LIMIT 1)
        WHERE submitted_dt IS NOT NULL""")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE progress_updates DROP COLUMN submitted_by_id')
    else:
        op.drop_constraint(FK_NAME, 'progress_updates', type_='foreignkey')
        op.drop_column('progress_updates', 'submitted_by_id')
