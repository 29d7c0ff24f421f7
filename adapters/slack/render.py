"""Core messages and forms drawn as Block Kit: messages, modals and the App Home view.

Everything the core says is plain text, so every piece of it is escaped here: nothing a person
typed can become a mention, a channel ping or a link showing other words. Slack's limits are
kept by splitting a message or shortening a piece, always with a note, so Slack never refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters.text import as_slash_commands, runs
from adapters.text import split_text as split_by_atoms
from bot.conversation import (
    Button,
    Form,
    FormField,
    Mention,
    Message,
    Moment,
    Option,
    Reply,
    Select,
    Span,
    plain,
)
from bot.words import Translate

PLATFORM = "slack"

MAX_BLOCKS = 50  # in one message
MAX_VIEW_BLOCKS = 100  # in a modal or the App Home
MAX_SECTION = 3000  # characters of a section's text
MAX_BUTTON = 75  # characters of a button label or an option
MAX_TITLE = 24  # characters of a modal's title and its buttons
MAX_OPTIONS = 100  # options in one select
MAX_ELEMENTS = 25  # buttons or selects in one actions block
MAX_FALLBACK = 3000  # the plain `text` shown in notifications; Slack cuts at 40,000
MAX_PLACEHOLDER = 150
MAX_INPUT = 3000  # characters a text input can take

# Slack wants each action_id once in a message; a core id used twice gets "~2", "~3"...
_REPEAT = re.compile(r"~\d+$")


# @here, @channel and @everyone: a zero-width space after the @ keeps them words.
_MASS = re.compile(r"@(?=(?i:everyone|here|channel))")
# A ">" starting a line quotes it even as "&gt;", and so does "＞"; a long text may be split into
# sections before any of them. A soft hyphen before each, unseen, keeps it a character.
_QUOTE = re.compile(r"(?=&gt;|＞)")


def escape(text: str) -> str:
    """Slack's three control characters as entities, so typed text stays text: no mention, no
    link with other words, no time. A ping to everyone and a quote are broken invisibly."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _QUOTE.sub("\u00ad", _MASS.sub("@\u200b", text))


def date_token(moment: Moment) -> str:
    """A time each reader sees in their own zone, in the words of their Slack's language: no word
    of ours between the day and the time, so it reads right in any language (a message from the
    outbox is drawn without knowing its reader's). The fallback is already in the reader's."""
    stamp = int(moment.at.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}}, {{time}}|{escape(moment.fallback)}>"


def mention_token(mention: Mention, shown_as_person: bool = True) -> str:
    """A Slack account as Slack shows it (its real profile), or its handle as text elsewhere.
    Only a message for one reader draws it: in a channel Slack would notify them."""
    if shown_as_person and mention.account.platform == PLATFORM:
        return f"<@{mention.account.user_id}>"
    return escape(mention.fallback)


def mrkdwn(spans: Sequence[Span], private: bool = True) -> str:
    """Times and mentions as Slack's tokens, the words between them escaped whole."""

    def one(run: Span) -> str:
        if isinstance(run, Moment):
            return date_token(run)
        if isinstance(run, Mention):
            return mention_token(run, private)
        return escape(as_slash_commands(run, verb_needed=False))

    return "".join(one(run) for run in runs(spans))


def core_action_id(slack_action_id: str) -> str:
    """The core's id back from a Slack action_id (see `_Drawing.action_id`)."""
    return _REPEAT.sub("", slack_action_id)


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


@dataclass(frozen=True)
class SlackMessage:
    """One message as chat.postMessage takes it: a plain fallback and the blocks."""

    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class Origin:
    """Where a form was opened, so its answer can go back there (kept in the modal)."""

    channel_id: str = ""
    response_url: str = ""

    def metadata(self, page: int) -> str:
        return json.dumps({"page": page, "channel": self.channel_id, "response_url": self.response_url})


def read_metadata(text: str) -> tuple[int, Origin]:
    try:
        found = json.loads(text or "{}")
        return int(found.get("page", 1)), Origin(found.get("channel", ""), found.get("response_url", ""))
    except (ValueError, TypeError, AttributeError):
        return 1, Origin()


