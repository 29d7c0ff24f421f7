"""Forms in general: pages of at most five fields, each kind of field checked, drafts kept in the
database between pages, and only a complete form acted on. This module's bot has forms of its own
for the kinds the profile form does not use; their submit saves the answers in a row we can read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from bot import checks
from bot.checks import Refusal
from bot.conversation import ButtonPress, FormField, FormSubmit, Option
from bot.core import Bot
from bot.feature import Asked, Feature, FormSpec
from bot.features import EVERY_FEATURE
from bot.forms import pages_of
from bot.turn import Turn
from storage.models import FormDraft
from tests.conftest import member_named

RESULT = "test.result"  # where the test forms' submit keeps what it was given


def _keep(turn: Turn, asked: Asked, values: dict[str, str]) -> object:
    """A submit that saves what it received, then answers like a feature would."""
    turn.db.add(
        FormDraft(
            member_id=turn.member.id,
            form_id=RESULT,
            values={**values, "subject": asked.text},
            updated_at=turn.now,
        )
    )
    return turn.say(turn._("Thank you. That is saved."))


def _no_tbc(turn: Turn, value: str) -> str:
    if value.lower() == "tbc":
        raise Refusal("Please give a real title.")
    return value.title()


def _survey_fields(turn: Turn, asked: Asked) -> list[FormField]:
    return [
        FormField("title", "Title", "short", max_length=20, initial=f"Opening {asked.text}".strip()),
        FormField("places", "Places", "number", minimum=1, maximum=12),
        FormField("hours", "Hours", "number", required=False, minimum=0.5),
        FormField("guests", "Guests", "number", required=False, maximum=4),
        FormField(
            "colour",
            "Colour",
            "choice",
            choices=(Option("Red", "red"), Option("Sea green", "green"), Option("Blue", "blue")),
        ),
    ]


def _long_fields(turn: Turn, asked: Asked) -> list[FormField]:
    return [FormField(f"q{n}", f"Question {n}", "short", max_length=40) for n in range(1, 12)] + [
        FormField("notes", "Notes", "long", required=False, max_length=100)
    ]


def _zone_check(turn: Turn, value: str) -> str:
    return checks.time_zone(value)


def _meeting_fields(turn: Turn, asked: Asked) -> list[FormField]:
    return [
        FormField("timezone", "Time zone", "short", max_length=64),
        FormField("start", "Start", "datetime", max_length=60),
        FormField("end", "Until", "datetime", required=False, max_length=60),
    ]


def _spec(name: str, fields, form_checks=None) -> FormSpec:  # noqa: ANN001
    return FormSpec(
        name=name,
        title=lambda turn: "A test form",
        fields=fields,
        checks=form_checks or {},
        submit=_keep,
        submit_label=lambda turn: "Send",
    )


@pytest.fixture
def bot(engine, settings, clock) -> Bot:
    """The bot with every feature, and forms of each kind that exist only for these tests."""
    forms = (
        _spec("test.survey", _survey_fields, {"title": _no_tbc}),
        _spec("test.long", _long_fields),
        _spec("test.meeting", _meeting_fields, {"timezone": _zone_check}),
        _spec("test.when", lambda turn, asked: [FormField("start", "Start", "datetime")]),
    )
    return Bot(engine, settings, clock, (*EVERY_FEATURE, Feature("test", forms=forms)))


def open_form(someone, form_id: str):
    someone.last = someone.bot.handle(ButtonPress(someone.who, form_id))
    return someone.last


def send_page(someone, form_id: str, page: int, values: dict[str, str]):
    someone.last = someone.bot.handle(FormSubmit(someone.who, form_id, values, page=page))
    return someone.last


def results(engine) -> list[dict[str, str]]:
    with Session(engine) as db:
        rows = db.exec(select(FormDraft).where(FormDraft.form_id == RESULT).order_by(col(FormDraft.id)))
        return [row.values for row in rows]


def drafts(engine, form_id: str) -> list[dict[str, str]]:
    with Session(engine) as db:
        rows = db.exec(select(FormDraft).where(FormDraft.form_id == form_id))
        return [row.values for row in rows]


SURVEY_OK = {"title": "Booking group", "places": "3", "hours": "", "guests": "", "colour": "red"}


# ---- pages ----------------------------------------------------------------------------------


def _fields(count: int) -> list[FormField]:
    return [FormField(f"f{n}", f"Field {n}") for n in range(count)]


def test_pages_of_twelve_fields_is_five_five_two():
    pages = pages_of(_fields(12))
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [f.name for p in pages for f in p] == [f"f{n}" for n in range(12)]


@pytest.mark.parametrize(("count", "sizes"), [(0, [0]), (1, [1]), (5, [5]), (6, [5, 1]), (10, [5, 5])])
def test_pages_of_other_sizes(count, sizes):
    assert [len(p) for p in pages_of(_fields(count))] == sizes


def test_a_form_of_twelve_fields_goes_page_by_page(person, engine):
    sam = person("Sam")
    form = open_form(sam, "test.long").form
    assert form is not None
    assert (form.page, form.pages, len(form.fields), form.submit_label) == (1, 3, 5, "Next")
    sam.submit({f"q{n}": f"answer {n}" for n in range(1, 6)})
    form = sam.last.form
    assert form is not None
    assert (form.page, len(form.fields), form.submit_label) == (2, 5, "Next")
    assert [f.name for f in form.fields] == ["q6", "q7", "q8", "q9", "q10"]
    sam.submit({f"q{n}": f"answer {n}" for n in range(6, 11)})
    form = sam.last.form
    assert form is not None
    assert (form.page, [f.name for f in form.fields], form.submit_label) == (3, ["q11", "notes"], "Send")
    assert drafts(engine, "test.long") == [{f"q{n}": f"answer {n}" for n in range(1, 11)}]
    assert results(engine) == []

    sam.submit({"q11": "answer 11", "notes": ""})
    assert sam.text.endswith("Thank you. That is saved.")
    assert sam.last.form is None
    assert results(engine) == [{**{f"q{n}": f"answer {n}" for n in range(1, 12)}, "notes": "", "subject": ""}]
    assert drafts(engine, "test.long") == []


def test_a_last_page_sent_with_a_page_missing_from_the_draft_starts_again(person, engine):
    sam = person("Sam")
    open_form(sam, "test.long")
    sam.submit({f"q{n}": "old" for n in range(1, 6)})
    sam.submit({f"q{n}": "old" for n in range(6, 11)})
    old_page_three = sam.last
    # Started again: only page one is in the new draft when the old page three arrives.
    open_form(sam, "test.long")
    sam.submit({f"q{n}": "new" for n in range(1, 6)})
    sam.last = old_page_three
    sam.submit({"q11": "late"})
    assert sam.text == "That form was out of date, so here it is again from the start."
    assert sam.last.form is not None and sam.last.form.page == 1
    assert results(engine) == []
    assert drafts(engine, "test.long") == [{f"q{n}": "new" for n in range(1, 6)}]


@pytest.mark.parametrize("page", [0, 2, 9])
def test_a_page_that_does_not_exist_starts_again(person, engine, page):
    sam = person("Sam")
    send_page(sam, "test.survey", page, SURVEY_OK)
    assert sam.text.endswith("That form was out of date, so here it is again from the start.")
    assert sam.last.form is not None and sam.last.form.page == 1
    assert results(engine) == []


def test_a_form_that_no_longer_exists_is_refused(person, engine):
    sam = person("Sam")
    sam.says("profile")
    send_page(sam, "retired.form", 1, {"a": "b"})
    assert sam.text == "That form is no longer in use. Type guide to see what you can do."
    assert sam.last.form is None
    assert results(engine) == []


def test_a_one_page_form_sends_at_once_with_its_subject(person, engine):
    sam = person("Sam")
    form = open_form(sam, "test.survey:42").form
    assert form is not None
    assert (form.form_id, form.title, form.page, form.pages, form.submit_label) == (
        "test.survey:42",
        "A test form",
        1,
        1,
        "Send",
    )
    assert {f.name: f.initial for f in form.fields}["title"] == "Opening 42"
    sam.submit({"places": "2", "colour": "blue"})
    assert sam.text.endswith("Thank you. That is saved.")
    assert results(engine) == [
        {"title": "Opening 42", "places": "2", "hours": "", "guests": "", "colour": "blue", "subject": "42"}
    ]
    # A one-page form never needs a draft.
    assert drafts(engine, "test.survey:42") == []


# ---- number fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("3", "3"), (" 12 ", "12"), ("3.0", "3"), ("2.5", "2.5"), ("1", "1"), ("1e1", "10")],
)
def test_numbers_in_range_are_kept_plainly(person, engine, typed, kept):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "places": typed})
    assert sam.last.field_errors == {}
    assert sam.text.endswith("Thank you. That is saved.")
    assert results(engine)[0]["places"] == kept


@pytest.mark.parametrize("typed", ["0", "13", "-1", "0.5", "1,000"])
def test_numbers_out_of_range_are_refused(person, engine, typed):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "places": typed})
    assert sam.last.field_errors == {"places": "Places needs a number from 1 to 12."}
    assert results(engine) == []


@pytest.mark.parametrize("typed", ["three", "3 places", "nan", "inf", "-infinity", "1..2"])
def test_things_that_are_not_numbers_are_refused(person, engine, typed):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "places": typed})
    assert sam.last.field_errors == {"places": "Places needs a number, like 3."}
    assert results(engine) == []


def test_a_number_with_only_a_lower_or_upper_limit(person, engine):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "hours": "0.25", "guests": "5"})
    assert sam.last.field_errors == {
        "hours": "Hours needs a number of 0.5 or more.",
        "guests": "Guests needs a number of 4 or less.",
    }
    sam.submit({**SURVEY_OK, "hours": "1000", "guests": "-3"})
    assert sam.last.field_errors == {}
    assert results(engine)[0]["hours"] == "1000"
    assert results(engine)[0]["guests"] == "-3"


# ---- choice fields --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["green", "GREEN", "Sea green", "sea GREEN", "2", " 2 "])
def test_a_choice_by_value_label_or_position(person, engine, typed):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "colour": typed})
    assert sam.last.field_errors == {}
    assert results(engine)[0]["colour"] == "green"


@pytest.mark.parametrize("typed", ["purple", "0", "4", "sea"])
def test_a_choice_that_is_not_offered_is_refused(person, engine, typed):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "colour": typed})
    assert sam.last.field_errors == {"colour": "Please choose one of: Red, Sea green, Blue."}
    assert results(engine) == []


# ---- required and optional, and the form's own checks -------------------------------------


def test_required_fields_must_be_filled_and_optional_ones_may_be_empty(person, engine):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({"title": "  ", "places": "", "hours": "", "guests": "", "colour": ""})
    assert sam.last.field_errors == {
        "title": "Please fill in Title.",
        "places": "Please fill in Places.",
        "colour": "Please fill in Colour.",
    }
    assert results(engine) == []
    sam.submit({"title": "Pain group", "places": "4", "hours": "", "guests": "", "colour": "1"})
    assert sam.last.field_errors == {}
    assert results(engine) == [
        {"title": "Pain Group", "places": "4", "hours": "", "guests": "", "colour": "red", "subject": ""}
    ]


def test_a_page_with_mistakes_comes_back_with_what_was_typed(person, engine):
    sam = person("Sam")
    open_form(sam, "test.survey")
    typed = {"title": "Pain group", "places": "lots", "hours": "2", "guests": "", "colour": "purple"}
    sam.submit(typed)
    form = sam.last.form
    assert form is not None and form.page == 1
    assert {f.name: f.initial for f in form.fields} == typed
    assert set(sam.last.field_errors) == {"places", "colour"}
    # The person fixes only what was wrong; the rest comes back as they typed it.
    sam.submit({"places": "5", "colour": "red"})
    assert sam.last.field_errors == {}
    assert results(engine)[0]["hours"] == "2"


def test_text_fields_are_cleaned_and_limited(person, engine):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "title": "x" * 25})
    assert sam.last.field_errors == {
        "title": "Title can be up to 20 characters. Yours has 25. Please make it shorter."
    }
    sam.submit({**SURVEY_OK, "title": "@everyone come"})
    assert sam.last.field_errors == {
        "title": "Please leave out @everyone, @here and group mentions. They would alert everyone."
    }
    assert results(engine) == []
    sam.submit({**SURVEY_OK, "title": "  walking\x00 group\x1b "})
    assert sam.last.field_errors == {}
    assert results(engine)[0]["title"] == "Walking Group"


def test_the_forms_own_check_runs_after_the_kind_rules(person, engine):
    sam = person("Sam")
    open_form(sam, "test.survey")
    sam.submit({**SURVEY_OK, "title": "  TBC  "})
    assert sam.last.field_errors == {"title": "Please give a real title."}
    assert results(engine) == []


# ---- dates and time zones -------------------------------------------------------------------


def test_a_date_is_read_in_the_zone_typed_on_the_same_page(person, engine):
    sam = person("Sam")
    open_form(sam, "test.meeting")
    # "toronto" is not itself a zone name; the date must use the checked America/Toronto.
    sam.submit({"timezone": "toronto", "start": "next Tuesday 2pm", "end": ""})
    assert sam.last.field_errors == {}
    assert sam.text.endswith("Thank you. That is saved.")
    [saved] = results(engine)
    assert saved["timezone"] == "America/Toronto"
    assert datetime.fromisoformat(saved["start"]) == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    # The member's own zone is unchanged: this form only read the date in the zone it was given.
    assert member_named(engine, "sam").timezone == "Europe/London"


def test_a_bad_zone_beside_a_date_is_a_field_error_not_a_crash(person, engine):
    sam = person("Sam")
    open_form(sam, "test.meeting")
    sam.submit({"timezone": "Mars/Base", "start": "next Tuesday 2pm", "end": "banana"})
    assert sam.last.field_errors == {
        "timezone": "I don't know the time zone 'Mars/Base'. Try a name like Europe/London or America/Toronto.",
        "end": "I couldn't read 'banana' as a date and time. Try something like 'next Tuesday 2pm' or '3 Dec 14:00'.",
    }
    assert results(engine) == []


def test_a_zone_typed_in_the_form_wins_over_the_members_own(person, engine):
    sam = person("Sam")
    sam.says("profile timezone America/Toronto")
    open_form(sam, "test.meeting")
    sam.submit({"timezone": "", "start": "3 Dec 14:00", "end": ""})
    assert sam.last.field_errors == {"timezone": "Please fill in Time zone."}
    assert results(engine) == []
    sam.submit({"timezone": "UTC", "start": "3 Dec 14:00", "end": "3 Dec 15:00"})
    [saved] = results(engine)
    assert datetime.fromisoformat(saved["start"]) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert datetime.fromisoformat(saved["end"]) == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert member_named(engine, "sam").timezone == "America/Toronto"


def test_without_a_zone_in_the_form_a_date_is_read_in_the_members_zone(person, engine):
    sam = person("Sam")
    sam.says("profile timezone America/Toronto")
    open_form(sam, "test.when")
    sam.submit({"start": "3 Dec 14:00"})
    assert sam.text.endswith("Thank you. That is saved.")
    [saved] = results(engine)
    assert datetime.fromisoformat(saved["start"]) == datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_a_date_in_the_past_is_allowed_unless_the_form_checks_it(person, engine):
    # Only the form's own check knows whether the past makes sense (the profile's pause does).
    sam = person("Sam")
    open_form(sam, "test.when")
    sam.submit({"start": "yesterday 2pm"})
    [saved] = results(engine)
    assert datetime.fromisoformat(saved["start"]) == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def test_a_button_with_a_page_goes_on_from_the_draft_or_starts_again_without_one(person, engine):
    sam = person("Sam")
    open_form(sam, "test.long")
    sam.submit({f"q{n}": f"answer {n}" for n in range(1, 6)})
    # A platform that cannot open page two from the submission offers a button for it.
    sam.last = sam.bot.handle(ButtonPress(sam.who, "test.long", "2"))
    form = sam.last.form
    assert form is not None and (form.page, form.fields[0].name) == (2, "q6")
    assert drafts(engine, "test.long") == [{f"q{n}": f"answer {n}" for n in range(1, 6)}]

    # Page three before page two is in the draft: from the start, the draft dropped.
    sam.last = sam.bot.handle(ButtonPress(sam.who, "test.long", "3"))
    form = sam.last.form
    assert form is not None and form.page == 1
    assert drafts(engine, "test.long") == []
