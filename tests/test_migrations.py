"""Migrations and models agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import Database, reset_postgres_schema

from workflow_model.migrate import current_revision, downgrade, upgrade
from workflow_model.models import Base


def differences(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_autogenerate_finds_no_difference(database: Database) -> None:
    assert differences(database) == []
    assert current_revision(database.engine) is not None


def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    head = current_revision(database.engine)
    downgrade(database.engine, "base")
    assert current_revision(database.engine) is None
    with database.engine.connect() as connection:
        assert set(database.engine.dialect.get_table_names(connection)) <= {"alembic_version"}
    upgrade(database.engine)
    assert current_revision(database.engine) == head
    assert differences(database) == []


def test_upgrade_creates_a_fresh_database(database: Database) -> None:
    if database.backend == "postgresql":
        reset_postgres_schema(database.engine)
    else:
        downgrade(database.engine, "base")
    upgrade(database.engine)
    assert differences(database) == []


def test_standard_levels_are_seeded(database: Database) -> None:
    import sqlalchemy as sa

    from workflow_model.models import STANDARD_LEVELS, Level

    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(Level.key, Level.name).order_by(Level.position)).all()
    assert [tuple(row) for row in rows] == list(STANDARD_LEVELS.items())


def test_migrations_keep_the_data_down_and_up(database: Database) -> None:
    from admin.demo import load_demo
    from workflow_model.conversion import document_from_version
    from workflow_model.db import make_session_factory
    from workflow_model.document import dump_document
    from workflow_model.models import FlowVersion, Officer

    sessions = make_session_factory(database.engine)
    with sessions() as session:
        load_demo(session)
        before = {
            v.id: dump_document(document_from_version(session, v))
            for v in session.query(FlowVersion)
        }
    downgrade(database.engine, "0002")
    upgrade(database.engine)
    with sessions() as session:
        after = {
            v.id: dump_document(document_from_version(session, v))
            for v in session.query(FlowVersion)
        }
        officer = session.query(Officer).filter(Officer.full_name == "Nguyễn Văn Nam").first()
        assert officer is not None and officer.search_text.startswith("nguyen van nam")
    assert after == before
