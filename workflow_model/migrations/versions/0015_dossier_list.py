"""Indexes for the staff's dossier list: by reception time, by case, by unit held.

The list shows dossiers newest first, optionally of one procedure's cases or of the
dossiers a unit has held (a step run reported with that unit). Without these, each page
sorted every dossier, and the unit filter read every step run.

Revision ID: 0015_dossier_list
Revises: 0014
Create Date: 2026-12-07 17:30:00.000000
"""

from alembic import op

revision = '0015_dossier_list'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_dossiers_case_received', ['case_id', 'received_at'], unique=False)
    with op.batch_alter_table('dossier_step_runs', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_step_runs_unit', ['unit_code', 'dossier_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_step_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_step_runs_unit')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_case_received')
        batch_op.drop_index('ix_dossiers_received_at')
