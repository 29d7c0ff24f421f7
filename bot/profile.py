"""`profile`: a member's own preferences. Each can be set by a short command or by the form,
and both go through the same checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot import checks
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Option, Reply, Span
from bot.feature import Asked, ButtonSpec, CommandSpec, Feature, FormSpec, Handler, Verb
from bot.forms import open_form
from bot.members import (
    ROLE_ORDER,
    Reach,
    accounts_of,
    home_account,
    interests_of,
    members_called,
    name_key,
    platform_name,
    platforms_of,
    role_name,
    set_interests,
)
from bot.openings.digest import DAY_WORDS, digest_when
from bot.openings.notices import invite_to_open
from bot.openings.rules import News
from bot.turn import Turn, matching
from bot.words import N_, as_typed, language_name, languages, translator
from storage.models import Member

# ---- the checks, shared by the form and the short commands --------------------------------


def check_name(turn: Turn, value: str) -> str:
    """A name nobody else here uses (case and spacing aside), so a command naming them finds one
    person. Keeping one's own name is always fine, even one the platform gave two people."""
    name = checks.clean_text(value, turn._("your name"), 80)
    if name_key(name) != name_key(turn.member.display_name) and members_called(
        turn.db, name, other_than=turn.member.id
    ):
        raise Refusal(
            "Someone here already uses the name {name}. Please add something, like an initial.", name=name
        )
    return name


def check_zone(turn: Turn, value: str) -> str:
    return checks.time_zone(value)


def check_quiet(turn: Turn, value: str) -> str:
    hours = checks.quiet_hours(value)
    return checks.format_quiet_hours(*hours) if hours else ""


def check_interests(turn: Turn, value: str) -> str:
    if value.strip().lower() in ("none", "no", "off"):
        return ""
    return ", ".join(checks.interest_tags(value))


def check_language(turn: Turn, value: str) -> str:
    """A language by its code or by its own name: "fr" or "français"."""
    typed = value.strip().casefold()
    for code in languages():
        if typed in (code, language_name(code).casefold()):
            return code
    spoken = ", ".join(f"{language_name(code)} ({code})" for code in languages())
    raise Refusal("I can speak: {codes}. Please choose one of those.", codes=spoken)


def check_messages(turn: Turn, value: str) -> str:
    """One of the platforms this member has an account on: where their messages go."""
    mine = platforms_of(turn.db, turn.member.id)
    if len(mine) < 2:
        raise Refusal("Your messages go to your only account. To add another, type link there.")
    wanted = value.strip().lower()
    for platform in mine:
        if wanted in (platform, platform_name(turn._, platform).lower()):
            return platform
    names = ", ".join(platform_name(turn._, p) for p in mine)
    raise Refusal("You have accounts on {platforms}. Please choose one of those.", platforms=names)


# What people may type for each way of hearing about openings.
_NEWS_WORDS = {
    "each": News.EACH,
    "each one": News.EACH,
    "at once": News.EACH,
    "all": News.EACH,
    "weekly": News.WEEKLY,
    "week": News.WEEKLY,
    "digest": News.WEEKLY,
    "weekly digest": News.WEEKLY,
    "none": News.NONE,
    "no": News.NONE,
    "off": News.NONE,
}


def check_openings_news(turn: Turn, value: str) -> str:
    """Each opening at once, a weekly digest, or none."""
    found = _NEWS_WORDS.get(" ".join(value.strip().lower().split()))
    if found is None:
        raise Refusal("Please choose each, weekly or none. For example: profile openings weekly.")
    return found.value


def check_pause(turn: Turn, value: str) -> str:
    """A future time as ISO text (the form has already read the words), or '' for no pause."""
    if not value:
        return ""
    at = datetime.fromisoformat(value)
    if at <= turn.now:
        raise Refusal("That time has passed. Please give a time in the future, like 'next Monday 9am'.")
    return value


# ---- applying them -------------------------------------------------------------------------


