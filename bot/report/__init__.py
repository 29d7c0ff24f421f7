"""`report PERIOD`, for coordinators: how the community is doing over a stretch of time, as
charts and one CSV file (check-ins, wellbeing sessions, openings, and how fairly openings went).
What each number means: bot/report/numbers.py and docs/reports.md."""

from __future__ import annotations

from bot.feature import CommandSpec, Feature
from bot.members import Role
from bot.report import building
from bot.words import N_

COORDINATORS = (Role.COORDINATOR,)

FEATURE = Feature(
    "report",
    commands=(
        CommandSpec(
            "report",
            summary=N_("Sends charts and a CSV file of how things went."),
            example="report last 3 months",
            run=building.report,
            roles=COORDINATORS,
            argument="period",
            hint=N_("A period, like last 3 months, or 1 Sep to 30 Nov."),
        ),
    ),
)
