"""The SQL engine for durable records; created in the app's lifespan, never at import time."""

from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from handoff_api.models import Base


def create_db_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    # Until the ticket tables arrive with Alembic migrations (issue 5), the one table is created here.
    Base.metadata.create_all(engine)
    return engine
