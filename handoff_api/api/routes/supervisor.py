"""The supervisor's live view of queues and seats, and the bot analytics over a chosen range."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response

from handoff_api.api.deps import ContextDep, CurrentSupervisor, SessionDep
from handoff_api.schemas import AnalyticsReport, RangeMoment, SupervisorOverview
from handoff_api.services import analytics, supervisor_views

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])

_DEFAULT_RANGE = timedelta(days=7)


@router.get("/overview")
async def overview(ctx: ContextDep, _supervisor: CurrentSupervisor) -> SupervisorOverview:
    return await supervisor_views.overview(ctx)


def _default_since(until: datetime) -> datetime:
    """A week before `until`, or the calendar's first day for an `until` in the calendar's first week."""
    try:
        return until - _DEFAULT_RANGE
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _report(
    session: SessionDep, since: datetime | None, until: datetime | None, bucket: analytics.Bucket
) -> AnalyticsReport:
    until = until or datetime.now(UTC)
    return analytics.report(session, since=since or _default_since(until), until=until, bucket=bucket)


@router.get("/analytics")
def bot_analytics(
    session: SessionDep,
    _supervisor: CurrentSupervisor,
    since: RangeMoment | None = None,
    until: RangeMoment | None = None,
    bucket: analytics.Bucket = analytics.Bucket.DAY,
) -> AnalyticsReport:
    """Default range: the last seven days."""
    return _report(session, since, until, bucket)


@router.get("/analytics.csv", response_class=Response)
def bot_analytics_csv(
    session: SessionDep,
    _supervisor: CurrentSupervisor,
    since: RangeMoment | None = None,
    until: RangeMoment | None = None,
    bucket: analytics.Bucket = analytics.Bucket.DAY,
) -> Response:
    body = analytics.as_csv(_report(session, since, until, bucket))
    headers = {"Content-Disposition": 'attachment; filename="bot-analytics.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
