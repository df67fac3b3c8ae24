"""rasa-sdk action server: `python -m rasa_sdk --actions actions` registers every Action in this package."""
