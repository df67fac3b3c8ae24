"""Domain errors to HTTP statuses with stable detail strings (clients and tests rely on them)."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from handoff_api.domain import exceptions as exc

logger = logging.getLogger(__name__)

ERRORS: dict[type[exc.HandoffError], tuple[int, str]] = {
    exc.InvalidToken: (401, "invalid token"),
    exc.TokenExpired: (401, "token expired"),
    exc.AuthFrameExpected: (401, 'first frame must be {"type": "auth", "token": ...}'),
    exc.TokenRevoked: (401, "token revoked"),
    exc.InvalidServiceToken: (401, "invalid service token"),
    exc.InvalidCredentials: (401, "invalid username or password"),
    exc.WrongConversation: (403, "token not valid for this conversation"),
    exc.NotAnAgent: (403, "agent token required"),
    exc.NotInGroup: (403, "agent does not serve this group"),
    exc.NotAssigned: (403, "conversation not assigned to this agent"),
    exc.NotASupervisor: (403, "supervisor role required"),
    exc.NotATrainer: (403, "trainer or supervisor role required"),
    exc.UnknownCustomer: (404, "unknown customer"),
    exc.TicketNotFound: (404, "ticket not found"),
    exc.InboxItemNotFound: (404, "inbox item not found"),
    exc.ReadingNotFound: (404, "reading not found"),
    exc.UnknownTransferTarget: (404, "unknown transfer target"),
    exc.ConversationNotFound: (404, "conversation not found"),
    exc.CustomerMismatch: (409, "customer does not match conversation"),
    exc.ConversationWithAgent: (409, "conversation is with an agent"),
    exc.ConversationNotQueued: (409, "conversation is not queued"),
    exc.AgentAtCapacity: (409, "agent at capacity"),
    exc.InvalidTicketTransition: (409, "invalid ticket status transition"),
    exc.HandoffNotResolved: (409, "no resolved handoff to rate"),
    exc.CsatAlreadyGiven: (409, "csat already given for this handoff"),
    exc.CsatNotGiven: (409, "no rating to comment on"),
    exc.CsatCommentAlreadyGiven: (409, "csat comment already given"),
    exc.BodyTooLarge: (413, "request body too large"),
    exc.AgentNotOnline: (409, "agent not online"),
    exc.InvalidCursor: (422, "invalid last_id"),
    exc.RateLimited: (429, "too many messages, please slow down / 发送过于频繁，请稍后再试"),
    exc.TooManySessions: (
        429,
        "too many new sessions, please try again later / 会话创建过于频繁，请稍后再试",
    ),
    exc.LoginLockedOut: (
        429,
        "too many failed logins, please try again later / 登录失败次数过多，请稍后再试",
    ),
}


def status_and_detail(error: exc.HandoffError) -> tuple[int, str]:
    return ERRORS[type(error)]


async def _handle(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, exc.HandoffError)
    status, detail = status_and_detail(error)
    return JSONResponse({"detail": detail}, status_code=status)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # FastAPI's shape without "input" and "ctx": echoing a huge or hostile input back helps nobody.
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    message = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return JSONResponse({"detail": errors, "message": message}, status_code=422)


def _conversation_id(request: Request) -> str | None:
    return request.path_params.get("conversation_id")


async def _storage_unavailable(request: Request, error: Exception) -> JSONResponse:
    logger.error(
        "storage unavailable on %s %s: %s",
        request.method,
        request.url.path,
        error,
        extra={"conversation_id": _conversation_id(request)},
    )
    return JSONResponse({"detail": "service temporarily unavailable"}, status_code=503)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.error(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=error,
        extra={"conversation_id": _conversation_id(request)},
    )
    return JSONResponse({"detail": "internal error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(exc.HandoffError, _handle)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for storage_error in (RedisError, OperationalError):
        app.add_exception_handler(storage_error, _storage_unavailable)
    # Starlette re-raises after answering, so servers and tests still see the error; clients see no trace.
    app.add_exception_handler(Exception, _unexpected)
