"""areas keep the years they exist, and municipal reorganisations link predecessors to successors

Revision ID: geo1a2b3c4d5
Revises: f3a9c7e1b2d4
Create Date: 2026-12-02 13:55:17.900267

"""
from alembic import op
import sqlalchemy as sa

import programme.core.db


# revision identifiers, used by Alembic.
revision = 'geo1a2b3c4d5'
down_revision = 'f3a9c7e1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('share_of_area', sa.Numeric(precision=4, scale=3), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['predecessor_id'], ['areas.id'], name=op.f('fk_area_changes_predecessor_id_areas')),
    sa.ForeignKeyConstraint(['successor_id'], ['areas.id'], name=op.f('fk_area_changes_successor_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_changes')),
    sa.UniqueConstraint('predecessor_id', 'successor_id', name=op.f('uq_area_changes_predecessor_id_successor_id'))
    )
    with op.batch_alter_table('area_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_changes_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_area_changes_successor_id'), ['successor_id'], unique=False)

    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')

    with op.batch_alter_table('area_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_changes_successor_id'))
        batch_op.drop_index(batch_op.f('ix_area_changes_predecessor_id'))

    op.drop_table('area_changes')
