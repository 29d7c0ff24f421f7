"""`profile`: a member's own preferences, by short command, button and form. Each test checks
what the person reads and what the database holds, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.conversation import FormSubmit, Who, plain
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef
from storage.models import FormDraft, MemberInterest
from tests.conftest import Person, member_named

PROFILE_FIELDS = [
    "Name",
    "Time zone",
    "Quiet hours",
    "Interests",
    "Openings",
    "Language",
    "Messages paused",
    "Check-ins",
    "Roles",
]


def fields_of(reply) -> dict[str, str]:
    """The label -> text of every field the reply shows."""
    return {f.label: plain(f.value) for m in reply.messages for f in m.fields}


def buttons_of(reply) -> list[str]:
    return [b.label for m in reply.messages for b in m.buttons]


def interests_in_db(engine, user_id: str) -> list[str]:
    member = member_named(engine, user_id)
    with Session(engine) as session:
        return sorted(
            session.exec(select(MemberInterest.tag).where(MemberInterest.member_id == member.id)).all()
        )


def drafts_in_db(engine) -> list[FormDraft]:
    with Session(engine) as session:
        return list(session.exec(select(FormDraft).order_by(col(FormDraft.id))).all())


def met(person, name: str):
    """Someone who has already had the first-contact message, so replies hold only the answer."""
    someone = person(name)
    someone.says("profile")
    return someone


# ---- showing ---------------------------------------------------------------------------------


def test_profile_shows_every_setting_with_defaults(person, engine):
    sam = person("Sam")
    sam.says("guide")  # past the notice of what is kept
    sam.says("profile")
    assert "Your profile. Only you and the coordinators can see it." in sam.text
    assert list(fields_of(sam.last)) == PROFILE_FIELDS
    assert fields_of(sam.last) == {
        "Name": "Sam",
        "Time zone": "Europe/London",
        "Quiet hours": "none",
        "Interests": "none yet",
        "Openings": "each one, as it is posted",
        "Language": "English",
        "Messages paused": "no",
        "Check-ins": "on",
        "Roles": "partner",
    }
    assert buttons_of(sam.last) == ["Edit my profile", "Pause for a week"]
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone, member.language) == ("Sam", "Europe/London", "en")
    assert (member.quiet_start, member.quiet_end, member.paused_until) == (None, None, None)


def test_profile_show_lists_every_role_held(person, engine):
    ada = person("Ada")  # an admin through the ADMINS setting
    ada.says("profile show")
    assert fields_of(ada.last)["Roles"] == "partner, admin"
    assert member_named(engine, "ada").display_name == "Ada"


def test_the_my_profile_button_shows_the_profile(person, engine):
    sam = met(person, "Sam")
    sam.says("guide")
    sam.press("My profile")
    assert fields_of(sam.last)["Time zone"] == "Europe/London"
    assert member_named(engine, "sam").timezone == "Europe/London"


# ---- time zone -----------------------------------------------------------------------------


def test_profile_timezone_finds_a_city(person, engine):
    sam = met(person, "Sam")
    sam.says("profile timezone toronto")
    assert sam.text.startswith("Saved.")
    assert fields_of(sam.last)["Time zone"] == "America/Toronto"
    assert member_named(engine, "sam").timezone == "America/Toronto"
    sam.says("profile timezone london")
    assert fields_of(sam.last)["Time zone"] == "Europe/London"
    assert member_named(engine, "sam").timezone == "Europe/London"


def test_profile_zone_and_tz_are_short_for_timezone(person, engine):
    sam = met(person, "Sam")
    sam.says("profile tz America/Toronto")
    assert member_named(engine, "sam").timezone == "America/Toronto"
    sam.says("profile zone europe/london")
    assert fields_of(sam.last)["Time zone"] == "Europe/London"
    assert member_named(engine, "sam").timezone == "Europe/London"


def test_an_unknown_time_zone_is_refused_kindly_and_nothing_changes(person, engine):
    sam = met(person, "Sam")
    sam.says("profile timezone Mars/Base")
    assert sam.text == (
        "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto."
    )
    assert member_named(engine, "sam").timezone == "Europe/London"


def test_a_near_miss_time_zone_suggests_the_right_one(person, engine):
    sam = met(person, "Sam")
    sam.says("profile timezone Europe/Londn")
    assert sam.text == "I don't know the time zone 'Europe/Londn'. Did you mean Europe/London?"
    assert member_named(engine, "sam").timezone == "Europe/London"


# ---- quiet hours ---------------------------------------------------------------------------


def test_profile_quiet_sets_and_clears_quiet_hours(person, engine):
    sam = met(person, "Sam")
    sam.says("profile quiet 22:00-07:00")
    assert fields_of(sam.last)["Quiet hours"] == "22:00-07:00"
    member = member_named(engine, "sam")
    assert (member.quiet_start, member.quiet_end) == (22 * 60, 7 * 60)

    sam.says("profile quiet 21-6:30")
    assert fields_of(sam.last)["Quiet hours"] == "21:00-06:30"
    member = member_named(engine, "sam")
    assert (member.quiet_start, member.quiet_end) == (21 * 60, 6 * 60 + 30)

    sam.says("profile quiet none")
    assert sam.text.startswith("Saved.")
    assert fields_of(sam.last)["Quiet hours"] == "none"
    member = member_named(engine, "sam")
    assert (member.quiet_start, member.quiet_end) == (None, None)


def test_bad_quiet_hours_are_refused_and_the_old_ones_kept(person, engine):
    sam = met(person, "Sam")
    sam.says("profile quiet 22:00-07:00")
    sam.says("profile quiet late evening")
    assert sam.text == "Please give quiet hours as two times, like 22:00-08:00. Or type none."
    sam.says("profile quiet 22:00-22:00")
    assert sam.text == "Quiet hours need a different start and end, like 22:00-08:00."
    member = member_named(engine, "sam")
    assert (member.quiet_start, member.quiet_end) == (22 * 60, 7 * 60)


def test_naming_a_setting_without_a_value_asks_and_clears_nothing(person, engine):
    sam = met(person, "Sam")
    sam.says("profile quiet 22:00-07:00")
    sam.says("profile interests pain")
    sam.says("profile quiet")
    assert sam.text == "What should it be? For example: profile quiet 22:00-08:00 (or profile quiet none)."
    sam.says("profile interests")
    assert sam.text == (
        "What should it be? For example: profile interests pain, research (or profile interests none to clear them)."
    )
    sam.says("profile timezone   ")
    assert sam.text == "What should it be? For example: profile timezone Europe/London."
    member = member_named(engine, "sam")
    assert (member.quiet_start, member.quiet_end) == (22 * 60, 7 * 60)
    assert member.timezone == "Europe/London"
    assert interests_in_db(engine, "sam") == ["pain"]


# ---- interests ------------------------------------------------------------------------------


def test_profile_interests_are_deduplicated_lower_case_rows(person, engine):
    sam = met(person, "Sam")
    sam.says("profile interests Pain, mental health, pain")
    assert fields_of(sam.last)["Interests"] == "mental health, pain"
    assert interests_in_db(engine, "sam") == ["mental health", "pain"]
    # Setting them again replaces the old ones.
    sam.says("profile interests Research")
    assert fields_of(sam.last)["Interests"] == "research"
    assert interests_in_db(engine, "sam") == ["research"]
    sam.says("profile interests none")
    assert fields_of(sam.last)["Interests"] == "none yet"
    assert interests_in_db(engine, "sam") == []


def test_interests_are_kept_per_member(person, engine):
    sam, jo = met(person, "Sam"), met(person, "Jo")
    sam.says("profile interests pain")
    jo.says("profile interests pain, fatigue")
    assert interests_in_db(engine, "sam") == ["pain"]
    assert interests_in_db(engine, "jo") == ["fatigue", "pain"]


def test_interests_that_ping_everyone_are_refused_and_nothing_saved(person, engine):
    sam = met(person, "Sam")
    sam.says("profile interests pain")
    for typed in ("research, @everyone", "<!here>, fatigue"):
        sam.says(f"profile interests {typed}")
        assert sam.text == (
            "Please leave out @everyone, @here and group mentions. They would alert everyone."
        )
        assert interests_in_db(engine, "sam") == ["pain"]


def test_too_many_interests_are_refused(person, engine):
    sam = met(person, "Sam")
    sam.says("profile interests " + ", ".join(f"topic {n}" for n in range(21)))
    assert sam.text == "Please choose up to 20 interests."
    assert interests_in_db(engine, "sam") == []


# ---- name and language ---------------------------------------------------------------------


def test_profile_name_changes_the_name(person, engine):
    sam = met(person, "Sam")
    sam.says("profile name Sam Okafor")
    assert fields_of(sam.last)["Name"] == "Sam Okafor"
    assert member_named(engine, "sam").display_name == "Sam Okafor"


def test_a_new_name_is_remembered_with_when_it_changed(person, engine, clock):
    sam = met(person, "Sam")
    assert member_named(engine, "sam").name_changed_at is None  # the name the platform gave
    clock.advance(timedelta(days=2))
    sam.says("profile name Sam Okafor")
    assert member_named(engine, "sam").name_changed_at == clock.now()

    # Saving the form for another change keeps the time the name really changed.
    clock.advance(timedelta(days=1))
    sam.press("Edit my profile")
    sam.submit({"quiet": "22:00-07:00"})
    sam.submit({})
    assert sam.text.startswith("Saved. Here is your profile now.")
    assert member_named(engine, "sam").name_changed_at == clock.now() - timedelta(days=1)


@pytest.mark.parametrize("taken", ["Priya Patel", "priya patel", "  PRIYA   Patel "])
def test_a_name_someone_else_uses_is_refused_kindly(person, engine, taken):
    met(person, "Priya Patel")
    sam = met(person, "Sam")

    sam.says(f"profile name {taken}")

    assert sam.text == (
        f"Someone here already uses the name {taken.strip()}. Please add something, like an initial."
    )
    member = member_named(engine, "sam")
    assert (member.display_name, member.name_changed_at) == ("Sam", None)
    sam.says("profile name Priya P")
    assert member_named(engine, "sam").display_name == "Priya P"


def test_the_form_refuses_a_name_someone_else_uses_on_its_field(person, engine):
    met(person, "Jo")
    sam = met(person, "Sam")
    sam.press("Edit my profile")

    sam.submit({"name": "JO", "timezone": "toronto"})

    assert sam.last.field_errors == {
        "name": "Someone here already uses the name JO. Please add something, like an initial."
    }
    [draft] = drafts_in_db(engine)  # only to show the page again as typed; no answer is kept
    assert {k for k in draft.values if not k.startswith(("~typed:", "~problem:"))} == set()
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone) == ("Sam", "Europe/London")


def test_two_people_the_platform_named_alike_can_still_save_their_settings(bot, engine):
    """Names the platform gives at first contact can collide; keeping one's own name is fine."""
    first = Person(bot, Who(AccountRef("console", "local", "sam.a"), "Sam"))
    second = Person(bot, Who(AccountRef("console", "local", "sam.b"), "Sam"))
    first.says("profile")
    second.says("profile")

    second.press("Edit my profile")
    second.submit({"timezone": "toronto"})
    second.submit({})
    assert second.text.startswith("Saved. Here is your profile now.")
    second.says("profile name sam")
    assert fields_of(second.last)["Name"] == "sam"
    assert member_named(engine, "sam.b").timezone == "America/Toronto"