def apply(turn: Turn, values: dict[str, str]) -> None:
    member = turn.member
    assert member.id is not None
    if "name" in values and values["name"] != member.display_name:
        member.display_name = values["name"]
        member.name_changed_at = turn.now
    if "timezone" in values:
        member.timezone = values["timezone"]
    if "quiet" in values:
        hours = checks.quiet_hours(values["quiet"])
        member.quiet_start, member.quiet_end = hours if hours else (None, None)
    added: set[str] = set()
    if "interests" in values:
        before = set(interests_of(turn.db, member.id))
        held = checks.interest_tags(values["interests"])
        set_interests(turn.db, member.id, held)
        added = set(held) - before
    if "language" in values:
        member.language = values["language"]
        turn._ = translator(member.language)  # the answer comes in the language just chosen
    if "messages" in values:
        member.dm_platform = values["messages"] or None
    if "openings" in values:
        member.openings_news = values["openings"]
    if "paused_until" in values:
        member.paused_until = (
            datetime.fromisoformat(values["paused_until"]) if values["paused_until"] else None
        )
    turn.db.add(member)
    turn.db.flush()
    # An opening still open that matches a new interest is sent to them, as at posting.
    invite_to_open(turn.db, member.id, added, turn.now)


# ---- showing ---------------------------------------------------------------------------------


def profile_view(turn: Turn, lead: str | None = None) -> Reply:
    _ = turn._
    member = turn.member
    assert member.id is not None
    paused: tuple = (_("no"),)
    if member.paused_until and member.paused_until >= checks.UNTIL_RESUMED:
        paused = (_("until you type resume"),)
    elif member.paused_until and member.paused_until > turn.now:
        paused = turn.spans("until {when}", when=turn.moment(member.paused_until))
    quiet = checks.format_quiet_hours(member.quiet_start, member.quiet_end)
    fields = (
        Field(_("Name"), (member.display_name,)),
        Field(_("Time zone"), (member.timezone,)),
        Field(_("Quiet hours"), (quiet or _("none"),)),
        Field(_("Interests"), (", ".join(interests_of(turn.db, member.id)) or _("none yet"),)),
        Field(_("Openings"), (_news_words(turn),)),
        Field(_("Language"), (language_name(member.language),)),
        Field(_("Messages paused"), paused),
        Field(_("Check-ins"), _checkins_state(turn)),
        Field(_("Roles"), (", ".join(role_name(_, r) for r in ROLE_ORDER if r in turn.roles),)),
        *_messages_go_to(turn),
    )
    pause_button = (
        Button(_("Resume messages"), "profile.resume")
        if member.paused_until and member.paused_until > turn.now
        else Button(_("Pause for a week"), "profile.pause_week")
    )
    return turn.say(
        lead or _("Your profile. Only you and the coordinators can see it."),
        fields=fields,
        buttons=(Button(_("Edit my profile"), "profile.edit", style="primary"), pause_button),
    )




def _news_words(turn: Turn) -> str:
    """How they hear of openings that match their interests, in words."""
    _ = turn._
    if turn.member.openings_news == News.WEEKLY:
        day, at = digest_when(turn.db, turn.settings)
        when = _(DAY_WORDS[day], time=at)
        return _("a weekly digest, {when}", when=when)
    if turn.member.openings_news == News.NONE:
        return _("no messages. Type openings to see them")
    return _("each one, as it is posted")


def _messages_go_to(turn: Turn) -> tuple[Field, ...]:
    """With accounts on two platforms: the one direct messages go to."""
    accounts = accounts_of(turn.db, turn.member.id)  # read once, for both questions
    if len(platforms_of(turn.db, turn.member.id, accounts)) < 2:
        return ()
    return (Field(turn._("Messages go to"), (platform_name(turn._, _messages_platform(turn, accounts)),)),)


def _messages_platform(turn: Turn, accounts: list[Reach]) -> str:
    """Where messages go now: the platform chosen, else the one used most recently."""
    assert turn.member.id is not None
    if turn.member.dm_platform:
        return turn.member.dm_platform
    account = home_account(turn.db, turn.member.id, accounts)
    return account.platform if account is not None else ""


def _checkins_state(turn: Turn) -> tuple[Span, ...]:
    member = turn.member
    if member.checkins_off:
        return (turn._("off. Type checkin on to get them again"),)
    if member.checkins_paused_until and member.checkins_paused_until > turn.now:
        return turn.spans("paused until {when}", when=turn.moment(member.checkins_paused_until))
    return (turn._("on"),)


# ---- the command ----------------------------------------------------------------------------

# What to type, for someone who names a setting but gives no value.
_EXAMPLES = {
    "name": "profile name Sam",
    "timezone": "profile timezone Europe/London",
    "quiet": "profile quiet 22:00-08:00 (or profile quiet none)",
    "interests": "profile interests pain, research (or profile interests none to clear them)",
    "language": "profile language en",
    "messages": "profile messages discord",
    "openings": "profile openings weekly (or each, or none)",
}


