"""Domain errors. They carry no HTTP knowledge; api/errors.py maps each to a status and a stable detail."""


class HandoffError(Exception):
    """Base of every error the API turns into a 4xx response."""


class InvalidToken(HandoffError):
    pass


class TokenExpired(HandoffError):
    pass


class TokenRevoked(HandoffError):
    """A valid token whose holder logged out."""


class WrongConversation(HandoffError):
    """A valid customer token presented for a conversation it was not issued for."""


class AuthFrameExpected(HandoffError):
    """A conversation socket whose first frame is not a valid {"type": "auth", "token"} in time."""


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


class NotASupervisor(HandoffError):
    pass


class UnknownTransferTarget(HandoffError):
    """A transfer to a group or agent the directory does not know."""


class AgentNotOnline(HandoffError):
    """A transfer straight to an agent who is away or offline."""


class InvalidCursor(HandoffError):
    """A last_id that is not a Redis stream entry id."""


class TicketNotFound(HandoffError):
    pass


class InvalidTicketTransition(HandoffError):
    """A status change the ticket workflow does not allow, such as reopening a closed ticket."""


class HandoffNotResolved(HandoffError):
    """CSAT sent for a conversation whose last handoff was not closed by an agent."""


class CsatAlreadyGiven(HandoffError):
    """The resolved handoff already has its rating; each handoff is rated once."""


class CsatNotGiven(HandoffError):
    """A comment sent for a resolved handoff that has no rating to attach it to."""


class CsatCommentAlreadyGiven(HandoffError):
    """The rating already has its comment (given with it, or typed after it)."""


class RateLimited(HandoffError):
    """The customer sent more messages in the window than the configured limit allows."""


class TooManySessions(HandoffError):
    """One client address opened more customer sessions in the window than the configured limit allows."""


class LoginLockedOut(HandoffError):
    """Too many failed logins for this username or from this address; refused until the lock-out passes."""


class BodyTooLarge(HandoffError):
    """The request body exceeds the configured size limit."""


class ConfigError(Exception):
    """A configuration file is missing or invalid; raised at start-up, never during a request."""


class NotATrainer(HandoffError):
    """The NLU inbox is for trainers and supervisors."""


class InboxItemNotFound(HandoffError):
    """No waiting inbox item with that id."""


class ReadingNotFound(HandoffError):
    """The bot has no reading of that message (not a customer message, or not read yet)."""
