"""What people read in check-ins: the prompt with its answer buttons, and the summary
coordinators get."""

from __future__ import annotations

from datetime import datetime

from bot.checkins.rules import Visibility, has_scale
from bot.checkins.summary import Figures, QuestionFigures
from bot.conversation import Button, Field, Message, Span, fill
from bot.members import Role
from bot.turn import moment_for
from bot.words import Translate, translator
from storage.models import CheckInPrompt, CheckInRun, Member

LEADING = {Role.STAFF, Role.COORDINATOR, Role.ADMIN}


def also_a_partner(member: Member, held: set[Role]) -> tuple[str, Button] | None:
    """For someone who is staff, a coordinator or an admin and a partner too (an admin through
    ADMINS is both): check-ins come to them, and one press stops that. None if it does not apply."""
    if Role.PARTNER not in held or not held & LEADING or member.checkins_off:
        return None
    _ = translator(member.language)
    return (
        _("You are a partner too, so check-ins come to you. If you don't want them, press No check-ins for me."),
        Button(_("No check-ins for me"), "checkin.pause_for:off"),
    )


def prompt_buttons(run: CheckInRun, prompt: CheckInPrompt, reader: Member) -> tuple[Button, ...]:
    _ = translator(reader.language)
    buttons: list[Button] = []
    for position, question in enumerate(run.questions):
        group = f"{position + 1}. {question['text']}"
        subject = f"{prompt.id}:{position}"
        if question["kind"] == "scale":
            buttons += [
                Button(f"{point} {label}", f"checkin.answer:{subject}:{point}", group=group)
                for point, label in enumerate(question["labels"], start=1)
            ]
        elif question["kind"] == "yesno":
            buttons += [
                Button(_("Yes"), f"checkin.answer:{subject}:yes", group=group),
                Button(_("No"), f"checkin.answer:{subject}:no", group=group),
            ]
        else:
            buttons.append(Button(_("Write an answer"), f"checkin.write:{subject}", group=group))
    buttons += [
        Button(_("Add a note"), f"checkin.note:{prompt.id}"),
        Button(_("Skip this time"), f"checkin.skip:{prompt.id}"),
        Button(_("Pause check-ins"), f"checkin.pause:{prompt.id}"),
    ]
    if run.visibility != Visibility.ANONYMOUS:  # anonymous answers can alert nobody
        buttons.append(Button(_("I'd like someone to contact me"), f"checkin.contact:{prompt.id}", style="primary"))
    return tuple(buttons)


def prompt_message(run: CheckInRun, prompt: CheckInPrompt, reader: Member, now: datetime) -> Message:
    _ = translator(reader.language)
    lead = (
        _("Check-in: {name}. Tap one answer for each question. It is open until {when}.")
        if run.visibility == Visibility.ANONYMOUS
        else _("Check-in: {name}. Tap one answer for each question. You can change an answer until {when}.")
    )
    words = fill(lead, name=run.name, when=moment_for(reader, prompt.closes_at))
    return Message((*words, " ", who_sees(_, run)), buttons=prompt_buttons(run, prompt, reader))


def who_sees(_: Translate, run: CheckInRun) -> str:
    """One line, where the question is asked: who will see the answers."""
    if run.visibility == Visibility.ANONYMOUS:
        return _("Your answers are anonymous: nobody can tell they are yours. To ask for someone, type support.")
    said = (
        _("Coordinators see your answers with your name.")
        if run.visibility == Visibility.NAMED
        else _("Coordinators see only totals, not who answered what.")
    )
    if run.alert_level is not None and has_scale(run.questions):
        said += " " + _(
            "If you answer {level} or lower, they are told your name at once, so someone can check in.",
            level=run.alert_level,
        )
    return said


def summary_message(run: CheckInRun, numbers: Figures, reader: Member) -> Message:
    _ = translator(reader.language)
    lead: tuple[Span, ...] = fill(
        _(
            "Check-in summary: {name}, sent {when}. Asked {asked}, answered {answered}, skipped {skipped}. Alerts: {alerts}."
        ),
        name=run.name,
        when=moment_for(reader, run.created_at),
        asked=str(numbers.asked),
        answered=str(numbers.answered),
        skipped=str(numbers.skipped),
        alerts=str(numbers.alerts),
    )
    fields = [Field(q.text, (_describe(q, _, run),)) for q in numbers.questions]
    if numbers.notes:
        fields.append(Field(_("Notes"), ("; ".join(_named(name, words) for name, words in numbers.notes),)))
    return Message(lead, fields=tuple(fields))


def _describe(question: QuestionFigures, _: Translate, run: CheckInRun) -> str:
    # A question nobody answered says "yet" only while its run is still open.
    none = _("No answers yet.") if run.closed_at is None else _("Nobody answered this one.")
    if question.kind == "scale":
        spread = ", ".join(
            f"{n} {label}: {count}"
            for n, (label, count) in enumerate(zip(question.labels, question.counts, strict=True), start=1)
        )
        if question.average is None:
            return spread + ". " + none
        text = spread + ". " + _("Average {average}.", average=f"{question.average:.1f}")
        if question.change is not None:
            if abs(question.change) < 0.05:
                text += " " + _("The same as last time.")
            elif question.change > 0:
                text += " " + _("Up {change} since last time.", change=f"{question.change:.1f}")
            else:
                text += " " + _("Down {change} since last time.", change=f"{-question.change:.1f}")
        return text
    if question.kind == "yesno":
        return _("Yes: {yes}. No: {no}.", yes=question.counts[0], no=question.counts[1])
    if not question.written and run.totals is not None:
        return _("The words are no longer kept: they are deleted after a while.")
    if not question.written:
        return none
    return "; ".join(_named(name, words) for name, words in question.written)


def _named(name: str, words: str) -> str:
    return f"{name}: {words}" if name else words
