"""Initial schema: directory, catalogue, flow versions, users and audit trail.

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 22:10:23.510763
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fields')),
    sa.UniqueConstraint('name', name=op.f('uq_fields_name'))
    )
    op.create_table('levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(key) > 0', name=op.f('ck_levels_key_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_levels')),
    sa.UniqueConstraint('key', name=op.f('uq_levels_key'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(username) > 0', name=op.f('ck_users_username_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('one_stop', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_units_code_not_empty')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_units_not_own_parent')),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], name=op.f('fk_units_level_id_levels'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'approver', 'exporter', 'superuser', name='role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_officers_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('email', name=op.f('uq_officers_email'))
    )
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officers_unit_id'), ['unit_id'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fees', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('accepts_direct', sa.Boolean(), nullable=False),
    sa.Column('accepts_online', sa.Boolean(), nullable=False),
    sa.Column('accepts_postal', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_procedures_code_not_empty')),
    sa.ForeignKeyConstraint(['field_id'], ['fields.id'], name=op.f('fk_procedures_field_id_fields'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_procedures_lead_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], name=op.f('fk_procedures_level_id_levels'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )
    op.create_table('dossier_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('originals', sa.Integer(), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('form_name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('copies >= 0', name=op.f('ck_dossier_components_copies_not_negative')),
    sa.CheckConstraint('originals >= 0', name=op.f('ck_dossier_components_originals_not_negative')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossier_components_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_components')),
    sa.UniqueConstraint('procedure_id', 'key', name=op.f('uq_dossier_components_procedure_id_key'))
    )
    with op.batch_alter_table('dossier_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_components_procedure_id'), ['procedure_id'], unique=False)

    op.create_table('procedure_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('legal_time_value', sa.Float(precision=53), nullable=False),
    sa.Column('legal_time_unit', sa.Enum('working_day', 'working_hour', name='time_unit', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('legal_time_value >= 0 AND legal_time_value <= 100000', name=op.f('ck_procedure_cases_legal_time_in_range')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_cases_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_cases')),
    sa.UniqueConstraint('procedure_id', 'key', name=op.f('uq_procedure_cases_procedure_id_key'))
    )
    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_cases_procedure_id'), ['procedure_id'], unique=False)

    op.create_table('flow_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'rejected', 'superseded', 'retired', name='version_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lock_counter', sa.Integer(), nullable=False),
    sa.Column('source', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_flow_versions_number_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['procedure_cases.id'], name=op.f('fk_flow_versions_case_id_procedure_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_flow_versions_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flow_versions')),
    sa.UniqueConstraint('case_id', 'number', name=op.f('uq_flow_versions_case_id_number'))
    )
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flow_versions_case_id'), ['case_id'], unique=False)

    op.create_table('steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('start', 'task', 'end', name='step_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('duration_value', sa.Float(precision=53), nullable=False),
    sa.Column('duration_unit', sa.Enum('working_day', 'working_hour', name='time_unit', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('split', sa.Enum('exclusive', 'parallel', name='split_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('join', sa.Enum('any', 'all', name='join_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('x', sa.Float(precision=53), nullable=True),
    sa.Column('y', sa.Float(precision=53), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_value >= 0 AND duration_value <= 100000', name=op.f('ck_steps_duration_in_range')),
    sa.CheckConstraint('length(key) > 0', name=op.f('ck_steps_key_not_empty')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_steps_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_steps_version_id_flow_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steps')),
    sa.UniqueConstraint('version_id', 'id', name=op.f('uq_steps_version_id_id')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_steps_version_id_key'))
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steps_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_steps_version_id'), ['version_id'], unique=False)

    op.create_table('version_officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_version_officers_officer_id_officers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_version_officers_version_id_flow_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_officers')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_version_officers_version_id_key')),
    sa.UniqueConstraint('version_id', 'officer_id', name=op.f('uq_version_officers_version_id_officer_id'))
    )
    with op.batch_alter_table('version_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_officers_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_version_officers_version_id'), ['version_id'], unique=False)

    op.create_table('version_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_version_units_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_version_units_version_id_flow_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_units')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_version_units_version_id_key')),
    sa.UniqueConstraint('version_id', 'unit_id', name=op.f('uq_version_units_version_id_unit_id'))
    )
    with op.batch_alter_table('version_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_units_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_version_units_version_id'), ['version_id'], unique=False)

    op.create_table('step_documents',
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['dossier_components.id'], name=op.f('fk_step_documents_component_id_dossier_components'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], name=op.f('fk_step_documents_step_id_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('step_id', 'component_id', name=op.f('pk_step_documents'))
    )
    with op.batch_alter_table('step_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_documents_component_id'), ['component_id'], unique=False)

    op.create_table('step_officers',
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_step_officers_officer_id_officers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], name=op.f('fk_step_officers_step_id_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('step_id', 'officer_id', name=op.f('pk_step_officers'))
    )
    with op.batch_alter_table('step_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_officers_officer_id'), ['officer_id'], unique=False)

    op.create_table('transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('from_step_id', sa.Integer(), nullable=False),
    sa.Column('to_step_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['version_id', 'from_step_id'], ['steps.version_id', 'steps.id'], name=op.f('fk_transitions_version_id_from_step_id_steps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id', 'to_step_id'], ['steps.version_id', 'steps.id'], name=op.f('fk_transitions_version_id_to_step_id_steps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_transitions_version_id_flow_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transitions')),
    sa.UniqueConstraint('from_step_id', 'to_step_id', name=op.f('uq_transitions_from_step_id_to_step_id'))
    )
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transitions_to_step_id'), ['to_step_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transitions_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transitions_version_id'))
        batch_op.drop_index(batch_op.f('ix_transitions_to_step_id'))

    op.drop_table('transitions')
    with op.batch_alter_table('step_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_officers_officer_id'))

    op.drop_table('step_officers')
    with op.batch_alter_table('step_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_documents_component_id'))

    op.drop_table('step_documents')
    with op.batch_alter_table('version_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_units_version_id'))
        batch_op.drop_index(batch_op.f('ix_version_units_unit_id'))

    op.drop_table('version_units')
    with op.batch_alter_table('version_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_officers_version_id'))
        batch_op.drop_index(batch_op.f('ix_version_officers_officer_id'))

    op.drop_table('version_officers')
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steps_version_id'))
        batch_op.drop_index(batch_op.f('ix_steps_unit_id'))

    op.drop_table('steps')
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flow_versions_case_id'))

    op.drop_table('flow_versions')
    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_cases_procedure_id'))

    op.drop_table('procedure_cases')
    with op.batch_alter_table('dossier_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_components_procedure_id'))

    op.drop_table('dossier_components')
    op.drop_table('procedures')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officers_unit_id'))

    op.drop_table('officers')
    op.drop_table('user_roles')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    op.drop_table('users')
    op.drop_table('levels')
    op.drop_table('fields')
