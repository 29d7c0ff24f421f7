"""Drawing core messages and forms as plain text. Buttons become numbered choices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.conversation import File, Form, FormField, Message, plain
from bot.words import Translate, translator

ENGLISH = translator("en")


@dataclass(frozen=True)
class Choice:
    """Something a number or a label can press: a button, or one option of a select."""

    label: str
    action_id: str
    value: str


def choices_of(message: Message) -> list[Choice]:
    found = [Choice(b.label, b.action_id, b.value) for b in message.buttons]
    for select in message.selects:
        found += [Choice(o.label, select.action_id, o.value) for o in select.options]
    return found


def is_text(file: File) -> bool:
    """A file to print inline (a calendar file, a CSV); anything else (a chart) is saved."""
    return isinstance(file.content, str) and file.mime.startswith("text/")


def render_message(message: Message, saved: Callable[[File], str] | None = None, _: Translate = ENGLISH) -> str:
    """The message as lines of text, the console's own words in the reader's language (`_`).
    `saved` keeps a file that is not text (a chart's PNG) and says in words what it shows and
    where it is; without it, such a file is only named."""
    lines = [plain(message.text)]
    width = max((len(f.label) for f in message.fields), default=0)
    lines += [f"  {f.label + ':':<{width + 1}} {plain(f.value)}" for f in message.fields]
    number = 0
    group = ""
    for button in message.buttons:
        number += 1
        if button.group != group:
            group = button.group
            if group:
                lines.append(f"  {group}")
        indent = "    " if group else "  "
        lines.append(f"{indent}[{number}] {button.label}")
    for select in message.selects:
        lines.append(f"  {select.placeholder}")
        for option in select.options:
            number += 1
            lines.append(f"  [{number}] {option.label}")
    for file in message.files:
        if is_text(file):
            assert isinstance(file.content, str)
            lines.append("  " + _("File {name}:", name=file.name))
            lines += [f"    {line}" for line in file.content.splitlines()]
        else:
            named = _("File {name}.", name=file.name)
            lines.append("  " + (saved(file) if saved else f"{named} {file.description}".strip()))
    return "\n".join(lines)


def render_form_title(form: Form) -> str:
    title = form.title
    if form.pages > 1:
        title += f" ({form.page}/{form.pages})"
    return title


def field_prompt(field: FormField, _: Translate = ENGLISH) -> str:
    parts = [field.label]
    if field.hint:
        parts.append(f"({field.hint})")
    if not field.required:
        parts.append(_("(optional)"))
    prompt = " ".join(parts)
    if field.choices:
        prompt += "\n" + "\n".join(f"  [{n}] {o.label}" for n, o in enumerate(field.choices, start=1))
    shown = next((o.label for o in field.choices if o.value == field.initial), field.initial)
    if shown:
        prompt += f" [{shown}]"
    return prompt + ":"
