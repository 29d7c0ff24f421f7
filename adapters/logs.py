"""The log, set up in one place for the `partnerbot` command: private by default.

What people type and are sent never reaches the log, at any LOG_LEVEL:
- Below WARNING, a library's lines are kept only from loggers that were read and found to
  carry no words (OPEN); a few that tell of an HTTP request and carry its body are cut to the
  method, address and status (CUT). Every other library line below WARNING is left out.
- A traceback shows each exception's type and frames, not its message, which can quote what
  someone typed ("invalid literal for int(): 'my words'") or a row ("Failing row contains").
  Where the log line itself repeats that message, it is hidden there too. Errors about the
  machine (a refused connection, a locked file: PLAIN_ERRORS) keep their words.
LOG_PERSONAL_TEXT=true lifts both, for debugging on a test workspace only.

Secrets never reach the log, whatever is set: tokens, signing secrets, a database password,
Discord interaction tokens and Slack response URLs are masked in every line.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TextIO

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.settings import Settings

HIDDEN = "(message hidden)"
MASKED = "(secret)"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers that may write below WARNING, from this level up. Ours write ids, never words. The
# libraries' lines at these levels were read (slack-bolt 1.30, slack-sdk 3.47, discord.py 2.7,
# aiohttp 3.14, alembic 1.20, APScheduler 3.11) and hold no payload. Left out, for example:
# slack_bolt (INFO: the body of a request whose signature is wrong), slack_sdk's Socket Mode
# (every envelope received), discord.gateway at DEBUG (every event received), sqlalchemy.engine
# (statements and rows).
OPEN = {
    "bot": logging.DEBUG,
    "adapters": logging.DEBUG,
    "storage": logging.DEBUG,
    "partnerbot": logging.DEBUG,
    "alembic": logging.DEBUG,
    "apscheduler": logging.DEBUG,
    # Every beat's "Running job" and "executed successfully", four lines every few seconds that
    # say nothing: a beat that sent something says so itself (bot/scheduling.py).
    "apscheduler.executors": logging.WARNING,
    "aiohttp.access": logging.INFO,  # the request line, e.g. POST /slack/events
    "discord.client": logging.DEBUG,  # names of events
    "discord.gateway": logging.INFO,  # connected, resumed
    "discord.webhook": logging.DEBUG,  # method, address and status of interaction answers
}

# Errors whose words are about the machine, never about people: a refused connection, a full
# disk, a locked file. Their messages stay, since they say what to put right.
PLAIN_ERRORS = (OSError, sqlite3.OperationalError, psycopg.OperationalError, OperationalError)

# Lines that tell of one HTTP request, cut to what was asked of where: their bodies hold messages.
CUT = (
    ("slack_sdk", re.compile(r"(Sending a request - url: (?:[A-Z]+ )?[^\s,]+)")),
    ("slack_sdk", re.compile(r"(Received the following response - status: \d+)")),
    ("discord.http", re.compile(r"([A-Z]+ \S+) with .* (has returned \d+)", re.DOTALL)),
)

# Secrets by their shape, masked in every line: Slack tokens, Discord bot tokens, the tokens in
# Discord's interaction and webhook addresses, Slack's response URLs and Socket Mode tickets,
# the password in a database URL, and any "token" in a payload (an interaction's, say).
SHAPES = (
    (re.compile(r"""(['"](?:token|access_token|secret|password)['"]\s*:\s*['"])[^'"]+"""), rf"\1{MASKED}"),
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+"), MASKED),
    (re.compile(r"\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), MASKED),
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s'\",?]+"), rf"\1{MASKED}"),
    (re.compile(r"(hooks\.slack\.com/)[^\s'\",]+"), rf"\1{MASKED}"),
    (re.compile(r"(ticket=)[^&\s'\",]+"), rf"\1{MASKED}"),
    (re.compile(r"(://[^/\s:@'\"]+:)[^@\s/'\"]+@"), rf"\1{MASKED}@"),
)


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Send the log to `stream` (stderr) at LOG_LEVEL, privately. Returns the handler."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    shown = settings.log_personal_text
    handler.setFormatter(PrivateFormatter(secrets_of(settings), show_messages=shown))
    handler.addFilter(PersonalText(shown=shown))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # An error nobody caught ends in the log too, by the same rules, not raw on stderr.
    sys.excepthook = _uncaught
    threading.excepthook = _uncaught_in_thread
    return handler


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets, to mask wherever they show."""
    found = [
        value.get_secret_value()
        for value in (
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.discord_bot_token,
        )
        if value is not None
    ]
    if settings.database_url:
        try:
            found.append(make_url(settings.database_url).password or "")
        except Exception:  # an unreadable URL is reported at start-up; it has nothing to mask
            pass
    return [secret for secret in found if len(secret) >= 4]


class PersonalText(logging.Filter):
    """Keeps library lines that may carry people's words out of the log, below WARNING."""

    def __init__(self, shown: bool) -> None:
        super().__init__()
        self.shown = shown

    def filter(self, record: logging.LogRecord) -> bool:
        if self.shown or record.levelno >= logging.WARNING:
            return True
        if record.levelno >= _lowest_open_level(record.name):
            return True
        kept = _cut(record)
        if kept is None:
            return False
        record.msg, record.args = kept, ()
        return True


def _lowest_open_level(name: str) -> int:
    while name:
        if name in OPEN:
            return OPEN[name]
        name = name.rpartition(".")[0]
    return logging.WARNING


def _cut(record: logging.LogRecord) -> str | None:
    """The request a line tells of, without its body; None for any other line."""
    for logger, shape in CUT:
        if record.name == logger or record.name.startswith(logger + "."):
            found = shape.match(record.getMessage())
            if found:
                return " ".join(found.groups()) + " (body not logged)"
    return None


class PrivateFormatter(logging.Formatter):
    """Python's usual lines, with exception messages hidden (unless shown) and secrets masked."""

    def __init__(self, secrets: Iterable[str] = (), show_messages: bool = False) -> None:
        super().__init__(FORMAT)
        self.secrets = sorted(set(secrets), key=len, reverse=True)
        self.show_messages = show_messages

    def format(self, record: logging.LogRecord) -> str:
        # Written out rather than inherited: Formatter.format reuses a traceback another
        # handler already wrote onto the record, messages and all.
        record.message = self._message(record)
        record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + self.formatException(record.exc_info).rstrip("\n")
        elif record.exc_text and self.show_messages:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return self.mask(text)

    def formatException(self, ei: tuple) -> str:  # noqa: N802 (logging's name)
        if self.show_messages:
            return super().formatException(ei)
        return private_traceback(ei[1])

    def _message(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if self.show_messages or not record.exc_info or record.exc_info[1] is None:
            return message
        # "Failed to run listener (error: <the exception's message>)": the same words, hidden.
        for error, _joint in _chain(record.exc_info[1]):
            said = _said(error)
            if len(said) >= 3 and not isinstance(error, PLAIN_ERRORS):
                message = message.replace(said, HIDDEN)
        return message

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASKED)
        for shape, replacement in SHAPES:
            text = shape.sub(replacement, text)
        return text


CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def private_traceback(error: BaseException) -> str:
    """Python's traceback of an error and those before it, each message left out (but those of
    PLAIN_ERRORS)."""
    lines: list[str] = []
    for each, joint in reversed(_chain(error)):
        if each.__traceback__ is not None:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.format_tb(each.__traceback__))
        said = _said(each)
        if said and not isinstance(each, PLAIN_ERRORS):
            said = HIDDEN
        lines.append(f"{_type_name(type(each))}: {said}\n" if said else f"{_type_name(type(each))}\n")
        lines.append(joint)
    return "".join(lines)


def _chain(error: BaseException) -> list[tuple[BaseException, str]]:
    """The error, then each one it came from, with the words that link each to the next."""
    found: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    joint = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found.append((current, joint))
        if current.__cause__ is not None:
            current, joint = current.__cause__, CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, joint = current.__context__, CONTEXT
        else:
            current = None
    return found


def _said(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a broken __str__ has nothing to hide
        return ""


def _type_name(kind: type) -> str:
    module = kind.__module__
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"


def _uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("partnerbot").critical("stopped by an error", exc_info=(kind, error, trace))


def _uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("partnerbot").error(
        "thread %s stopped by an error", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )
