"""Every Redis key the handoff service uses, in one place, under one configurable prefix."""


class RedisKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def conversation(self, conversation_id: str) -> str:
        # Hash: customer_id, tier, state (ConversationState), group, agent, enqueued_at, deadline,
        # packet (handoff packet JSON). The owner of the conversation lives here, shared by all API processes.
        return f"{self.prefix}conv:{conversation_id}"

    def messages(self, conversation_id: str) -> str:
        # Stream: every message of the conversation in order; entry ids are the clients' resume cursor.
        return f"{self.prefix}conv:{conversation_id}:messages"

    def queue(self, group: str) -> str:
        # Sorted set: queued conversation ids of a seat group, scored by deadline (enqueued_at + tier target),
        # so the lowest score is served first and ordinary customers still move up.
        return f"{self.prefix}queue:{group}"

    def agent_conversations(self, username: str) -> str:
        # Set: conversation ids assigned to the agent; its size is the load checked against capacity.
        return f"{self.prefix}agent:{username}:conversations"

    def agent_presence(self, username: str) -> str:
        # String with TTL: exists while the agent's console keeps calling the API (the agent is online).
        return f"{self.prefix}agent:{username}:presence"
