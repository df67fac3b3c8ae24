"""The bot's reading of a message, taken from Rasa's parse data."""

from bot.reading import reading_of


def test_a_confident_reading_keeps_intent_runner_up_and_entities() -> None:
    parse = {
        "intent": {"name": "query_bill", "confidence": 0.91234},
        "intent_ranking": [
            {"name": "query_bill", "confidence": 0.91234},
            {"name": "ask_repayment", "confidence": 0.05},
        ],
        "entities": [{"entity": "card_tail", "value": "1234", "start": 0, "end": 4}],
    }
    assert reading_of(parse) == {
        "intent": "query_bill",
        "confidence": 0.9123,
        "runner_up": "ask_repayment",
        "runner_up_confidence": 0.05,
        "ranking": [
            {"name": "query_bill", "confidence": 0.9123},
            {"name": "ask_repayment", "confidence": 0.05},
        ],
        "entities": [{"entity": "card_tail", "value": "1234"}],
        "fallback": False,
    }


def test_fallback_and_the_security_clarifier_name_the_intent_the_model_preferred() -> None:
    fallback = {
        "intent": {"name": "nlu_fallback", "confidence": 0.2},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.2},
            {"name": "greet", "confidence": 0.15},
            {"name": "thank", "confidence": 0.12},
        ],
        "entities": [],
    }
    unsure = {
        "intent": {"name": "nlu_security_unsure", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_security_unsure", "confidence": 0.5},
            {"name": "complain", "confidence": 0.5},
            {"name": "report_lost_card", "confidence": 0.4},
        ],
        "entities": [],
    }
    read_fallback, read_unsure = reading_of(fallback), reading_of(unsure)
    assert (read_fallback["intent"], read_fallback["runner_up"], read_fallback["fallback"]) == (
        "greet",
        "thank",
        True,
    )
    assert (read_unsure["intent"], read_unsure["runner_up"], read_unsure["fallback"]) == (
        "complain",
        "report_lost_card",
        False,
    )
