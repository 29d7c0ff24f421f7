"""Forms: opening them page by page (at most five fields a page), checking each page, keeping
earlier pages as a draft in the database so a restart loses nothing, and finishing."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from sqlmodel import Session, col, delete, select

from bot import checks
from bot.checks import Refusal
from bot.conversation import MAX_FIELDS_PER_PAGE, MAX_FILE_BYTES, File, Form, FormField, Reply
from bot.feature import Asked, FormSpec
from bot.guard import allowed
from bot.turn import Turn, split_id
from storage.models import FormDraft

# A page sent back to put right keeps, in the draft, what was typed and what was wrong, so the
# page opened again (Discord's "Open the form again") shows both: nothing typed is lost.
TYPED, PROBLEM = "~typed:", "~problem:"


def pages_of(fields: list[FormField]) -> list[list[FormField]]:
    pages = [fields[i : i + MAX_FIELDS_PER_PAGE] for i in range(0, len(fields), MAX_FIELDS_PER_PAGE)] or [[]]
    # A file arrives with the form's last submission only: earlier pages are kept as text.
    if any(f.kind == "file" for page in pages[:-1] for f in page):
        raise ValueError("a form's file fields belong on its last page")
    return pages


def note_field(turn: Turn, initial: str, hint: str, max_length: int) -> FormField:
    """The one field of a form for a note to the coordinators: emptied, it takes the note away."""
    return FormField(
        "note", turn._("Your note"), "long", required=False, max_length=max_length, initial=initial, hint=hint
    )


def open_form(turn: Turn, form_id: str) -> Reply:
    """Start a form afresh at its first page, if this person may."""
    spec, asked = _spec(turn, form_id)
    _drop_draft(turn.db, turn.member.id, form_id)
    return Reply(form=_page(turn, spec, form_id, asked, 1))


def continue_form(turn: Turn, form_id: str, page: int) -> Reply:
    """A later page of a form whose earlier pages are in the draft (a "Continue" button, for
    platforms that cannot open the next page straight from a submission); else from the start."""
    spec, asked = _spec(turn, form_id)
    pages = pages_of(spec.fields(turn, asked))
    draft = _draft(turn.db, turn.member.id, form_id)
    earlier = {f.name for p in pages[: page - 1] for f in p}
    if not 1 <= page <= len(pages) or draft is None or not earlier <= draft.values.keys():
        return open_form(turn, form_id)
    form = _page(turn, spec, form_id, asked, page)
    sent_back = draft.values
    if any(TYPED + f.name in sent_back for f in form.fields):  # to put right: as it was typed
        fields = tuple(
            replace(f, initial=sent_back.get(TYPED + f.name, f.initial), problem=sent_back.get(PROBLEM + f.name, ""))
            for f in form.fields
        )
        return Reply(form=replace(form, fields=fields))
    if page == 1:
        return open_form(turn, form_id)
    return Reply(form=form)


def submit_form(
    turn: Turn, form_id: str, page: int, values: dict[str, str], files: Mapping[str, File] | None = None
) -> Reply:
    """One page sent: checked, kept in the draft, and on the last page the form's submit.

    A "file" field's upload comes in `files` (never as text): its value is the file's name,
    and the submit finds the file itself in `Asked.files`. Only the form's own file fields
    are passed on."""
    files = files or {}
    spec, asked = _spec(turn, form_id)
    pages = pages_of(spec.fields(turn, asked))
    if not 1 <= page <= len(pages):
        return _start_again(turn, spec, form_id, asked)
    draft = _draft(turn.db, turn.member.id, form_id)
    earlier = {f.name for p in pages[: page - 1] for f in p}
    if page > 1 and (draft is None or not earlier <= draft.values.keys()):
        # No draft, or one missing a page (an old page sent after the form was started again).
        return _start_again(turn, spec, form_id, asked)

    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    earlier_zone = _answers(draft).get("timezone") or turn.member.timezone
    for field in pages[page - 1]:
        if field.kind == "file":
            upload = files.get(field.name)
            if upload is not None and len(upload.content) > MAX_FILE_BYTES:
                errors[field.name] = turn._(
                    "That file is bigger than {most} MB. Please choose a smaller one, or leave it out.",
                    most=MAX_FILE_BYTES // (1024 * 1024),
                )
            elif upload is None and field.required:
                errors[field.name] = turn._("Please add {label}.", label=field.label)
            cleaned[field.name] = upload.name[:200] if upload is not None else ""
            continue
        raw = values.get(field.name, "")
        # A date is read in the time zone chosen in this form (once checked), else the member's.
        zone = cleaned.get("timezone") or earlier_zone
        try:
            cleaned[field.name] = _check(turn, spec, field, raw, zone)
        except Refusal as refusal:
            errors[field.name] = refusal.words(turn._)
    if errors:
        return _put_right(turn, spec, form_id, asked, page, values, errors)

    gathered = {**_answers(draft), **cleaned}
    if page < len(pages):
        if draft is None:
            draft = FormDraft(member_id=turn.member.id, form_id=form_id, values={}, updated_at=turn.now)
        draft.values = gathered
        draft.updated_at = turn.now
        turn.db.add(draft)
        return Reply(form=_page(turn, spec, form_id, asked, page + 1))
    sent = {f.name: files[f.name] for f in pages[page - 1] if f.kind == "file" and f.name in files}
    try:
        with turn.db.begin_nested():
            reply = spec.submit(turn, replace(asked, files=sent), gathered)
    except Refusal as refusal:
        if refusal.field not in values and refusal.field not in sent:
            raise
        # One answer on this page makes the whole form wrong: show it there, keep the draft.
        problem = {refusal.field: refusal.words(turn._)}
        return _put_right(turn, spec, form_id, asked, page, values, problem)
    _drop_draft(turn.db, turn.member.id, form_id)
    return reply


def _put_right(
    turn: Turn,
    spec: FormSpec,
    form_id: str,
    asked: Asked,
    page: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Reply:
    """The same page again, with what was typed and what to put right on each field; both kept
    in the draft too, for a platform that must open the page again later."""
    form = _page(turn, spec, form_id, asked, page)
    with_answers = tuple(
        replace(f, initial=values.get(f.name, f.initial), problem=errors.get(f.name, "")) for f in form.fields
    )
    draft = _draft(turn.db, turn.member.id, form_id)
    if draft is None:
        draft = FormDraft(member_id=turn.member.id, form_id=form_id, values={}, updated_at=turn.now)
    draft.values = {
        **_answers(draft),
        **{TYPED + f.name: values.get(f.name, "") for f in form.fields if f.kind != "file"},
        **{PROBLEM + name: problem for name, problem in errors.items()},
    }
    draft.updated_at = turn.now
    turn.db.add(draft)
    return Reply(form=replace(form, fields=with_answers), field_errors=errors)


def _answers(draft: FormDraft | None) -> dict[str, str]:
    """The answers of the pages done, without what a page sent back holds."""
    if draft is None:
        return {}
    return {k: v for k, v in draft.values.items() if not k.startswith((TYPED, PROBLEM))}


def _spec(turn: Turn, form_id: str) -> tuple[FormSpec, Asked]:
    """The form an id names and what it acts on, if this person may use it now: checked when it
    opens, at each page and when it is sent, with the roles held at that moment."""
    name, subject = split_id(form_id)
    spec = turn.features.forms.get(name)
    if spec is None:
        raise Refusal("That form is no longer in use. Type guide to see what you can do.")
    return spec, allowed(turn, spec.roles, spec.subject, subject, spec.refusal, without_consent=spec.without_consent)


def _page(turn: Turn, spec: FormSpec, form_id: str, asked: Asked, page: int) -> Form:
    pages = pages_of(spec.fields(turn, asked))
    return Form(
        form_id=form_id,
        title=spec.title(turn),
        fields=tuple(_with_bounds_said(turn, f) for f in pages[page - 1]),
        submit_label=spec.submit_label(turn) if page == len(pages) else turn._("Next"),
        page=page,
        pages=len(pages),
    )


def _with_bounds_said(turn: Turn, field: FormField) -> FormField:
    """A whole-number field says which numbers it takes, where it has no hint of its own: not
    every platform can show an input that takes only those."""
    if not field.whole or field.hint or field.minimum is None or field.maximum is None:
        return field
    low, high = _plain_number(field.minimum), _plain_number(field.maximum)
    return replace(field, hint=turn._("A whole number from {low} to {high}", low=low, high=high))


def _start_again(turn: Turn, spec: FormSpec, form_id: str, asked: Asked) -> Reply:
    reply = turn.say(turn._("That form was out of date, so here it is again from the start."))
    return replace(reply, form=_page(turn, spec, form_id, asked, 1))


def _check(turn: Turn, spec: FormSpec, field: FormField, raw: str, zone: str) -> str:
    """The cleaned value of one field: its kind's rules, then the form's own check."""
    value = raw.strip()
    if not value:
        if field.required:
            raise Refusal("Please fill in {label}.", label=field.label)
        return ""
    if field.kind in ("short", "long"):
        value = checks.clean_text(value, field.label, field.max_length, field.required)
    elif field.kind == "number":
        value = _number(field, value)
    elif field.kind == "choice":
        value = _choice(field, value)
    elif field.kind == "datetime":
        value = checks.moment(value, zone, turn.now, turn.member.language).isoformat()
    custom = spec.checks.get(field.name)
    return custom(turn, value) if custom else value


def _number(field: FormField, value: str) -> str:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # float() also reads "nan" and "inf"
        raise Refusal("{label} needs a number, like 3.", label=field.label)
    low, high = field.minimum, field.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise Refusal(
                "{label} needs a number from {low} to {high}.",
                label=field.label,
                low=_plain_number(low),
                high=_plain_number(high),
            )
        if low is not None:
            raise Refusal(
                "{label} needs a number of {low} or more.", label=field.label, low=_plain_number(low)
            )
        assert high is not None
        raise Refusal(
            "{label} needs a number of {high} or less.", label=field.label, high=_plain_number(high)
        )
    if field.whole and not number.is_integer():
        raise Refusal("{label} needs a whole number, like 3.", label=field.label)
    return _plain_number(number)


def _plain_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _choice(field: FormField, value: str) -> str:
    for position, option in enumerate(field.choices, start=1):
        if value.lower() in (option.value.lower(), option.label.lower(), str(position)):
            return option.value
    names = ", ".join(o.label for o in field.choices)
    raise Refusal("Please choose one of: {names}.", names=names)


def _draft(db: Session, member_id: int | None, form_id: str) -> FormDraft | None:
    return db.exec(
        select(FormDraft).where(FormDraft.member_id == member_id, FormDraft.form_id == form_id)
    ).first()


def _drop_draft(db: Session, member_id: int | None, form_id: str) -> None:
    db.exec(
        delete(FormDraft).where(col(FormDraft.member_id) == member_id, col(FormDraft.form_id) == form_id)
    )
