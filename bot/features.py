"""Every feature the bot has, in the order `guide` lists their commands. The `partnerbot`
command builds its bot from this list; a test may build one from fewer."""

from __future__ import annotations

from bot import (
    care,
    checkins,
    guide,
    linking,
    mydata,
    openings,
    privacy,
    profile,
    report,
    roles,
    sessions,
    undelivered,
)
from bot.feature import Feature

EVERY_FEATURE: tuple[Feature, ...] = (
    checkins.FEATURE,
    guide.FEATURE,
    openings.FEATURE,
    report.FEATURE,
    roles.FEATURE,
    profile.FEATURE,
    linking.FEATURE,
    sessions.FEATURE,
    undelivered.FEATURE,
    care.FEATURE,
    privacy.FEATURE,
    mydata.FEATURE,
)
