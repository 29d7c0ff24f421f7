"""A partner answering a check-in: one tap per question, a note, skipping, pausing, and the
route to a human that always works."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.care.words import after_a_low_answer, after_asking
from bot.checkins.notices import alert_coordinators
from bot.checkins.rules import NOTE, Visibility
from bot.checks import Refusal
from bot.conversation import Button, FormField, Reply, fill
from bot.feature import Asked, ButtonSpec, FormSpec, Subject
from bot.forms import note_field
from bot.turn import Turn, moment_for, number_in
from bot.words import N_
from storage.models import AnonymousAnswer, CheckInAnswer, CheckInPrompt, CheckInRun

NOT_YOURS = N_("That check-in isn't one of yours. Type checkin history to see your own.")


def _prompt(turn: Turn, text: str) -> CheckInPrompt:
    """The prompt a button or form names first in its id ("12" in "12:0:3")."""
    number = number_in(text.split(":")[0])
    prompt = turn.db.get(CheckInPrompt, number) if number is not None else None
    if prompt is None:
        raise Refusal(NOT_YOURS)
    return prompt


def _theirs(turn: Turn, prompt: CheckInPrompt) -> None:
    if prompt.member_id != turn.member.id:
        raise Refusal(NOT_YOURS)


# A check-in prompt, answered only by the partner it was sent to.
YOUR_PROMPT = Subject(_prompt, _theirs)


def _own_prompt(turn: Turn, asked: Asked) -> tuple[CheckInPrompt, CheckInRun, list[str]]:
    """The prompt (found and checked by the router), its run, and the rest of the id."""
    prompt: CheckInPrompt = asked.subject
    run = turn.db.get_one(CheckInRun, prompt.run_id)
    return prompt, run, asked.text.split(":")[1:]


def _still_open(turn: Turn, prompt: CheckInPrompt, run: CheckInRun) -> None:
    if run.closed_at is not None or turn.now >= prompt.closes_at:
        raise Refusal("This check-in has closed. Thank you all the same. The next one will come as usual.")


def _answered(turn: Turn, prompt: CheckInPrompt, run: CheckInRun) -> dict[int, str]:
    """What this prompt's questions were answered with (in an anonymous check-in, only which
    were answered: the words are kept apart, with nothing that says whose they are)."""
    if run.visibility == Visibility.ANONYMOUS:
        return {position: "" for position in prompt.answered_anonymously if position != NOTE}
    rows = turn.db.exec(select(CheckInAnswer).where(CheckInAnswer.prompt_id == prompt.id))
    return {a.position: a.value for a in rows}

def _save(turn: Turn, prompt: CheckInPrompt, run: CheckInRun, position: int, value: str) -> None:
    """Keep an answer, or change it. An anonymous one goes with the run alone (a choice as a
    count), can't be changed, and the prompt notes only that the question was answered."""
    assert prompt.id is not None
    if run.visibility == Visibility.ANONYMOUS:
        if position in prompt.answered_anonymously:
            raise Refusal("You answered this one already. Anonymous answers can't be changed. Thank you.")
        prompt.answered_anonymously = [*prompt.answered_anonymously, position]
        turn.db.add(prompt)
        count_anonymously(turn, run, position, value)
        return
    found = turn.db.exec(
        select(CheckInAnswer).where(CheckInAnswer.prompt_id == prompt.id, CheckInAnswer.position == position)
    ).first()
    if found is None:
        found = CheckInAnswer(prompt_id=prompt.id, position=position, value=value, answered_at=turn.now)
    found.value, found.answered_at = value, turn.now
    turn.db.add(found)
    turn.db.flush()


def count_anonymously(turn: Turn, run: CheckInRun, position: int, value: str) -> None:
    """A choice adds one to its count; written words are a row of their own, with no time."""
    assert run.id is not None
    question = run.questions[position] if 0 <= position < len(run.questions) else {"kind": "text"}
    if question["kind"] != "text":
        found = turn.db.exec(
            select(AnonymousAnswer).where(
                AnonymousAnswer.run_id == run.id, AnonymousAnswer.position == position, AnonymousAnswer.value == value
            )
        ).first()
        if found is not None:
            found.count += 1
            turn.db.add(found)
            turn.db.flush()
            return
    turn.db.add(AnonymousAnswer(run_id=run.id, position=position, value=value))
    turn.db.flush()

def answer(turn: Turn, asked: Asked) -> Reply:
    prompt, run, rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)
    if len(rest) != 2 or not rest[0].isdigit() or int(rest[0]) >= len(run.questions):
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    position, value = int(rest[0]), rest[1]
    question = run.questions[position]
    if question["kind"] == "scale" and value in ("1", "2", "3", "4", "5"):
        shown = question["labels"][int(value) - 1]
    elif question["kind"] == "yesno" and value in ("yes", "no"):
        shown = turn._("Yes") if value == "yes" else turn._("No")
    else:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    _save(turn, prompt, run, position, value)
    _ = turn._
    words = _("Saved: {answer}.", answer=shown)
    low = (
        question["kind"] == "scale"
        and run.alert_level is not None
        and run.visibility != Visibility.ANONYMOUS  # an anonymous answer has nobody to check in with
        and int(value) <= run.alert_level
    )
    if low:
        reached = alert_coordinators(turn, prompt, run, answer=(question["text"], shown))
        return turn.say(
            words, *_all_done(turn, prompt, run), " ", *after_a_low_answer(_, turn.settings, reached)
        )
    return turn.say(words, *_all_done(turn, prompt, run))


