"""The neutral conversation model: pure data, no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.conversation import (
    Button,
    Field,
    Mention,
    Message,
    Moment,
    Option,
    Reply,
    Select,
    fill,
    message_from_json,
    message_to_json,
    plain,
)
from bot.members import AccountRef

AT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
WHEN = Moment(AT, "Tuesday 1 December 2026 at 14:00 (Europe/London)")


def full_message() -> Message:
    return Message(
        text=("Messages are paused until ", WHEN, ". Take the time you need."),
        fields=(
            Field("Name", ("Sam",)),
            Field("Messages paused", ("until ", WHEN)),
            Field("Interests", ()),
        ),
        buttons=(
            Button("Edit my profile", "profile.edit", style="primary"),
            Button("Sign up", "event.signup:42", value="42"),
            Button("Cancel", "event.cancel:42", value="42", style="danger"),
        ),
        selects=(
            Select(
                "Choose a language",
                "profile.language",
                (Option("English", "en"), Option("Français", "fr")),
            ),
        ),
        private=False,
    )


def test_a_message_survives_json_unchanged():
    message = full_message()
    data = message_to_json(message)
    # It goes into a JSON column, so it must be plain JSON.
    back = message_from_json(json.loads(json.dumps(data)))
    assert back == message
    moment = back.text[1]
    assert isinstance(moment, Moment)
    assert moment.at == AT
    assert moment.at.utcoffset() == timedelta(0)
    assert back.plain() == (
        "Messages are paused until Tuesday 1 December 2026 at 14:00 (Europe/London). Take the time you need."
    )


def test_the_json_shape_is_what_the_outbox_stores():
    data = message_to_json(full_message())
    assert data["text"][1] == {
        "at": "2026-12-01T14:00:00+00:00",
        "fallback": "Tuesday 1 December 2026 at 14:00 (Europe/London)",
    }
    assert data["buttons"][0] == {
        "label": "Edit my profile",
        "action_id": "profile.edit",
        "value": "",
        "style": "primary",
        "group": "",
    }
    assert data["selects"][0]["options"] == [
        {"label": "English", "value": "en"},
        {"label": "Français", "value": "fr"},
    ]
    assert data["fields"][2] == {"label": "Interests", "value": []}
    assert data["private"] is False


def test_a_moment_keeps_the_same_instant_whatever_its_offset():
    toronto = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    message = Message((Moment(toronto, "9:00 Toronto"),))
    back = message_from_json(json.loads(json.dumps(message_to_json(message))))
    restored = back.text[0]
    assert isinstance(restored, Moment)
    assert restored.at == AT  # the same instant as 14:00 UTC


def test_a_simple_message_round_trips_with_defaults():
    message = Message(("Hello",))
    data = message_to_json(message)
    assert data == {
        "text": ["Hello"],
        "fields": [],
        "buttons": [],
        "selects": [],
        "private": True,
        "files": [],
    }
    assert message_from_json(data) == message


def test_fill_puts_the_moment_where_its_gap_is():
    assert fill("Paused until {when}.", when=WHEN) == ("Paused until ", WHEN, ".")


def test_fill_with_a_gap_at_either_end_and_several_gaps():
    later = Moment(AT + timedelta(hours=1), "15:00")
    assert fill("{start} to {end}", start=WHEN, end=later) == (WHEN, " to ", later)
    assert fill("No gaps here.") == ("No gaps here.",)


def test_fill_keeps_text_values_as_text():
    assert fill("Hello {name}, see you {when}", name="Sam", when=WHEN) == (
        "Hello ",
        "Sam",
        ", see you ",
        WHEN,
    )


def test_fill_unescapes_doubled_braces():
    assert plain(fill("{{not a gap}} {when}", when=WHEN)) == "{not a gap} " + WHEN.fallback


def test_reply_plain_uses_moment_fallbacks_one_line_per_message():
    reply = Reply(
        messages=(
            Message(fill("Paused until {when}.", when=WHEN)),
            Message(("Welcome back.",)),
        )
    )
    assert reply.plain() == ("Paused until Tuesday 1 December 2026 at 14:00 (Europe/London).\nWelcome back.")


def test_an_empty_reply_is_empty_text():
    assert Reply().plain() == ""
    assert Reply().form is None
    assert Reply().field_errors == {}


def test_a_message_stored_before_buttons_had_groups_still_loads():
    data = message_to_json(full_message())
    for button in data["buttons"]:
        del button["group"]
    assert message_from_json(data) == full_message()


def test_files_travel_with_a_message_through_the_outbox():
    from bot.conversation import File

    message = Message(
        ("Your calendar file",), files=(File("session.ics", "text/calendar", "BEGIN:VCALENDAR"),)
    )
    assert message_from_json(message_to_json(message)) == message


def test_words_given_as_a_bare_string_are_one_span_and_anything_else_is_refused():
    # A bare str would be read one character at a time, each escaped alone: nothing typed in it
    # could then be seen whole as a link or a mention by a platform's escaping.
    assert Field("Note", "see [a](https://evil.example/a)").value == ("see [a](https://evil.example/a)",)
    assert Message("Hello <@1>").text == ("Hello <@1>",)
    assert Field("When", ("until ", WHEN)).value == ("until ", WHEN)
    with pytest.raises(TypeError):
        Field("Places", (3,))


def test_a_mention_travels_through_the_outbox_and_reads_as_its_handle():
    sam = Mention(AccountRef("slack", "T1", "USAM"), "@USAM")
    message = Message(("Number 1: Sam, ", sam, " (Slack)"), fields=(Field("Sam", (sam,)),))
    data = message_to_json(message)
    assert data["text"][1] == {
        "mention": {"platform": "slack", "workspace": "T1", "user_id": "USAM"},
        "fallback": "@USAM",
    }
    assert message_from_json(json.loads(json.dumps(data))) == message
    assert message.plain() == "Number 1: Sam, @USAM (Slack)"
