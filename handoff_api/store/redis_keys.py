"""Every Redis key the handoff service uses, in one place, under one configurable prefix."""


class RedisKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def conversation(self, conversation_id: str) -> str:
        # Hash: customer_id, tier, state (ConversationState), group, agent, enqueued_at, deadline,
        # assigned_at, packet (handoff packet JSON), note (from the agent who transferred it), bot_turn_until,
        # rasa_resume_pending, and marks set once (ConversationStore.mark_once) for notices said only once.
        # The owner of the conversation lives here, shared by all API processes.
        return f"{self.prefix}conv:{conversation_id}"

    def messages(self, conversation_id: str) -> str:
        # Stream: every message of the conversation in order; entry ids are the clients' resume cursor.
        return f"{self.prefix}conv:{conversation_id}:messages"

    def bot_turns(self, conversation_id: str) -> str:
        # List (with TTL): the conversation's turns waiting for the bot, oldest first, as JSON
        # {message_id, text, is_payload}; the head stays until the bot has answered it, so a turn survives
        # any process dying.
        return f"{self.prefix}conv:{conversation_id}:bot_turns"

    def bot_turns_due(self) -> str:
        # Sorted set: conversations with pending bot turns, scored by when a worker may take them: now when
        # new, a retry time after the bot failed, or a worker's lease end while it serves them.
        return f"{self.prefix}bot_turns_due"

    def offered_payloads(self, conversation_id: str) -> str:
        # Set (with TTL): the button payloads the bot offered in the conversation; only these are sent to the
        # bot as payloads, any other text starting with "/" is plain text.
        return f"{self.prefix}conv:{conversation_id}:payloads"

    def queue(self, group: str) -> str:
        # Sorted set: queued conversation ids of a seat group, scored by deadline (enqueued_at + tier target),
        # so the lowest score is served first and ordinary customers still move up.
        return f"{self.prefix}queue:{group}"

    def agent_conversations(self, username: str) -> str:
        # Set: conversation ids assigned to the agent; its size is the load checked against capacity.
        return f"{self.prefix}agent:{username}:conversations"

    def agent_presence(self, username: str) -> str:
        # String with TTL: the agent's PresenceStatus; expires when the console stops calling the API.
        return f"{self.prefix}agent:{username}:presence"

    def online_agents(self) -> str:
        # Sorted set: usernames of online agents scored by the time their presence expires; kept in step
        # with agent_presence by lua/set_presence.lua.
        return f"{self.prefix}agents_online"

    def online_in_group(self, group: str) -> str:
        # Sorted set: the online agents (not supervisors) who take conversations of the group, in the same
        # form and kept by the same script as online_agents; the handoff request counts it.
        return f"{self.prefix}group:{group}:online"

    def queue_timeouts(self) -> str:
        # Sorted set: every queued conversation id, scored by the time its wait ends as wait_timeout;
        # whichever API process is alive sweeps it.
        return f"{self.prefix}queue_timeouts"

    def group_stats(self, group: str) -> str:
        # Hash: last_assigned_at, assign_interval (moving average of seconds between assignments while
        # someone waits; shown to supervisors), handle_seconds (moving average of the time from assignment to
        # close) and handle_samples (closes observed), behind the wait estimate.
        return f"{self.prefix}group:{group}:stats"

    def outcome_log(self) -> str:
        # Stream (capped): one entry per handoff ending: conversation_id, outcome, group, agent, at.
        return f"{self.prefix}outcomes"

    def outcome_counts(self) -> str:
        # Hash: "<group>:<outcome>" -> number of handoffs that ended so.
        return f"{self.prefix}outcome_counts"

    def reason_counts(self) -> str:
        # Hash: handoff reason -> number of handoff requests that gave it.
        return f"{self.prefix}reason_counts"

    def message_rate(self, conversation_id: str) -> str:
        # String (counter) with TTL: customer messages in the current rate-limit window of the conversation.
        return f"{self.prefix}conv:{conversation_id}:rate"

    def customer_message_rate(self, customer_id: str) -> str:
        # String (counter) with TTL: the customer's messages over all their conversations in the window.
        return f"{self.prefix}customer:{customer_id}:rate"

    def session_rate(self, address: str) -> str:
        # String (counter) with TTL: customer sessions opened from one client address in the window.
        return f"{self.prefix}sessions:{address}:rate"

    def login_failures(self, kind: str, subject: str) -> str:
        # String (counter) with TTL, refreshed at each failure: failed logins of a username or an address
        # (kind "username" or "address"); at the configured maximum, logins for it are locked out.
        return f"{self.prefix}login_failures:{kind}:{subject}"

    def revoked_token(self, token_id: str) -> str:
        # String with TTL (until the token's own expiry): the jti of a token revoked by logout.
        return f"{self.prefix}revoked_token:{token_id}"

    def shared(self, groups: list[str], usernames: list[str]) -> list[str]:
        """Every key that belongs to no conversation (queues, seats, statistics): refreshed to a long TTL by
        the running processes (store/shared_keys.py), so even these go once the service is gone."""
        per_group = [
            key
            for group in groups
            for key in (self.queue(group), self.online_in_group(group), self.group_stats(group))
        ]
        per_agent = [self.agent_conversations(username) for username in usernames]
        return [
            *per_group,
            *per_agent,
            self.bot_turns_due(),
            self.online_agents(),
            self.queue_timeouts(),
            self.outcome_log(),
            self.outcome_counts(),
            self.reason_counts(),
        ]
