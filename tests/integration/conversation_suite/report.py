"""The suite's report: pass rate per category against the bar, then every failure with its transcript."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.integration.conversation_suite.runner import ConversationResult, StepRecord
from tests.integration.conversation_suite.schema import Category, Step
from tests.integration.conversation_suite.vocabulary import ROOT

# Issue 14, "How we will know".
OVERALL_BAR = 0.95
CATEGORY_BAR = 0.90


@dataclass(frozen=True)
class Rate:
    name: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 1.0


def category_rates(results: list[ConversationResult]) -> list[Rate]:
    return [
        Rate(category.value, sum(r.passed for r in mine), len(mine))
        for category in Category
        if (mine := [r for r in results if r.conversation.category is category])
    ]


def overall_rate(results: list[ConversationResult]) -> Rate:
    return Rate("overall", sum(r.passed for r in results), len(results))


def shortfalls(results: list[ConversationResult]) -> list[str]:
    """Where the results miss the bar (empty when they meet it)."""
    overall = overall_rate(results)
    missed = [f"overall {overall.rate:.1%} < {OVERALL_BAR:.0%}"] if overall.rate < OVERALL_BAR else []
    return missed + [
        f"{rate.name} {rate.rate:.1%} < {CATEGORY_BAR:.0%}"
        for rate in category_rates(results)
        if rate.rate < CATEGORY_BAR
    ]


def rate_table(results: list[ConversationResult]) -> str:
    lines = [f"{'category':<18} {'passed':>6} {'total':>6} {'rate':>7}", "-" * 40]
    for rate in category_rates(results):
        mark = "" if rate.rate >= CATEGORY_BAR else "  below 90%"
        lines.append(f"{rate.name:<18} {rate.passed:>6} {rate.total:>6} {rate.rate:>7.1%}{mark}")
    overall = overall_rate(results)
    mark = "" if overall.rate >= OVERALL_BAR else "  below 95%"
    lines += ["-" * 40, f"{'overall':<18} {overall.passed:>6} {overall.total:>6} {overall.rate:>7.1%}{mark}"]
    return "\n".join(lines)


def _describe_step(step: Step) -> str:
    if step.say is not None:
        return f"customer: {step.say}"
    if step.click is not None:
        return f"customer clicks: {step.click}"
    if step.leave_queue:
        return "customer leaves the queue"
    if step.rate_on_page is not None:
        return f"customer rates on the page: {step.rate_on_page.score} {step.rate_on_page.comment}".rstrip()
    if step.agent is not None:
        action = step.model_dump(exclude_none=True, exclude_defaults=True, exclude={"agent", "expect"})
        return f"agent {step.agent}: {action}"
    return f"wait for: {step.wait}"


def _describe_message(message: dict) -> str:
    buttons = " ".join(f"[{b['title']}]" for b in message.get("buttons") or [])
    text = message["text"].replace("\n", " / ")
    return f"{message['role']}: {text} {buttons}".rstrip()


def _step_lines(record: StepRecord) -> list[str]:
    lines = [f"  {record.index:>2}. {_describe_step(record.step)}"]
    for turn in record.understood:
        confidence = f" {turn.confidence:.2f}" if turn.confidence is not None else ""
        entities = f" {' '.join(turn.entities)}" if turn.entities else ""
        lines.append(f"        nlu: {turn.intent}{confidence}{entities}")
    lines += [f"        {_describe_message(m)}" for m in record.messages if m["role"] != "customer"]
    if record.actions:
        lines.append(f"        actions: {', '.join(record.actions)}")
    lines += [f"      FAILED: {reason}" for reason in record.failures]
    return lines


def transcript(result: ConversationResult) -> str:
    conversation = result.conversation
    lines = [
        f"FAIL {conversation.category.value} / {conversation.id} ({conversation.customer}): "
        f"{conversation.about}"
    ]
    if result.conversation_id:
        lines.append(f"  conversation {result.conversation_id}")
    if result.error:
        lines.append(f"  ERROR: {result.error}")
    for record in result.steps:
        lines += _step_lines(record)
    unrun = len(conversation.turns) - len(result.steps)
    if unrun > 0 and not result.error:
        lines.append(f"  ({unrun} later turn(s) not run)")
    lines += [f"  FAILED: {reason}" for reason in result.final_failures]
    return "\n".join(lines)


def render(results: list[ConversationResult]) -> str:
    failed = [r for r in results if not r.passed]
    parts = [
        f"Conversation suite: {sum(r.passed for r in results)}/{len(results)} conversations passed",
        rate_table(results),
    ]
    if failed:
        parts.append(f"{len(failed)} failure(s):")
        parts += [transcript(r) for r in failed]
    return "\n\n".join(parts)


REPORT_PATH = ROOT / "test-artifacts" / "conversations" / "report.txt"


def save(text: str, path: Path = REPORT_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
