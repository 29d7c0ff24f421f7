"""Opportunity announcements: staff post openings, partners say they are interested, places go fairly.

Everyone sees what is open; staff and coordinators post, review, close and cancel openings, and
export the involvement record (only their own, while they are staff; coordinators any).
What each verb, button and form does, and who may use it, is declared here.
"""

from __future__ import annotations

from bot.feature import ButtonSpec, CommandSpec, Feature, Subject, Verb
from bot.openings import (
    choosing,
    closing,
    digest,
    expenses,
    export,
    home,
    hours,
    interest,
    manage,
    mywork,
    payments,
)
from bot.openings.queries import A_PRESSED_OPENING, AN_OPENING, find_for, pressed
from bot.openings.rules import NOT_CHOOSING, NOT_SEEN, NOT_YOURS, STAFF_ROLES, managed
from bot.words import N_

THE_OPENING = N_("The opening's number, like 1")

COMMAND = CommandSpec(
    "openings",
    summary=N_("Lists open openings, so you can say you're interested."),
    example="openings",
    verbs=(
        Verb("list", manage.list_openings, N_("Lists open openings.")),
        Verb(
            "show",
            manage.show,
            N_("Shows an opening in full."),
            subject=AN_OPENING,
            argument="opening",
            hint=THE_OPENING,
            aliases=("details",),
        ),
        Verb("new", manage.new, N_("Posts an opening for partners."), STAFF_ROLES, example="openings new", refusal=manage.NOT_STAFF),
        Verb(
            "review",
            choosing.review_typed,
            N_("Shows who is interested, least involved first, so you can choose fairly."),
            STAFF_ROLES,
            Subject(find_for, managed(NOT_SEEN)),
            argument="opening",
            hint=THE_OPENING,
            example="openings review 1",
            refusal=NOT_SEEN,
        ),
        Verb(
            "edit",
            manage.edit,
            N_("Changes an opening you posted. The announcement shows the changes."),
            STAFF_ROLES,
            Subject(find_for, managed(manage.NOT_EDITING)),
            argument="opening",
            hint=THE_OPENING,
            example="openings edit 1",
            refusal=manage.NOT_EDITING,
        ),
        Verb(
            "close",
            closing.close_by_hand,
            N_("Closes an opening and thanks those not selected."),
            STAFF_ROLES,
            Subject(find_for, managed(NOT_YOURS)),
            argument="opening",
            hint=THE_OPENING,
            example="openings close 1",
            refusal=NOT_YOURS,
        ),
        Verb(
            "cancel",
            closing.cancel_by_hand,
            N_("Cancels an opening and tells everyone interested."),
            STAFF_ROLES,
            Subject(find_for, managed(NOT_YOURS)),
            argument="opening",
            hint=THE_OPENING,
            example="openings cancel 1",
            refusal=NOT_YOURS,
        ),
        Verb(
            "export",
            export.export,
            N_("Gives who took part and when, as a file for payments."),
            STAFF_ROLES,  # staff: their own openings only
            argument="dates",
            hint=N_("From and to, like 2026-11-01 2026-11-30"),
            example="openings export 2026-11-01 2026-11-30",
            refusal=N_("Only staff and coordinators can export the involvement record."),
        ),
        Verb(
            "hours",
            hours.confirm_typed,
            N_("Confirms the hours each partner gave, after the work."),
            STAFF_ROLES,
            Subject(find_for, managed(hours.NOT_PAYING)),
            argument="opening",
            hint=THE_OPENING,
            refusal=hours.NOT_PAYING,
        ),
        Verb(
            "expenses",
            expenses.claims_typed,
            N_("Shows the expenses claimed for an opening, with their receipts."),
            STAFF_ROLES,
            Subject(find_for, managed(hours.NOT_PAYING)),
            argument="opening",
            hint=THE_OPENING,
            refusal=hours.NOT_PAYING,
        ),
        payments.VERB,
        Verb(
            "digest",
            digest.digest_setting,
            N_("Shows or sets the day and time of the weekly digest of openings."),
            manage.COORDINATORS,
            argument="when",
            hint=N_("A day and a time, like monday 09:00"),
            example="openings digest monday 09:00",
        ),
    ),
    default=("list",),
)

BUTTONS = (
    ButtonSpec("opening.details", manage.show, subject=A_PRESSED_OPENING),
    ButtonSpec(
        "opening.review", choosing.review_pressed, STAFF_ROLES, Subject(pressed, managed(NOT_SEEN)), NOT_SEEN
    ),
    ButtonSpec(
        "opening.close", closing.close_by_hand, STAFF_ROLES, Subject(pressed, managed(NOT_YOURS)), NOT_YOURS
    ),
    ButtonSpec(
        "opening.unselect", choosing.unselect, STAFF_ROLES, Subject(pressed, managed(NOT_CHOOSING)), NOT_CHOOSING
    ),
)

FEATURE = Feature(
    "openings",
    commands=(COMMAND, mywork.COMMAND),
    buttons=(*BUTTONS, *interest.BUTTONS, *hours.BUTTONS, *expenses.BUTTONS, *payments.BUTTONS),
    forms=(
        manage.NEW_FORM,
        manage.EDIT_FORM,
        interest.NOTE_FORM,
        choosing.SELECT_FORM,
        hours.HOURS_FORM,
        expenses.CLAIM_FORM,
        expenses.DECLINE_FORM,
    ),
    scheduled=(closing.close_due, digest.send_digests, hours.ask_for_hours),
    home=(home.open_to_me, home.my_interest, home.my_openings),
    suggestions={"opening": manage.suggest_opening},
)
