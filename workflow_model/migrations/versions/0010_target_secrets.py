"""Delivery targets' secrets encrypted at rest: a wider column, the stored ones sealed.

The `secret` column holds a Fernet token (see `workflow_model.target_secrets`) under a
key derived from SECRET_KEY, so it needs more room than the secret itself. Secrets
stored in the clear before are sealed here; downgrading opens them again. Both need the
app's key (`sodo db upgrade` passes it): without it, a database holding secrets is
refused rather than left half done.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:40:00
"""

from alembic import context, op
import sqlalchemy as sa

from workflow_model.target_secrets import looks_sealed


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

targets = sa.table(
    'delivery_targets', sa.column('id', sa.Integer()), sa.column('secret', sa.String())
)


def _stored_secrets() -> list[tuple[int, str]]:
    rows = op.get_bind().execute(
        sa.select(targets.c.id, targets.c.secret).where(targets.c.secret != '')
    )
    return [(row.id, row.secret) for row in rows]


def _rewritten(change) -> list[tuple[int, str]]:
    """The new value of each stored secret, worked out before any table is touched."""
    stored = _stored_secrets()
    if not stored:
        return []
    box = context.config.attributes.get('secret_box')
    if box is None:
        raise RuntimeError(
            'delivery targets hold secrets: run this migration with the app\'s '
            'SECRET_KEY (sodo db upgrade) so they can be encrypted or decrypted'
        )
    return [(target_id, change(box, secret)) for target_id, secret in stored]


def _store(rows: list[tuple[int, str]]) -> None:
    for target_id, secret in rows:
        op.get_bind().execute(
            targets.update().where(targets.c.id == target_id).values(secret=secret)
        )


def upgrade() -> None:
    sealed = _rewritten(lambda box, secret: secret if looks_sealed(secret) else box.seal(secret))
    with op.batch_alter_table('delivery_targets', schema=None) as batch_op:
        batch_op.alter_column(
            'secret',
            existing_type=sa.String(length=500),
            type_=sa.String(length=4000),
            existing_nullable=False,
        )
    _store(sealed)


def downgrade() -> None:
    opened = _rewritten(lambda box, secret: box.open(secret) if looks_sealed(secret) else secret)
    _store(opened)
    with op.batch_alter_table('delivery_targets', schema=None) as batch_op:
        batch_op.alter_column(
            'secret',
            existing_type=sa.String(length=4000),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
