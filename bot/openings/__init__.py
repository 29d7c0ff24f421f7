"""Opportunity announcements: staff post openings, partners say they are interested, places go fairly."""

from bot.openings import closing, home, interest, manage  # noqa: F401  (register commands, buttons, forms, ticks)