def _all_done(turn: Turn, prompt: CheckInPrompt, run: CheckInRun) -> tuple[str, ...]:
    if len(_answered(turn, prompt, run)) == len(run.questions):
        return (" ", turn._("That's everything. Thank you."))
    return ()


def contact(turn: Turn, asked: Asked) -> Reply:
    """Always works, even after the check-in closed: a route to a human is never refused."""
    prompt, run, _rest = _own_prompt(turn, asked)
    reached = alert_coordinators(turn, prompt, run, answer=None)
    return turn.say(*after_asking(turn._, turn.settings, reached))


def skip(turn: Turn, asked: Asked) -> Reply:
    prompt, run, _rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)
    prompt.skipped_at = prompt.skipped_at or turn.now
    turn.db.add(prompt)
    return turn.say(turn._("Skipped. No need to explain. The next check-in will come as usual."))


def pause_choices(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    return turn.say(
        _("How long would you like a break from check-ins?"),
        buttons=(
            Button(_("For 1 week"), "checkin.pause_for:week"),
            Button(_("For 1 month"), "checkin.pause_for:month"),
            Button(_("Until I turn them back on"), "checkin.pause_for:off"),
        ),
    )


def pause_for(turn: Turn, asked: Asked) -> Reply:
    member = turn.member
    if asked.text == "off":
        member.checkins_off = True
        turn.db.add(member)
        return turn.say(turn._("Check-ins are off. Type checkin on whenever you want them back."))
    days = {"week": 7, "month": 30}.get(asked.text)
    if days is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    member.checkins_paused_until = turn.now + timedelta(days=days)
    turn.db.add(member)
    return turn.say(
        *fill(
            turn._("Check-ins are paused until {when}. Type checkin on to start them sooner."),
            when=moment_for(member, member.checkins_paused_until),
        )
    )


# ---- forms: a written answer, and a note --------------------------------------------------


def _write_fields(turn: Turn, asked: Asked) -> list[FormField]:
    prompt, run, rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)  # not a form that could not be saved
    position = int(rest[0]) if rest and rest[0].isdigit() and int(rest[0]) < len(run.questions) else -1
    if position < 0 or run.questions[position]["kind"] != "text":
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    if run.visibility == Visibility.ANONYMOUS and position in prompt.answered_anonymously:
        raise Refusal("You answered this one already. Anonymous answers can't be changed. Thank you.")
    return [
        FormField(
            "answer",
            run.questions[position]["text"],
            "long",
            max_length=1000,
            initial=_answered(turn, prompt, run).get(position, ""),
        )
    ]


def _write_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    prompt, run, rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)
    _save(turn, prompt, run, int(rest[0]), values["answer"])
    return turn.say(turn._("Saved. Thank you."), *_all_done(turn, prompt, run))


def _note_fields(turn: Turn, asked: Asked) -> list[FormField]:
    prompt, run, _rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)
    if run.visibility == Visibility.ANONYMOUS:
        if NOTE in prompt.answered_anonymously:
            raise Refusal("You added a note already. Anonymous notes can't be changed. Thank you.")
        hint = turn._("Anonymous: nobody can tell it is yours, and it can't be changed once sent.")
        return [note_field(turn, "", hint, 1000)]
    return [note_field(turn, prompt.note, turn._("Anything you'd like the coordinators to know"), 1000)]


def _note_submit(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    prompt, run, _rest = _own_prompt(turn, asked)
    _still_open(turn, prompt, run)
    if run.visibility == Visibility.ANONYMOUS:
        if values["note"]:
            _save(turn, prompt, run, NOTE, values["note"])
            return turn.say(turn._("Thank you. Your note is saved, with no name."))
        return turn.say(turn._("Nothing was sent."))
    prompt.note = values["note"]
    turn.db.add(prompt)
    if not prompt.note:
        return turn.say(turn._("Your note is removed."))
    return turn.say(turn._("Thank you. Your note is saved."))


BUTTONS = (
    ButtonSpec("checkin.answer", answer, subject=YOUR_PROMPT),
    # Always works, even after the check-in closed: a route to a human is never refused.
    ButtonSpec("checkin.contact", contact, subject=YOUR_PROMPT),
    ButtonSpec("checkin.skip", skip, subject=YOUR_PROMPT),
    ButtonSpec("checkin.pause", pause_choices),
    ButtonSpec("checkin.pause_for", pause_for),
)

FORMS = (
    FormSpec(
        name="checkin.write",
        title=lambda turn: turn._("Your answer"),
        fields=_write_fields,
        submit=_write_submit,
        submit_label=lambda turn: turn._("Save"),
        subject=YOUR_PROMPT,
    ),
    FormSpec(
        name="checkin.note",
        title=lambda turn: turn._("Add a note"),
        fields=_note_fields,
        submit=_note_submit,
        submit_label=lambda turn: turn._("Save"),
        subject=YOUR_PROMPT,
    ),
)