def test_a_name_over_80_characters_is_refused_with_its_length(person, engine):
    sam = met(person, "Sam")
    sam.says("profile name " + "x" * 95)
    assert sam.text == "Your name can be up to 80 characters. Yours has 95. Please make it shorter."
    assert member_named(engine, "sam").display_name == "Sam"


def test_a_name_that_pings_everyone_is_refused(person, engine):
    sam = met(person, "Sam")
    sam.says("profile name @here Sam")
    assert "Please leave out @everyone, @here and group mentions." in sam.text
    assert member_named(engine, "sam").display_name == "Sam"


def test_profile_language_is_checked_against_the_catalogues(person, engine):
    sam = met(person, "Sam")
    sam.says("profile language xx")
    assert sam.text == "I can speak: English (en), Français (fr). Please choose one of those."
    assert member_named(engine, "sam").language == "en"
    sam.says("profile language EN")
    assert fields_of(sam.last)["Language"] == "English"
    assert member_named(engine, "sam").language == "en"


def test_a_member_who_chooses_french_reads_their_profile_in_french(person, engine):
    sam = met(person, "Sam")
    sam.says("profile language français")
    assert member_named(engine, "sam").language == "fr"
    assert sam.text.startswith("Enregistré.")
    assert fields_of(sam.last)["Langue"] == "Français"
    sam.says("profile language en")
    assert sam.text.startswith("Saved.")
    assert fields_of(sam.last)["Language"] == "English"


