"""Wellbeing sessions: scheduling, sign-ups with capacity and waitlist, reminders and calendar files.

Everyone lists what is coming up and their own places; coordinators schedule a session (once or
weekly), see who is coming, mark attendance.attendance, and move or cancel a session, telling everyone
signed up. What each verb, button and form does, and who may use it, is declared here.
"""

from __future__ import annotations

from bot.feature import ButtonSpec, CommandSpec, Feature, Verb
from bot.sessions import attendance, cancelling, delivery, home, listing, planning, seats
from bot.sessions.queries import A_PRESSED_SESSION, A_SESSION
from bot.sessions.rules import COORDINATORS
from bot.sessions.words import NOT_COORDINATOR
from bot.words import N_

THE_SESSION = N_("The session's number, like 1")


COMMAND = CommandSpec(
    "sessions",
    summary=N_("Lists wellbeing sessions with places left, and your own places."),
    example="sessions",
    verbs=(
        Verb("list", listing.upcoming, N_("Lists wellbeing sessions coming up.")),
        Verb("mine", listing.mine, N_("Shows the sessions you have a place in."), aliases=("my",)),
        Verb("show", seats.show, N_("Shows one session, to sign up or cancel."), (), A_SESSION, "session", THE_SESSION),
        Verb(
            "join",
            seats.sign_up,
            N_("Takes a place, or a place on the waitlist."),
            (),
            A_SESSION,
            "session",
            THE_SESSION,
            aliases=("signup",),
        ),
        Verb("leave", seats.give_up, N_("Gives up your place."), (), A_SESSION, "session", THE_SESSION),
        Verb(
            "calendar",
            seats.calendar,
            N_("Gives a calendar file for a session."),
            (),
            A_SESSION,
            "session",
            THE_SESSION,
            aliases=("ics",),
        ),
        Verb(
            "note",
            listing.note,
            N_("Tells the coordinator what would help you take part."),
            (),
            A_SESSION,
            "note",
            N_("The session's number, then your note, like 1 I use a wheelchair"),
        ),
        Verb("new", planning.new, N_("Schedules a wellbeing session."), COORDINATORS, example="sessions new"),
        Verb(
            "people",
            attendance.people,
            N_("Shows who has a place, the waitlist and their notes."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions people 1",
            aliases=("attendees",),
        ),
        Verb(
            "attendance",
            attendance.attendance,
            N_("Marks who came, once a session has started."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions attendance 1",
        ),
        Verb(
            "move",
            planning.move,
            N_("Moves a session to a new time. Everyone signed up is told."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions move 1",
        ),
        Verb(
            "cancel",
            cancelling.ask_to_cancel,
            N_("Cancels a session, or one week of a repeat. Everyone signed up is told."),
            COORDINATORS,
            A_SESSION,
            "session",
            THE_SESSION,
            example="sessions cancel 1",
            instead="leave",
        ),
    ),
    default=("list",),
    by_number="show",
    refusal=NOT_COORDINATOR,
)


BUTTONS = (
    ButtonSpec("session.signup", seats.sign_up, subject=A_PRESSED_SESSION),
    ButtonSpec("session.cancel", seats.give_up, subject=A_PRESSED_SESSION),
    ButtonSpec("session.signup_all", seats.sign_up_every_week, subject=A_PRESSED_SESSION),
    ButtonSpec("session.cancel_all", seats.give_up_every_week, subject=A_PRESSED_SESSION),
    ButtonSpec("session.show", seats.show, subject=A_PRESSED_SESSION),
    ButtonSpec("session.calendar", seats.calendar, subject=A_PRESSED_SESSION),
    ButtonSpec("session.people", attendance.people, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.facilitator", planning.choose_facilitator, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("session.drop", cancelling.ask_to_cancel, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.keep", cancelling.keep, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.drop_one", cancelling.drop_one, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
    ButtonSpec("session.drop_rest", cancelling.drop_rest, COORDINATORS, A_PRESSED_SESSION, NOT_COORDINATOR),
)

FEATURE = Feature(
    "sessions",
    commands=(COMMAND,),
    buttons=BUTTONS,
    forms=(planning.NEW_FORM, planning.MOVE_FORM, attendance.FORM, seats.NOTE_FORM),
    scheduled=(delivery.tick,),
    home=(home.my_sessions, home.coming_up),
    suggestions={"session": listing.suggest_session},
)
