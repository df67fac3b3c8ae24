"""Alembic environment: runs on the connection db.py hands over, or on DATABASE_URL from the CLI."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine

from handoff_api.core.config import Settings
from handoff_api.sql.models import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Only the CLI gets here; the service passes its own connection and keeps its logging set-up.
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name)
    engine = create_engine(Settings().DATABASE_URL)
    with engine.connect() as cli_connection:
        _run(cli_connection)
        cli_connection.commit()
    engine.dispose()


main()
