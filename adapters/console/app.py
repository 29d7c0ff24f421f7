"""The console chat: reads lines, turns them into core events, prints what comes back.

A line is a command ("profile"), a number pressing a button on your latest message, a label
pressing one on any message of your latest reply (or the latest with that label), or, while a form is open, the answer to its next field. `:as NAME [ROLE]` switches who is
typing. Messages the outbox sends to other console users are printed as they are sent.
"""

from __future__ import annotations

import mimetypes
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from adapters.console.render import Choice, choices_of, field_prompt, render_form_title, render_message
from bot.clock import ShiftedClock
from bot.conversation import (
    MAX_FILE_BYTES,
    ButtonPress,
    Command,
    File,
    Form,
    FormSubmit,
    Message,
    Reply,
    Who,
)
from bot.core import Bot
from bot.members import AccountRef, Role
from bot.outbox import Delivery, dispatch_due
from bot.words import translator, when


def console_who(name: str) -> Who:
    name = name.strip()
    return Who(AccountRef("console", "local", name.lower()), name)


@dataclass
class OpenForm:
    form: Form
    answers: dict[str, str] = field(default_factory=dict)
    # Fields still to ask on this page, in order.
    asking: list[str] = field(default_factory=list)
    # Files given for "file" fields, by field name.
    files: dict[str, File] = field(default_factory=dict)


