"""Domain errors to HTTP statuses with stable detail strings (clients and tests rely on them)."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from handoff_api import exceptions as exc

ERRORS: dict[type[exc.HandoffError], tuple[int, str]] = {
    exc.InvalidToken: (401, "invalid token"),
    exc.TokenExpired: (401, "token expired"),
    exc.InvalidServiceToken: (401, "invalid service token"),
    exc.InvalidCredentials: (401, "invalid username or password"),
    exc.WrongConversation: (403, "token not valid for this conversation"),
    exc.NotAnAgent: (403, "agent token required"),
    exc.NotInGroup: (403, "agent does not serve this group"),
    exc.NotAssigned: (403, "conversation not assigned to this agent"),
    exc.UnknownCustomer: (404, "unknown customer"),
    exc.ConversationNotFound: (404, "conversation not found"),
    exc.CustomerMismatch: (409, "customer does not match conversation"),
    exc.ConversationWithAgent: (409, "conversation is with an agent"),
    exc.ConversationNotQueued: (409, "conversation is not queued"),
    exc.AgentAtCapacity: (409, "agent at capacity"),
    exc.InvalidCursor: (422, "invalid last_id"),
}


def status_and_detail(error: exc.HandoffError) -> tuple[int, str]:
    return ERRORS[type(error)]


async def _handle(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, exc.HandoffError)
    status, detail = status_and_detail(error)
    return JSONResponse({"detail": detail}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(exc.HandoffError, _handle)
