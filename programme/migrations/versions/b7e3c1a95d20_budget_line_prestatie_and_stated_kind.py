"""budget lines of initiatives tied to a prestatie (and action); kind of a stated total

Revision ID: b7e3c1a95d20
Revises: b7c41e2a9d10
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c1a95d20'
down_revision = 'b7c41e2a9d10'
branch_labels = None
depends_on = None

FOREIGN_KEYS = (
    ("deliverable_id", "fk_budget_lines_deliverable_id_deliverables", "deliverables"),
    ("deliverable_action_id", "fk_budget_lines_deliverable_action_id_actions", "actions"),
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN with a named inline REFERENCES: SQLite needs no copy of budget_lines, which
        # the spending rows pointing at it would block.
        for column, name, target in FOREIGN_KEYS:
            op.execute(f"ALTER TABLE budget_lines ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT {name} REFERENCES {target} (id)")
    else:
        for column, name, target in FOREIGN_KEYS:
            op.add_column('budget_lines', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, 'budget_lines', target, [column], ['id'])
    op.create_index(op.f('ix_budget_lines_deliverable_id'), 'budget_lines', ['deliverable_id'], unique=False)
    op.add_column('stated_totals', sa.Column('kind', sa.String(length=20), server_default='stated', nullable=False))
    op.execute("UPDATE stated_totals SET kind = 'reserved' WHERE key LIKE 'statenvoorstel%'")


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), again without copying tables.
    op.drop_column('stated_totals', 'kind')
    op.drop_index(op.f('ix_budget_lines_deliverable_id'), table_name='budget_lines')
    if op.get_bind().dialect.name != "sqlite":
        for column, name, _target in reversed(FOREIGN_KEYS):
            op.drop_constraint(name, 'budget_lines', type_='foreignkey')
    for column, _name, _target in reversed(FOREIGN_KEYS):
        op.drop_column('budget_lines', column)
