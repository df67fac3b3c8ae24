"""Prometheus metrics. Counters and histograms are per process; queue gauges are read from Redis per scrape.

Other modules record events through the record_* functions, never through the metric objects directly,
so label names stay consistent.
"""

from prometheus_client import Counter, Gauge, Histogram

ASSIGNMENTS = Counter(
    "handoff_assignments_total", "Queued conversations taken by an agent.", ["group", "tier"]
)
OUTCOMES = Counter("handoff_outcomes_total", "Handoffs ended, by how they ended.", ["group", "outcome"])
# Buckets around the tier targets (15/30/60/120 s) and the queue timeout (600 s).
WAIT_SECONDS = Histogram(
    "handoff_wait_seconds",
    "Seconds from queueing to assignment.",
    ["group", "tier"],
    buckets=(5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600),
)
CSAT_SCORE = Histogram(
    "handoff_csat_score", "Customer ratings 1-5 of resolved handoffs.", buckets=(1, 2, 3, 4, 5)
)
TICKETS = Counter("tickets_created_total", "Tickets filed.", ["category"])
RATE_LIMITED = Counter("customer_messages_rate_limited_total", "Customer messages refused by the rate limit.")
QUEUE_LENGTH = Gauge("handoff_queue_length", "Conversations waiting per group.", ["group"])
OLDEST_WAIT = Gauge(
    "handoff_queue_oldest_wait_seconds", "Longest current wait per group (0 if empty).", ["group"]
)


def record_assignment(*, group: str, tier: str, waited_seconds: float) -> None:
    ASSIGNMENTS.labels(group=group, tier=tier).inc()
    WAIT_SECONDS.labels(group=group, tier=tier).observe(waited_seconds)


def record_outcome(*, group: str, outcome: str) -> None:
    OUTCOMES.labels(group=group, outcome=outcome).inc()


def record_csat(*, score: int) -> None:
    CSAT_SCORE.observe(score)


def record_ticket(*, category: str) -> None:
    TICKETS.labels(category=category).inc()


def record_rate_limited() -> None:
    RATE_LIMITED.inc()


def set_queue_gauges(*, group: str, enqueued_at: list[float], now: float) -> None:
    """The queue gauges of a group from its waiting conversations' enqueue times (read from Redis, the only
    place that knows the queues of every API process)."""
    QUEUE_LENGTH.labels(group=group).set(len(enqueued_at))
    OLDEST_WAIT.labels(group=group).set(max(0.0, now - min(enqueued_at)) if enqueued_at else 0.0)
