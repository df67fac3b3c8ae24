"""Customer ratings of resolved handoffs, stored on the closed-conversation summary, once per handoff."""

from sqlalchemy.orm import Session

from handoff_api.core import metrics
from handoff_api.schemas import CsatCreate, CsatPublic
from handoff_api.sql import crud
from handoff_api.sql.models import ClosedConversation


def _public(conversation_id: str, rated: ClosedConversation) -> CsatPublic:
    return CsatPublic(
        conversation_id=conversation_id,
        score=rated.csat_score or 0,
        comment=rated.csat_comment or "",
        rated_at=rated.csat_at,
    )


def rate_handoff(session: Session, *, conversation_id: str, csat: CsatCreate) -> CsatPublic:
    rated = crud.record_csat(session, conversation_id=conversation_id, csat=csat)
    metrics.record_csat(score=csat.score)
    return _public(conversation_id, rated)


def comment_on_rating(session: Session, *, conversation_id: str, comment: str) -> CsatPublic:
    """The remark a customer types after rating in the chat: kept with that rating, once."""
    rated = crud.record_csat_comment(session, conversation_id=conversation_id, comment=comment)
    return _public(conversation_id, rated)
