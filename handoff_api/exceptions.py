"""Domain errors. They carry no HTTP knowledge; api/errors.py maps each to a status and a stable detail."""


class HandoffError(Exception):
    """Base of every error the API turns into a 4xx response."""


class InvalidToken(HandoffError):
    pass


class TokenExpired(HandoffError):
    pass


class WrongConversation(HandoffError):
    """A valid customer token presented for a conversation it was not issued for."""


class InvalidServiceToken(HandoffError):
    pass


class InvalidCredentials(HandoffError):
    pass


class NotAnAgent(HandoffError):
    """The token is valid but belongs to a customer, or names an agent that no longer exists."""


class UnknownCustomer(HandoffError):
    pass


class ConversationNotFound(HandoffError):
    pass


class CustomerMismatch(HandoffError):
    """A handoff request names a customer other than the conversation's."""


class ConversationWithAgent(HandoffError):
    pass


class ConversationNotQueued(HandoffError):
    """Claimed after another agent took it, or after the customer left the queue."""


class AgentAtCapacity(HandoffError):
    pass


class NotInGroup(HandoffError):
    """The agent does not serve the group the conversation is queued for."""


class NotAssigned(HandoffError):
    """The agent asked for a conversation that is not theirs."""


class InvalidCursor(HandoffError):
    """A last_id that is not a Redis stream entry id."""


class ConfigError(Exception):
    """A configuration file is missing or invalid; raised at start-up, never during a request."""