def setting(key: str, check: Callable[[Turn, str], str]) -> Handler:
    """A verb that sets one setting from the words after it, with the form's own check."""

    def set_it(turn: Turn, asked: Asked) -> Reply:
        if not asked.text:
            # Never clear a setting by accident: "profile quiet" alone must not end quiet hours.
            raise Refusal("What should it be? For example: {example}.", example=_EXAMPLES[key])
        apply(turn, {key: check(turn, asked.text)})
        return profile_view(turn, turn._("Saved."))

    return set_it


def show(turn: Turn, _asked: Asked) -> Reply:
    return profile_view(turn)


def edit(turn: Turn, _asked: Asked) -> Reply:
    return open_form(turn, "profile.edit")


def pause(turn: Turn, asked: Asked) -> Reply:
    """`pause` (a week), `pause 2 weeks`, `pause until Monday`, `pause next Friday 5pm`."""
    if not asked.text:
        return pause_week(turn, asked)
    at = checks.pause_end(asked.text, turn.member.timezone, turn.now, turn.member.language)
    apply(turn, {"paused_until": check_pause(turn, at.isoformat())})
    return _paused(turn)


def stop(turn: Turn, _asked: Asked) -> Reply:
    """`stop`: every message paused until the person types resume."""
    apply(turn, {"paused_until": checks.UNTIL_RESUMED.isoformat()})
    return _paused(turn)


def _paused(turn: Turn) -> Reply:
    assert turn.member.paused_until is not None
    if turn.member.paused_until >= checks.UNTIL_RESUMED:
        return turn.say(turn._("Messages are paused until you type resume. Take the time you need."))
    return turn.say(
        *turn.spans(
            "Messages are paused until {when}. Take the time you need. Type resume to start again sooner.",
            when=turn.moment(turn.member.paused_until),
        )
    )


def pause_week(turn: Turn, _asked: Asked) -> Reply:
    apply(turn, {"paused_until": (turn.now + timedelta(days=7)).isoformat()})
    return _paused(turn)


def resume(turn: Turn, _asked: Asked) -> Reply:
    apply(turn, {"paused_until": ""})
    return profile_view(turn, turn._("Welcome back. Messages are on again."))


# ---- the form -------------------------------------------------------------------------------


def _fields(turn: Turn, _asked: Asked) -> list[FormField]:
    _ = turn._
    member = turn.member
    assert member.id is not None
    return [
        FormField("name", _("Name"), "short", max_length=80, initial=member.display_name),
        FormField(
            "timezone",
            _("Time zone"),
            "short",
            max_length=64,
            initial=member.timezone,
            hint=_("For example Europe/London"),
        ),
        FormField(
            "quiet",
            _("Quiet hours"),
            "short",
            required=False,
            max_length=20,
            initial=checks.format_quiet_hours(member.quiet_start, member.quiet_end),
            hint=_("No messages then. For example 22:00-08:00"),
        ),
        FormField(
            "interests",
            _("Interests"),
            "long",
            required=False,
            max_length=600,
            initial=", ".join(interests_of(turn.db, member.id)),
            hint=_("Separate them with commas"),
        ),
        FormField(
            "language",
            _("Language"),
            "choice",
            choices=tuple(Option(language_name(code), code) for code in languages()),
            initial=member.language,
        ),
        FormField(
            "paused_until",
            _("Pause messages until"),
            "datetime",
            required=False,
            max_length=60,
            # Offered as it stands, so saving the form for another change keeps a pause.
            initial=_pause_as_typed(member, turn.now),
            hint=_("Leave empty to get messages. For example: next Monday 9am"),
        ),
        *_messages_field(turn),
        FormField(
            "openings",
            _("Openings that match my interests"),
            "choice",
            choices=(
                Option(_("Each one, as it is posted"), News.EACH.value),
                Option(_("A weekly digest"), News.WEEKLY.value),
                Option(_("No messages"), News.NONE.value),
            ),
            initial=member.openings_news,
        ),
    ]


def _messages_field(turn: Turn) -> list[FormField]:
    """With accounts on two platforms, where messages go: a choice of those."""
    accounts = accounts_of(turn.db, turn.member.id)
    mine = platforms_of(turn.db, turn.member.id, accounts)
    if len(mine) < 2:
        return []
    choices = tuple(Option(platform_name(turn._, p), p) for p in mine)
    initial = _messages_platform(turn, accounts)
    return [FormField("messages", turn._("Messages go to"), "choice", choices=choices, initial=initial)]


