"""Cached validation counts of each flow version (a cache the flush listener keeps true).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 22:54:31.080369
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('version_checks',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('errors >= 0 AND warnings >= 0', name=op.f('ck_version_checks_counts_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['flow_versions.id'], name=op.f('fk_version_checks_version_id_flow_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_version_checks'))
    )


def downgrade() -> None:
    op.drop_table('version_checks')
