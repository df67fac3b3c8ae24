"""The customer's rating of a resolved handoff, stored on its closed-conversation summary."""

from fastapi import APIRouter, status

from handoff_api.api.deps import CustomerConversation, SessionDep
from handoff_api.schemas import CsatCreate, CsatPublic
from handoff_api.services import csat

router = APIRouter(prefix="/api/conversations", tags=["csat"])


@router.post("/{conversation_id}/csat", status_code=status.HTTP_201_CREATED)
def rate_conversation(
    body: CsatCreate, conversation: CustomerConversation, session: SessionDep
) -> CsatPublic:
    return csat.rate_handoff(session, conversation_id=conversation.id, csat=body)
