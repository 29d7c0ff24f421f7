"""Core messages and forms drawn for Discord: message content, rows of buttons and selects, modals.

Everything the core says is plain text, so Discord's markdown in it is escaped; pings are made
impossible by `allowed_mentions` on every send (see NO_PINGS). Discord's limits are kept by
splitting a message (2000 characters of content, 5 rows of 5 buttons, 25 options a select).
Every component carries in its `custom_id` what it acts on, so it works after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import discord

from adapters.text import as_slash_commands, runs
from adapters.text import split_text as split_by_atoms
from bot.conversation import Button, Form, FormField, Mention, Message, Moment, Reply, Select, Span
from bot.words import Translate

PLATFORM = "discord"

MAX_CONTENT = 2000  # characters of a message's content
MAX_ROWS = 5  # rows of components in one message
MAX_PER_ROW = 5  # buttons in one row
MAX_OPTIONS = 25  # options in one select
MAX_LABEL = 80  # characters of a button label or an option
MAX_CUSTOM_ID = 100
MAX_MODAL_TITLE = 45
MAX_INPUT_LABEL = 45
MAX_PLACEHOLDER = 100  # a text input's; a select's is 150
MAX_INPUT = 4000  # characters a text input can take
MAX_INPUTS = 5  # in one modal

# Nothing the bot sends may ping @everyone, @here, a role or a person.
NO_PINGS = discord.AllowedMentions.none()

# Component ids: a button "b:<action>|<value>", a select "s:<action>", a form "f:<page>:<form>".
# A digit after the letter keeps ids unique when one action appears twice in a message.
_BUTTON = re.compile(r"^b\d*:(?P<action>[^|]*)\|(?P<value>.*)$", re.DOTALL)
_SELECT = re.compile(r"^s\d*:(?P<action>.*)$", re.DOTALL)
_FORM = re.compile(r"^f:(?P<page>\d+):(?P<form>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Pressed:
    """What a component's custom_id says: a button or select (action and value) or a form page."""

    kind: Literal["button", "select", "form", "unknown"]
    action_id: str = ""
    value: str = ""
    page: int = 1


def read_custom_id(custom_id: str) -> Pressed:
    if found := _BUTTON.match(custom_id):
        return Pressed("button", found["action"], found["value"])
    if found := _SELECT.match(custom_id):
        return Pressed("select", found["action"])
    if found := _FORM.match(custom_id):
        return Pressed("form", found["form"], page=int(found["page"]))
    return Pressed("unknown")


def form_custom_id(form: Form) -> str:
    return f"f:{form.page}:{form.form_id}"[:MAX_CUSTOM_ID]


