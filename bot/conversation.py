"""The neutral conversation model: events that come in, replies and messages that go out.

Adapters turn a platform payload into one of the inbound events and draw the outbound
objects in their own way. A `Moment` is a point in time each platform shows in the reader's
own zone; its `fallback` is already written in the reader's zone for places that cannot. A
`Mention` is an account its own platform shows as the real person behind it.
"""

from __future__ import annotations

import base64
import string
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.members import AccountRef

# ---- inbound -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """The person acting: their account on one platform, and the name the platform shows."""

    account: AccountRef
    display_name: str = ""
    # The time zone the platform knows for them (Slack's users.info tz), used for someone
    # new until they choose their own. Empty: the service's default.
    timezone: str = ""


@dataclass(frozen=True)
class Where:
    """A direct message with the bot, or a channel (by its platform id)."""

    kind: Literal["dm", "channel"] = "dm"
    channel_id: str = ""


@dataclass(frozen=True)
class Command:
    who: Who
    name: str
    text: str = ""
    where: Where = Where()
    # People the platform says were mentioned in `text`, in order (e.g. Slack's <@U123>).
    mentions: tuple[AccountRef, ...] = ()


@dataclass(frozen=True)
class ButtonPress:
    who: Who
    action_id: str
    value: str = ""
    where: Where = Where()


@dataclass(frozen=True)
class FormSubmit:
    who: Who
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    page: int = 1
    where: Where = Where()
    # A "file" field's upload, by field name (a receipt): the adapter fetched its bytes.
    files: dict[str, File] = field(default_factory=dict)


@dataclass(frozen=True)
class HomeOpened:
    """The person opened the bot's home (Slack's App Home): show them what is theirs now."""

    who: Who
    where: Where = Where()


Event = Command | ButtonPress | FormSubmit | HomeOpened

# ---- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    at: datetime
    fallback: str


@dataclass(frozen=True)
class Mention:
    """An account as its platform shows it (Slack's <@U123>, Discord's <@123>), so a reader sees
    which real person is meant. Drawn so on the account's own platform, in a message for one
    reader and never pinging; `fallback` (the handle, like "@sam.b") serves everywhere else."""

    account: AccountRef
    fallback: str


Span = str | Moment | Mention


def spans_of(value: tuple[Span, ...] | str) -> tuple[Span, ...]:
    """`value` as spans. A bare str is taken as one span: iterated, it would be one span a
    character, each escaped alone, and an adapter's escaping could not see a link in it."""
    if isinstance(value, str):
        return (value,)
    found = tuple(value)
    wrong = [s for s in found if not isinstance(s, str | Moment | Mention)]
    if wrong:
        raise TypeError(f"a message's text is made of str, Moment and Mention spans, not {wrong[0]!r}")
    return found


