"""Building a check-in's questions without the typed syntax: a ready set, or one question at a
time in a small form. The list so far is kept in the database (a `FormDraft` row of its own), so
a restart loses nothing. "Done" opens the check-in form with the questions filled in, written
the way they are typed, so they can still be changed there."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, delete, select

from bot.checkins.rules import MAX_QUESTIONS, SCALE_POINTS, questions_as_text, read_questions
from bot.checks import Refusal, clean_text
from bot.conversation import Button, Field, FormField, Option, Reply
from bot.feature import Asked, ButtonSpec, FormSpec, Subject
from bot.forms import open_form
from bot.members import Role
from bot.turn import Turn
from bot.words import N_
from storage.models import FormDraft

COORDINATORS = (Role.COORDINATOR,)
NOT_COORDINATOR = N_("Only coordinators can manage check-ins. Type checkin history to see your own answers.")

# The draft row that keeps the list being built; no form has this name.
KEPT = "checkin.questions"
QUESTION_FORM = "checkin.question"
FIVE_WORDS = N_("awful, poor, okay, good, great")

# Ready sets: a name, then each question as (words, kind, scale words for a scale).
READY_SETS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "weekly": (
        N_("Weekly wellbeing"),
        (
            (N_("How are you feeling this week?"), "scale", FIVE_WORDS),
            (N_("How is your energy?"), "scale", N_("very low, low, okay, good, very good")),
            (N_("Did you sleep well?"), "yesno", ""),
            (N_("Anything you'd like us to know?"), "text", ""),
        ),
    ),
    "meeting": (
        N_("After a meeting"),
        (
            (N_("How did the meeting feel for you?"), "scale", FIVE_WORDS),
            (N_("Did you feel listened to?"), "yesno", ""),
            (N_("What could make the next one easier?"), "text", ""),
        ),
    ),
    "event": (
        N_("Before an event"),
        (
            (N_("How do you feel about the event?"), "scale", N_("very worried, worried, okay, ready, excited")),
            (N_("Do you have all you need to take part?"), "yesno", ""),
            (N_("Any access needs or worries we can help with?"), "text", ""),
        ),
    ),
}


# ---- the list kept ---------------------------------------------------------------------------


def _row(turn: Turn) -> FormDraft | None:
    return turn.db.exec(
        select(FormDraft).where(FormDraft.member_id == turn.member.id, FormDraft.form_id == KEPT)
    ).first()


def kept(turn: Turn) -> tuple[list[dict[str, Any]], str]:
    """The questions built so far, and the name of the ready set they came from, if any."""
    row = _row(turn)
    if row is None or not row.values.get("questions"):
        return [], ""
    try:
        return read_questions(row.values["questions"]), row.values.get("name", "")
    except Refusal:  # not expected: only checked questions are kept
        return [], ""


def _keep(turn: Turn, questions: list[dict[str, Any]], name: str) -> None:
    if not questions:
        forget(turn)
        return
    row = _row(turn) or FormDraft(member_id=turn.member.id, form_id=KEPT, values={}, updated_at=turn.now)
    row.values = {"questions": questions_as_text(questions), "name": name}
    row.updated_at = turn.now
    turn.db.add(row)


def forget(turn: Turn) -> None:
    """The list is used (the check-in is saved): nothing more to keep."""
    turn.db.exec(delete(FormDraft).where(col(FormDraft.member_id) == turn.member.id, col(FormDraft.form_id) == KEPT))


def initial_questions(turn: Turn) -> tuple[str, str]:
    """What a new check-in's form starts with: the questions built, as typed, and a name."""
    questions, name = kept(turn)
    return (questions_as_text(questions), name) if questions else ("", "")


# ---- what the coordinator sees ---------------------------------------------------------------


def _answer_said(turn: Turn, question: dict[str, Any]) -> str:
    _ = turn._
    if question["kind"] == "scale":
        return _("Answer: {words}.", words=", ".join(question["labels"]))
    return _("Answer: yes or no.") if question["kind"] == "yesno" else _("Answer: short text.")


def _listed(turn: Turn, questions: list[dict[str, Any]]) -> tuple[Field, ...]:
    return tuple(
        Field(turn._("Question {number}", number=number), (f"{question['text']} {_answer_said(turn, question)}",))
        for number, question in enumerate(questions, start=1)
    )


def _so_far(turn: Turn, lead: str) -> Reply:
    """The list so far, with what can come next."""
    _ = turn._
    questions, _name = kept(turn)
    if not questions:
        return _start(turn, lead)
    buttons = []
    if len(questions) < MAX_QUESTIONS:
        buttons.append(Button(_("Add another"), QUESTION_FORM))
        said = _("Questions so far: {count} of {limit}.", count=len(questions), limit=MAX_QUESTIONS)
    else:
        said = _("That is {limit} questions, the most a check-in can have.", limit=MAX_QUESTIONS)
    buttons += [
        Button(_("Done"), "checkin.done", style="primary"),
        Button(_("Remove the last one"), "checkin.unadd"),
    ]
    return turn.say(f"{lead} {said}".strip(), fields=_listed(turn, questions), buttons=tuple(buttons))


