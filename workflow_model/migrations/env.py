"""Alembic environment: runs on the engine handed over by `workflow_model.migrate`."""

from alembic import context

from workflow_model.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename: with foreign keys on,
            # dropping a table other rows point at fails. They are checked again below.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # Close the transaction the pragma opened, so Alembic's own one commits.
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: pass an engine")
run_migrations_online()