class ConsoleSender:
    """Delivers outbox messages to console users by printing them."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def send(self, delivery: Delivery) -> str | None:
        if delivery.event is not None:
            return None  # no shared calendar here; the calendar file serves
        self.console.deliver(delivery)
        return f"console-{delivery.outbox_id}"


class Console:
    def __init__(self, bot: Bot, out: TextIO, echo: bool, files_dir: Path = Path("files")) -> None:
        self.bot = bot
        self.out = out
        self.echo = echo
        # Where files that are not text (a chart's PNG) are saved, to open with any viewer.
        self.files_dir = files_dir
        self._ = translator(bot.settings.default_language)
        self.who = console_who("you")
        # Buttons a number can press: each person's latest, and each channel's latest post.
        # A number presses whichever of those the person saw last.
        self.choices: dict[str, tuple[int, list[Choice]]] = {}
        # Buttons a label can press as well: those on every message of each person's latest reply
        # ("OK" under the notice, though the reply's last message has buttons of its own).
        self.in_reply: dict[str, list[Choice]] = {}
        self.shown = 0
        self.forms: dict[str, OpenForm] = {}
        self.sender = ConsoleSender(self)
        self.lock = threading.RLock()

    # -- who is typing -----------------------------------------------------------------------

    def become(self, name: str, role: Role | None = None) -> None:
        self.who = console_who(name)
        if role is not None:
            self.bot.prepare_local_member(self.who, role)

    def prompt(self) -> str:
        open_form = self.forms.get(self.who.account.user_id)
        if open_form and open_form.asking:
            current = next(f for f in open_form.form.fields if f.name == open_form.asking[0])
            if current.kind == "file":
                current = replace(current, hint=current.hint or self._("the path to a file on this computer"))
            return field_prompt(current, self._) + " "
        return f"{self.who.display_name}> "

    # -- one line ----------------------------------------------------------------------------

    def line(self, raw: str) -> bool:
        """Handle one typed line. False means the person asked to quit."""
        text = raw.strip()
        with self.lock:
            if self.echo:
                self._print(self.prompt().rstrip() + (" " + text if text else ""))
            if not self._line(text):
                return False
            self.catch_up()
        return True

    def _line(self, text: str) -> bool:
        user = self.who.account.user_id
        if text in (":quit", ":exit", ":q"):
            return False
        if text.startswith(":as"):
            return self._switch(text)
        if text.startswith(":wait"):
            return self._wait(text[5:])
        if text == ":help":
            self._print(
                self._(
                    "Console help: type a command such as guide. Type a number to press a button. "
                    "Type :as NAME to speak as someone else, or :as NAME coordinator to give them a role too. "
                    "Type :wait 2h to move the clock on. Type :quit to leave."
                )
            )
            return True
        if user in self.forms:
            self._answer(text)
            return True
        if not text:
            return True
        pressed = self._choice(text)
        if pressed is not None:
            self.show(self.bot.handle(ButtonPress(self.who, pressed.action_id, pressed.value)))
            return True
        name, _sep, rest = text.lstrip("/").partition(" ")
        self.show(self.bot.handle(Command(self.who, name, rest)))
        return True

    def _switch(self, text: str) -> bool:
        words = text.split()[1:]
        role = None
        if len(words) >= 2 and words[-1].lower() in {r.value for r in Role}:
            role = Role(words.pop().lower())
        if not words:
            self._print(self._("Type :as and a name, like :as sam or :as sam coordinator."))
            return True
        self.become(" ".join(words), role)
        return True

    def _wait(self, amount: str) -> bool:
        """Move the console's clock on, to try what happens later (a reminder, a summary)."""
        match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", amount.lower())
        if not match or not isinstance(self.bot.clock, ShiftedClock):
            self._print(self._("Type :wait and a time, like :wait 30m, :wait 2h or :wait 2d."))
            return True
        number, unit = int(match.group(1)), match.group(2)
        self.bot.clock.shift(
            {"m": timedelta(minutes=number), "h": timedelta(hours=number), "d": timedelta(days=number)}[unit]
        )
        now = when(
            self.bot.clock.now(), self.bot.settings.default_timezone, self.bot.settings.default_language
        )
        self._print(self._("(The console's clock moved on. It is now {when}.)", when=now))
        return True

    def _choice(self, text: str) -> Choice | None:
        seen = [self.choices.get(self.who.account.user_id, (0, []))]
        seen += [found for key, found in self.choices.items() if key.startswith("#")]
        newest_first = [choices for _shown, choices in sorted(seen, key=lambda found: -found[0])]
        # A number presses a button on the message seen last; a label, on any of them.
        if text.isdigit():
            latest = newest_first[0]
            return latest[int(text) - 1] if 1 <= int(text) <= len(latest) else None
        for choices in [*newest_first, self.in_reply.get(self.who.account.user_id, [])]:
            for choice in choices:
                if choice.label.lower() == text.lower():
                    return choice
        return None

    # -- forms, one field at a time ----------------------------------------------------------

    def _answer(self, text: str) -> None:
        user = self.who.account.user_id
        open_form = self.forms[user]
        if text == ":cancel":
            del self.forms[user]
            self._print(self._("Stopped. Nothing from that form was saved."))
            return
        name = open_form.asking.pop(0)
        current = next(f for f in open_form.form.fields if f.name == name)
        if current.kind == "file":
            if not self._file_answer(open_form, name, text):
                open_form.asking.insert(0, name)  # asked again
                return
        elif text == "-":
            open_form.answers[name] = ""
        elif text:
            open_form.answers[name] = text
        else:
            open_form.answers[name] = current.initial
        if open_form.asking:
            return
        del self.forms[user]
        reply = self.bot.handle(
            FormSubmit(
                self.who,
                open_form.form.form_id,
                open_form.answers,
                page=open_form.form.page,
                files=open_form.files,
            )
        )
        self.show(reply, previous=open_form)

    def _file_answer(self, open_form: OpenForm, name: str, text: str) -> bool:
        """A file field's answer: the path to a file on this computer, read; Enter or - skips.
        False when there is no file there to read (the field is asked again)."""
        open_form.files.pop(name, None)
        if text in ("", "-"):
            open_form.answers[name] = ""
            return True
        path = Path(text.strip().strip("'\"")).expanduser()
        try:
            with path.open("rb") as readable:
                content = readable.read(MAX_FILE_BYTES + 1)  # more than that, and the form says so
        except OSError:
            self._print(
                self._(
                    "I could not open a file at {path}. Please type its full path, or press Enter to skip.",
                    path=str(path),
                )
            )
            return False
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        open_form.files[name] = File(path.name, mime, content)
        open_form.answers[name] = path.name
        return True

    def _save(self, file: File) -> str:
        """Keep a file that is not text (a chart) in the files folder; say what it shows and where."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = Path(file.name).name or "file"
        path, number = self.files_dir / name, 1
        while path.exists():  # never over an earlier one
            number += 1
            path = self.files_dir / f"{Path(name).stem}-{number}{Path(name).suffix}"
        content = file.content.encode() if isinstance(file.content, str) else file.content
        path.write_bytes(content)
        shown = str(path)
        if file.mime.startswith("image/") and file.description:
            return self._("Chart: {description} Saved as {path}", description=file.description, path=shown)
        if file.description:
            return self._("{description} Saved as {path}", description=file.description, path=shown)
        return self._("File saved as {path}", path=shown)

    # -- output ------------------------------------------------------------------------------

    def show(self, reply: Reply, previous: OpenForm | None = None) -> None:
        if reply.language:  # the console speaks the language of whoever typed last
            self._ = translator(reply.language)
        user = self.who.account.user_id
        in_reply: list[Choice] = []
        for message in reply.messages:
            self._print(render_message(message, self._save, self._))
            if message.buttons or message.selects:
                self._offer(user, message)
                in_reply += choices_of(message)
        if in_reply:
            self.in_reply[user] = in_reply
        if reply.form is None:
            return
        if reply.field_errors and previous is not None:
            for name, problem in reply.field_errors.items():
                label = next((f.label for f in reply.form.fields if f.name == name), name)
                self._print(f"! {label}: {problem}")
            keep = {k: v for k, v in previous.answers.items() if k not in reply.field_errors}
            files = {k: f for k, f in previous.files.items() if k not in reply.field_errors}
            asking = [f.name for f in reply.form.fields if f.name in reply.field_errors]
            # Ask again with nothing in [brackets]: Enter must not resend the same mistake.
            fields = tuple(
                replace(f, initial="") if f.name in reply.field_errors else f for f in reply.form.fields
            )
            self.forms[user] = OpenForm(replace(reply.form, fields=fields), keep, asking, files)
            return
        if reply.form.page == 1:
            self._print(
                self._(
                    "Press Enter to keep what is in [brackets]. Type - to leave a field empty, or :cancel to stop."
                )
            )
        self._print(render_form_title(reply.form))
        self.forms[user] = OpenForm(reply.form, {}, [f.name for f in reply.form.fields])

    def _offer(self, key: str, message: Message) -> None:
        self.shown += 1
        self.choices[key] = (self.shown, choices_of(message))

    def deliver(self, delivery: Delivery) -> None:
        with self.lock:
            where = delivery.target_id
            if delivery.target_kind != "channel":
                self._print(self._("--- message for {name} ---", name=where))
            elif delivery.edit_message_id:
                self._print(self._("--- updated in #{channel} ---", channel=where))
            else:
                self._print(self._("--- in #{channel} ---", channel=where))
            self._print(render_message(delivery.message, self._save, self._))
            self._print("---")
            if delivery.message.buttons or delivery.message.selects:
                key = where if delivery.target_kind != "channel" else f"#{where}"
                self._offer(key, delivery.message)

    def catch_up(self) -> int:
        """Do what is due (check-ins, reminders) and print what the outbox sends."""
        self.bot.tick()
        return dispatch_due(self.bot.engine, {"console": self.sender}, self.bot.clock)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)
