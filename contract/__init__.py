"""The contract shared by the handoff service and the Rasa side (bot components and actions).

Standard library only: both Python environments import it from the repository root.
"""
