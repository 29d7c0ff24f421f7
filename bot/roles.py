"""`roles`: who holds which role, and granting or taking one away."""

from __future__ import annotations

from bot.checkins.words import also_a_partner
from bot.checks import Refusal
from bot.conversation import Field, Message
from bot.feature import Asked, ButtonSpec, CommandSpec, Feature, Verb
from bot.members import (
    ROLE_ORDER,
    Role,
    find_account,
    grant,
    lock_admins,
    members_with_role,
    revoke,
    role_from,
    role_name,
    role_name_plural,
    roles_of,
)
from bot.outbox import enqueue_dm
from bot.people import Unsure, named_person, which_one
from bot.turn import Reply, Turn, number_in
from bot.words import N_, translator
from storage.models import Member

CHANGERS = (Role.COORDINATOR, Role.ADMIN)
SUMMARY = N_("Shows who the staff, coordinators and admins are.")


def show(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    fields = []
    for role in reversed(ROLE_ORDER[1:]):
        names = ", ".join(m.display_name for m in members_with_role(turn.db, role))
        fields.append(Field(role_name_plural(_, role).capitalize(), (names or _("nobody yet"),)))
    hint = ()
    if turn.is_(*CHANGERS):
        hint = (" ", _("To change a role, type: roles grant NAME ROLE, or roles revoke NAME ROLE."))
    return turn.say(_("These people have a role here."), *hint, fields=tuple(fields))


def give(turn: Turn, asked: Asked) -> Reply:
    return _change(turn, asked.text, giving=True)


def take(turn: Turn, asked: Asked) -> Reply:
    return _change(turn, asked.text, giving=False)


def _change(turn: Turn, rest: str, giving: bool) -> Reply:
    words = rest.split()
    role = None
    if words:
        role = role_from(words[-1]) or role_from(words[0])
    if role is None or len(words) < 2:
        raise Refusal(
            "Please name a person and a role: partner, staff, coordinator or admin. For example: roles grant Sam coordinator."
        )
    _may_change(turn, role)
    name = " ".join(words[:-1] if role_from(words[-1]) == role else words[1:])
    target = named_person(turn, name, welcome=giving)
    if target is None:
        raise Refusal(
            "I can't find anyone called {name}. Try @ and their name, so the platform picks them.", name=name[:80]
        )
    if isinstance(target, Unsure):
        verb = "grant" if giving else "revoke"
        return Reply(messages=(which_one(turn, target, "roles.pick", f"{verb}:{role.value}"),))
    return _change_role(turn, target, role, giving)


def pick(turn: Turn, asked: Asked) -> Reply:
    """The person chosen after "which one do you mean?": the command goes on for them."""
    verb, _sep, word = asked.value.partition(":")
    role = role_from(word)
    number = number_in(asked.text)
    target = turn.db.get(Member, number) if number is not None else None
    if role is None or verb not in ("grant", "revoke"):
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    _may_change(turn, role)
    if target is None:
        raise Refusal("I can't find that person any more. Nothing changed.")
    return _change_role(turn, target, role, giving=verb == "grant")


def _may_change(turn: Turn, role: Role) -> None:
    """Only admins change who is an admin (coordinators, the other roles; see CHANGERS)."""
    if role is Role.ADMIN and not turn.is_(Role.ADMIN):
        raise Refusal("Only admins can change who is an admin.")


def _change_role(turn: Turn, target: Member, role: Role, giving: bool) -> Reply:
    _ = turn._
    assert target.id is not None
    _may_change(turn, role)
    admins: set[int] = set()
    if role is Role.ADMIN:
        admins = lock_admins(turn.db)
        if turn.member.id not in admins:  # removed by another admin a moment ago
            raise Refusal("You are no longer an admin, so nothing changed.")
    if giving:
        if not grant(turn.db, target.id, role, turn.member.id, turn.now):
            return turn.say(
                _(
                    "{name} already has the {role} role. Nothing changed.",
                    name=target.display_name,
                    role=role_name(_, role),
                )
            )
        if target.id == turn.member.id:  # no message about yourself, to yourself
            said = _("Done. You now have the {role} role.", role=role_name(_, role))
            also = also_a_partner(target, roles_of(turn.db, target.id))
            if also is None:
                return turn.say(said)
            return turn.say(said, " ", also[0], buttons=(also[1],))
        _tell(turn, target, role, giving=True)
        return turn.say(
            _(
                "Done. {name} now has the {role} role. I have let them know.",
                name=target.display_name,
                role=role_name(_, role),
            )
        )
    held = role in roles_of(turn.db, target.id)
    if held and role is Role.ADMIN:
        _keep_an_admin(turn, target, admins)
    if not held or not revoke(turn.db, target.id, role):
        return turn.say(
            _(
                "{name} does not have the {role} role. Nothing changed.",
                name=target.display_name,
                role=role_name(_, role),
            )
        )
    if target.id == turn.member.id:
        return turn.say(_("Done. You no longer have the {role} role.", role=role_name(_, role)))
    _tell(turn, target, role, giving=False)
    return turn.say(
        _(
            "Done. {name} no longer has the {role} role. I have let them know.",
            name=target.display_name,
            role=role_name(_, role),
        )
    )


def _keep_an_admin(turn: Turn, target: Member, admins: set[int]) -> None:
    configured = turn.settings.admin_accounts()
    for ref in configured:
        account = find_account(turn.db, ref)
        if account is not None and account.member_id == target.id:
            raise Refusal(
                "{name} is an admin through the ADMINS setting. Change that setting to remove them.",
                name=target.display_name,
            )
    if len(admins) <= 1:
        raise Refusal("{name} is the only admin. Make someone else an admin first.", name=target.display_name)


def _tell(turn: Turn, target: Member, role: Role, giving: bool) -> None:
    """A direct message to the person whose role changed, sent through the outbox."""
    assert target.id is not None
    _ = translator(target.language)
    if giving:
        words = _(
            "{by} gave you the {role} role. Type guide to see what you can do now.",
            by=turn.member.display_name,
            role=role_name(_, role),
        )
    else:
        words = _(
            "{by} removed your {role} role. Type guide to see what you can do now.",
            by=turn.member.display_name,
            role=role_name(_, role),
        )
    message = Message((words,))
    also = also_a_partner(target, roles_of(turn.db, target.id)) if giving else None
    if also is not None:
        message = Message((words, " ", also[0]), buttons=(also[1],))
    # No dedupe key: grant and revoke already change nothing twice, and a key made of the time
    # would swallow the message for a grant, revoke and grant again within one moment.
    enqueue_dm(turn.db, target.id, message, turn.now)


NOT_CHANGING = N_("Only coordinators and admins can change roles. Type roles to see who they are.")

FEATURE = Feature(
    "roles",
    commands=(
        CommandSpec(
            "roles",
            summary=SUMMARY,
            example="roles",
            verbs=(
                Verb("list", show, SUMMARY),
                Verb(
                    "grant",
                    give,
                    N_("Gives someone a role."),
                    CHANGERS,
                    argument="who",
                    hint=N_("A name or @mention, then the role, like Sam coordinator"),
                    example="roles grant Sam coordinator",
                    aliases=("give", "add"),
                ),
                Verb(
                    "revoke",
                    take,
                    N_("Takes a role away."),
                    CHANGERS,
                    argument="who",
                    hint=N_("A name or @mention, then the role, like Sam staff"),
                    example="roles revoke Sam staff",
                    aliases=("remove", "take"),
                ),
            ),
            default=("list",),
            refusal=NOT_CHANGING,
        ),
    ),
    buttons=(ButtonSpec("roles.pick", pick, CHANGERS, refusal=NOT_CHANGING),),
)
