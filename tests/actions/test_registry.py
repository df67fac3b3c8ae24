from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from actions.knowledge import get_knowledge
from actions.settings import REPO_ROOT

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
# An intent is listed by its name, or as a mapping from its name to its entity settings.
INTENTS = [next(iter(item)) if isinstance(item, dict) else item for item in DOMAIN["intents"]]


def test_every_domain_action_is_served_and_nothing_else() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")

    assert sorted(executor.actions) == sorted(DOMAIN["actions"])


def test_every_response_an_action_names_exists() -> None:
    # Responses built from a name: one per card service result, refusal and ticket category.
    from actions.backends.base import CardOperation
    from contract.names import TicketCategory

    names = {f"utter_card_service_done_{op.value}" for op in CardOperation}
    names |= {
        f"utter_card_service_refused_{code}"
        for code in ("invalid_state", "outstanding_balance", "limit_too_high", "amount_required")
    }
    names |= {f"utter_ticket_created_{category.value}" for category in TicketCategory}
    names |= {
        "utter_confirm_report_lost",
        "utter_confirm_cancel",
        "utter_invalid_card_tail",
        "utter_invalid_verification_code",
    }

    assert names - set(DOMAIN["responses"]) == set()


def test_knowledge_labels_cover_every_task_intent() -> None:
    task_intents = [
        i
        for i in INTENTS
        if i
        not in (
            "affirm",
            "deny",
            "inform",
            "thank",
            "goodbye",
            "cancel",
            "out_of_scope",
            "EXTERNAL_handoff_ended",
            "rate_service",
            "nlu_security_unsure",
            "multiple_requests",
        )
    ]

    assert set(task_intents) - set(get_knowledge().intent_labels) == set()
