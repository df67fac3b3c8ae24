"""The supervisor's bot analytics over a time range, per hour or per day (UTC), from the SQL records:
the bot's readings (conversations, fallback, intents), the handoff records (rates, SLA, abandonment) and
the ratings (CSAT)."""

import csv
import io
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from contract.names import CustomerTier, HandoffOutcome
from handoff_api.schemas import AnalyticsReport, AnalyticsRow, IntentCount
from handoff_api.sql import analytics as sql
from handoff_api.sql.models import HandoffRecord

TOP_INTENTS = 10
_QUEUE_ENDINGS = {
    HandoffOutcome.ASSIGNED.value,
    HandoffOutcome.WAIT_TIMEOUT.value,
    HandoffOutcome.CANCELLED.value,
}


class Bucket(StrEnum):
    HOUR = "hour"
    DAY = "day"


def bucket_start(moment: datetime, bucket: Bucket) -> datetime:
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour if bucket is Bucket.HOUR else hour.replace(hour=0)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _row(
    start: datetime | None,
    readings: Sequence[tuple[str, datetime, str | None, bool]],
    first_seen: dict[str, datetime],
    handoffs: Sequence[HandoffRecord],
    ratings: Sequence[int],
    handed_off: set[str],
) -> AnalyticsRow:
    conversations = set(first_seen)
    contained = len(conversations - handed_off)
    queued = [h for h in handoffs if h.queue_outcome in _QUEUE_ENDINGS]
    sla: dict[str, float | None] = {}
    for tier in CustomerTier:
        of_tier = [h for h in queued if h.tier == tier.value]
        in_time = [
            h
            for h in of_tier
            if h.queue_outcome == HandoffOutcome.ASSIGNED.value
            and (h.waited_seconds or 0.0) <= h.target_wait_seconds
        ]
        sla[tier.value] = _share(len(in_time), len(of_tier))
    return AnalyticsRow(
        start=start,
        conversations=len(conversations),
        contained=contained,
        containment=_share(contained, len(conversations)),
        handoffs=len(handoffs),
        handoff_rate=_share(len(handoffs), len(conversations)),
        readings=len(readings),
        fallback_rate=_share(sum(1 for r in readings if r[3]), len(readings)),
        queued=len(queued),
        abandonment=_share(
            sum(1 for h in queued if h.queue_outcome == HandoffOutcome.CANCELLED.value), len(queued)
        ),
        sla_attainment=sla,
        csat_average=sum(ratings) / len(ratings) if ratings else None,
        csat_count=len(ratings),
    )


def report(session: Session, *, since: datetime, until: datetime, bucket: Bucket) -> AnalyticsReport:
    readings = [tuple(row) for row in sql.readings_between(session, since=since, until=until)]
    handoffs = sql.handoffs_between(session, since=since, until=until)
    ratings = sql.ratings_between(session, since=since, until=until)
    first_seen: dict[str, datetime] = {}
    for conversation_id, created_at, _intent, _fallback in sorted(readings, key=lambda r: r[1]):
        first_seen.setdefault(conversation_id, created_at)
    handed_off = {h.conversation_id for h in handoffs}
    starts = sorted(
        {
            bucket_start(moment, bucket)
            for moment in [*first_seen.values(), *(h.requested_at for h in handoffs)]
        }
        | {bucket_start(at, bucket) for at, _score in ratings}
    )
    rows = [
        _row(
            start,
            [r for r in readings if bucket_start(r[1], bucket) == start],
            {c: at for c, at in first_seen.items() if bucket_start(at, bucket) == start},
            [h for h in handoffs if bucket_start(h.requested_at, bucket) == start],
            [score for at, score in ratings if bucket_start(at, bucket) == start],
            handed_off,
        )
        for start in starts
    ]
    intents = Counter(r[2] for r in readings if r[2] and not r[3])
    return AnalyticsReport(
        bucket=bucket.value,
        since=since,
        until=until,
        rows=rows,
        totals=_row(None, readings, first_seen, handoffs, [score for _at, score in ratings], handed_off),
        handoffs_by_reason=dict(Counter(h.reason for h in handoffs)),
        handoffs_by_intent=dict(Counter(h.intent for h in handoffs)),
        top_intents=[IntentCount(intent=i, count=n) for i, n in intents.most_common(TOP_INTENTS)],
    )


CSV_COLUMNS = [
    "start",
    "conversations",
    "containment",
    "handoffs",
    "handoff_rate",
    "fallback_rate",
    "abandonment",
    *(f"sla_{tier.value}" for tier in CustomerTier),
    "csat_average",
    "csat_count",
]


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def as_csv(analytics: AnalyticsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in [*analytics.rows, analytics.totals]:
        values = row.model_dump()
        writer.writerow(
            [
                row.start.isoformat() if row.start else "total",
                *(_cell(values[name]) for name in CSV_COLUMNS[1:7]),
                *(_cell(row.sla_attainment[tier.value]) for tier in CustomerTier),
                _cell(row.csat_average),
                _cell(row.csat_count),
            ]
        )
    return out.getvalue()
