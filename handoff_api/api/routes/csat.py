"""The customer's rating of a resolved handoff, stored on its closed-conversation summary."""

from fastapi import APIRouter, status

from handoff_api import crud, metrics
from handoff_api.api.deps import CustomerConversation, SessionDep
from handoff_api.schemas import CsatCreate, CsatPublic

router = APIRouter(prefix="/api/conversations", tags=["csat"])


@router.post("/{conversation_id}/csat", status_code=status.HTTP_201_CREATED)
def rate_conversation(
    body: CsatCreate, conversation: CustomerConversation, session: SessionDep
) -> CsatPublic:
    rated = crud.record_csat(session, conversation_id=conversation.id, csat=body)
    metrics.record_csat(score=body.score)
    return CsatPublic(
        conversation_id=conversation.id,
        score=body.score,
        comment=body.comment,
        rated_at=rated.csat_at,
    )
