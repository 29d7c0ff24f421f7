"""My data: a person sees everything held about them and gets it as files, erases it (asked
once; the record of paid work stays under a pseudonym), or leaves (no more messages, at once;
coordinators are told only the name). An admin erases someone's data at their request, logged
with who and when. After RETENTION_DAYS, check-in answers, notes and alert notes are deleted and
summaries keep only their totals.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, Message
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import Role
from bot.mydata.retention import forget_old
from bot.settings import Settings
from storage.models import (
    Account,
    Alert,
    AnonymousAnswer,
    CheckInAnswer,
    CheckInPrompt,
    CheckInRun,
    Erasure,
    Involvement,
    LinkCode,
    LinkTry,
    Member,
    MemberRole,
    OpeningInterest,
    Outbox,
    SessionSignup,
    WellbeingSession,
)
from tests.conftest import Person, RecordingSender, deliver
from tests.test_care import someone
from tests.test_checkin_delivery import QUESTIONS
from tests.test_openings import OPENING
from tests.test_sessions import scheduled_one

NO_ANONYMOUS = "Answers you gave in anonymous check-ins are not linked to you, so they are not here."
ASK = "Do you want me to erase your data? This cannot be undone."
LEFT = (
    "You have left. I won't send you any more messages. I have told the coordinators. "
    "If you like, I can also erase your data. If you write to me again, you are welcome back."
)
WELCOME = "Hello! Before we start, here is what I keep and why."


def my_bot(engine, clock, **settings: str) -> Bot:
    made = Settings(_env_file=None, **({"admins": "console:ada", "default_timezone": "Europe/London"} | settings))
    return Bot(engine, made, clock, EVERY_FEATURE)


def press(member: Person, action_id: str, value: str = ""):
    member.last = member.bot.handle(ButtonPress(member.who, action_id, value))
    return member.last


def received(platform: RecordingSender, user_id: str) -> list[Message]:
    return [d.message for d in platform.sent if d.target_id == user_id]


def tap(member: Person, message: Message, label: str):
    [button] = [b for b in message.buttons if b.label == label]
    return press(member, button.action_id, button.value)


def rows(engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))


def send_checkin(cora: Person, visibility: str = "named") -> None:
    cora.says("checkin new")
    cora.submit({"name": "Weekly wellbeing", "questions": QUESTIONS, "schedule": "now", "window": "24"})
    cora.submit({"visibility": visibility, "alert_level": ""})
    assert cora.text.startswith("Sent Weekly wellbeing now."), cora.text


def answer(pat: Person, platform: RecordingSender, engine, clock, note: str = "") -> None:
    """Pat answers the latest prompt: good, and yes; with a note if given."""
    deliver(engine, platform, clock)
    prompt = received(platform, "pat")[-1]
    tap(pat, prompt, "4 good")
    tap(pat, prompt, "Yes")
    if note:
        tap(pat, prompt, "Add a note")
        pat.submit({"note": note})


def selected(engine, clock, ada: Person, pat: Person) -> None:
    """Jo posts an opening; Pat says they are interested, with a note; Jo selects Pat, 6 hours."""
    jo = someone(ada.bot, "Jo", Role.STAFF)
    jo.says("openings new")
    for _page in (1, 2, 3):
        jo.submit({f.name: OPENING[f.name] for f in jo.last.form.fields})
    press(pat, "opening.interested:1")
    pat.submit({"availability": "Tuesdays", "access_needs": "Step-free room", "note": "I use a wheelchair"})
    jo.says("openings review 1")
    jo.press("Select Pat")
    jo.submit({"next_steps": "Meet on Teams.", "hours": "6"})


def files_of(member: Person) -> dict[str, str]:
    return {f.name: f.content for m in member.last.messages for f in m.files}


# ---- mydata ----------------------------------------------------------------------------------------


def test_mydata_says_in_plain_words_what_is_kept_and_sends_all_of_it_as_files(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    pat.says("profile interests pain management")
    send_checkin(cora)
    answer(pat, platform, engine, clock, note="Mornings are hard")
    pat.says("support I feel low today")

    pat.says("mydata")

    assert pat.text.splitlines() == [
        "Here is everything I keep about you. Only you can see this. The files have all of it. "
        "Type mydata erase to erase it.",
        "Profile: Name: Pat. Time zone: Europe/London. Interests: pain management. Accounts: console pat.",
        "Roles: partner",
        f"Check-ins: Check-ins sent: 1. Answers: 2. Notes: 1. {NO_ANONYMOUS}",
        "Wellbeing sessions: Sign-ups: 0. Notes: 0.",
        "Openings: Said you were interested: 0. Notes: 0.",
        "Paid work: Times selected: 0. Hours agreed: 0.",
        "Calls for support: Alerts about you: 1.",
    ]
    files = files_of(pat)
    assert sorted(files) == ["my-checkin-answers-2026-11-26.csv", "my-data-2026-11-26.json"]
    everything = json.loads(files["my-data-2026-11-26.json"])
    assert everything["profile"]["name"] == "Pat"
    assert everything["profile"]["interests"] == ["pain management"]
    assert everything["roles"] == ["partner"]
    [checkin] = everything["checkins"]
    assert checkin["note"] == "Mornings are hard"
    assert [(a["question"], a["answer"]) for a in checkin["answers"]] == [("How are you?", "4"), ("Slept well?", "yes")]
    [alert] = everything["alerts"]
    assert alert["you_wrote"] == "I feel low today"
    table = list(csv.reader(io.StringIO(files["my-checkin-answers-2026-11-26.csv"])))
    assert table[0] == ["checkin", "sent_at", "question", "answer", "answered_at"]
    assert [row[2:4] for row in table[1:]] == [["How are you?", "4"], ["Slept well?", "yes"], ["note", "Mornings are hard"]]
    # Nobody else's words are in it.
    assert "Cora" not in files["my-checkin-answers-2026-11-26.csv"]


def test_anonymous_answers_are_not_shown_as_anyones(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    send_checkin(cora, visibility="anonymous")
    answer(pat, platform, engine, clock)

    pat.says("mydata")

    assert f"Check-ins: Check-ins sent: 0. Answers: 0. Notes: 0. {NO_ANONYMOUS}" in pat.text
    everything = json.loads(files_of(pat)["my-data-2026-11-26.json"])
    assert everything["checkins"] == [] and everything["anonymous_checkins_answered"] == 1
    assert "good" not in json.dumps(everything) and '"4"' not in json.dumps(everything)


# ---- mydata erase ----------------------------------------------------------------------------------


def test_erase_asks_once_and_keep_it_erases_nothing(engine, clock):
    bot = my_bot(engine, clock)
    pat = someone(bot, "Pat")

    pat.says("mydata erase")
    assert pat.text.splitlines() == [
        ASK,
        "Erased: Your profile, settings and roles. Check-in answers and notes. Sign-ups and notes. "
        "Interest in openings. Alerts about you. Messages waiting for you.",
        "Kept: Nothing.",
        "[Erase my data]",
        "[Keep it]",
    ]
    pat.press("Keep it")

    assert pat.text == "All right. Nothing was erased."
    assert [m.display_name for m in rows(engine, Member)] == ["Pat"]
    assert rows(engine, Erasure) == []


def test_erasing_keeps_only_the_record_of_paid_work_under_a_pseudonym(engine, clock, platform):
    bot = my_bot(engine, clock, announcements_channel="console:local/announcements")
    ada = someone(bot, "Ada")
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    pat.says("profile interests pain management")
    send_checkin(cora)
    answer(pat, platform, engine, clock, note="Mornings are hard")
    pat.says("support I feel low today")
    selected(engine, clock, ada, pat)
    scheduled_one(cora)
    press(pat, "session.signup:1")
    pat.says("link")  # a code for another account, and a wrong code typed
    pat.says("link ZZZ-ZZZ")
    assert (len(rows(engine, LinkCode)), len(rows(engine, LinkTry))) == (1, 1)
    pat_id = rows(engine, Account)[2].member_id

    pat.says("mydata erase")
    assert "Kept: The record of paid work: selected once. Finance must keep it. " in pat.text
    assert "It will show the name Former member 3, not yours." in pat.text
    pat.press("Erase my data")

    assert pat.text == (
        "Done. I have erased your data. I kept the record of paid work, as finance must. "
        "It now shows the name Former member 3. If you write to me again, I will greet you as someone new."
    )
    shell = rows(engine, Member)[pat_id - 1]
    assert (shell.id, shell.display_name, shell.erased_at) == (pat_id, "Former member 3", clock.now())
    assert (shell.consent_shown_at, shell.consent_given_at, shell.consent_refused_at) == (None, None, None)
    assert (rows(engine, LinkCode), rows(engine, LinkTry)) == ([], [])
    with Session(engine) as session:
        assert session.exec(select(Account).where(Account.member_id == pat_id)).all() == []
        assert session.exec(select(MemberRole).where(MemberRole.member_id == pat_id)).all() == []
        assert session.exec(select(CheckInPrompt).where(CheckInPrompt.member_id == pat_id)).all() == []
        assert session.exec(select(Alert).where(Alert.member_id == pat_id)).all() == []
        assert session.exec(select(SessionSignup).where(SessionSignup.member_id == pat_id)).all() == []
    assert rows(engine, CheckInAnswer) == []
    assert rows(engine, WellbeingSession)[0].taken == 0  # the place went back
    # The paid work stays: the selection and its hours, under the pseudonym, its notes gone.
    [work] = rows(engine, Involvement)
    assert (work.member_id, work.hours_agreed) == (pat_id, 6)
    [interest] = rows(engine, OpeningInterest)
    assert (interest.note, interest.availability, interest.access_needs) == ("", "", "")
    cora.says("openings export 2026-11-01 2026-11-30")
    [export] = [f.content for m in cora.last.messages for f in m.files]
    assert "Former member 3" in export and "Pat" not in export
    # The log says when, and that Pat did it: never a name or a word.
    [erasure] = rows(engine, Erasure)
    assert (erasure.member_pseudonym, erasure.erased_by_member_id, erasure.on_request) == ("Former member 3", None, False)
    everything = str([(o.body, o.dedupe_key) for o in rows(engine, Outbox)])
    assert "I feel low today" not in everything and "Mornings are hard" not in everything

    # The next message is a new first contact.
    pat.says("profile")
    assert pat.text.startswith(WELCOME)
    assert [m.display_name for m in rows(engine, Member)][-1] == "Pat"


def test_an_admin_erases_someones_data_at_their_request_and_it_is_logged(engine, clock):
    bot = my_bot(engine, clock)
    ada = someone(bot, "Ada")
    pat = someone(bot, "Pat")
    jo = someone(bot, "Jo")
    before = rows(engine, Member)

    jo.says("mydata erase Pat")
    assert jo.last.refused
    assert jo.text == "Only admins can erase someone else's data. Type mydata erase to erase your own."
    press(jo, "mydata.erase_member:2")
    assert jo.last.refused and rows(engine, Member) == before

    clock.advance(timedelta(hours=1))
    ada.says("mydata erase Pat")
    assert ada.text.startswith("Erase the data of Pat? Only do this if they asked. This cannot be undone.")
    ada.press("Erase their data")

    assert ada.text == (
        "Done. I have erased the data of Pat. I have noted that you did this, and when."
    )
    [erasure] = rows(engine, Erasure)
    assert (erasure.member_pseudonym, erasure.erased_by_member_id, erasure.on_request) == ("Former member 2", 1, True)
    assert erasure.erased_at == clock.now()
    pat.says("profile")
    assert pat.text.startswith(WELCOME)


def test_the_only_admin_cannot_erase_themselves_out_of_the_service(engine, clock):
    bot = my_bot(engine, clock, admins="")
    sam = someone(bot, "Sam", Role.ADMIN)

    sam.says("mydata erase")

    assert sam.last.refused
    assert sam.text == "Sam is the only admin. Make someone else an admin first."


def test_a_place_given_back_by_erasing_goes_to_the_first_waiting(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat, lou = someone(bot, "Pat"), someone(bot, "Lou")
    scheduled_one(cora, capacity="1")
    press(pat, "session.signup:1")
    press(lou, "session.signup:1")

    pat.says("mydata erase")
    pat.press("Erase my data")

    [signup] = rows(engine, SessionSignup)
    assert signup.status == "confirmed"
    deliver(engine, platform, clock)
    assert any("Chair yoga" in m.plain() for m in received(platform, "lou"))


# ---- leave -----------------------------------------------------------------------------------------


def test_leave_stops_every_message_at_once_and_coordinators_hear_only_the_name(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    someone(bot, "Lou")  # a partner who stays
    cora.says("roles grant Pat staff")  # "you have the staff role" waits in the outbox

    pat.says("leave I'm tired of all this")

    assert pat.text == f"{LEFT}\n[Erase my data]\n[Keep it]"
    with Session(engine) as session:
        waiting = session.exec(select(Outbox).where(Outbox.target_id == "pat", col(Outbox.sent_at).is_(None))).all()
        assert waiting == []
    send_checkin(cora)
    scheduled_one(cora)
    deliver(engine, platform, clock)
    assert received(platform, "pat") == []
    assert [m.plain() for m in received(platform, "cora")] == ["Pat has left."]
    assert [p.member_id for p in rows(engine, CheckInPrompt)] == [3]  # Lou's, not Pat's

    pat.press("Keep it")
    assert pat.text == "All right. Nothing was erased."
    deliver(engine, platform, clock)
    assert received(platform, "pat") == []


def test_someone_who_left_and_writes_again_is_welcome_back(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    pat.says("leave")
    pat.says("mydata")  # looking at one's data is not coming back
    assert rows(engine, Member)[1].left_at is not None

    pat.says("sessions")

    assert pat.text.startswith("Welcome back. You will get messages from me again.")
    assert rows(engine, Member)[1].left_at is None
    send_checkin(cora)
    deliver(engine, platform, clock)
    assert received(platform, "pat")[-1].plain().startswith("Check-in: Weekly wellbeing.")


def test_leave_then_erase_from_the_same_message(engine, clock):
    bot = my_bot(engine, clock)
    pat = someone(bot, "Pat")
    pat.says("leave")
    # With no coordinator, nobody could be told, and Pat is not told otherwise.
    assert pat.last.messages[0].plain() == (
        "You have left. I won't send you any more messages. "
        "If you like, I can also erase your data. If you write to me again, you are welcome back."
    )

    pat.press("Erase my data")

    assert pat.text.startswith("Done. I have erased your data.")
    assert rows(engine, Account) == []


# ---- keep only what is needed ----------------------------------------------------------------------


def summary_of(cora: Person) -> str:
    cora.says("checkin summary 1")
    return cora.text


def test_after_retention_days_answers_notes_and_alert_words_go_and_summaries_keep_totals(
    engine, clock, platform
):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    send_checkin(cora)
    answer(pat, platform, engine, clock, note="Mornings are hard")
    pat.says("support I feel low today")
    clock.advance(timedelta(days=2))
    bot.tick()  # the run closes
    deliver(engine, platform, clock)  # its summary too, with Pat's note in it
    before = summary_of(cora)
    assert "Mornings are hard" in before

    clock.advance(timedelta(days=364))
    bot.tick()
    assert len(rows(engine, CheckInAnswer)) == 2  # not a year old yet

    clock.advance(timedelta(days=2))
    bot.tick()

    assert rows(engine, CheckInAnswer) == []
    assert [p.note for p in rows(engine, CheckInPrompt)] == [""]
    [alert] = rows(engine, Alert)
    assert (alert.message, alert.member_id) == ("", 2)
    after = summary_of(cora)
    totals = [line for line in before.splitlines() if "Mornings are hard" not in line]
    assert after.splitlines() == totals
    assert rows(engine, CheckInRun)[0].totals["answered"] == 1
    # The bot's copies of what it sent a year ago hold no words now.
    assert {str(o.body) for o in rows(engine, Outbox) if o.sent_at is not None} == {"{}"}
    bot.tick()  # again: nothing more to do, nothing changes
    assert summary_of(cora) == after


def test_retention_works_in_batches_and_honours_the_setting(engine, clock):
    bot = my_bot(engine, clock, retention_days="30")
    cora = someone(bot, "Cora", Role.COORDINATOR)
    someone(bot, "Pat")
    send_checkin(cora, visibility="anonymous")
    with Session(engine) as session:
        session.add_all(AnonymousAnswer(run_id=1, position=0, value=str(1 + n % 5)) for n in range(1203))
        session.commit()
    clock.advance(timedelta(days=32))

    forget_old(engine, bot.settings, clock.now())

    assert rows(engine, AnonymousAnswer) == []
    assert sum(rows(engine, CheckInRun)[0].totals["questions"][0]["counts"]) == 1203


def test_retention_days_must_keep_at_least_a_day():
    with pytest.raises(ValidationError, match="1 or more"):
        Settings(_env_file=None, retention_days=0)


def test_a_coordinators_note_on_an_alert_is_said_to_exist_but_stays_among_coordinators(engine, clock, platform):
    bot = my_bot(engine, clock)
    cora = someone(bot, "Cora", Role.COORDINATOR)
    pat = someone(bot, "Pat")
    pat.says("support")
    press(cora, "alert.done:1")
    cora.submit({"note": "Called Pat; follow up with the GP"})

    pat.says("mydata")

    everything = json.loads(files_of(pat)["my-data-2026-11-26.json"])
    [alert] = everything["alerts"]
    assert (alert["done_by"], alert["coordinators_note_kept"]) == ("Cora", True)
    assert "follow up" not in json.dumps(everything)


def test_erase_pressed_twice_erases_once(engine, clock):
    bot = my_bot(engine, clock)
    pat = someone(bot, "Pat")
    pat.says("mydata erase")
    [erase] = [b for b in pat.last.messages[0].buttons if b.label == "Erase my data"]
    press(pat, erase.action_id, erase.value)

    again = press(pat, erase.action_id, erase.value)  # a double tap

    assert again.refused
    assert again.messages[-1].plain() == "That button no longer works. Type mydata erase to start again."
    assert len(rows(engine, Erasure)) == 1
    assert [m.display_name for m in rows(engine, Member)] == ["Former member 1", "Pat"]