@dataclass(frozen=True)
class Field:
    label: str
    value: tuple[Span, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", spans_of(self.value))


@dataclass(frozen=True)
class Button:
    label: str
    # What it does and what it acts on, e.g. "event.signup:42", so it works after a restart.
    action_id: str
    value: str = ""
    style: Literal["primary", "danger", ""] = ""
    # Buttons with the same group belong together (e.g. the answers to one question); a
    # platform may draw each group as its own row under the group's words.
    group: str = ""


@dataclass(frozen=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True)
class Select:
    placeholder: str
    action_id: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class File:
    """A file that goes with a message: a calendar file (.ics), a CSV export, a chart (PNG bytes)."""

    name: str
    mime: str
    content: str | bytes
    # What the file shows, in words, for whoever can't see it: a chart's numbers. Slack puts it in
    # the message beside the image, Discord in the attachment's description, the console prints it.
    description: str = ""


@dataclass(frozen=True)
class Message:
    text: tuple[Span, ...]
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    selects: tuple[Select, ...] = ()
    # True: only the person who acted sees it (an ephemeral reply or a DM).
    private: bool = True
    files: tuple[File, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", spans_of(self.text))

    def plain(self) -> str:
        """The text with every time in its fallback form: for notifications and logs."""
        return plain(self.text)


@dataclass(frozen=True)
class CalendarEvent:
    """An entry in the platform's shared calendar (Discord's Scheduled Events), kept beside a
    post in a channel. A platform without such a calendar skips it; calendar files serve there."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    description: str = ""
    cancelled: bool = False


# "file": an optional upload (a receipt), on a form's last page; it arrives in FormSubmit.files.
FieldKind = Literal["short", "long", "number", "choice", "datetime", "file"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = "short"
    required: bool = True
    max_length: int = 200
    minimum: float | None = None
    maximum: float | None = None
    # A number without decimals (places, minutes, weeks): a platform that can asks for one only.
    whole: bool = False
    choices: tuple[Option, ...] = ()
    initial: str = ""
    hint: str = ""
    # What to put right in this field, when its page comes back after a mistake: shown under its
    # label where the platform can (a Discord modal opened again; Slack's own errors otherwise).
    problem: str = ""


MAX_FIELDS_PER_PAGE = 5  # a Discord modal holds five inputs
# The most a "file" field takes (a receipt). Adapters read at most one byte more than this, and
# the form says kindly that a bigger file is too big.
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Form:
    """One page of a form. `form_id` names the form and what it acts on, e.g. "profile.edit"."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class Reply:
    """What to answer now, to the person who acted."""

    messages: tuple[Message, ...] = ()
    form: Form | None = None
    # Field name -> what is wrong with it, for a form submitted with mistakes.
    field_errors: dict[str, str] = field(default_factory=dict)
    # Bad input or a missing permission: the messages say what to do instead; nothing changed.
    refused: bool = False
    # The language of the person who acted (their profile's, as it is after this turn), for the
    # words an adapter adds around the reply: "Cancel", "Page 1 of 2". Empty: the service's.
    language: str = ""

    def plain(self) -> str:
        return "\n".join(m.plain() for m in self.messages)


def plain(spans: tuple[Span, ...]) -> str:
    return "".join(s if isinstance(s, str) else s.fallback for s in spans)


def fill(template: str, **values: Span) -> tuple[Span, ...]:
    """'Paused until {when}.' with when=Moment(...) -> ('Paused until ', Moment(...), '.')."""
    spans: list[Span] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            spans.append(literal)
        if name is not None:
            spans.append(values[name])
    return tuple(spans)


# ---- storing a message in the outbox -------------------------------------------------------


def message_to_json(message: Message) -> dict[str, Any]:
    def span(s: Span) -> Any:
        if isinstance(s, Mention):
            return {"mention": asdict(s.account), "fallback": s.fallback}
        return s if isinstance(s, str) else {"at": s.at.isoformat(), "fallback": s.fallback}

    def spans(items: tuple[Span, ...]) -> list[Any]:
        return [span(s) for s in items]

    return {
        "text": spans(message.text),
        "fields": [{"label": f.label, "value": spans(f.value)} for f in message.fields],
        "buttons": [
            {"label": b.label, "action_id": b.action_id, "value": b.value, "style": b.style, "group": b.group}
            for b in message.buttons
        ],
        "selects": [
            {
                "placeholder": s.placeholder,
                "action_id": s.action_id,
                "options": [{"label": o.label, "value": o.value} for o in s.options],
            }
            for s in message.selects
        ],
        "private": message.private,
        "files": [file_to_json(f) for f in message.files],
    }


def message_from_json(data: dict[str, Any]) -> Message:
    def span(s: Any) -> Span:
        if isinstance(s, str):
            return s
        if "mention" in s:
            return Mention(AccountRef(**s["mention"]), s["fallback"])
        return Moment(datetime.fromisoformat(s["at"]), s["fallback"])

    def spans(items: list[Any]) -> tuple[Span, ...]:
        return tuple(span(s) for s in items)

    return Message(
        text=spans(data["text"]),
        fields=tuple(Field(f["label"], spans(f["value"])) for f in data["fields"]),
        buttons=tuple(Button(**b) for b in data["buttons"]),
        selects=tuple(
            Select(s["placeholder"], s["action_id"], tuple(Option(**o) for o in s["options"]))
            for s in data["selects"]
        ),
        private=data["private"],
        files=tuple(file_from_json(f) for f in data.get("files", [])),
    )


def file_to_json(file: File) -> dict[str, Any]:
    if isinstance(file.content, bytes):
        content: dict[str, str] | str = {"base64": base64.b64encode(file.content).decode("ascii")}
    else:
        content = file.content
    return {"name": file.name, "mime": file.mime, "content": content, "description": file.description}


def file_from_json(data: dict[str, Any]) -> File:
    content = data["content"]
    if isinstance(content, dict):
        content = base64.b64decode(content["base64"])
    return File(data["name"], data["mime"], content, data.get("description", ""))


def event_to_json(event: CalendarEvent) -> dict[str, Any]:
    return {
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "place": event.place,
        "description": event.description,
        "cancelled": event.cancelled,
    }


def event_from_json(data: dict[str, Any]) -> CalendarEvent:
    return CalendarEvent(
        data["title"],
        datetime.fromisoformat(data["starts_at"]),
        datetime.fromisoformat(data["ends_at"]),
        data["place"],
        data["description"],
        data["cancelled"],
    )
