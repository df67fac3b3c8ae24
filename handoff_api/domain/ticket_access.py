"""Who may see and change a ticket: the rule itself is in docs/contract.md ("Who sees a ticket")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketViewer:
    """An agent as the ticket rule needs them; sql/crud.py turns it into the query's condition."""

    username: str
    groups: tuple[str, ...]
    # Supervisors oversee every ticket.
    sees_all: bool
    # Customers whose conversation the agent serves right now: all their tickets are context for it.
    serving_customers: frozenset[str]
