"""`checkin`: coordinators create, list, pause, edit, send and delete check-ins and read
summaries; partners see their own answers and turn check-ins back on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import col, select

from bot import checks
from bot.checkins.building import forget, initial_questions
from bot.checkins.delivery import advance, audience, one_off_period, schedule_of, start_run
from bot.checkins.rules import (
    Prompt,
    Visibility,
    has_scale,
    next_send,
    questions_as_text,
    read_questions,
    read_schedule,
    schedule_as_text,
)
from bot.checkins.summary import Figures, figures, latest_summary
from bot.checkins.words import summary_message
from bot.checks import Refusal
from bot.conversation import Button, Field, FormField, Option, Reply, Span
from bot.feature import Asked, FormSpec, Subject
from bot.forms import open_form
from bot.members import Role
from bot.turn import Turn, matching, number_in
from bot.words import N_
from storage.models import CheckIn, CheckInAnswer, CheckInPrompt, CheckInRun

COORDINATORS = (Role.COORDINATOR,)


def new(turn: Turn, _asked: Asked) -> Reply:
    return open_form(turn, "checkin.edit")


def edit(turn: Turn, asked: Asked) -> Reply:
    return open_form(turn, f"checkin.edit:{asked.subject.id}")


def pause_it(turn: Turn, asked: Asked) -> Reply:
    return pause(turn, asked.subject, paused=True)


def resume_it(turn: Turn, asked: Asked) -> Reply:
    return pause(turn, asked.subject, paused=False)


def find(turn: Turn, text: str) -> CheckIn:
    """The check-in "1" or "#1" names, as the list shows them; not one deleted."""
    number = number_in(text)
    found = turn.db.get(CheckIn, number) if number is not None else None
    if found is None or found.deleted_at is not None:
        raise Refusal("Which check-in? Type its number, like 1. Type checkin list to see them.")
    return found


A_CHECKIN = Subject(find)


def describe(turn: Turn, checkin: CheckIn) -> str:
    _ = turn._
    when = schedule_as_text(schedule_of(checkin), _) if checkin.schedule != "once" else _("sent once")
    if checkin.schedule != "once" and not checkin.fixed_zone:
        when += " " + _("(each partner's own time)")
    parts = [when]
    parts.append(", ".join(checkin.audience_tags) if checkin.audience_tags else _("all partners"))
    parts.append(_("window {hours} h", hours=_hours(checkin.window_minutes)))
    parts.append(
        {
            Visibility.NAMED: _("answers by name"),
            Visibility.TOTALS: _("totals only"),
            Visibility.ANONYMOUS: _("anonymous"),
        }.get(Visibility(checkin.visibility), checkin.visibility)
    )
    if checkin.alert_level is not None:
        parts.append(_("alert at {level} or below", level=checkin.alert_level))
    if checkin.paused:
        parts.append(_("paused"))
    return "; ".join(parts)


def described(turn: Turn, checkin: CheckIn) -> tuple[Span | str, ...]:
    """`describe`, then when it next goes out, in the reader's own time."""
    schedule = schedule_of(checkin)
    anchor = date.fromisoformat(checkin.anchor) if checkin.anchor else checkin.created_at.date()
    at = None if checkin.paused else next_send(schedule, anchor, turn.now, turn.member.timezone)
    if at is None:
        return (describe(turn, checkin),)
    return (describe(turn, checkin), "; ", *turn.spans("next {when}", when=turn.moment(at)))


