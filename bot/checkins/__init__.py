"""Check-ins: scheduled prompts partners answer in one tap, with a safe route to a human."""

from bot.checkins import answering, delivery, home, manage
from bot.feature import Feature

FEATURE = Feature(
    "checkins",
    commands=(manage.COMMAND,),
    buttons=(manage.SUMMARY_BUTTON, *answering.BUTTONS),
    forms=(manage.EDIT_FORM, *answering.FORMS),
    scheduled=(delivery.tick,),
    home=(home.waiting, home.recent_alerts),
    suggestions={"checkin": manage.suggest_checkin},
)
