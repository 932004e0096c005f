"""Version lifecycle: submission, approval with a frozen snapshot, rejection, last change.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 23:21:34.951882
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('validation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approval_comment', sa.String(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('effective_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('snapshot', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_sha256', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_flow_versions_updated_by_id_users'), 'users', ['updated_by_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_flow_versions_submitted_by_id_users'), 'users', ['submitted_by_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_flow_versions_approved_by_id_users'), 'users', ['approved_by_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_flow_versions_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_flow_versions_submitted_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_flow_versions_updated_by_id_users'), type_='foreignkey')
        batch_op.drop_column('snapshot_sha256')
        batch_op.drop_column('snapshot')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('effective_from')
        batch_op.drop_column('approval_comment')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('validation')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('updated_by_id')
        batch_op.drop_column('updated_at')

