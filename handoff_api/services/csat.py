"""Customer ratings of resolved handoffs, stored on the closed-conversation summary, once per handoff."""

from sqlalchemy.orm import Session

from handoff_api.core import metrics
from handoff_api.schemas import CsatCreate, CsatPublic
from handoff_api.sql import crud


def rate_handoff(session: Session, *, conversation_id: str, csat: CsatCreate) -> CsatPublic:
    rated = crud.record_csat(session, conversation_id=conversation_id, csat=csat)
    metrics.record_csat(score=csat.score)
    return CsatPublic(
        conversation_id=conversation_id, score=csat.score, comment=csat.comment, rated_at=rated.csat_at
    )
