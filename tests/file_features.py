"""A feature that exists only for the adapters' file tests: `chart` answers with a PNG that has a
description in words and a CSV beside it, and `receipt` opens a form with a file field whose
submit says what it received. The adapters' tests use it to check images and uploads travel
through each platform unchanged, with no feature of the core needed yet."""

from __future__ import annotations

import struct
import zlib

from bot.conversation import File, FormField, FormSubmit, Message, Reply
from bot.feature import Asked, CommandSpec, Feature, FormSpec
from bot.forms import open_form
from bot.outbox import enqueue_dm
from bot.turn import Turn


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels): bytes no text encoding would leave unchanged."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([0x80, 0xFF, 0x00] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


CHART = png()
DESCRIPTION = "Check-ins answered went from 3 in September to 5 in November."
CSV = "month,answered\n2026-09,3\n2026-11,5\n"


def chart_message() -> Message:
    chart = File("answered.png", "image/png", CHART, DESCRIPTION)
    numbers = File("answered.csv", "text/csv", CSV)
    return Message(("Your chart.",), files=(chart, numbers))


def _chart(turn: Turn, asked: Asked) -> Reply:
    return Reply(messages=(chart_message(),))


def _chart_later(turn: Turn, asked: Asked) -> Reply:
    """The chart through the outbox, as a report made later would go (kept there as base64)."""
    enqueue_dm(turn.db, turn.member.id, chart_message(), turn.now)
    return turn.say("It is on its way.")


def _receipt_fields(turn: Turn, asked: Asked) -> list[FormField]:
    return [
        FormField("what", "What for", "short", max_length=60),
        FormField("receipt", "Receipt", "file", required=False),
    ]


def _received(turn: Turn, asked: Asked, values: dict[str, str]) -> Reply:
    files = turn.event.files if isinstance(turn.event, FormSubmit) else {}
    sent = files.get("receipt")
    if sent is None:
        return turn.say(f"Saved {values['what']}, with no receipt.")
    size = len(sent.content)
    return turn.say(f"Saved {values['what']}, with {sent.name} ({sent.mime}, {size} bytes).")


FILE_TESTS = Feature(
    "filetests",
    commands=(
        CommandSpec("chart", "A test chart.", "chart", run=_chart),
        CommandSpec("chartlater", "A test chart, sent later.", "chartlater", run=_chart_later),
        CommandSpec("receipt", "A test form with a file.", "receipt", run=lambda turn, asked: open_form(turn, "test.receipt")),
    ),
    forms=(
        FormSpec(
            name="test.receipt",
            title=lambda turn: "A receipt",
            fields=_receipt_fields,
            submit=_received,
            submit_label=lambda turn: "Send",
        ),
    ),
)