def _pause_as_typed(member: Member, now: datetime) -> str:
    """A current pause written as a person would type it, in their zone: '1 Dec 2026 14:00'."""
    if member.paused_until is None or member.paused_until <= now:
        return ""
    return as_typed(member.paused_until, member.timezone, member.language)


def _submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    apply(turn, values)
    return profile_view(turn, turn._("Saved. Here is your profile now."))


# ---- suggestions as someone types ------------------------------------------------------------

def suggest_zone(turn: Turn, typed: str) -> list[Option]:
    """Time zones holding what was typed ("london", "new york"); their own and the service's
    first when nothing is typed yet."""
    if not typed:
        first = dict.fromkeys([turn.member.timezone, turn.settings.default_timezone])
        return [Option(zone, zone) for zone in first]
    wanted = typed.replace(" ", "_")
    return matching([Option(zone, zone) for zone in sorted(checks.time_zone_names())], wanted)


def suggest_language(turn: Turn, typed: str) -> list[Option]:
    return matching([Option(f"{language_name(code)} ({code})", code) for code in languages()], typed)


FEATURE = Feature(
    "profile",
    commands=(
        CommandSpec(
            "profile",
            summary=N_("Shows your settings. You can change your time zone, quiet hours, interests and more."),
            example="profile timezone Europe/London",
            verbs=(
                Verb("show", show, N_("Shows your settings.")),
                Verb("edit", edit, N_("Changes your settings in one form.")),
                Verb(
                    "name",
                    setting("name", check_name),
                    N_("Changes the name others see."),
                    argument="name",
                    hint=N_("Your name, like Sam"),
                ),
                Verb(
                    "timezone",
                    setting("timezone", check_zone),
                    N_("Sets your time zone, so times are your own."),
                    argument="timezone",
                    hint=N_("A place's time zone, like Europe/London"),
                    aliases=("zone", "tz"),
                ),
                Verb(
                    "quiet",
                    setting("quiet", check_quiet),
                    N_("Sets hours when I send you nothing."),
                    argument="quiet",
                    hint=N_("Like 22:00-08:00, or none"),
                ),
                Verb(
                    "interests",
                    setting("interests", check_interests),
                    N_("Sets the topics you want to hear about."),
                    argument="interests",
                    hint=N_("Like pain, research, or none"),
                ),
                Verb(
                    "openings",
                    setting("openings", check_openings_news),
                    N_("Chooses how you hear of openings: each one, a weekly digest, or none."),
                    argument="news",
                    hint=N_("each, weekly or none"),
                ),
                Verb(
                    "language",
                    setting("language", check_language),
                    N_("Sets the language I write in."),
                    argument="language",
                    hint=N_("Like en"),
                ),
                Verb(
                    "pause",
                    pause,
                    N_("Pauses all my messages for a while."),
                    argument="until",
                    hint=N_("Until when, like next Monday 9am"),
                ),
                Verb("resume", resume, N_("Starts my messages again.")),
                Verb(
                    "messages",
                    setting("messages", check_messages),
                    N_("Chooses where my messages go, when I have accounts on Slack and Discord."),
                    argument="platform",
                    hint=N_("Like slack or discord"),
                ),
            ),
            default=("show",),
        ),
        # The words people use for a break, as they type them: no need to know `profile`.
        CommandSpec(
            "pause",
            summary=N_("Pauses all my messages: for a week, or as long as you say."),
            example="pause 2 weeks",
            run=pause,
        ),
        CommandSpec("resume", summary=N_("Starts my messages again."), example="resume", run=resume),
        CommandSpec(
            "stop",
            summary=N_("Pauses all my messages until you type resume."),
            example="stop",
            run=stop,
        ),
    ),
    buttons=(
        ButtonSpec("profile.show", show),
        ButtonSpec("profile.pause_week", pause_week),
        ButtonSpec("profile.resume", resume),
    ),
    forms=(
        FormSpec(
            name="profile.edit",
            title=lambda turn: turn._("Edit your profile"),
            fields=_fields,
            checks={
                "name": check_name,
                "timezone": check_zone,
                "quiet": check_quiet,
                "interests": check_interests,
                "language": check_language,
                "paused_until": check_pause,
                "messages": check_messages,
                "openings": check_openings_news,
            },
            submit=_submit,
            submit_label=lambda turn: turn._("Save"),
        ),
    ),
    suggestions={"timezone": suggest_zone, "language": suggest_language},
)
