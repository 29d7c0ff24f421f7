"""Discord interactions in, core events out: who acted, where, and what they typed or pressed.

Everything is read from the interaction's own payload (a component's or a modal's custom_id and
its fields), never from what this process remembers, so it works for anyone, after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord

from adapters.discord.render import PLATFORM, read_custom_id
from bot.conversation import ButtonPress, Command, Event, FormSubmit, Where, Who
from bot.members import AccountRef

_USER = re.compile(r"<@!?(\d+)>")


def who(user: discord.abc.User) -> Who:
    return Who(AccountRef(PLATFORM, "", str(user.id)), user.display_name)


def where(interaction: discord.Interaction) -> Where:
    """A direct message with the bot, or a channel of a server."""
    channel_id = str(interaction.channel_id or "")
    return Where("dm", channel_id) if interaction.guild_id is None else Where("channel", channel_id)


def typed_text(text: str, names: Mapping[str, str]) -> tuple[str, tuple[AccountRef, ...]]:
    """Discord's `<@123>` back as "@Name", and the people mentioned, in order."""
    mentioned: list[AccountRef] = []

    def one(match: re.Match[str]) -> str:
        mentioned.append(AccountRef(PLATFORM, "", match[1]))
        return "@" + names.get(match[1], match[1])

    return _USER.sub(one, text), tuple(mentioned)


def mentioned_ids(text: str) -> list[str]:
    """The user ids of the people `<@123>` mentions in what was typed."""
    return _USER.findall(text or "")


def slash_command(
    interaction: discord.Interaction, name: str, text: str, known: Mapping[str, str] | None = None
) -> Command:
    """`/profile edit` -> Command("profile", "edit"); `/roles grant who:@Cora staff` keeps Cora.
    `known` names people mentioned whom the interaction does not name itself."""
    data: Mapping[str, Any] = interaction.data or {}  # type: ignore[assignment]
    users = ((data.get("resolved") or {}).get("users")) or {}
    names = {**(known or {})}
    names |= {uid: str(u.get("global_name") or u.get("username") or uid) for uid, u in users.items()}
    words, mentions = typed_text(text or "", names)
    return Command(who(interaction.user), name, words.strip(), where(interaction), mentions)


def direct_message(message: discord.Message) -> Command:
    """A line typed to the bot in a direct message, read as a command line: `profile edit`."""
    names = {str(u.id): u.display_name for u in message.mentions}
    words, mentions = typed_text(message.content.strip(), names)
    name, _sep, rest = words.partition(" ")
    return Command(who(message.author), name.lstrip("/"), rest.strip(), Where("dm", str(message.channel.id)), mentions)


def form_values(components: Any) -> dict[str, str]:
    """What was typed in each input of a submitted modal, by the core's field name.

    Inputs come in action rows, or in labels on newer clients: every one with a custom_id counts.
    """
    values: dict[str, str] = {}
    items = list(components or [])
    while items:
        item = items.pop(0)
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == discord.ComponentType.file_upload.value:
            continue  # a file: its attachment is read apart, by `uploads`
        if "custom_id" in item and ("value" in item or "values" in item):
            chosen = item.get("values")
            value = chosen[0] if chosen else item.get("value")
            values[str(item["custom_id"])] = "" if value is None else str(value)
        items += list(item.get("components") or [])
        if isinstance(item.get("component"), Mapping):
            items.append(item["component"])
    return values


def uploads(interaction: discord.Interaction) -> dict[str, discord.Attachment]:
    """The file uploaded in each file field of a submitted modal, by the core's field name: the
    component names its attachment's id, and the interaction's resolved data holds it."""
    data: Mapping[str, Any] = interaction.data or {}  # type: ignore[assignment]
    resolved = (data.get("resolved") or {}).get("attachments") or {}
    found: dict[str, discord.Attachment] = {}
    items = list(data.get("components") or [])
    while items:
        item = items.pop(0)
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == discord.ComponentType.file_upload.value:
            ids = [str(i) for i in item.get("values") or [] if str(i) in resolved]
            if ids:
                found[str(item["custom_id"])] = discord.Attachment(
                    data=resolved[ids[0]],
                    state=interaction._state,  # as discord.py builds its own
                )
        items += list(item.get("components") or [])
        if isinstance(item.get("component"), Mapping):
            items.append(item["component"])
    return found


def interaction_event(interaction: discord.Interaction) -> Event | None:
    """A button, a select or a modal submission as a core event; None if it is not ours."""
    data: Mapping[str, Any] = interaction.data or {}  # type: ignore[assignment]
    pressed = read_custom_id(str(data.get("custom_id", "")))
    someone, place = who(interaction.user), where(interaction)
    if interaction.type == discord.InteractionType.component:
        if pressed.kind == "button":
            return ButtonPress(someone, pressed.action_id, pressed.value, place)
        if pressed.kind == "select":
            chosen = list(data.get("values") or [])
            return ButtonPress(someone, pressed.action_id, str(chosen[0]) if chosen else "", place)
    if interaction.type == discord.InteractionType.modal_submit and pressed.kind == "form":
        return FormSubmit(
            someone, pressed.action_id, form_values(data.get("components")), pressed.page, place
        )
    return None