@dataclass
class _Drawing:
    """One message being drawn: remembers ids used and whether anything had to be shortened."""

    _: Translate
    used: dict[str, int] = field(default_factory=dict)
    shortened: bool = False

    def action_id(self, core_id: str) -> str:
        self.used[core_id] = self.used.get(core_id, 0) + 1
        count = self.used[core_id]
        return core_id if count == 1 else f"{core_id}~{count}"

    def shorten(self, text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        self.shortened = True
        return text[: limit - 1].rstrip() + "…"

    def note(self) -> dict[str, Any]:
        return context(self._("Some of this was too long for Slack, so it is shortened here."))


def context(words: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(words)}]}


# ---- text -------------------------------------------------------------------------------------

# A token or an entity (with the soft hyphen that may keep it from quoting) must never be cut;
# text breaks best at a newline, then at a space.
_ATOM = re.compile(r"<[^<>]*>|\u00ad?(?:&[a-z]+;|＞)|\n|[ \t]+|[^\s<&\u00ad]+|.", re.DOTALL)


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Escaped mrkdwn in pieces of at most `limit` characters, never inside a token."""
    return split_by_atoms(text, limit, _ATOM)


def sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(text)]


# ---- messages ---------------------------------------------------------------------------------


def message_blocks(message: Message, drawing: _Drawing) -> list[dict[str, Any]]:
    blocks = sections(mrkdwn(message.text, message.private))
    lines = [f"*{escape(f.label)}:* {mrkdwn(f.value, message.private)}" for f in message.fields]
    blocks += sections("\n".join(lines))
    blocks += _buttons(message.buttons, drawing)
    for select in message.selects:
        blocks += _actions([_select(select, part, drawing) for part in _chunks(select.options, MAX_OPTIONS)])
    return blocks


def _buttons(buttons: Sequence[Button], drawing: _Drawing) -> list[dict[str, Any]]:
    """Buttons in order; each group gets its words as a section, then its own row."""
    blocks: list[dict[str, Any]] = []
    run: list[Button] = []
    for button in [*buttons, None]:
        if run and (button is None or button.group != run[0].group):
            if run[0].group:
                blocks += sections(escape(run[0].group))
            blocks += _actions([_button(b, drawing) for b in run])
            run = []
        if button is not None:
            run.append(button)
    return blocks


def _button(button: Button, drawing: _Drawing) -> dict[str, Any]:
    drawn: dict[str, Any] = {
        "type": "button",
        "text": plain_text(drawing.shorten(button.label, MAX_BUTTON)),
        "action_id": drawing.action_id(button.action_id),
    }
    if button.value:
        drawn["value"] = button.value
    if button.style:
        drawn["style"] = button.style
    return drawn


def _select(select: Select, options: Sequence[Option], drawing: _Drawing) -> dict[str, Any]:
    return {
        "type": "static_select",
        "placeholder": plain_text(drawing.shorten(select.placeholder or "…", MAX_PLACEHOLDER)),
        "action_id": drawing.action_id(select.action_id),
        "options": [_option(o, drawing) for o in options],
    }


def _option(option: Option, drawing: _Drawing) -> dict[str, Any]:
    return {"text": plain_text(drawing.shorten(option.label, MAX_BUTTON)), "value": option.value}


def _actions(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": part} for part in _chunks(elements, MAX_ELEMENTS)]


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def fallback(message: Message) -> str:
    """The plain text for notifications and screen readers, times in the reader's zone."""
    words = message.plain()
    lines = [f"{f.label}: {plain(f.value)}" for f in message.fields]
    if lines:
        words = "\n".join([words, *lines])
    words = as_slash_commands(words, verb_needed=False)
    if len(words) > MAX_FALLBACK:
        words = words[: MAX_FALLBACK - 1] + "…"
    return escape(words)


def render_message(message: Message, _: Translate) -> list[SlackMessage]:
    """A core message as one or more Slack messages, each within Slack's limits."""
    drawing = _Drawing(_)
    blocks = message_blocks(message, drawing)
    if drawing.shortened:
        blocks.append(drawing.note())
    text = fallback(message)
    if len(blocks) <= MAX_BLOCKS:
        return [SlackMessage(text, blocks)]
    parts: list[SlackMessage] = []
    rest = blocks
    while len(rest) > MAX_BLOCKS:
        cut = MAX_BLOCKS - 1  # room for the note that it goes on
        if rest[cut - 1]["type"] == "section" and rest[cut]["type"] == "actions":
            cut -= 1  # keep a group's words with its buttons
        parts.append(SlackMessage(text, [*rest[:cut], context(_("Continued in the next message."))]))
        rest = rest[cut:]
    parts.append(SlackMessage(text, rest))
    return parts


