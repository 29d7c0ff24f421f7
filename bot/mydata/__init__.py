"""My data: a member sees everything the bot holds about them and gets it as files (`mydata`),
erases it (`mydata erase`: asked once, then done in one transaction, keeping only the record of
paid work under a pseudonym), or leaves (`leave`: no more messages, at once). An admin erases
another member's data at their request, and the erasure log keeps who and when. The scheduled
work deletes check-in answers, notes and alert notes after RETENTION_DAYS.

What each command and button does, and who may use it, is declared here.
"""

from __future__ import annotations

from bot.feature import ButtonSpec, CommandSpec, Feature, Verb
from bot.mydata import asking, leaving, retention, showing
from bot.words import N_

SHOW = N_("Shows everything I keep about you, and sends it to you as a file.")

FEATURE = Feature(
    "mydata",
    commands=(
        CommandSpec(
            "mydata",
            summary=SHOW,
            example="mydata",
            verbs=(
                Verb("show", showing.show, SHOW, example="mydata"),
                Verb(
                    "erase",
                    asking.ask,
                    N_("Erases your data. I ask you first. An admin can add a name, when someone asks them to."),
                    argument="who",
                    hint=N_("Leave empty for your own data. An admin can type a name."),
                    example="mydata erase",
                    aliases=("delete",),
                ),
            ),
            default=("show",),
            without_consent=True,  # after a "no thanks", still theirs to see and erase
        ),
        CommandSpec(
            "leave",
            summary=N_("Stops all my messages to you at once. I can also erase your data."),
            example="leave",
            run=leaving.leave,
            without_consent=True,
        ),
    ),
    buttons=(
        ButtonSpec("mydata.erase", asking.erase_mine, without_consent=True),
        ButtonSpec("mydata.keep", asking.keep, without_consent=True),
        ButtonSpec("mydata.ask_for", asking.ask_for, asking.FOR_OTHERS, asking.A_MEMBER, asking.NOT_ADMIN),
        ButtonSpec("mydata.erase_member", asking.erase_theirs, asking.FOR_OTHERS, asking.A_MEMBER, asking.NOT_ADMIN),
    ),
    scheduled=(retention.forget_old,),
)
