"""Check-ins: scheduled prompts partners answer in one tap, with a safe route to a human.

Coordinators create, list, pause, edit, send and delete check-ins and read summaries; partners
answer, add a note, skip or pause, see their own answers and turn check-ins back on. What each
verb, button and form does, and who may use it, is declared here.
"""

from __future__ import annotations

from bot.checkins import answering, building, delivery, home, manage
from bot.feature import ButtonSpec, CommandSpec, Feature, Subject, Verb
from bot.words import N_

THE_CHECKIN = N_("The check-in's number, like 1")

COMMAND = CommandSpec(
    "checkin",
    summary=N_("Shows your past check-in answers. Type checkin on to get check-ins again after a pause."),
    example="checkin history",
    verbs=(
        Verb("history", manage.history, N_("Shows your past check-in answers."), aliases=("mine",)),
        Verb("on", manage.turn_on, N_("Turns your check-ins back on after a pause."), aliases=("resume-mine",)),
        Verb("new", manage.new, N_("Creates a check-in."), manage.COORDINATORS, example="checkin new"),
        Verb(
            "questions",
            building.questions,
            N_("Helps you write a check-in's questions: a ready set, or one at a time."),
            manage.COORDINATORS,
            example="checkin questions",
            aliases=("build",),
        ),
        Verb(
            "list",
            manage.list_checkins,
            N_("Lists check-ins, to send, pause, edit or delete them."),
            manage.COORDINATORS,
            example="checkin list",
        ),
        Verb(
            "summary",
            manage.summary,
            N_("Shows the latest summary of a check-in."),
            manage.COORDINATORS,
            manage.A_CHECKIN,
            argument="checkin",
            hint=THE_CHECKIN,
            example="checkin summary 1",
        ),
        Verb("send", manage.send, N_("Sends a check-in now."), manage.COORDINATORS, manage.A_CHECKIN, "checkin", THE_CHECKIN),
        Verb("pause", manage.pause_it, N_("Pauses a check-in."), manage.COORDINATORS, manage.A_CHECKIN, "checkin", THE_CHECKIN),
        Verb(
            "resume",
            manage.resume_it,
            N_("Starts a paused check-in again."),
            manage.COORDINATORS,
            manage.A_CHECKIN,
            "checkin",
            THE_CHECKIN,
        ),
        Verb("edit", manage.edit, N_("Changes a check-in."), manage.COORDINATORS, manage.A_CHECKIN, "checkin", THE_CHECKIN),
        Verb("delete", manage.delete, N_("Deletes a check-in."), manage.COORDINATORS, manage.A_CHECKIN, "checkin", THE_CHECKIN),
    ),
    # With nothing after it: the list for coordinators, else one's own answers.
    default=("list", "history"),
    refusal=manage.NOT_COORDINATOR,
)

SUMMARY_BUTTON = ButtonSpec("checkin.summary", manage.summary_button, manage.COORDINATORS, Subject(manage.run_named), manage.NOT_COORDINATOR)

FEATURE = Feature(
    "checkins",
    commands=(COMMAND,),
    buttons=(SUMMARY_BUTTON, *answering.BUTTONS, *building.BUTTONS),
    forms=(manage.EDIT_FORM, building.QUESTION, *answering.FORMS),
    scheduled=(delivery.tick,),
    home=(home.waiting, home.recent_alerts),
    suggestions={"checkin": manage.suggest_checkin},
)