def render_whole(message: Message, _: Translate) -> SlackMessage:
    """A core message as one Slack message (for an edit), shortened with a note if need be."""
    drawing = _Drawing(_)
    blocks = message_blocks(message, drawing)
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1]
        drawing.shortened = True
    if drawing.shortened:
        blocks.append(drawing.note())
    return SlackMessage(fallback(message), blocks)


def _view_blocks(blocks: list[dict[str, Any]], drawing: _Drawing) -> list[dict[str, Any]]:
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = blocks[: MAX_VIEW_BLOCKS - 1]
        drawing.shortened = True
    if drawing.shortened:
        blocks.append(drawing.note())
    return blocks


def render_home(reply: Reply, _: Translate) -> dict[str, Any]:
    """The App Home view: every message of the reply, one after another."""
    drawing = _Drawing(_)
    blocks: list[dict[str, Any]] = []
    for message in reply.messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += message_blocks(message, drawing)
    return {"type": "home", "blocks": _view_blocks(blocks, drawing)}


# ---- forms ------------------------------------------------------------------------------------


def render_modal(form: Form, origin: Origin, _: Translate, notes: Sequence[Message] = ()) -> dict[str, Any]:
    """One page of a form as a modal. `notes` are words to show above the fields."""
    drawing = _Drawing(_)
    title = drawing.shorten(form.title, MAX_TITLE)
    blocks: list[dict[str, Any]] = []
    if title != form.title:
        blocks += sections(f"*{escape(form.title)}*")
    for note in notes:
        blocks += sections(mrkdwn(note.text))
    if form.pages > 1:
        blocks.append(context(_("Page {page} of {pages}", page=form.page, pages=form.pages)))
    blocks += [_input(f, drawing) for f in form.fields]
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": plain_text(title),
        "submit": plain_text(drawing.shorten(form.submit_label, MAX_TITLE)),
        "close": plain_text(drawing.shorten(_("Cancel"), MAX_TITLE)),
        "private_metadata": origin.metadata(form.page),
        "blocks": _view_blocks(blocks, drawing),
    }


def _input(form_field: FormField, drawing: _Drawing) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": form_field.name,
        "optional": not form_field.required,
        "label": plain_text(drawing.shorten(form_field.label, 2000)),
        "element": _element(form_field, drawing),
    }
    if form_field.hint:
        block["hint"] = plain_text(drawing.shorten(form_field.hint, 2000))
    return block


def _element(form_field: FormField, drawing: _Drawing) -> dict[str, Any]:
    initial = form_field.initial
    if form_field.kind == "file":  # one file, uploaded in the modal; the adapter fetches it
        return {"type": "file_input", "action_id": "value", "max_files": 1}
    if form_field.kind == "choice" and len(form_field.choices) <= MAX_OPTIONS:
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": "value",
            "options": [_option(o, drawing) for o in form_field.choices],
        }
        chosen = [o for o in form_field.choices if o.value == initial]
        if chosen:
            element["initial_option"] = _option(chosen[0], drawing)
        return element
    if form_field.kind == "number":
        # Slack then lets only a number within the bounds be typed, and a whole one if need be.
        element = {"type": "number_input", "action_id": "value", "is_decimal_allowed": not form_field.whole}
        if form_field.minimum is not None:
            element["min_value"] = _number(form_field.minimum)
        if form_field.maximum is not None:
            element["max_value"] = _number(form_field.maximum)
        if initial:
            element["initial_value"] = initial
        return element
    # Dates stay typed words ("next Monday 9am"): the core reads them in the form's time zone.
    element = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": form_field.kind == "long",
        "max_length": max(1, min(form_field.max_length, MAX_INPUT)),
    }
    if initial:
        element["initial_value"] = initial[:MAX_INPUT]
    if form_field.kind == "choice":  # too many to list: typed, and the core checks it
        element["placeholder"] = plain_text(
            drawing.shorten(", ".join(o.label for o in form_field.choices), MAX_PLACEHOLDER)
        )
    return element


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def render_errors(reply: Reply) -> dict[str, str]:
    """What to put right, on each field (`response_action: errors`); Slack takes only fields shown."""
    shown = {f.name for f in reply.form.fields} if reply.form else set(reply.field_errors)
    return {name: problem for name, problem in reply.field_errors.items() if name in shown}