def _start(turn: Turn, lead: str = "") -> Reply:
    _ = turn._
    said = _("How would you like to write the questions?")
    return turn.say(
        f"{lead} {said}".strip(),
        buttons=(
            Button(_("Use a ready set"), "checkin.sets"),
            Button(_("Add questions one at a time"), QUESTION_FORM),
            Button(_("Type them myself"), "checkin.edit"),
        ),
    )


def questions(turn: Turn, _asked: Asked) -> Reply:
    """`checkin questions`: the list so far, or the ways to start one."""
    if kept(turn)[0]:
        return _so_far(turn, "")
    return _start(turn)


def sets(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    fields = tuple(
        Field(_(name), (" ".join(_(words) for words, _kind, _labels in items),)) for name, items in READY_SETS.values()
    )
    buttons = tuple(Button(_(name), f"checkin.set:{key}") for key, (name, _items) in READY_SETS.items())
    return turn.say(_("Ready sets. Press one to use it. You can change it after."), fields=fields, buttons=buttons)


def find_set(turn: Turn, text: str) -> str:
    if text not in READY_SETS:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    return text


def use_set(turn: Turn, asked: Asked) -> Reply:
    _ = turn._
    name, items = READY_SETS[asked.subject]
    chosen = [_question(_(words), kind, _(labels) if labels else "") for words, kind, labels in items]
    _keep(turn, chosen, _(name))
    return _so_far(turn, _("You chose {name}.", name=_(name)))


def unadd(turn: Turn, _asked: Asked) -> Reply:
    _ = turn._
    questions, name = kept(turn)
    if not questions:
        return _start(turn)
    gone = questions.pop()
    _keep(turn, questions, name)
    return _so_far(turn, _("Removed: {question}", question=gone["text"]))


def done(turn: Turn, _asked: Asked) -> Reply:
    """The check-in form, with the questions filled in (see manage._fields)."""
    return open_form(turn, "checkin.edit")


# ---- the form for one question ---------------------------------------------------------------

SCALE, YESNO, TEXT = "scale", "yesno", "text"


def _fields(turn: Turn, _asked: Asked) -> list[FormField]:
    _ = turn._
    return [
        FormField("text", _("Question"), "short", max_length=200, hint=_("For example: How are you feeling?")),
        FormField(
            "kind",
            _("Kind of answer"),
            "choice",
            choices=(
                Option(_("Scale of 5"), SCALE),
                Option(_("Yes or no"), YESNO),
                Option(_("Short text"), TEXT),
            ),
            initial=SCALE,
        ),
        FormField(
            "labels",
            _("Scale words"),
            "short",
            required=False,
            max_length=200,
            initial=_(FIVE_WORDS),
            hint=_("For a scale only: five words from low to high, split by commas."),
        ),
    ]


def _question(text: str, kind: str, labels: str) -> dict[str, Any]:
    """One question, as `read_questions` makes it."""
    if kind != SCALE:
        return {"kind": kind, "text": text}
    return {"kind": SCALE, "text": text, "labels": [word.strip() for word in labels.split(",") if word.strip()]}


def _submit(turn: Turn, _asked: Asked, values: dict[str, str]) -> Reply:
    text = " ".join(values["text"].split())  # one line, as the check-in form reads it
    if any(mark in text for mark in ";|"):
        raise Refusal("Please leave out ; and | in a question.", field="text")
    kind = values["kind"]
    labels = ""
    if kind == SCALE:
        typed = values.get("labels", "")
        try:
            words = [clean_text(" ".join(word.split()), "a scale word", 30) for word in typed.split(",") if word.strip()]
        except Refusal as refusal:
            refusal.field = "labels"
            raise refusal from None
        if len(words) != SCALE_POINTS or any(mark in typed for mark in ";|"):
            raise Refusal(
                "Please give five words for the scale, split by commas, like: awful, poor, okay, good, great.",
                field="labels",
            )
        labels = ", ".join(words)
    questions, name = kept(turn)
    if len(questions) >= MAX_QUESTIONS:
        raise Refusal(
            "A check-in can have up to {limit} questions. Press Done, or remove one first.", limit=MAX_QUESTIONS
        )
    questions.append(_question(text, kind, labels))
    read_questions(questions_as_text(questions))  # kept only as the check-in form will read it
    _keep(turn, questions, name)
    return _so_far(turn, turn._("Added."))


QUESTION = FormSpec(
    name=QUESTION_FORM,
    title=lambda turn: turn._("Add a question"),
    fields=_fields,
    submit=_submit,
    submit_label=lambda turn: turn._("Add"),
    roles=COORDINATORS,
    refusal=NOT_COORDINATOR,
)

BUTTONS = (
    ButtonSpec("checkin.build", questions, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("checkin.sets", sets, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("checkin.set", use_set, COORDINATORS, Subject(find_set), NOT_COORDINATOR),
    ButtonSpec("checkin.unadd", unadd, COORDINATORS, refusal=NOT_COORDINATOR),
    ButtonSpec("checkin.done", done, COORDINATORS, refusal=NOT_COORDINATOR),
)
