"""The supervisor role, a supervisor's unit scope, and indexes for supervision figures.

A supervisor (lãnh đạo, giám sát) reads everything and changes nothing; `users.scope_unit_id`
narrows what one sees to a unit's subtree. The role's CHECK constraint gains the value.
The supervision figures count dossiers by when they finished and step runs by when they
finished, over a period: `dossiers (finished_at)` and `dossier_step_runs (finished_at)`.

Revision ID: 0016_supervision
Revises: 0015_dossier_list
Create Date: 2026-12-07 21:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0016_supervision'
down_revision = '0015_dossier_list'
branch_labels = None
depends_on = None

OLD_ROLES = ('admin', 'approver', 'exporter', 'superuser')
NEW_ROLES = (*OLD_ROLES, 'supervisor')


def _role_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _set_roles(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_roles_role'), type_='check')
        batch_op.create_check_constraint('role', _role_check(roles))


def upgrade() -> None:
    _set_roles(NEW_ROLES)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_users_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'],
            ondelete='RESTRICT',
        )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_finished_at', ['finished_at'], unique=False)
    with op.batch_alter_table('dossier_step_runs', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_step_runs_finished_at', ['finished_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_step_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_step_runs_finished_at')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_finished_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_scope_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('scope_unit_id')
    op.execute("DELETE FROM user_roles WHERE role = 'supervisor'")
    _set_roles(OLD_ROLES)