# A link typed bare: one pair of round brackets in it is its own, as in .../Pain_(medicine); a
# full stop or a bracket after it is the sentence's. Square brackets end it (a link has them
# encoded), so that none can start a masked link.
_LINK = r"https?://(?:[^\s<>()\[\]]|\([^\s<>()\[\]]*\))*(?:[^\s<>()\[\].,:;!?\"']|\([^\s<>()\[\]]*\))"
_TO_ESCAPE = re.compile(
    rf"(?P<link>{_LINK})"
    # @everyone and @here: a zero-width space after the @, as discord.py's escape_mentions does.
    r"|(?P<mass>@(?=(?i:everyone|here)))"
    # Emphasis, code, spoilers, masked links and every <...> token (a mention, a channel, a time,
    # a slash command, an emoji); ">" also quotes.
    r"|(?P<char>[\\*_~|`\[<>])",
)
# What makes a heading, subtext, a list or a numbered list when a line starts with it. Escaped
# there only, so the bot's own "check-in" and "#1" read as they are in notifications too.
_LINE_START = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<mark>[#+-])|(?P<number>\d+)(?P<dot>[.)](?=\s|$)))", re.M)


def escape(text: str) -> str:
    """Plain text that Discord shows as it is: a backslash before every character its markdown
    reads, and a break in @everyone and @here.

    A link stays a link showing its own address, in <...> so that Discord reads exactly it
    (nothing after it) and shows no preview, whose title could be other words."""

    def inert(found: re.Match[str]) -> str:
        if found["link"]:
            return f"<{found['link']}>"
        if found["mass"]:
            return "@\u200b"
        return "\\" + found[0]

    return line_starts(_TO_ESCAPE.sub(inert, text))


def line_starts(text: str) -> str:
    """`text` with a backslash before each line's heading, subtext or list marker. (Any text that
    is not a line's start is taken to be one: it may follow a time, or start a part.)"""

    def inert(found: re.Match[str]) -> str:
        if found["mark"]:
            return f"{found['indent']}\\{found['mark']}"
        return f"{found['indent']}{found['number']}\\{found['dot']}"

    return _LINE_START.sub(inert, text)


def escaped_within(text: str, limit: int) -> str:
    """`text` escaped, shortened first if need be, as little as can be, to fit in `limit`."""
    fits, longer = 0, len(text) + 1
    while longer - fits > 1:  # the longest shortening whose escaped words fit
        middle = (fits + longer) // 2
        fits, longer = (middle, longer) if len(escape(shorten(text, middle))) <= limit else (fits, middle)
    return escape(shorten(text, fits)) if fits else ""


def time_tokens(moment: Moment) -> str:
    """A time each reader sees in their own zone: the full date, then how long from now."""
    stamp = int(moment.at.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def mention_token(mention: Mention) -> str:
    """A Discord account as Discord shows it (its real profile; NO_PINGS keeps it silent), or
    its handle as text for an account elsewhere."""
    if mention.account.platform == PLATFORM:
        return f"<@{mention.account.user_id}>"
    return escape(mention.fallback)


def markdown(spans: Sequence[Span]) -> str:
    """Times and mentions as Discord's tokens, the words between them escaped whole (so that a
    mention or a link typed over two spans is still seen)."""

    def one(run: Span) -> str:
        if isinstance(run, Moment):
            return time_tokens(run)
        if isinstance(run, Mention):
            return mention_token(run)
        return escape(as_slash_commands(run, verb_needed=True))

    return "".join(one(run) for run in runs(spans))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# A time token, a mention, a link or an escape must never be cut; text breaks best at a newline,
# then at a space.
_ATOM = re.compile(r"<t:\d+:[A-Za-z]>|<@\d+>|<https?://[^\s<>]+>|\\.|\n|[ \t]+|[^\s<\\]+|.", re.DOTALL)


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Content in pieces of at most `limit` characters, never inside a token. A piece that
    starts in the middle of a line starts a line of its own, so its start is escaped again."""
    pieces = split_by_atoms(text, limit - 1, _ATOM)
    return [pieces[0], *(line_starts(p) for p in pieces[1:])] if pieces else []


# ---- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """One button or select, as Discord will draw it."""

    custom_id: str
    label: str = ""
    style: discord.ButtonStyle = discord.ButtonStyle.secondary
    options: tuple[tuple[str, str], ...] = ()  # a select's (label, value)


@dataclass(frozen=True)
class DiscordMessage:
    """One message as Discord takes it: content and at most five rows of components."""

    content: str
    rows: tuple[tuple[Control, ...], ...] = ()

    def view(self) -> discord.ui.View | None:
        if not self.rows:
            return None
        view = discord.ui.View(timeout=None)
        for number, row in enumerate(self.rows):
            for control in row:
                if control.options:
                    view.add_item(
                        discord.ui.Select(
                            custom_id=control.custom_id,
                            placeholder=shorten(control.label or "…", 150),
                            options=[
                                discord.SelectOption(label=lab, value=val) for lab, val in control.options
                            ],
                            row=number,
                        )
                    )
                else:
                    view.add_item(
                        discord.ui.Button(
                            custom_id=control.custom_id, label=control.label, style=control.style, row=number
                        )
                    )
        return view


_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "": discord.ButtonStyle.secondary,
}


@dataclass
class _Ids:
    """Custom ids used in one message, so each is unique there."""

    used: dict[str, int] = field(default_factory=dict)

    def unique(self, letter: str, rest: str) -> str | None:
        count = self.used[rest] = self.used.get(rest, 0) + 1
        made = f"{letter}{count if count > 1 else ''}:{rest}"
        return made if len(made) <= MAX_CUSTOM_ID else None


def _button(button: Button, ids: _Ids) -> Control | None:
    custom_id = ids.unique("b", f"{button.action_id}|{button.value}")
    if custom_id is None:
        return None  # an id too long for Discord: the typed command still does it
    return Control(custom_id, shorten(button.label, MAX_LABEL), _STYLES.get(button.style, _STYLES[""]))


def _selects(select: Select, ids: _Ids) -> list[Control]:
    found = []
    for start in range(0, len(select.options), MAX_OPTIONS):
        custom_id = ids.unique("s", select.action_id)
        if custom_id is None:
            continue
        options = tuple(
            (shorten(o.label, MAX_LABEL), o.value[:MAX_LABEL])
            for o in select.options[start : start + MAX_OPTIONS]
        )
        found.append(Control(custom_id, shorten(select.placeholder, 150), options=options))
    return found


def _rows(controls: Sequence[Control]) -> list[tuple[Control, ...]]:
    """Buttons five to a row; a select fills a row of its own."""
    rows: list[tuple[Control, ...]] = []
    run: list[Control] = []
    for control in controls:
        if control.options:
            if run:
                rows.append(tuple(run))
                run = []
            rows.append((control,))
            continue
        run.append(control)
        if len(run) == MAX_PER_ROW:
            rows.append(tuple(run))
            run = []
    if run:
        rows.append(tuple(run))
    return rows


def _messages(content: str, rows: Sequence[tuple[Control, ...]]) -> list[DiscordMessage]:
    """Content split within 2000 characters; rows five to a message, with the last words."""
    pieces = split_text(content) or [""]
    batches = [tuple(rows[i : i + MAX_ROWS]) for i in range(0, len(rows), MAX_ROWS)] or [()]
    drawn = [DiscordMessage(piece) for piece in pieces[:-1]]
    drawn.append(DiscordMessage(pieces[-1], batches[0]))
    drawn += [DiscordMessage("", batch) for batch in batches[1:]]
    return [m for m in drawn if m.content or m.rows]


def render_message(message: Message) -> list[DiscordMessage]:
    """A core message as one or more Discord messages, each within Discord's limits.

    Buttons of one group (the answers to one question) follow the group's words in a message
    of their own, so a screen reader reads each question just before its answers.
    """
    ids = _Ids()
    lines = [markdown(message.text)] if message.text else []
    lines += [f"**{escape(f.label)}:** {markdown(f.value)}" for f in message.fields]
    loose = [b for b in message.buttons if not b.group]
    controls = [c for c in (_button(b, ids) for b in loose) if c is not None]
    for select in message.selects:
        controls += _selects(select, ids)
    drawn = _messages("\n".join(lines), _rows(controls))
    groups: dict[str, list[Button]] = {}
    for button in message.buttons:
        if button.group:
            groups.setdefault(button.group, []).append(button)
    for words, buttons in groups.items():
        row = [c for c in (_button(b, ids) for b in buttons) if c is not None]
        drawn += _messages(escape(words), _rows(row))
    return drawn


def render_whole(message: Message) -> DiscordMessage:
    """A core message as one Discord message (for an edit), shortened if need be."""
    parts = render_message(message)
    content = "\n".join(p.content for p in parts if p.content)
    rows = tuple(row for p in parts for row in p.rows)[:MAX_ROWS]
    return DiscordMessage(shorten(content, MAX_CONTENT), rows)


# ---- forms ------------------------------------------------------------------------------------


def _input(form_field: FormField) -> discord.ui.Item[discord.ui.Modal]:
    """A text input; or, for a choice of at most 25, a select under its label. A field sent back
    to put right is under its label too, with what to put right just below the label."""
    if form_field.kind == "file":  # one file, uploaded in the modal; the adapter fetches it
        upload: discord.ui.FileUpload[discord.ui.Modal] = discord.ui.FileUpload(
            custom_id=form_field.name,
            required=form_field.required,
            min_values=1 if form_field.required else 0,
            max_values=1,
        )
        return discord.ui.Label(
            text=shorten(form_field.label, MAX_INPUT_LABEL),
            description=shorten(form_field.problem or form_field.hint, MAX_PLACEHOLDER) or None,
            component=upload,
        )
    if form_field.kind == "choice" and 0 < len(form_field.choices) <= MAX_OPTIONS:
        select: discord.ui.Select[discord.ui.Modal] = discord.ui.Select(
            custom_id=form_field.name,
            required=form_field.required,
            min_values=1 if form_field.required else 0,
            options=[
                discord.SelectOption(
                    label=shorten(o.label, MAX_LABEL),
                    value=o.value[:MAX_LABEL],
                    default=o.value == form_field.initial,
                )
                for o in form_field.choices
            ],
        )
        return discord.ui.Label(
            text=shorten(form_field.label, MAX_INPUT_LABEL),
            description=shorten(form_field.problem or form_field.hint, MAX_PLACEHOLDER) or None,
            component=select,
        )
    hint = form_field.hint
    if form_field.kind == "choice" and form_field.choices:
        # Too many to pick from: typed, and the core reads a label, a value or a position.
        hint = ", ".join(o.label for o in form_field.choices)
    text_input: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label=None if form_field.problem else shorten(form_field.label, MAX_INPUT_LABEL),
        custom_id=form_field.name,
        style=discord.TextStyle.paragraph if form_field.kind == "long" else discord.TextStyle.short,
        required=form_field.required,
        max_length=max(1, min(form_field.max_length, MAX_INPUT)),
        default=form_field.initial[:MAX_INPUT] or None,
        placeholder=shorten(hint, MAX_PLACEHOLDER) or None,
    )
    if not form_field.problem:
        return text_input
    return discord.ui.Label(
        text=shorten(form_field.label, MAX_INPUT_LABEL),
        description=shorten(form_field.problem, MAX_PLACEHOLDER),
        component=text_input,
    )


def render_modal(form: Form, _: Translate) -> discord.ui.Modal:
    """One page of a form as a modal whose custom_id says which form and page it is."""
    title = form.title
    if form.pages > 1:
        title = _("{title} ({page} of {pages})", title=form.title, page=form.page, pages=form.pages)
    modal = discord.ui.Modal(
        title=shorten(title, MAX_MODAL_TITLE), custom_id=form_custom_id(form), timeout=None
    )
    for form_field in form.fields[:MAX_INPUTS]:
        modal.add_item(_input(form_field))
    return modal


def form_offer(form: Form, _: Translate) -> Message:
    """A button that opens the form at its page, for when a modal cannot open straight away."""
    if form.page > 1:
        words = _(
            "Page {done} of {pages} is kept. Press Continue for the next page.",
            done=form.page - 1,
            pages=form.pages,
        )
        label = _("Continue")
    else:
        words, label = _("Press the button to open the form."), form.title
    return Message((words,), buttons=(Button(label, form.form_id, str(form.page), "primary"),))


def form_errors(reply: Reply, _: Translate) -> Message:
    """What to put right on each field, and a button to open the page again."""
    assert reply.form is not None
    labels = {f.name: f.label for f in reply.form.fields}
    lines = [_("Please put this right, then open the form again:")]
    lines += [f"{labels.get(name, name)}: {problem}" for name, problem in reply.field_errors.items()]
    return Message(
        ("\n".join(lines),),
        buttons=(Button(_("Open the form again"), reply.form.form_id, str(reply.form.page), "primary"),),
    )
