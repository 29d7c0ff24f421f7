"""Slack payloads in, core events out: who acted, where, and what they typed or pressed.

Slack sends typed text formatted (`<@U123>`, `<https://a.b|words>`, `&lt;`); the core gets it
back as the person typed it, with the people mentioned listed apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.render import PLATFORM, core_action_id, read_metadata
from bot.conversation import ButtonPress, Command, FormSubmit, HomeOpened, Where, Who
from bot.members import AccountRef

_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Profile:
    """What Slack's users.info says about someone: the name to show and their time zone."""

    name: str
    timezone: str = ""


def profile_from_user(user: Mapping[str, Any]) -> Profile:
    shown = user.get("profile") or {}
    name = shown.get("display_name") or shown.get("real_name") or user.get("real_name") or user.get("name")
    return Profile(str(name or user.get("id", "")), str(user.get("tz") or ""))


def who(team_id: str, user_id: str, profile: Profile) -> Who:
    return Who(AccountRef(PLATFORM, team_id, user_id), profile.name, profile.timezone)


def team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team") or {}
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    return str(body.get("team_id") or team.get("id") or user.get("team_id") or "")


def where_of(channel_id: str, channel_name: str = "") -> Where:
    """A direct message (Slack's ids for those start with D), or a channel."""
    if not channel_id or channel_id.startswith("D") or channel_name == "directmessage":
        return Where("dm", channel_id)
    return Where("channel", channel_id)


def mentioned_ids(text: str) -> list[str]:
    """Users mentioned in Slack's formatted text, in order, e.g. for looking their names up."""
    return _USER.findall(text)


def typed_text(text: str, names: Mapping[str, str] | None = None) -> tuple[str, tuple[str, ...]]:
    """Slack's formatted text as the person typed it, and the user ids it mentions, in order.

    A link keeps its address, never other words shown over it; `@here` and the like come back as
    typed words, so the core can refuse them kindly.
    """
    names = names or {}
    mentioned: list[str] = []

    def one(match: re.Match[str]) -> str:
        target, _sep, label = match.group(1).partition("|")
        if target.startswith("@"):
            mentioned.append(target[1:])
            return "@" + (label or names.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            word = target[1:]
            if word.startswith("date^"):
                return label
            if word.startswith("subteam^"):
                return label if label.startswith("@") else "@" + (label or "group")
            return "@" + word.split("^")[0]
        address = target.removeprefix("mailto:")
        bare = re.sub(r"^[a-z]+://", "", address).rstrip("/")
        return label if label and label.rstrip("/") in (address, bare) else address

    words = _TOKEN.sub(one, text)
    return words.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), tuple(mentioned)


def _command(
    someone: Who, team_id: str, name: str, text: str, where: Where, names: Mapping[str, str]
) -> Command:
    words, mentioned = typed_text(text, names)
    mentions = tuple(AccountRef(PLATFORM, team_id, user_id) for user_id in mentioned)
    return Command(someone, name, words.strip(), where, mentions)


def slash_command(body: Mapping[str, Any], someone: Who, names: Mapping[str, str]) -> Command:
    """`/profile edit` -> Command("profile", "edit")."""
    where = where_of(body.get("channel_id", ""), body.get("channel_name", ""))
    name = str(body.get("command", "")).lstrip("/")
    return _command(someone, team_of(body), name, body.get("text") or "", where, names)


def direct_message(event: Mapping[str, Any], team_id: str, someone: Who, names: Mapping[str, str]) -> Command:
    """A line typed in a direct message with the bot, read as a command line: `profile edit`."""
    line = (event.get("text") or "").strip()
    name, _sep, rest = line.partition(" ")
    return _command(someone, team_id, name.lstrip("/"), rest, Where("dm", event.get("channel", "")), names)


def button_press(body: Mapping[str, Any], action: Mapping[str, Any], someone: Who) -> ButtonPress:
    value = action.get("value")
    if value is None:
        value = (action.get("selected_option") or {}).get("value", "")
    channel = (body.get("channel") or {}).get("id", "")
    return ButtonPress(
        someone, core_action_id(str(action.get("action_id", ""))), str(value), where_of(channel)
    )


def form_values(view: Mapping[str, Any]) -> dict[str, str]:
    """What was typed or chosen in each field of a modal, by the core's field name."""
    values: dict[str, str] = {}
    for name, inputs in ((view.get("state") or {}).get("values") or {}).items():
        for element in inputs.values():
            chosen = element.get("selected_option")
            value = chosen.get("value") if chosen else element.get("value")
            values[name] = "" if value is None else str(value)
    return values


def uploaded_files(view: Mapping[str, Any]) -> dict[str, str]:
    """The file uploaded in each file field of a modal (its Slack file id), by field name."""
    found: dict[str, str] = {}
    for name, inputs in ((view.get("state") or {}).get("values") or {}).items():
        for element in inputs.values():
            files = element.get("files") or []
            if element.get("type") == "file_input" and files and files[0].get("id"):
                found[name] = str(files[0]["id"])
    return found


def form_submit(body: Mapping[str, Any], someone: Who) -> FormSubmit:
    view = body.get("view") or {}
    page, origin = read_metadata(view.get("private_metadata", ""))
    return FormSubmit(
        someone, str(view.get("callback_id", "")), form_values(view), page, where_of(origin.channel_id)
    )


def home_opened(someone: Who) -> HomeOpened:
    return HomeOpened(someone, Where("dm"))