def test_an_unknown_profile_word_says_what_can_change(person, engine):
    sam = met(person, "Sam")
    sam.says("profile colour blue")
    assert sam.text == (
        "Type profile and one of: show, edit, name, timezone, quiet, interests, openings, language, pause, resume, messages. "
        "Type guide to see more."
    )
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone, member.paused_until) == ("Sam", "Europe/London", None)


# ---- pausing --------------------------------------------------------------------------------


def test_profile_pause_next_tuesday_2pm(person, engine):
    sam = met(person, "Sam")
    sam.says("profile pause next Tuesday 2pm")
    assert sam.text == (
        "Messages are paused until Tuesday 1 December 2026 at 14:00 (Europe/London). "
        "Take the time you need. Type resume to start again sooner."
    )
    assert member_named(engine, "sam").paused_until == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    sam.says("profile")
    assert fields_of(sam.last)["Messages paused"] == "until Tuesday 1 December 2026 at 14:00 (Europe/London)"
    assert buttons_of(sam.last) == ["Edit my profile", "Resume messages"]


def test_pause_is_read_in_the_members_own_zone(person, engine):
    sam = met(person, "Sam")
    sam.says("profile timezone America/Toronto")
    sam.says("profile pause 3 Dec 14:00")
    assert "Thursday 3 December 2026 at 14:00 (America/Toronto)" in sam.text
    assert member_named(engine, "sam").paused_until == datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_pause_as_people_say_it(person, engine, clock):
    sam = met(person, "Sam")  # Thursday 26 November 2026, 09:00 in London
    said = {
        "pause": datetime(2026, 12, 3, 9, 0, tzinfo=UTC),  # a week
        "pause 2 weeks": datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
        "pause for a month": datetime(2026, 12, 26, 9, 0, tzinfo=UTC),
        "pause 3 days": datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
        "pause until Monday": datetime(2026, 11, 30, 9, 0, tzinfo=UTC),  # a day alone: 9:00 then
        "profile pause friday": datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        "pause next Tuesday 2pm": datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
    }
    for typed, until in said.items():
        sam.says(typed)
        assert sam.text.startswith("Messages are paused until "), (typed, sam.text)
        assert member_named(engine, "sam").paused_until == until, typed
        sam.says("resume")
        assert sam.text.startswith("Welcome back. Messages are on again.")
        assert member_named(engine, "sam").paused_until is None


