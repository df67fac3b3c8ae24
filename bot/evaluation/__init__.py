"""Evaluation tooling for trainers: scores our NLU model and a stock Rasa baseline on labelled data."""
