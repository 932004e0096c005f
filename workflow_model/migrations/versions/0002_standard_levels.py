"""Seed the standard administrative levels (cấp hành chính); deployments may add others.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the models module does.
LEVELS = [
    {"key": "ministry", "name": "Bộ, ngành", "position": 0},
    {"key": "province", "name": "Cấp tỉnh", "position": 1},
    {"key": "district", "name": "Cấp huyện", "position": 2},
    {"key": "commune", "name": "Cấp xã", "position": 3},
]

levels = sa.table(
    "levels",
    sa.column("key", sa.String),
    sa.column("name", sa.String),
    sa.column("position", sa.Integer),
)


def upgrade() -> None:
    existing = {row[0] for row in op.get_bind().execute(sa.select(levels.c.key))}
    op.bulk_insert(levels, [level for level in LEVELS if level["key"] not in existing])


def downgrade() -> None:
    op.execute(levels.delete().where(levels.c.key.in_([level["key"] for level in LEVELS])))
