"""What the bot keeps and why, and each person's answer to it: "OK", or "No thanks".

Until someone says OK, the bot sends them nothing they did not ask for: no check-ins, no
invitations, no reminders. "No thanks" keeps only the fact of the refusal, so they are not asked
again; `privacy` shows the notice again at any time, with both answers.
"""

from __future__ import annotations

from sqlmodel import col, delete

from bot.checkins.words import also_a_partner
from bot.conversation import Button, Message, Reply
from bot.feature import Asked, ButtonSpec, CommandSpec, Feature
from bot.members import roles_of
from bot.outbox import drop_unsent
from bot.settings import Settings
from bot.turn import Turn
from bot.words import N_, translator
from storage.models import FormDraft, MemberInterest

DEFAULT_NOTICE = N_(
    "Hello! Before we start, here is what I keep and why. "
    "I keep your name, your chat account and the settings you choose, like your time zone. "
    "Later I also keep your check-in answers and what you sign up for. "
    "Coordinators use this to support you and to share work fairly. "
    "If you ask for someone to contact you, or a check-in answer is very low, I tell the coordinators your name. "
    "Nothing goes outside this service. "
    "Type profile to see your settings, and mydata to see or erase all I keep."
)
UNTIL_OK = N_("Until you press OK, I send you nothing you did not ask for.")


def notice_text(settings: Settings, language: str) -> str:
    """The notice: the service's own words (CONSENT_TEXT), or the default."""
    if settings.consent_text:
        return settings.consent_text
    return translator(language)(DEFAULT_NOTICE)


def notice(settings: Settings, language: str) -> Message:
    """The notice with its two answers, as first contact and `privacy` show it."""
    _ = translator(language)
    return Message(
        (notice_text(settings, language), " ", _(UNTIL_OK)),
        buttons=(Button(_("OK"), "consent.ok", style="primary"), Button(_("No thanks"), "consent.no")),
    )


def show(turn: Turn, _asked: Asked) -> Reply:
    """`privacy`: the notice again, and what this person said to it."""
    _ = turn._
    member = turn.member
    if member.consent_given_at is not None:
        said = turn.spans("You said OK on {when}.", when=turn.moment(member.consent_given_at))
    elif member.consent_refused_at is not None:
        said = turn.spans("You said no thanks on {when}.", when=turn.moment(member.consent_refused_at))
    else:
        said = (_("You have not answered yet."),)
    shown = notice(turn.settings, member.language)
    return Reply(messages=(Message((*shown.text, " ", *said), buttons=shown.buttons),))


def agree(turn: Turn, _asked: Asked) -> Reply:
    member = turn.member
    member.consent_given_at = turn.now
    member.consent_refused_at = None
    turn.db.add(member)
    thanks = turn._("Thank you. You can read this again, or change your mind, by typing privacy.")
    assert member.id is not None
    also = also_a_partner(member, roles_of(turn.db, member.id))
    if also is None:
        return turn.say(thanks)
    sentence, button = also
    return turn.say(thanks, " ", sentence, buttons=(button,))


def refuse(turn: Turn, _asked: Asked) -> Reply:
    """Keep only the fact of the refusal: nothing is sent to them, nothing they set is kept."""
    member = turn.member
    assert member.id is not None
    member.consent_refused_at = turn.now
    member.consent_given_at = None
    turn.db.add(member)
    turn.db.exec(delete(MemberInterest).where(col(MemberInterest.member_id) == member.id))
    turn.db.exec(delete(FormDraft).where(col(FormDraft.member_id) == member.id))
    drop_unsent(turn.db, member.id)
    return turn.say(
        turn._("Okay. I keep only that you said no thanks, so I don't ask again, and I send you nothing."),
        " ",
        turn._("To erase what you did before, type mydata erase. If you change your mind, type privacy."),
    )


FEATURE = Feature(
    "privacy",
    commands=(
        CommandSpec(
            "privacy",
            summary=N_("Shows what I keep and why, and lets you say OK or no thanks."),
            example="privacy",
            run=show,
            without_consent=True,
        ),
    ),
    buttons=(
        ButtonSpec("consent.ok", agree, without_consent=True),
        ButtonSpec("consent.no", refuse, without_consent=True),
    ),
)
