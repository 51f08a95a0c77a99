"""partner organisations get a Dutch type: the generic kind 'partner' becomes 'other'

The seed loader gives every seeded organisation its real type (gemeente, kennisinstelling, ...); this
only makes sure no row keeps a kind the application no longer knows, so a database that is not
re-seeded never shows a raw code. No schema change.

Revision ID: 3b7c1e2a9d40
Revises: 9ed1f6dfb978
Create Date: 2026-12-02 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7c1e2a9d40'
down_revision = '9ed1f6dfb978'
branch_labels = None
depends_on = None

organisations = sa.table('organisations', sa.column('kind', sa.String(30)))
OLD_KINDS = ('implementing', 'province', 'provincial_team', 'municipality', 'knowledge', 'partner')


def upgrade():
    op.execute(organisations.update().where(organisations.c.kind == 'partner').values(kind='other'))


def downgrade():
    op.execute(organisations.update().where(organisations.c.kind.notin_(OLD_KINDS)).values(kind='partner'))