def _hours(minutes: int) -> str:
    return str(minutes // 60) if minutes % 60 == 0 else f"{minutes / 60:.1f}"


def current(turn: Turn) -> list[CheckIn]:
    return list(
        turn.db.exec(
            select(CheckIn).where(col(CheckIn.deleted_at).is_(None)).order_by(col(CheckIn.id))
        ).all()
    )


def suggest_checkin(turn: Turn, typed: str) -> list[Option]:
    if not turn.is_(Role.COORDINATOR):
        return []
    return matching([Option(f"#{c.id} {c.name}", str(c.id)) for c in current(turn)], typed.removeprefix("#"))


def list_checkins(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    found = current(turn)
    if not found:
        return turn.say(
            _("There are no check-ins yet. Type checkin new to create one."),
            buttons=(
                Button(_("New check-in"), "checkin.edit"),
                Button(_("Help me write questions"), "checkin.build"),
            ),
        )
    return turn.say(
        _(
            "Check-ins. Type checkin send, pause, resume, edit, delete or summary with a number, like: checkin send 1."
        ),
        fields=tuple(Field(f"#{c.id} {c.name}", described(turn, c)) for c in found),
    )


def history(turn: Turn, _asked: Asked) -> Reply:
    """A member's own past answers, newest first."""
    _ = turn._
    rows = turn.db.exec(
        select(CheckInPrompt, CheckInRun)
        .join(CheckInRun, col(CheckInRun.id) == col(CheckInPrompt.run_id))
        .where(CheckInPrompt.member_id == turn.member.id, CheckInPrompt.status == Prompt.SENT)
        .order_by(col(CheckInPrompt.send_at).desc())
        .limit(10)
    ).all()
    if not rows:
        return turn.say(_("You have no check-in answers yet."))
    fields = []
    for prompt, run in rows:
        if run.visibility == Visibility.ANONYMOUS:
            said_anonymously = _("answered anonymously") if prompt.answered_anonymously else None
            state = said_anonymously or (_("skipped") if prompt.skipped_at else _("not answered"))
            fields.append(Field(f"{run.name}, {turn.moment(prompt.send_at).fallback}", (state,)))
            continue
        answers = {
            a.position: a.value
            for a in turn.db.exec(select(CheckInAnswer).where(CheckInAnswer.prompt_id == prompt.id))
        }
        said = []
        for position, question in enumerate(run.questions):
            value = answers.get(position)
            if value is None:
                continue
            if question["kind"] == "scale":
                value = f"{value} {question['labels'][int(value) - 1]}"
            elif question["kind"] == "yesno":
                value = _("Yes") if value == "yes" else _("No")
            said.append(f"{question['text']} {value}")
        if prompt.note:
            said.append(_("Note: {note}", note=prompt.note))
        if not said:
            said.append(_("skipped") if prompt.skipped_at else _("not answered"))
        fields.append(Field(f"{run.name}, {turn.moment(prompt.send_at).fallback}", ("; ".join(said),)))
    return turn.say(_("Your recent check-ins. Only you can see this."), fields=tuple(fields))


def turn_on(turn: Turn, _asked: Asked) -> Reply:
    member = turn.member
    member.checkins_off = False
    member.checkins_paused_until = None
    turn.db.add(member)
    return turn.say(turn._("Check-ins are on again. Welcome back."))


def pause(turn: Turn, target: CheckIn, paused: bool) -> Reply:
    _ = turn._
    if target.paused == paused:
        return turn.say(
            _("Check-in {name} is already paused.", name=target.name)
            if paused
            else _("Check-in {name} is already running.", name=target.name)
        )
    target.paused = paused
    if not paused:
        target.active_since = turn.now  # no catching up on what was missed
    turn.db.add(target)
    if paused:
        return turn.say(
            _(
                "Paused {name}. Nothing more will be sent until you type checkin resume {number}.",
                name=target.name,
                number=target.id,
            )
        )
    return turn.say(_("{name} is running again from now.", name=target.name))


def delete(turn: Turn, asked: Asked) -> Reply:
    target: CheckIn = asked.subject
    target.deleted_at = turn.now
    turn.db.add(target)
    for run in turn.db.exec(
        select(CheckInRun).where(CheckInRun.checkin_id == target.id, col(CheckInRun.closed_at).is_(None))
    ):
        run.closed_at = turn.now
        turn.db.add(run)
    return turn.say(
        turn._("Deleted {name}. Answers already given stay in each partner's history.", name=target.name)
    )


def send(turn: Turn, asked: Asked) -> Reply:
    return send_now(turn, asked.subject)


def send_now(turn: Turn, target: CheckIn) -> Reply:
    if target.paused:
        raise Refusal(
            "{name} is paused. Type checkin resume {number} first, then checkin send {number}.",
            name=target.name,
            number=target.id,
        )
    if not audience(turn.db, target):
        # Refused, so a new one-off check-in is not saved either: nothing half-made.
        raise Refusal("There are no partners to send {name} to yet. Nothing was sent.", name=target.name)
    start_run(turn.db, target, one_off_period(turn.now), turn.now)
    # The first batch goes with this turn; the scheduler sends the rest within seconds.
    count = advance(turn.db, turn.settings, target, turn.now).due
    return turn.say(
        turn._(
            "Sent {name} now. Partners reached: {count}. Anyone in quiet hours gets it when those end.",
            name=target.name,
            count=count,
        )
    )


def summary(turn: Turn, asked: Asked) -> Reply:
    """The latest summary of a check-in, or of the period typed after its number."""
    target: CheckIn = asked.subject
    assert target.id is not None
    found = latest_summary(turn.db, target.id, asked.rest)
    if found is None:
        raise Refusal(
            "There is no summary for {name} yet. It comes when a check-in closes.", name=target.name
        )
    run, numbers = found
    return _summary_reply(turn, run, numbers)


def _summary_reply(turn: Turn, run: CheckInRun, numbers: Figures) -> Reply:
    """A run's summary, with buttons for the few runs before it."""
    earlier = turn.db.exec(
        select(CheckInRun)
        .where(CheckInRun.checkin_id == run.checkin_id, col(CheckInRun.closed_at).is_not(None))
        .where(CheckInRun.created_at < run.created_at)
        .order_by(col(CheckInRun.created_at).desc())
        .limit(5)
    ).all()
    message = summary_message(run, numbers, turn.member)
    buttons = tuple(
        Button(turn._("Summary of {when}", when=day_of(turn, r.created_at)), f"checkin.summary:{r.id}")
        for r in earlier
    )
    return Reply(messages=(replace(message, buttons=buttons),))


def day_of(turn: Turn, at: datetime) -> str:
    return format_date(at.astimezone(ZoneInfo(turn.member.timezone)), "d MMM y", locale=turn.member.language)


def summary_button(turn: Turn, asked: Asked) -> Reply:
    run: CheckInRun = asked.subject
    return _summary_reply(turn, run, figures(turn.db, run))


def run_named(turn: Turn, text: str) -> CheckInRun:
    number = number_in(text)
    run = turn.db.get(CheckInRun, number) if number is not None else None
    if run is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return run


# ---- the form for a new or changed check-in -------------------------------------------------


def _fields(turn: Turn, asked: Asked) -> list[FormField]:
    _ = turn._
    existing: CheckIn | None = asked.subject
    # A new one starts with the questions built with `checkin questions`, if any.
    built, built_name = ("", "") if existing else initial_questions(turn)
    return [
        FormField(
            "name",
            _("Name"),
            "short",
            max_length=80,
            initial=existing.name if existing else built_name,
            hint=_("For example: Weekly wellbeing"),
        ),
        FormField(
            "questions",
            _("Questions"),
            "long",
            max_length=1500,
            initial=questions_as_text(existing.questions) if existing else built,
            hint=_("Up to 5, split by ;. After each, a | and 5 scale words, yes/no, or text. Or type checkin questions."),
        ),
        FormField(
            "schedule",
            _("When"),
            "short",
            max_length=80,
            initial=schedule_as_text(schedule_of(existing), _) if existing else "",
            hint=_("Like: weekly mon 10:00, fortnightly mon 10:00, first mon of the month 10:00, or now"),
        ),
        FormField(
            "audience",
            _("Who"),
            "short",
            required=False,
            max_length=300,
            initial=", ".join(existing.audience_tags) if existing else "",
            hint=_("Interest tags, or empty for all partners"),
        ),
        FormField(
            "window",
            _("Hours to answer"),
            "number",
            initial=_hours(existing.window_minutes) if existing else "48",
        ),
        FormField(
            "visibility",
            _("Coordinators see answers"),
            "choice",
            choices=(
                Option(_("by name"), Visibility.NAMED),
                Option(_("as totals only"), Visibility.TOTALS),
                Option(_("anonymously"), Visibility.ANONYMOUS),
            ),
            initial=existing.visibility if existing is not None else Visibility.NAMED,
            hint=_("Anonymously: nobody can tell whose answers they are, so there are no alerts."),
        ),
        FormField(
            "alert_level",
            _("Alert level"),
            "number",
            required=False,
            minimum=1,
            maximum=5,
            whole=True,
            initial=str(existing.alert_level) if existing and existing.alert_level else "",
            hint=_("A scale answer at or below this alerts the coordinators. Empty: only when asked."),
        ),
    ]


def _check_questions(turn: Turn, value: str) -> str:
    read_questions(value)
    return value


def _check_schedule(turn: Turn, value: str) -> str:
    read_schedule(value)
    return value


def _check_audience(turn: Turn, value: str) -> str:
    return (
        ""
        if value.strip().lower() in ("all", "everyone", "all partners")
        else ", ".join(checks.interest_tags(value))
    )


def _check_window(turn: Turn, value: str) -> str:
    hours = float(value)
    if hours < 1:
        raise Refusal("The time to answer needs to be at least 1 hour.")
    if hours > 24 * 14:
        raise Refusal("The time to answer can be up to 14 days (336 hours).")
    return value


def _submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    questions = read_questions(values["questions"])
    schedule = read_schedule(values["schedule"])
    alert = int(values["alert_level"]) if values.get("alert_level") else None
    if alert is not None and not has_scale(questions):
        raise Refusal(
            "An alert level needs a 1 to 5 scale question. Leave it empty, or add a scale question.",
            field="alert_level",
        )
    if alert is not None and values["visibility"] == Visibility.ANONYMOUS:
        raise Refusal(
            "Anonymous answers can't alert anyone. Leave the alert level empty, or choose by name or totals.",
            field="alert_level",
        )
    existing: CheckIn | None = asked.subject
    sent_before = existing is not None and existing.schedule == "once"
    target = existing or CheckIn(
        name="",
        questions=[],
        schedule="once",
        active_since=turn.now,
        created_by=turn.member.id,
        created_at=turn.now,
        anchor=turn.now.astimezone(ZoneInfo(turn.member.timezone)).date().isoformat(),
    )
    target.name = values["name"]
    target.questions = questions
    target.schedule = schedule.kind
    target.weekdays = ",".join(str(d) for d in schedule.weekdays)
    target.every_days = schedule.stored_every
    target.local_time = schedule.local_time
    target.fixed_zone = schedule.fixed_zone
    target.window_minutes = round(float(values["window"]) * 60)
    target.visibility = values["visibility"]
    target.alert_level = alert
    target.audience_tags = checks.interest_tags(values["audience"]) if values.get("audience") else []
    turn.db.add(target)
    turn.db.flush()
    if existing is None:
        forget(turn)  # the questions built for it are used
    _ = turn._
    if schedule.kind == "once" and not sent_before:  # editing a one-off does not send it again
        return send_now(turn, target)
    advance(turn.db, turn.settings, target, turn.now)
    if existing:
        lead = _("Saved {name}.", name=target.name)
    else:
        lead = _("Created check-in {number}: {name}.", number=target.id, name=target.name)
    return turn.say(lead, fields=(Field(_("Details"), described(turn, target)),))


def _new_or_existing(turn: Turn, text: str) -> CheckIn | None:
    """The check-in a form changes: none for a new one; not one deleted while it was open."""
    return find(turn, text) if text else None


NOT_COORDINATOR = N_("Only coordinators can manage check-ins. Type checkin history to see your own answers.")
EDIT_FORM = FormSpec(
    name="checkin.edit",
    title=lambda turn: turn._("Check-in"),
    fields=_fields,
    checks={
        "questions": _check_questions,
        "schedule": _check_schedule,
        "audience": _check_audience,
        "window": _check_window,
    },
    submit=_submit,
    submit_label=lambda turn: turn._("Save"),
    roles=COORDINATORS,
    subject=Subject(_new_or_existing),
    refusal=NOT_COORDINATOR,
)
