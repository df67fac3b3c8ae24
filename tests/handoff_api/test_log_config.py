"""Structured logs: one JSON object per line, conversation id attached, PII masked."""

import json
import logging

from handoff_api.core.log_config import JsonFormatter, configure_logging, conversation_id_var


def _format(message: str, *args: object, **extra: object) -> dict:
    record = logging.LogRecord("handoff_api.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return json.loads(JsonFormatter().format(record))


def test_line_is_json_with_the_request_conversation_id_and_masked_pii() -> None:
    token = conversation_id_var.set("conv-7")
    try:
        entry = _format("客户说卡号 %s 被盗", "6222021234567890123")
    finally:
        conversation_id_var.reset(token)
    assert entry["level"] == "WARNING" and entry["logger"] == "handoff_api.test"
    assert entry["conversation_id"] == "conv-7"
    assert entry["message"] == "客户说卡号 ***************0123 被盗"


def test_explicit_conversation_id_wins_and_none_is_left_out() -> None:
    assert _format("x", conversation_id="conv-8")["conversation_id"] == "conv-8"
    assert "conversation_id" not in _format("x")


def test_secrets_that_reach_a_message_are_cut() -> None:
    message = _format(
        "rasa resume failed: Client error '401' for url 'http://rasa/conversations/c/tracker/events?token=s3cr3t'"
        " (Authorization: Bearer eyJhbGciOi.x.y)"
    )["message"]
    assert "s3cr3t" not in message and "eyJhbGciOi" not in message
    assert "?token=***" in message and "Bearer ***" in message


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_uvicorn_request_lines_lose_their_query_string(monkeypatch) -> None:
    configure_logging("INFO")
    kept = _Kept()
    # On the loggers themselves: a uvicorn server started by an earlier test may have applied uvicorn's own
    # logging config (its level, no propagation), which the filters must survive as well.
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", [*logger.handlers, kept])
    for name in ("uvicorn.access", "uvicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.INFO)
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/api/x?token=abc&last_id=0", "1.1", 200
    )
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5", "/api/conversations/c/ws?token=abc"
    )
    assert kept.lines == [
        '127.0.0.1:5 - "GET /api/x HTTP/1.1" 200',
        '127.0.0.1:5 - "WebSocket /api/conversations/c/ws" [accepted]',
    ]
