"""Who may do what, checked the same way for every way in: a typed verb, a button, a form's page
and its submission. Roles are the ones held now (read at the start of this turn), so a form
opened before a role was taken away is refused at its next page."""

from __future__ import annotations

from bot.checks import Refusal
from bot.feature import Asked, Subject
from bot.members import Role, role_name_plural
from bot.turn import Turn


def allowed(
    turn: Turn,
    roles: tuple[Role, ...],
    subject: Subject | None,
    text: str,
    refusal: str,
    what: str = "",
    without_consent: bool = False,
) -> Asked:
    """What was asked, with its subject found and allowed; or Refusal, and nothing changes.

    `what` names the command and verb ("sessions move") for the sentence that says who may
    use it; a button or a form says "that". `refusal` replaces the sentence when declared.
    Someone who said "No thanks" to what the bot keeps may use only what is `without_consent`.
    """
    if turn.member.consent_refused_at is not None and not without_consent:
        raise Refusal("You said no thanks to what I keep, so I can't do that. If you change your mind, type privacy.")
    if roles and not turn.is_(*roles):
        if refusal:
            raise Refusal(refusal)
        if what:
            raise Refusal(
                "Only {roles} can use {name}. Type guide to see what you can do.",
                roles=role_list(turn, roles),
                name=what,
            )
        raise Refusal("Only {roles} can do that. Type guide to see what you can do.", roles=role_list(turn, roles))
    if subject is None:
        return Asked(text=text)
    first, _sep, rest = text.strip().partition(" ")
    found = subject.find(turn, first)
    if subject.check is not None:
        subject.check(turn, found)
    return Asked(text=text, subject=found, rest=rest.strip())


def role_list(turn: Turn, roles: tuple[Role, ...]) -> str:
    """'coordinators', or 'staff and coordinators', in the reader's language."""
    names = [role_name_plural(turn._, r) for r in roles]
    if len(names) == 1:
        return names[0]
    return turn._("{first} and {last}", first=", ".join(names[:-1]), last=names[-1])