def test_stop_pauses_until_resume_and_nothing_reaches_them_meanwhile(person, engine, clock):
    sam = met(person, "Sam")
    sam.says("stop")
    assert sam.text == "Messages are paused until you type resume. Take the time you need."
    clock.advance(timedelta(days=400))
    sam.says("profile")
    assert fields_of(sam.last)["Messages paused"] == "until you type resume"
    assert buttons_of(sam.last) == ["Edit my profile", "Resume messages"]
    sam.says("resume")
    assert member_named(engine, "sam").paused_until is None


def test_a_date_without_a_year_that_has_passed_is_asked_about(person, engine, clock):
    sam = met(person, "Sam")
    clock.advance(timedelta(days=5))  # Tuesday 1 December 2026
    sam.says("pause 29 Nov 10:00")
    assert sam.text == (
        "29 Nov 10:00 has passed this year. Did you mean 29 November 2027? If so, please type the year too."
    )
    assert member_named(engine, "sam").paused_until is None
    sam.says("pause 3 Jan 10:00")  # a month ahead: plainly next year, not asked
    assert member_named(engine, "sam").paused_until == datetime(2027, 1, 3, 10, 0, tzinfo=UTC)
    sam.says("pause 29 Nov 2027 10:00")
    assert member_named(engine, "sam").paused_until == datetime(2027, 11, 29, 10, 0, tzinfo=UTC)


