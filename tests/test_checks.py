"""Input checks: pure functions, no database. A refusal carries a kind sentence (its msgid and
values), which is what the person reads once it is filled in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import checks
from bot.checks import Refusal
from bot.words import translator

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday 26 November 2026, 09:00 in London
_ = translator("en")


def said(refusal: pytest.ExceptionInfo[Refusal]) -> str:
    """The sentence the person would read."""
    return _(refusal.value.msgid, **refusal.value.values)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# ---- clean_text ---------------------------------------------------------------------------


def test_clean_text_strips_control_characters_and_trims():
    assert checks.clean_text("  Sam\x00 Smith\x07\u202e\u200b  ", "Name", 80) == "Sam Smith"


def test_clean_text_keeps_newlines_and_tabs_inside():
    assert checks.clean_text("line one\n\tline two\r", "Notes", 80) == "line one\n\tline two"


def test_clean_text_keeps_the_joiners_emoji_and_scripts_need():
    wheelchair = "\U0001f9d1\u200d\U0001f9bd"  # one emoji: a person in a manual wheelchair
    assert checks.clean_text(f"Sam {wheelchair}", "Name", 80) == f"Sam {wheelchair}"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a word written with a ZWNJ
    assert checks.clean_text(persian, "Name", 80) == persian


def test_clean_text_of_only_invisible_characters_is_empty():
    with pytest.raises(Refusal) as refused:
        checks.clean_text(" \u200d\x00\u200c ", "Name", 80)
    assert said(refused) == "Please fill in Name."
    assert checks.clean_text(" \u200d ", "Notes", 80, required=False) == ""


def test_clean_text_required_and_optional_empty():
    with pytest.raises(Refusal) as refused:
        checks.clean_text("   ", "Title", 80)
    assert said(refused) == "Please fill in Title."
    assert checks.clean_text("   ", "Title", 80, required=False) == ""


def test_clean_text_at_the_limit_is_fine_and_one_over_is_refused_with_its_length():
    assert checks.clean_text("a" * 80, "Name", 80) == "a" * 80
    with pytest.raises(Refusal) as refused:
        checks.clean_text("a" * 81, "Name", 80)
    assert said(refused) == "Name can be up to 80 characters. Yours has 81. Please make it shorter."


def test_the_length_limit_counts_after_cleaning():
    assert checks.clean_text("  " + "a" * 80 + "\x00\x00  ", "Name", 80) == "a" * 80


def test_a_lower_case_label_is_capitalised_where_it_starts_the_sentence():
    with pytest.raises(Refusal) as refused:
        checks.clean_text("b" * 90, "your name", 80)
    assert said(refused).startswith("Your name can be up to 80 characters. Yours has 90.")


@pytest.mark.parametrize(
    "text",
    [
        "hello @here",
        "@everyone look",
        "ping @Channel now",
        "<!channel> hi",
        "<!here>",
        "<!everyone>",
        "<!here|here> hi",
        "<!subteam^S123|team>",
        "hi <@&123456789>",
        "@every\u200bone",  # a hidden zero-width space is removed first, so it is still caught
    ],
)
def test_clean_text_refuses_mass_pings(text):
    with pytest.raises(Refusal) as refused:
        checks.clean_text(text, "Message", 200)
    assert said(refused) == (
        "Please leave out @everyone, @here and group mentions. They would alert everyone."
    )


@pytest.mark.parametrize("text", ["thanks @sam", "<@U123> and <@456>", "sam@example.org", "everyone here"])
def test_clean_text_allows_ordinary_mentions_and_words(text):
    assert checks.clean_text(text, "Message", 200) == text


# ---- time_zone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("  America/Toronto ", "America/Toronto"),
        ("london", "Europe/London"),
        ("Toronto", "America/Toronto"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_time_zone_finds_the_iana_name(typed, zone):
    assert checks.time_zone(typed) == zone


def test_time_zone_suggests_a_near_miss():
    with pytest.raises(Refusal) as refused:
        checks.time_zone("Europe/Londn")
    assert said(refused) == "I don't know the time zone 'Europe/Londn'. Did you mean Europe/London?"


def test_time_zone_unknown_gives_examples():
    with pytest.raises(Refusal) as refused:
        checks.time_zone("Mars/Base")
    assert said(refused) == (
        "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto."
    )


# ---- quiet hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("22:00-07:00", (22 * 60, 7 * 60)),
        ("22-7", (22 * 60, 7 * 60)),
        ("22:00 to 07:30", (22 * 60, 7 * 60 + 30)),
        ("22.30-06.15", (22 * 60 + 30, 6 * 60 + 15)),
        ("13:00-14:00", (13 * 60, 14 * 60)),
        ("0-6", (0, 6 * 60)),
    ],
)
def test_quiet_hours_are_read_as_minutes_after_midnight(typed, minutes):
    assert checks.quiet_hours(typed) == minutes


@pytest.mark.parametrize("typed", ["", "none", "None", " off ", "no"])
def test_no_quiet_hours(typed):
    assert checks.quiet_hours(typed) is None


@pytest.mark.parametrize("typed", ["banana", "22:00", "22:00-", "25:00-07:00", "22:60-07:00", "late-early"])
def test_bad_quiet_hours_are_refused(typed):
    with pytest.raises(Refusal) as refused:
        checks.quiet_hours(typed)
    assert said(refused) == "Please give quiet hours as two times, like 22:00-08:00. Or type none."


def test_quiet_hours_need_a_different_start_and_end():
    with pytest.raises(Refusal) as refused:
        checks.quiet_hours("22:00-22:00")
    assert said(refused) == "Quiet hours need a different start and end, like 22:00-08:00."


def test_format_quiet_hours():
    assert checks.format_quiet_hours(22 * 60, 7 * 60 + 5) == "22:00-07:05"
    assert checks.format_quiet_hours(None, None) == ""
    assert checks.format_quiet_hours(22 * 60, None) == ""


@pytest.mark.parametrize(
    ("when", "quiet"),
    [
        (at(2026, 11, 26, 22, 0), True),  # the start is quiet
        (at(2026, 11, 26, 23, 59), True),
        (at(2026, 11, 27, 0, 0), True),
        (at(2026, 11, 27, 6, 59), True),
        (at(2026, 11, 27, 7, 0), False),  # the end is not
        (at(2026, 11, 26, 21, 59), False),
        (at(2026, 11, 26, 12, 0), False),
    ],
)
def test_in_quiet_hours_overnight(when, quiet):
    assert checks.in_quiet_hours(when, "Europe/London", 22 * 60, 7 * 60) is quiet


def test_in_quiet_hours_within_one_day():
    assert checks.in_quiet_hours(at(2026, 11, 26, 13, 30), "Europe/London", 13 * 60, 14 * 60)
    assert not checks.in_quiet_hours(at(2026, 11, 26, 14, 0), "Europe/London", 13 * 60, 14 * 60)
    assert not checks.in_quiet_hours(at(2026, 11, 26, 23, 0), "Europe/London", 13 * 60, 14 * 60)


def test_in_quiet_hours_uses_the_members_own_zone():
    # 03:00 UTC is 22:00 the evening before in Toronto (UTC-5 in November).
    assert checks.in_quiet_hours(at(2026, 11, 27, 3, 0), "America/Toronto", 22 * 60, 7 * 60)
    # 12:00 UTC is 07:00 in Toronto: quiet hours are over.
    assert not checks.in_quiet_hours(at(2026, 11, 27, 12, 0), "America/Toronto", 22 * 60, 7 * 60)
    assert checks.in_quiet_hours(at(2026, 11, 27, 11, 59), "America/Toronto", 22 * 60, 7 * 60)


def test_no_quiet_hours_is_never_quiet():
    assert not checks.in_quiet_hours(at(2026, 11, 27, 3, 0), "Europe/London", None, None)
    assert checks.after_quiet_hours(at(2026, 11, 27, 3, 0), "Europe/London", None, None) == at(
        2026, 11, 27, 3, 0
    )


def test_after_quiet_hours_outside_them_is_unchanged():
    noon = at(2026, 11, 26, 12, 0)
    assert checks.after_quiet_hours(noon, "Europe/London", 22 * 60, 7 * 60) == noon


def test_after_quiet_hours_late_evening_moves_to_next_morning():
    moved = checks.after_quiet_hours(at(2026, 11, 26, 23, 15, 42), "Europe/London", 22 * 60, 7 * 60)
    assert moved == at(2026, 11, 27, 7, 0)


def test_after_quiet_hours_small_hours_move_to_the_same_morning():
    moved = checks.after_quiet_hours(at(2026, 11, 27, 3, 0), "Europe/London", 22 * 60, 7 * 60 + 30)
    assert moved == at(2026, 11, 27, 7, 30)


def test_after_quiet_hours_within_one_day():
    moved = checks.after_quiet_hours(at(2026, 11, 26, 13, 20), "Europe/London", 13 * 60, 14 * 60)
    assert moved == at(2026, 11, 26, 14, 0)


def test_after_quiet_hours_in_toronto():
    # 23:00 in Toronto (04:00 UTC) -> 07:00 in Toronto, which is 12:00 UTC.
    moved = checks.after_quiet_hours(at(2026, 11, 27, 4, 0), "America/Toronto", 22 * 60, 7 * 60)
    assert moved == at(2026, 11, 27, 12, 0)


def test_after_quiet_hours_on_the_night_london_clocks_go_forward():
    # 28 March 2027: at 01:00 GMT London jumps to 02:00 BST. 07:00 that morning is 06:00 UTC.
    before_change = at(2027, 3, 27, 23, 0)  # 23:00 GMT on Saturday
    after_midnight = at(2027, 3, 28, 0, 30)  # 00:30 GMT on Sunday
    after_change = at(2027, 3, 28, 3, 0)  # 04:00 BST on Sunday
    for moment in (before_change, after_midnight, after_change):
        assert checks.in_quiet_hours(moment, "Europe/London", 22 * 60, 7 * 60)
        assert checks.after_quiet_hours(moment, "Europe/London", 22 * 60, 7 * 60) == at(2027, 3, 28, 6, 0)
    # 06:30 UTC is 07:30 BST: no longer quiet, although 06:30 GMT would have been.
    assert not checks.in_quiet_hours(at(2027, 3, 28, 6, 30), "Europe/London", 22 * 60, 7 * 60)


def test_after_quiet_hours_on_the_night_toronto_clocks_go_forward():
    # 14 March 2027: Toronto moves from UTC-5 to UTC-4 at 02:00. 07:00 EDT is 11:00 UTC.
    late_saturday = at(2027, 3, 14, 3, 0)  # 22:00 EST on Saturday
    assert checks.after_quiet_hours(late_saturday, "America/Toronto", 22 * 60, 7 * 60) == at(
        2027, 3, 14, 11, 0
    )


def test_after_quiet_hours_on_the_night_london_clocks_go_back():
    # 25 October 2026: at 02:00 BST London goes back to 01:00 GMT. 07:00 GMT is 07:00 UTC.
    late_saturday = at(2026, 10, 24, 22, 0)  # 23:00 BST
    assert checks.after_quiet_hours(late_saturday, "Europe/London", 22 * 60, 7 * 60) == at(2026, 10, 25, 7, 0)


# ---- interests ------------------------------------------------------------------------------


def test_interest_tags_are_lower_case_deduplicated_and_sorted():
    assert checks.interest_tags("Pain, mental  health ,pain;#Research\n\n, ") == [
        "mental health",
        "pain",
        "research",
    ]


def test_too_many_interests_are_refused():
    with pytest.raises(Refusal) as refused:
        checks.interest_tags(", ".join(f"topic {n}" for n in range(21)))
    assert said(refused) == "Please choose up to 20 interests."
    assert len(checks.interest_tags(", ".join(f"topic {n}" for n in range(20)))) == 20


def test_a_long_interest_is_refused_with_its_length():
    with pytest.raises(Refusal) as refused:
        checks.interest_tags("pain, " + "x" * 41)
    assert said(refused) == "An interest can be up to 40 characters. Yours has 41. Please make it shorter."


@pytest.mark.parametrize("typed", ["pain, @everyone", "<!here>, research"])
def test_an_interest_that_pings_everyone_is_refused(typed):
    with pytest.raises(Refusal):
        checks.interest_tags(typed)


# ---- moment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone", "expected"),
    [
        ("next Tuesday 2pm", "Europe/London", at(2026, 12, 1, 14, 0)),
        ("next Tuesday 2pm", "America/Toronto", at(2026, 12, 1, 19, 0)),
        ("3 Dec 14:00", "Europe/London", at(2026, 12, 3, 14, 0)),
        ("3 Dec 14:00", "America/Toronto", at(2026, 12, 3, 19, 0)),
        ("in 2 hours", "Europe/London", at(2026, 11, 26, 11, 0)),
        ("in 2 hours", "America/Toronto", at(2026, 11, 26, 11, 0)),
        ("tomorrow 10am", "Europe/London", at(2026, 11, 27, 10, 0)),
        ("Friday 14:00", "America/Toronto", at(2026, 11, 27, 19, 0)),
        # After the London clocks go forward, 14:00 is 13:00 UTC.
        ("1 Apr 2027 14:00", "Europe/London", at(2027, 4, 1, 13, 0)),
    ],
)
def test_moment_reads_words_in_the_persons_zone(typed, zone, expected):
    assert checks.moment(typed, zone, NOW) == expected


def test_moment_is_relative_to_the_given_now():
    a_week_later = at(2026, 12, 3, 9, 0)  # a Thursday too
    assert checks.moment("next Tuesday 2pm", "Europe/London", a_week_later) == at(2026, 12, 8, 14, 0)
    assert checks.moment("in 2 hours", "Europe/London", a_week_later) == at(2026, 12, 3, 11, 0)


def test_moment_sees_the_time_when_it_equals_the_time_now():
    # dateparser alone calls "tomorrow 9am" a whole day when it is exactly 09:00:00 now.
    assert checks.moment("tomorrow 9am", "Europe/London", NOW) == at(2026, 11, 27, 9, 0)
    assert checks.moment("today 9:00", "Europe/London", NOW) == NOW
    assert checks.moment("tomorrow 4am", "America/Toronto", NOW) == at(2026, 11, 27, 9, 0)


def test_moment_relative_to_now_uses_the_local_day():
    # 03:00 UTC on Friday is still Thursday evening in Toronto, so "tomorrow" is Friday there.
    late = at(2026, 11, 27, 3, 0)
    assert checks.moment("tomorrow 9am", "America/Toronto", late) == at(2026, 11, 27, 14, 0)
    assert checks.moment("tomorrow 9am", "Europe/London", late) == at(2026, 11, 28, 9, 0)


def test_moment_returns_aware_utc():
    result = checks.moment("3 Dec 14:00", "America/Toronto", NOW)
    assert result.tzinfo is not None
    assert result.utcoffset().total_seconds() == 0


def test_moment_refuses_words_that_are_not_a_date():
    with pytest.raises(Refusal) as refused:
        checks.moment("banana", "Europe/London", NOW)
    assert said(refused) == (
        "I couldn't read 'banana' as a date and time. Try something like 'next Tuesday 2pm' or '3 Dec 14:00'."
    )


@pytest.mark.parametrize("typed", ["friday", "tomorrow", "3 Dec", "tomorrow at 10"])
def test_moment_asks_for_a_time_when_only_a_day_is_given(typed):
    with pytest.raises(Refusal) as refused:
        checks.moment(typed, "Europe/London", NOW)
    assert said(refused) == (
        "What time on that day? Please add a time with am, pm or a colon, like 'Friday 2pm' or 'Friday 14:00'."
    )


def test_moment_refuses_a_time_skipped_when_london_clocks_go_forward():
    with pytest.raises(Refusal) as refused:
        checks.moment("28 Mar 2027 01:30", "Europe/London", NOW)
    assert said(refused) == (
        "That time does not exist in Europe/London, because the clocks go forward then. Please pick another time."
    )
    # An hour later exists: 02:30 BST is 01:30 UTC.
    assert checks.moment("28 Mar 2027 02:30", "Europe/London", NOW) == at(2027, 3, 28, 1, 30)


def test_moment_refuses_a_time_skipped_when_toronto_clocks_go_forward():
    with pytest.raises(Refusal) as refused:
        checks.moment("14 Mar 2027 02:30", "America/Toronto", NOW)
    assert "does not exist in America/Toronto" in said(refused)
    # The London change is a different night, so this time exists in Toronto.
    assert checks.moment("28 Mar 2027 01:30", "America/Toronto", NOW) == at(2027, 3, 28, 5, 30)


def test_odd_tzdata_names_are_not_time_zones_people_choose():
    for name in ("Factory", "localtime"):
        with pytest.raises(Refusal):
            checks.time_zone(name)
    assert checks.time_zone("utc") == "UTC"


def test_what_was_typed_is_repeated_back_only_briefly():
    with pytest.raises(Refusal) as refused:
        checks.time_zone("x" * 500)
    assert refused.value.values["value"] == "x" * 60
