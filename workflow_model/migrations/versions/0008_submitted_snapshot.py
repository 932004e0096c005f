"""The document as submitted and its SHA-256, which approval freezes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_snapshot', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('submitted_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('flow_versions', schema=None) as batch_op:
        batch_op.drop_column('submitted_sha256')
        batch_op.drop_column('submitted_snapshot')
