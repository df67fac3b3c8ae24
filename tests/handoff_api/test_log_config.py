"""Structured logs: one JSON object per line, conversation id attached, PII masked."""

import json
import logging

from handoff_api.core.log_config import JsonFormatter, conversation_id_var


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
