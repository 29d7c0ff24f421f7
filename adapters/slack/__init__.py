"""The Slack adapter: translate.py (payloads to core events), render.py (core replies to Block Kit),
poster.py (every Slack call that shows something, for replies and the outbox alike), app.py
(slack-bolt's AsyncApp, Socket Mode or HTTP, and SlackPlatform) and sender.py (the outbox's Slack
sender)."""
