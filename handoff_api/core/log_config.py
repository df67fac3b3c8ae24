"""Structured logging: one JSON object per line, with the conversation id; no PII, tokens or query strings."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from contract.pii import mask_pii

# Set per request by the middleware, so every log line of that request carries the conversation id.
conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)

# A secret that reaches a message anyway (an error quoting a URL with ?token=, a header echoed back) is cut.
_SECRETS = re.compile(r"(?i)([?&](?:token|access_token|auth_token)=|bearer\s+)[^\s&'\"]+")
# uvicorn's request lines (access log; "WebSocket /path" accepted/rejected lines on uvicorn.error).
_SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    """What any log line may show: PII masked (contract/pii.py), secrets cut."""
    return _SECRETS.sub(r"\1***", mask_pii(text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            # Log lines leave the bank's systems for log stores; card, phone and ID numbers must not.
            "message": redact(record.getMessage()),
        }
        conversation_id = getattr(record, "conversation_id", None) or conversation_id_var.get()
        if conversation_id:
            entry["conversation_id"] = conversation_id
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _without_query(value: object) -> object:
    return value.split("?", 1)[0] if isinstance(value, str) and value.startswith("/") else value


class _NoQueryStrings(logging.Filter):
    """Drops the query string of every path in uvicorn's request lines: queries are no place for secrets,
    but a client may still put one there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True


_NO_QUERY_STRINGS = _NoQueryStrings()


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks our handler, so configuring twice (one app per test) does not print every line twice."""


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        handler = _JsonHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    for name in _SERVER_LOGGERS:
        logging.getLogger(name).addFilter(_NO_QUERY_STRINGS)  # once: addFilter ignores a filter it has
