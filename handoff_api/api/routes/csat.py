"""The customer's rating of a resolved handoff, stored on its closed-conversation summary.

The page's star panel posts it with the customer's token; the bot posts a rating typed or clicked in the chat
through the internal routes (service token), into the same record and under the same once-per-handoff rule.
"""

from fastapi import APIRouter, status

from handoff_api.api.deps import CustomerConversation, ServiceAuth, SessionDep
from handoff_api.schemas import CsatCommentIn, CsatCreate, CsatPublic
from handoff_api.services import csat

customer = APIRouter(prefix="/api/conversations", tags=["csat"])
internal = APIRouter(prefix="/api/internal/conversations", tags=["csat"], dependencies=[ServiceAuth])
router = APIRouter()


@customer.post("/{conversation_id}/csat", status_code=status.HTTP_201_CREATED)
def rate_conversation(
    body: CsatCreate, conversation: CustomerConversation, session: SessionDep
) -> CsatPublic:
    return csat.rate_handoff(session, conversation_id=conversation.id, csat=body)


@internal.post("/{conversation_id}/csat", status_code=status.HTTP_201_CREATED)
def rate_conversation_in_chat(conversation_id: str, body: CsatCreate, session: SessionDep) -> CsatPublic:
    return csat.rate_handoff(session, conversation_id=conversation_id, csat=body)


@internal.post("/{conversation_id}/csat/comment")
def comment_on_rating(conversation_id: str, body: CsatCommentIn, session: SessionDep) -> CsatPublic:
    return csat.comment_on_rating(session, conversation_id=conversation_id, comment=body.comment)


router.include_router(customer)
router.include_router(internal)
