"""Check-ins: scheduled prompts partners answer in one tap, with a safe route to a human."""

from bot.checkins import answering, home, manage  # noqa: F401  (register commands, buttons, forms)
