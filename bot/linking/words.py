"""What people read about linking their accounts."""

from __future__ import annotations

from bot.words import N_

CODE_GIVEN = N_("Type this code on your other account within 10 minutes: link {code}")
CODE_BEFORE = N_("This makes your two accounts one member, with one profile. A new code replaces the old one.")
WRONG = N_("That code doesn't work. Check it, or type link on your other account for a new one.")
TOO_MANY = N_("Too many tries. Try again in an hour.")
OLD = N_("That code is more than 10 minutes old. Type link on your other account for a new one.")
USED = N_("That code was used already. Type link on your other account for a new one.")
OWN = N_("That code is from this account. Type it on your other account instead.")
ALREADY = N_("These accounts are linked already. Type profile to see your settings.")
NOT_A_CODE = N_("Please type the code from your other account, like this: link K7P-4QD")
LINKED = N_("Done. Your accounts are linked. You are one member now, with one profile.")
KEPT = N_("I kept the settings you had on {platform}, as they are older. Your roles and history from both are kept.")
ONLY_ONE = N_("You have only this account here, so there is nothing to unlink.")
UNLINKED = N_("Done. This account is on its own now, with a copy of your settings.")
HISTORY_STAYS = N_("Your history, sign-ups and roles other than partner stay with your account on {platform}.")
TOLD = N_("Your account on {platform} is now linked to this one. If that wasn't you, please tell a coordinator.")
