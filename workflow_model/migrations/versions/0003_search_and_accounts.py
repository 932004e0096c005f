"""Folded search text, user locale, login failures, calendar overrides, length limits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 22:35:52.048292
"""

import unicodedata

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('day_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_overrides')),
    sa.UniqueConstraint('day', name=op.f('uq_day_overrides_day'))
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)

    with op.batch_alter_table('dossier_components', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               type_=sa.String(length=1000),
               existing_nullable=False)

    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=600), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_fields_search_text'), ['search_text'], unique=False)

    with op.batch_alter_table('levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=600), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_levels_search_text'), ['search_text'], unique=False)

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_officers_search_text'), ['search_text'], unique=False)

    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               type_=sa.String(length=1000),
               existing_nullable=False)

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=2200), nullable=False, server_default=''))
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               type_=sa.String(length=1000),
               existing_nullable=False)
        batch_op.alter_column('result',
               existing_type=sa.TEXT(),
               type_=sa.String(length=2000),
               existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_procedures_search_text'), ['search_text'], unique=False)

    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               type_=sa.String(length=1000),
               existing_nullable=False)

    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.alter_column('label',
               existing_type=sa.TEXT(),
               type_=sa.String(length=1000),
               existing_nullable=False)

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=800), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_units_search_text'), ['search_text'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=False, server_default='vi'))
        batch_op.add_column(sa.Column('search_text', sa.String(length=600), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_users_search_text'), ['search_text'], unique=False)
        batch_op.create_check_constraint('known_locale', "locale IN ('vi', 'en')")

    _fill_search_text()


# The folding of workflow_model.text, frozen here: a migration must not change with it.
def _fold(text):
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


SEARCH_FIELDS = {
    "levels": ("key", "name"),
    "units": ("code", "name"),
    "officers": ("full_name", "title", "email", "phone"),
    "fields": ("name",),
    "procedures": ("code", "name"),
    "users": ("username", "full_name", "email"),
}


def _fill_search_text():
    bind = op.get_bind()
    for table_name, fields in SEARCH_FIELDS.items():
        table = sa.table(table_name, sa.column("id"), sa.column("search_text"),
                         *(sa.column(name) for name in fields))
        for row in bind.execute(sa.select(table)).mappings().all():
            text = " | ".join(_fold(row[name]) for name in fields if row[name] not in (None, ""))
            bind.execute(table.update().where(table.c.id == row["id"]).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('known_locale', type_='check')
        batch_op.drop_index(batch_op.f('ix_users_search_text'))
        batch_op.drop_column('search_text')
        batch_op.drop_column('locale')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_search_text'))
        batch_op.drop_column('search_text')

    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.alter_column('label',
               existing_type=sa.String(length=1000),
               type_=sa.TEXT(),
               existing_nullable=False)

    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.String(length=1000),
               type_=sa.TEXT(),
               existing_nullable=False)

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_search_text'))
        batch_op.alter_column('result',
               existing_type=sa.String(length=2000),
               type_=sa.TEXT(),
               existing_nullable=False)
        batch_op.alter_column('name',
               existing_type=sa.String(length=1000),
               type_=sa.TEXT(),
               existing_nullable=False)
        batch_op.drop_column('search_text')

    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.String(length=1000),
               type_=sa.TEXT(),
               existing_nullable=False)

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officers_search_text'))
        batch_op.drop_column('search_text')

    with op.batch_alter_table('levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_levels_search_text'))
        batch_op.drop_column('search_text')

    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fields_search_text'))
        batch_op.drop_column('search_text')

    with op.batch_alter_table('dossier_components', schema=None) as batch_op:
        batch_op.alter_column('name',
               existing_type=sa.String(length=1000),
               type_=sa.TEXT(),
               existing_nullable=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))

    op.drop_table('login_failures')
    op.drop_table('day_overrides')
