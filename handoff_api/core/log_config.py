"""Structured logging: one JSON object per line, with the conversation id and PII masked."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from contract.pii import mask_pii

# Set per request by the middleware, so every log line of that request carries the conversation id.
conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            # Log lines leave the bank's systems for log stores; card, phone and ID numbers must not.
            "message": mask_pii(record.getMessage()),
        }
        conversation_id = getattr(record, "conversation_id", None) or conversation_id_var.get()
        if conversation_id:
            entry["conversation_id"] = conversation_id
        if record.exc_info:
            entry["exception"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks our handler, so configuring twice (one app per test) does not print every line twice."""


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        handler = _JsonHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
