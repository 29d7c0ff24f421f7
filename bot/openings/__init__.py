"""Opportunity announcements: staff post openings, partners say they are interested, places go fairly."""

from bot.feature import Feature
from bot.openings import choosing, closing, home, interest, manage

FEATURE = Feature(
    "openings",
    commands=(manage.COMMAND,),
    buttons=(*manage.BUTTONS, *interest.BUTTONS),
    forms=(manage.NEW_FORM, interest.NOTE_FORM, choosing.SELECT_FORM),
    scheduled=(closing.close_due,),
    home=(home.open_to_me, home.my_interest, home.my_openings),
    suggestions={"opening": manage.suggest_opening},
)
