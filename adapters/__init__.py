"""Adapters: the console, Slack and Discord. They translate; the core decides."""
