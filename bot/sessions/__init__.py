"""Wellbeing sessions: scheduling, sign-ups with capacity and waitlist, reminders and calendar files."""

from bot.feature import Feature
from bot.sessions import delivery, home, manage, places

FEATURE = Feature(
    "sessions",
    commands=(manage.COMMAND,),
    buttons=manage.BUTTONS,
    forms=(*manage.FORMS, places.NOTE_FORM),
    scheduled=(delivery.tick,),
    home=(home.my_sessions, home.coming_up),
    suggestions={"session": manage.suggest_session},
)
