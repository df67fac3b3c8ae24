"""Questions the bot answers from its knowledge, without a form or a handoff, so that a conversation stays
with the bot for any number of turns (load tests, the turn bench and profile). Written for these; not from
the evaluation sets. No imports: the Rasa environment reads it too."""

BOT_ONLY_TEXTS = ("你好", "信用卡年费怎么收", "怎么还款比较方便", "分期手续费是多少", "谢谢你")
