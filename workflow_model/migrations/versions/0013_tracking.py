"""Dossier tracking: dossiers pinned to the version in force, their events, derived step runs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:07:17.170004
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', 'post', name='dossier_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('check_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'paused', 'waiting_supplement', 'result_ready', 'returned', 'refused', 'withdrawn', name='dossier_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.Enum('early', 'on_time', 'late', name='dossier_verdict', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('apology_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clock_stopped_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_hours', sa.Float(precision=53), nullable=False),
    sa.Column('legal_hours', sa.Float(precision=53), nullable=False),
    sa.Column('used_hours', sa.Float(precision=53), nullable=False),
    sa.Column('current_steps', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_dossiers_code_not_empty')),
    sa.CheckConstraint('stopped_hours >= 0', name=op.f('ck_dossiers_stopped_hours_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['procedure_cases.id'], name=op.f('fk_dossiers_case_id_procedure_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_dossiers_version_id_flow_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('source', 'code', name=op.f('uq_dossiers_source_code'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_version_id'), ['version_id'], unique=False)

    op.create_table('dossier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('source_event_id', sa.String(length=100), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('received', 'step_started', 'step_completed', 'supplement_requested', 'supplement_received', 'paused', 'resumed', 'refused', 'withdrawn', 'result_ready', 'returned', 'apology_sent', name='dossier_event_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('step_key', sa.String(length=64), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('officer_email', sa.String(length=254), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('new_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_events_dossier_id_dossiers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_events')),
    sa.UniqueConstraint('source_event_id', 'source', name=op.f('uq_dossier_events_source_event_id_source'))
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_dossier_at', ['dossier_id', 'at'], unique=False)

    op.create_table('dossier_step_runs',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('step_key', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allotted_hours', sa.Float(precision=53), nullable=False),
    sa.Column('used_hours', sa.Float(precision=53), nullable=False),
    sa.Column('verdict', sa.Enum('early', 'on_time', 'late', name='step_verdict', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('officer_email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_step_runs_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', 'position', name=op.f('pk_dossier_step_runs'))
    )


def downgrade() -> None:
    op.drop_table('dossier_step_runs')
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_dossier_at')

    op.drop_table('dossier_events')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_version_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_status'))
        batch_op.drop_index(batch_op.f('ix_dossiers_code'))
        batch_op.drop_index(batch_op.f('ix_dossiers_case_id'))

    op.drop_table('dossiers')
