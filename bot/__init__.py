"""The platform-neutral core: members, conversations, words, the outbox and scheduling.

Nothing here knows about Slack, Discord or the terminal.
"""
