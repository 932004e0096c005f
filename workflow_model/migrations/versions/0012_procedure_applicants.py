"""Who may apply for a procedure (đối tượng thực hiện), for the public pages.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicants', sa.String(length=1000), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('applicants')
