"""One person, every platform: `link` joins a person's accounts on Slack, Discord and the console
into one member, with one profile, roles and history; `unlink` makes an account separate again.
Where direct messages go, when there are two platforms, is chosen in `profile`.

What each command does, and who may use it, is declared here.
"""

from __future__ import annotations

from bot.feature import CommandSpec, Feature, Verb
from bot.linking import accounts
from bot.words import N_

FEATURE = Feature(
    "linking",
    commands=(
        CommandSpec(
            "link",
            summary=N_("Joins your accounts on Slack and Discord, so you are one member with one profile."),
            example="link",
            verbs=(
                Verb("new", accounts.give_code, N_("Gives you a code to type on your other account.")),
                Verb(
                    "join",
                    accounts.use_code,
                    N_("Joins this account to your other one, with the code it gave you."),
                    argument="code",
                    hint=N_("The code from your other account, like K7P-4QD"),
                ),
            ),
            default=("new",),
            by_other="join",
        ),
        CommandSpec(
            "unlink",
            summary=N_("Makes this account separate from your other one again."),
            example="unlink",
            run=accounts.unlink,
        ),
    ),
    scheduled=(accounts.forget_old,),
)
