"""Wellbeing sessions: scheduling, sign-ups with capacity and waitlist, reminders and calendar files."""

from bot.sessions import delivery, home, manage, places  # noqa: F401  (register commands, buttons, forms, work)
