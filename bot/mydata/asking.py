"""`mydata erase` asks once, saying what goes and what stays; the "Erase my data" button does
it. An admin does the same for another member at their request (`mydata erase NAME`), and the
erasure log keeps who did it and when."""

from __future__ import annotations

from bot.checks import Refusal
from bot.conversation import Reply
from bot.feature import Asked, Subject
from bot.guard import allowed
from bot.members import Role
from bot.mydata.erasing import erase, may_erase, pseudonym
from bot.mydata.queries import held_about
from bot.mydata.words import ask_to_erase, ask_to_erase_for, erased, erased_for
from bot.people import Unsure, named_person, which_one
from bot.turn import Turn, number_in
from bot.words import N_
from storage.models import Member

# Erasing someone else's data, at their request: declared on the buttons, and checked the same
# way when `mydata erase` is typed with a name.
FOR_OTHERS = (Role.ADMIN,)
NOT_ADMIN = N_("Only admins can erase someone else's data. Type mydata erase to erase your own.")


def find_member(turn: Turn, text: str) -> Member:
    """The member a button names by number, if their data is still here."""
    number = number_in(text)
    found = turn.db.get(Member, number) if number is not None else None
    if found is None or found.erased_at is not None:
        raise Refusal("I can't find that person any more. Nothing changed.")
    if found.id == turn.member.id:
        raise Refusal("To erase your own data, type mydata erase.")
    return found


A_MEMBER = Subject(find_member)


def ask(turn: Turn, asked: Asked) -> Reply:
    """`mydata erase`, or, for an admin, `mydata erase NAME`."""
    name = asked.text.strip()
    if not name:
        may_erase(turn.db, turn.settings, turn.member)
        held = held_about(turn.db, turn.member)
        return Reply(messages=(ask_to_erase(turn, held, pseudonym(turn.settings, turn.member.id)),))
    allowed(turn, FOR_OTHERS, None, "", NOT_ADMIN)
    target = named_person(turn, name)
    if target is None:
        raise Refusal("I can't find anyone called {name}. They may need to send me a message first.", name=name[:80])
    if isinstance(target, Unsure):
        return Reply(messages=(which_one(turn, target, "mydata.ask_for", ""),))
    if target.id == turn.member.id:
        raise Refusal("To erase your own data, type mydata erase.")
    return _ask_for(turn, target)


def ask_for(turn: Turn, asked: Asked) -> Reply:
    """The person chosen after "which one do you mean?"."""
    return _ask_for(turn, asked.subject)


def _ask_for(turn: Turn, target: Member) -> Reply:
    may_erase(turn.db, turn.settings, target)
    held = held_about(turn.db, target)
    return Reply(messages=(ask_to_erase_for(turn, target, held, pseudonym(turn.settings, target.id)),))


def erase_mine(turn: Turn, asked: Asked) -> Reply:
    if asked.value != str(turn.member.id):  # pressed again after the erasure, or forged
        raise Refusal("That button no longer works. Type mydata erase to start again.")
    kept_work = bool(held_about(turn.db, turn.member)["selections"])
    name = erase(turn.db, turn.settings, turn.member, turn.now)
    return turn.say(erased(turn._, name, kept_work))


def erase_theirs(turn: Turn, asked: Asked) -> Reply:
    target: Member = asked.subject
    was = target.display_name
    kept_work = bool(held_about(turn.db, target)["selections"])
    name = erase(turn.db, turn.settings, target, turn.now, by=turn.member)
    return turn.say(erased_for(turn._, was, name, kept_work))


def keep(turn: Turn, _asked: Asked) -> Reply:
    return turn.say(turn._("All right. Nothing was erased."))
