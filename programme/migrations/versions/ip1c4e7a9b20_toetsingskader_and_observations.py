"""the toetsingskader (the monitor resources an initiative works on) and owners' observations in updates

Revision ID: ip1c4e7a9b20
Revises: au7d1e9c3b5f
Create Date: 2027-01-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ip1c4e7a9b20'
down_revision = 'au7d1e9c3b5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'initiative_resources',
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('monitor_indicator_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'],
                                name=op.f('fk_initiative_resources_initiative_id_initiatives')),
        sa.ForeignKeyConstraint(['monitor_indicator_id'], ['monitor_indicators.id'],
                                name=op.f('fk_initiative_resources_monitor_indicator_id_monitor_indicators')),
        sa.PrimaryKeyConstraint('initiative_id', 'monitor_indicator_id', name=op.f('pk_initiative_resources')))
    with op.batch_alter_table('initiative_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_resources_monitor_indicator_id'), ['monitor_indicator_id'],
                              unique=False)
    op.create_table(
        'progress_observations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('monitor_indicator_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_progress_observations_area_id_areas')),
        sa.ForeignKeyConstraint(['monitor_indicator_id'], ['monitor_indicators.id'],
                                name=op.f('fk_progress_observations_monitor_indicator_id_monitor_indicators')),
        sa.ForeignKeyConstraint(['update_id'], ['progress_updates.id'],
                                name=op.f('fk_progress_observations_update_id_progress_updates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_observations')))
    with op.batch_alter_table('progress_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_observations_update_id'), ['update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_observations_monitor_indicator_id'), ['monitor_indicator_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_progress_observations_area_id'), ['area_id'], unique=False)


def downgrade():
    with op.batch_alter_table('progress_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_observations_area_id'))
        batch_op.drop_index(batch_op.f('ix_progress_observations_monitor_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_progress_observations_update_id'))
    op.drop_table('progress_observations')
    with op.batch_alter_table('initiative_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_resources_monitor_indicator_id'))
    op.drop_table('initiative_resources')
