"""When each unit and officer last changed, to show directory drift since approval.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 23:47:37.319934
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('updated_at')

