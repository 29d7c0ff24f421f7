"""The Discord adapter: translate.py (interactions to core events), render.py (core replies to
content, components and modals), poster.py (every Discord call that shows a message, for replies
and the outbox alike), app.py (discord.py's Client, its slash commands, and DiscordPlatform) and
sender.py (the outbox's Discord sender)."""