def test_pause_that_is_not_a_date_is_refused(person, engine):
    sam = met(person, "Sam")
    sam.says("profile pause banana")
    assert sam.text.startswith("I couldn't read 'banana' as a date and time.")
    assert member_named(engine, "sam").paused_until is None


def test_pause_in_the_past_is_refused(person, engine):
    sam = met(person, "Sam")
    sam.says("profile pause yesterday 2pm")
    assert sam.text == "That time has passed. Please give a time in the future, like 'next Monday 9am'."
    sam.says("profile pause 1 Jan 2020 10:00")
    assert sam.text.startswith("That time has passed.")
    assert member_named(engine, "sam").paused_until is None


def test_pause_until_now_exactly_is_refused(person, engine, clock):
    sam = met(person, "Sam")
    clock.set(datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    sam.says("profile pause today 14:00")
    assert sam.text.startswith("That time has passed.")
    assert member_named(engine, "sam").paused_until is None


def test_profile_resume_turns_messages_back_on(person, engine):
    sam = met(person, "Sam")
    sam.says("profile pause next Tuesday 2pm")
    sam.says("profile resume")
    assert sam.text.startswith("Welcome back. Messages are on again.")
    assert fields_of(sam.last)["Messages paused"] == "no"
    assert member_named(engine, "sam").paused_until is None


def test_the_pause_for_a_week_button_and_the_resume_button(person, engine):
    sam = met(person, "Sam")
    sam.press("Pause for a week")
    assert sam.text == (
        "Messages are paused until Thursday 3 December 2026 at 09:00 (Europe/London). "
        "Take the time you need. Type resume to start again sooner."
    )
    assert member_named(engine, "sam").paused_until == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    sam.says("profile")
    sam.press("Resume messages")
    assert sam.text.startswith("Welcome back. Messages are on again.")
    assert member_named(engine, "sam").paused_until is None


def test_a_pause_that_has_ended_shows_as_not_paused(person, engine, clock):
    sam = met(person, "Sam")
    sam.press("Pause for a week")
    clock.advance(timedelta(days=7, seconds=1))
    sam.says("profile")
    assert fields_of(sam.last)["Messages paused"] == "no"
    assert buttons_of(sam.last) == ["Edit my profile", "Pause for a week"]
    # The old time is still stored; it is simply in the past now.
    assert member_named(engine, "sam").paused_until == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


# ---- the form -------------------------------------------------------------------------------


def test_edit_my_profile_opens_page_one_of_two(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    form = sam.last.form
    assert form is not None
    assert (form.form_id, form.title, form.page, form.pages) == ("profile.edit", "Edit your profile", 1, 2)
    assert len(form.fields) <= 5
    assert [f.name for f in form.fields] == ["name", "timezone", "quiet", "interests", "language"]
    assert {f.name: f.initial for f in form.fields}["timezone"] == "Europe/London"
    assert form.submit_label == "Next"
    assert drafts_in_db(engine) == []


def test_profile_edit_command_opens_the_form_too(person, engine):
    sam = met(person, "Sam")
    sam.says("profile edit")
    assert sam.last.form is not None and sam.last.form.page == 1
    assert drafts_in_db(engine) == []


def test_page_one_with_bad_values_returns_field_errors_and_saves_nothing(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit({"timezone": "Mars/Base", "quiet": "all day", "interests": "pain, @everyone", "name": ""})
    reply = sam.last
    assert reply.field_errors == {
        "name": "Please fill in Name.",
        "timezone": "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto.",
        "quiet": "Please give quiet hours as two times, like 22:00-08:00. Or type none.",
        "interests": "Please leave out @everyone, @here and group mentions. They would alert everyone.",
    }
    # The same page again, with what was typed, so nothing has to be typed twice.
    assert reply.form is not None and reply.form.page == 1
    assert {f.name: f.initial for f in reply.form.fields}["timezone"] == "Mars/Base"
    assert reply.form.fields[1].problem == reply.field_errors["timezone"]
    [draft] = drafts_in_db(engine)  # only to show the page again as typed; no answer is kept
    assert {k for k in draft.values if not k.startswith(("~typed:", "~problem:"))} == set()
    sam.says("profile edit")  # starting the form again starts afresh
    assert {f.name: f.initial for f in sam.last.form.fields}["timezone"] == "Europe/London"
    assert drafts_in_db(engine) == []
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone, member.quiet_start) == ("Sam", "Europe/London", None)
    assert interests_in_db(engine, "sam") == []


def test_the_whole_form_saves_everything_at_the_end(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit(
        {
            "name": "Sam O",
            "timezone": "toronto",
            "quiet": "22-7",
            "interests": "Pain, Research, pain",
            "language": "English",
        }
    )
    assert sam.last.field_errors == {}
    page_two = sam.last.form
    assert page_two is not None
    assert (page_two.page, page_two.pages, page_two.submit_label) == (2, 2, "Save")
    assert [f.name for f in page_two.fields] == ["paused_until", "openings"]
    # Between pages nothing is saved on the member; the answers wait in a draft.
    assert member_named(engine, "sam").timezone == "Europe/London"
    [draft] = drafts_in_db(engine)
    assert draft.values == {
        "name": "Sam O",
        "timezone": "America/Toronto",
        "quiet": "22:00-07:00",
        "interests": "pain, research",
        "language": "en",
    }

    sam.submit({"paused_until": "", "openings": "weekly"})
    assert sam.text.startswith("Saved. Here is your profile now.")
    assert fields_of(sam.last) == {
        "Name": "Sam O",
        "Time zone": "America/Toronto",
        "Quiet hours": "22:00-07:00",
        "Interests": "pain, research",
        "Openings": "a weekly digest, on Mondays at 09:00",
        "Language": "English",
        "Messages paused": "no",
        "Check-ins": "on",
        "Roles": "partner",
    }
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone, member.language) == ("Sam O", "America/Toronto", "en")
    assert (member.quiet_start, member.quiet_end, member.paused_until) == (22 * 60, 7 * 60, None)
    assert interests_in_db(engine, "sam") == ["pain", "research"]
    assert drafts_in_db(engine) == []


def test_a_pause_on_page_two_is_read_in_the_zone_chosen_on_page_one(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit({"timezone": "America/Toronto"})
    sam.submit({"paused_until": "next Tuesday 2pm"})
    assert (
        fields_of(sam.last)["Messages paused"] == "until Tuesday 1 December 2026 at 14:00 (America/Toronto)"
    )
    member = member_named(engine, "sam")
    assert member.timezone == "America/Toronto"
    assert member.paused_until == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # 14:00 in Toronto


def test_a_bad_pause_on_page_two_keeps_the_draft_and_saves_nothing(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit({"name": "Sam O"})
    sam.submit({"paused_until": "friday"})
    assert sam.last.field_errors == {
        "paused_until": "What time on that day? Please add a time with am, pm or a colon, "
        "like 'Friday 2pm' or 'Friday 14:00'."
    }
    assert sam.last.form is not None and sam.last.form.page == 2
    sam.submit({"paused_until": "yesterday 2pm"})
    assert sam.last.field_errors == {
        "paused_until": "That time has passed. Please give a time in the future, like 'next Monday 9am'."
    }
    member = member_named(engine, "sam")
    assert (member.display_name, member.paused_until) == ("Sam", None)
    [draft] = drafts_in_db(engine)
    assert draft.values["name"] == "Sam O"
    # Put right, it saves.
    sam.submit({"paused_until": "3 Dec 14:00"})
    member = member_named(engine, "sam")
    assert (member.display_name, member.paused_until) == ("Sam O", datetime(2026, 12, 3, 14, 0, tzinfo=UTC))
    assert drafts_in_db(engine) == []


def test_the_draft_survives_a_restart(person, engine, settings, clock):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit({"name": "Sam Restarted", "timezone": "America/Toronto"})
    assert sam.last.form is not None and sam.last.form.page == 2

    # The process restarts: a new Bot, knowing nothing but the database. An hour goes by.
    clock.advance(timedelta(hours=1))
    sam.bot = Bot(engine, settings, clock, EVERY_FEATURE)
    sam.submit({"paused_until": "3 Dec 14:00"})
    assert sam.text.startswith("Saved. Here is your profile now.")
    assert fields_of(sam.last)["Name"] == "Sam Restarted"
    assert (
        fields_of(sam.last)["Messages paused"] == "until Thursday 3 December 2026 at 14:00 (America/Toronto)"
    )
    member = member_named(engine, "sam")
    assert (member.display_name, member.timezone) == ("Sam Restarted", "America/Toronto")
    # Read in the zone kept in the draft: 14:00 in Toronto.
    assert member.paused_until == datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    assert drafts_in_db(engine) == []


def test_page_two_without_a_draft_starts_again(person, engine):
    sam = met(person, "Sam")
    sam.last = sam.bot.handle(
        FormSubmit(sam.who, "profile.edit", {"paused_until": "next Tuesday 2pm"}, page=2)
    )
    assert sam.text == "That form was out of date, so here it is again from the start."
    assert sam.last.form is not None and sam.last.form.page == 1
    assert member_named(engine, "sam").paused_until is None
    assert drafts_in_db(engine) == []


def test_opening_the_form_again_drops_the_old_draft(person, engine):
    sam = met(person, "Sam")
    sam.press("Edit my profile")
    sam.submit({"name": "Old Answer"})
    old_page_two = sam.last
    assert len(drafts_in_db(engine)) == 1
    sam.says("profile edit")
    assert drafts_in_db(engine) == []
    # The page two still open from before is now out of date.
    sam.last = old_page_two
    sam.submit({"paused_until": ""})
    assert sam.text == "That form was out of date, so here it is again from the start."
    assert member_named(engine, "sam").display_name == "Sam"


def test_drafts_belong_to_one_member(person, engine):
    sam, jo = met(person, "Sam"), met(person, "Jo")
    sam.press("Edit my profile")
    sam.submit({"name": "Sam O"})
    # Jo sends page two without having filled page one: Sam's draft is not Jo's.
    jo.last = jo.bot.handle(FormSubmit(jo.who, "profile.edit", {"paused_until": ""}, page=2))
    assert jo.text == "That form was out of date, so here it is again from the start."
    assert member_named(engine, "jo").display_name == "Jo"
    [draft] = drafts_in_db(engine)
    assert draft.member_id == member_named(engine, "sam").id


def test_saving_the_form_with_an_empty_pause_resumes_messages(person, engine):
    sam = met(person, "Sam")
    sam.press("Pause for a week")
    sam.says("profile edit")
    sam.submit({})
    hint = sam.last.form.fields[0].hint if sam.last.form else ""
    assert hint == "Leave empty to get messages. For example: next Monday 9am"
    sam.submit({"paused_until": ""})
    assert fields_of(sam.last)["Messages paused"] == "no"
    assert member_named(engine, "sam").paused_until is None


def test_saving_the_form_for_another_change_keeps_a_pause(engine, person):
    sam = person("Sam")
    sam.says("profile pause next Tuesday 2pm")
    sam.says("profile edit")
    sam.submit({"quiet": "22:00-07:00"})
    page_two = sam.last.form
    assert page_two.fields[0].initial == "01 Dec 2026 14:00"
    sam.submit({})
    member = member_named(engine, "sam")
    assert member.paused_until == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert (member.quiet_start, member.quiet_end) == (22 * 60, 7 * 60)
    assert "Messages paused: until Tuesday 1 December 2026 at 14:00 (Europe/London)" in sam.text


def test_the_profile_shows_whether_check_ins_are_on(engine, person, clock):
    from datetime import timedelta

    from sqlmodel import Session

    sam = person("Sam")
    sam.says("profile")
    member = member_named(engine, "sam")
    with Session(engine) as session:
        member.checkins_paused_until = clock.now() + timedelta(days=7)
        session.add(member)
        session.commit()
    sam.says("profile")
    assert "Check-ins: paused until Thursday 3 December 2026 at 09:00 (Europe/London)" in sam.text
    with Session(engine) as session:
        member.checkins_off = True
        session.add(member)
        session.commit()
    sam.says("profile")
    assert "Check-ins: off. Type checkin on to get them again" in sam.text
