"""Opportunity announcements through the core's entry point: staff posting openings, the
announcement and the invitations to partners whose interests match, interest with a note,
choosing fairly, selection, closing on time exactly once, cancelling, the involvement export,
and who may do what.

Every test drives `Bot.handle` (and `Bot.tick` for scheduled work) with a FakeClock, reads what
people see (replies, and what the outbox delivers) and what the database holds, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.conversation import ButtonPress, FormSubmit, Message, Reply, Who, plain
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.settings import Settings
from storage.models import FormDraft, Involvement, Opening, OpeningInterest, Outbox, ServiceSetting
from tests.conftest import START, Person, RecordingSender, deliver, member_named

# "Friday 5pm" typed on Thursday 26 November 2026 (Europe/London is on UTC in winter).
CLOSES = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
CHANNEL = "announcements"
OPENING = {
    "title": "Online booking working group",
    "team": "Digital services",
    "involves": "Test the new booking pages and say what would make them easier.",
    "commitment": "2 hours a month",
    "dates": "December to March",
    "seats": "2",
    "rate": "25 an hour",
    "payment": "plus travel",
    "access": "Captions and breaks",
    "tags": "Online booking",
    "place_kind": "remote",
    "place": "",
    "work_ends_on": "",
    "closes_at": "Friday 5pm",
}
PAGES = [
    ["title", "team", "involves", "commitment", "dates"],
    ["seats", "rate", "payment", "access", "tags"],
    ["place_kind", "place", "work_ends_on", "closes_at"],
]
NOT_SEEN = "Only the person who posted an opening, and coordinators, can see who is interested."
NOT_CHOOSING = "Only the person who posted an opening, and coordinators, can choose who takes part."
NOT_YOURS = "Only the person who posted an opening, and coordinators, can close or cancel it."
NOT_POSTING = "Only staff and coordinators can post openings. Type openings to see what is open."
NOT_EXPORTING = "Only staff and coordinators can export the involvement record."
ANNOUNCED = (
    "Team: Digital services\n"
    "What it involves: Test the new booking pages and say what would make them easier.\n"
    "Time commitment: 2 hours a month\n"
    "Where: Remote\n"
)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        admins="console:ada",
        default_timezone="Europe/London",
        announcements_channel=f"console:local/{CHANNEL}",
    )


# ---- people, forms and messages ----------------------------------------------------------------


def someone(bot: Bot, name: str, role: Role | None = None, interests: str = "") -> Person:
    """A member past the first-contact message. With a role they hold only that role (as the
    console makes them), so staff and coordinators are not also partners."""
    member = Person(bot, Who(AccountRef("console", "local", name.lower()), name))
    if role is not None:
        bot.prepare_local_member(member.who, role)
    member.says("profile")
    if interests:
        member.says(f"profile interests {interests}")
    return member


@pytest.fixture
def jo(bot) -> Person:
    return someone(bot, "Jo", Role.STAFF)


@pytest.fixture
def kim(bot) -> Person:
    """Another member of staff."""
    return someone(bot, "Kim", Role.STAFF)


@pytest.fixture
def cora(bot) -> Person:
    return someone(bot, "Cora", Role.COORDINATOR)


@pytest.fixture
def alex(bot) -> Person:
    return someone(bot, "Alex", interests="online booking")


@pytest.fixture
def priya(bot) -> Person:
    return someone(bot, "Priya", interests="online booking, mental health")


@pytest.fixture
def quinn(bot) -> Person:
    return someone(bot, "Quinn", interests="gardening")


def post(staff: Person, **changes: str) -> Reply:
    """`openings new` and its three pages. Stops at the first page that is refused."""
    values = OPENING | changes
    staff.says("openings new")
    for page in (1, 2, 3):
        form = staff.last.form
        if form is None or form.page != page:
            return staff.last
        staff.submit({f.name: values[f.name] for f in form.fields})
    return staff.last


def shown(message: Message) -> str:
    lines = [message.plain()]
    lines += [f"{f.label}: {plain(f.value)}" for f in message.fields]
    lines += [f"[{b.label}]" for b in message.buttons]
    return "\n".join(lines)


def received(platform: RecordingSender, user_id: str) -> list[Message]:
    return [d.message for d in platform.sent if d.target_id == user_id and d.target_kind == "dm"]


def posts(platform: RecordingSender) -> list[tuple[str | None, str]]:
    """What happened in the announcements channel: (id of the message edited, or None; text)."""
    return [
        (d.edit_message_id, shown(d.message))
        for d in platform.sent
        if d.target_kind == "channel" and d.target_id == CHANNEL
    ]


def tap(member: Person, message: Message, label: str) -> Reply:
    """Press a button on a message that reached `member` through the outbox."""
    for button in message.buttons:
        if button.label == label:
            member.last = member.bot.handle(ButtonPress(member.who, button.action_id, button.value))
            return member.last
    raise AssertionError(f"no button {label!r} in: {shown(message)}")


def press(member: Person, action_id: str) -> Reply:
    """A button press made up by hand, as a stale or forged button would be."""
    member.last = member.bot.handle(ButtonPress(member.who, action_id))
    return member.last


def interested(member: Person, availability: str = "", access: str = "", note: str = "") -> Reply:
    """Press "I'm interested" in `openings` and send the note form."""
    member.says("openings")
    member.press("I'm interested")
    assert member.last.form is not None, member.text
    return member.submit({"availability": availability, "access_needs": access, "note": note})


def choose(staff: Person, name: str, steps: str = "Meet on Teams on 1 December.", hours: str = "6") -> Reply:
    staff.says("openings review 1")
    staff.press(f"Select {name}")
    assert staff.last.form is not None, staff.text
    return staff.submit({"next_steps": steps, "hours": hours})


def rows(engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select_all(model)).all())


def select_all(model: type):  # noqa: ANN201
    return select(model).order_by(col(model.id))


def outbox(engine, key: str) -> list[Outbox]:
    return [r for r in rows(engine, Outbox) if (r.dedupe_key or "").startswith(key)]


def member_id(engine, user_id: str) -> int:
    found = member_named(engine, user_id).id
    assert found is not None
    return found


# ---- posting -----------------------------------------------------------------------------------


def test_staff_post_an_opening_with_a_form_in_three_pages(engine, jo):
    jo.says("openings new")
    pages = []
    for page, names in enumerate(PAGES, start=1):
        form = jo.last.form
        assert form is not None and (form.form_id, form.page, form.pages) == ("opening.new", page, 3)
        assert [f.name for f in form.fields] == names
        pages.append(form)
        if page < 3:
            assert rows(engine, Opening) == []  # nothing is saved before the last page
        jo.submit({name: OPENING[name] for name in names})
    assert pages[0].title == "New opening"
    assert [o.label for o in pages[2].fields[0].choices] == ["Remote", "In person", "Hybrid"]
    assert pages[2].submit_label == "Post"

    assert jo.text == (
        "Posted opening 1: Online booking working group. It is in the announcements channel. "
        "No partners have matching interests, so nobody got a message. "
        "It closes Friday 27 November 2026 at 17:00 (Europe/London). "
        "Type openings review 1 to see who is interested."
    )
    [made] = rows(engine, Opening)
    assert (made.title, made.team, made.commitment, made.dates) == (
        "Online booking working group",
        "Digital services",
        "2 hours a month",
        "December to March",
    )
    assert made.involves == OPENING["involves"]
    assert (made.place_kind, made.place, made.seats) == ("remote", "", 2)
    assert (made.rate_minor, made.rate_unit, made.currency) == (2500, "hour", "GBP")
    assert (made.payment, made.access, made.tags) == (
        "plus travel",
        "Captions and breaks",
        ["online booking"],
    )
    assert (made.closes_at, made.status, made.closed_at) == (CLOSES, "open", None)
    assert (made.posted_by, made.created_at) == (member_id(engine, "jo"), START)
    assert rows(engine, FormDraft) == []


def test_in_person_at_a_place_that_sounds_online_is_asked_about(engine, jo):
    reply = post(jo, place_kind="in person", place="Online, on Teams")
    assert reply.field_errors == {
        "place": "This opening is in person, but the place sounds online. "
        "Please choose Remote or Hybrid, or give the place."
    }
    assert rows(engine, Opening) == []
    post(jo, place_kind="hybrid", place="Room 4, or on Teams")  # both: fine
    assert [o.place for o in rows(engine, Opening)] == ["Room 4, or on Teams"]


def test_an_in_person_opening_says_where(engine, platform, clock, jo, alex):
    post(jo, place_kind="in person", place="Room 4, Leeds General")
    deliver(engine, platform, clock)
    [(_edit, post_text)] = posts(platform)
    assert "Where: In person at Room 4, Leeds General" in post_text
    post(jo, title="Panel", place_kind="3", place="Room 5")
    assert [(o.place_kind, o.place) for o in rows(engine, Opening)] == [
        ("in_person", "Room 4, Leeds General"),
        ("hybrid", "Room 5"),
    ]
    jo.says("openings show 2")
    assert "Where: Hybrid: online, or in person at Room 5" in jo.text
    # A place typed for a remote opening is not kept: it would only confuse.
    post(jo, title="Remote panel", place="Room 6")
    assert rows(engine, Opening)[-1].place == ""


def test_the_announcement_and_the_invitations_to_partners_whose_interests_match(
    engine, bot, platform, clock, jo, alex, priya, quinn
):
    paula = someone(bot, "Paula", interests="online booking")
    paula.says("profile pause next Monday 9am")
    nina = someone(bot, "Nina", interests="online booking")
    nina.says("profile quiet 22:00-10:00")  # it is 09:00: quiet until 10:00

    post(jo)
    assert "Sent to partners with matching interests: 3." in jo.text
    deliver(engine, platform, clock)

    [(edited, channel_post)] = posts(platform)
    assert edited is None
    assert channel_post == (
        "New opening: Online booking working group.\n" + ANNOUNCED + "Places: 2\n"
        "Payment and expenses: £25 an hour plus travel\n"
        "Closes: Friday 27 November 2026 at 17:00 (Europe/London)\n"
        "[I'm interested]\n"
        "[More details]"
    )
    [opening] = rows(engine, Opening)
    [post_row] = outbox(engine, "opening.post:")
    assert opening.announcement_id == post_row.id
    assert (post_row.target_kind, post_row.target_id) == ("channel", CHANNEL)

    [invitation] = received(platform, "alex")
    assert shown(invitation) == (
        "A new opening matches your interests (online booking): Online booking working group. "
        "To change your interests, type profile interests.\n" + ANNOUNCED + "Places: 2\n"
        "Payment and expenses: £25 an hour plus travel\n"
        "Closes: Friday 27 November 2026 at 17:00 (Europe/London)\n"
        "[I'm interested]\n"
        "[More details]"
    )
    assert invitation.private
    assert len(received(platform, "priya")) == 1
    assert received(platform, "quinn") == []  # other interests
    assert received(platform, "paula") == []  # paused: not asked
    assert received(platform, "jo") == []  # the poster is staff, not a partner
    assert received(platform, "nina") == []  # in quiet hours
    [waiting] = [r for r in outbox(engine, "opening.invite:") if r.target_id == "nina"]
    assert waiting.due_at == START + timedelta(hours=1)

    clock.set(START + timedelta(hours=1))
    deliver(engine, platform, clock)
    assert len(received(platform, "nina")) == 1
    assert sorted(r.dedupe_key for r in outbox(engine, "opening.invite:")) == sorted(
        f"opening.invite:1:{member_id(engine, name)}" for name in ("alex", "nina", "priya")
    )


def test_an_invitation_goes_at_most_once_per_opening(engine, bot, platform, clock, jo, alex):
    from bot.openings.notices import invite_matching

    post(jo)
    with Session(engine) as session:
        opening = session.get_one(Opening, 1)
        assert invite_matching(session, opening, clock.now()) == 0  # already invited
        session.commit()
    deliver(engine, platform, clock)
    assert len(received(platform, "alex")) == 1
    post(jo, title="Patient panel")  # a new opening is news
    deliver(engine, platform, clock)
    assert len(received(platform, "alex")) == 2


def test_no_invitation_before_an_ok_to_the_notice(engine, bot, platform, clock, jo, alex):
    nia = Person(bot, Who(AccountRef("console", "local", "nia"), "Nia"), agrees=False)
    nia.says("profile interests online booking")  # saw the notice; has not answered it

    post(jo)
    assert "Sent to partners with matching interests: 1." in jo.text
    deliver(engine, platform, clock)
    assert (len(received(platform, "alex")), received(platform, "nia")) == (1, [])


def test_no_invitation_that_would_arrive_after_closing(engine, bot, platform, clock, jo):
    someone(bot, "Lee", interests="online booking")
    night = someone(bot, "Nia", interests="online booking")
    night.says("profile quiet 08:30-23:00")  # quiet from now until 23:00 today
    post(jo, closes_at="today 10pm")
    assert "Sent to partners with matching interests: 1." in jo.text
    assert [r.target_id for r in outbox(engine, "opening.invite:")] == ["lee"]


def test_an_invitation_still_waiting_is_let_go_when_the_opening_closes(engine, bot, platform, clock, jo):
    nina = someone(bot, "Nina", interests="online booking")
    nina.says("profile quiet 08:00-12:00")
    post(jo)
    [waiting] = outbox(engine, "opening.invite:")
    assert (waiting.target_id, waiting.expires_at) == ("nina", datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    closed_at = clock.now()
    jo.says("openings close 1")
    clock.advance(timedelta(hours=4))  # her quiet hours are over
    deliver(engine, platform, clock)
    assert received(platform, "nina") == []
    [let_go] = outbox(engine, "opening.invite:")
    assert (let_go.sent_at, let_go.dead_at, let_go.expired_at) == (None, None, clock.now())
    assert let_go.last_error == f"Too late: of use only until {closed_at:%Y-%m-%d %H:%M} UTC"


def test_an_invitation_waiting_follows_a_new_closing_time(engine, bot, platform, clock, jo):
    nina = someone(bot, "Nina", interests="online booking")
    nina.says("profile quiet 08:00-12:00")
    post(jo)
    jo.says("openings edit 1")
    jo.submit({})
    jo.submit({})
    jo.submit({"closes_at": "28 Nov 2026 17:00"})
    assert jo.text.endswith("It closes Saturday 28 November 2026 at 17:00 (Europe/London).")
    [waiting] = outbox(engine, "opening.invite:")
    assert waiting.expires_at == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


def test_a_partner_who_adds_a_matching_interest_hears_of_an_opening_still_open(
    engine, bot, platform, clock, jo, alex, quinn
):
    post(jo)
    post(jo, title="Patient panel", tags="mental health", seats="1")
    post(jo, title="Closed study", tags="online booking", closes_at="today 10am")
    deliver(engine, platform, clock)
    assert received(platform, "quinn") == []
    clock.advance(timedelta(hours=2))  # the study has closed
    bot.tick()

    quinn.says("profile interests gardening, online booking")
    deliver(engine, platform, clock)

    [invitation] = received(platform, "quinn")
    assert shown(invitation).startswith(
        "An opening still open matches your interests (online booking): Online booking working group. "
        "To change your interests, type profile interests.\n" + ANNOUNCED
    )
    assert [b.label for b in invitation.buttons] == ["I'm interested", "More details"]
    # Told once: the same interests again, or taken away and added back, change nothing.
    quinn.says("profile interests gardening, online booking")
    quinn.says("profile interests none")
    quinn.says("profile interests online booking")
    # Alex was invited when it was posted, so an interest added now is no news about it.
    invited = len(received(platform, "alex"))
    alex.says("profile interests online booking, research")
    deliver(engine, platform, clock)
    assert len(received(platform, "quinn")) == 1
    assert len(received(platform, "alex")) == invited


def test_an_added_interest_follows_the_rules_of_an_invitation(engine, bot, platform, clock, jo, alex, priya):
    post(jo, tags="mental health", seats="1")  # Priya is invited
    post(jo, title="Patient panel", tags="mental health")
    deliver(engine, platform, clock)
    interested(priya)  # in the first, and the second still has her interest too
    press(priya, "opening.interested:2")
    priya.submit({})
    choose(jo, "Priya")  # the first is full now
    sam = someone(bot, "Sam")
    sam.says("profile pause 2 days")
    nina = someone(bot, "Nina")
    nina.says("profile quiet 08:00-12:00")
    nia = Person(bot, Who(AccountRef("console", "local", "nia"), "Nia"), agrees=False)
    nia.says("profile name Nia")  # saw the notice; has not answered it
    deliver(engine, platform, clock)
    before = len(platform.sent)

    for member in (alex, sam, nina, nia):
        member.says("profile interests mental health")
    priya.says("profile interests mental health, pain")
    deliver(engine, platform, clock)

    # Alex gets the panel, not the full one; a pause, no OK, or having said so already: nothing.
    new = [d for d in platform.sent[before:] if d.target_kind == "dm"]
    assert [(d.target_id, d.message.plain()) for d in new] == [
        (
            "alex",
            "An opening still open matches your interests (mental health): Patient panel. "
            "To change your interests, type profile interests.",
        )
    ]
    [waiting] = [r for r in outbox(engine, "opening.invite:2:") if r.target_id == "nina"]
    assert waiting.due_at == START + timedelta(hours=3)  # after her quiet hours


# ---- how often a partner hears of openings ----------------------------------------------------------

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first digest time after START (London)


def test_each_partner_chooses_each_opening_a_weekly_digest_or_none(engine, bot, platform, clock, jo, alex, priya):
    quinn = someone(bot, "Quinn", interests="online booking")
    priya.says("profile openings weekly")
    assert priya.last.messages[0].fields[4].label == "Openings"
    assert plain(priya.last.messages[0].fields[4].value) == "a weekly digest, on Mondays at 09:00"
    quinn.says("profile openings none")
    assert plain(quinn.last.messages[0].fields[4].value) == "no messages. Type openings to see them"

    post(jo, closes_at="10 Dec 2026 5pm")
    assert "Sent to partners with matching interests: 1." in jo.text  # only Alex, at once
    post(jo, title="Full panel", seats="1", closes_at="10 Dec 2026 5pm")
    interested(alex)  # the first is offered first; then the panel
    press(alex, "opening.interested:2")
    alex.submit({})
    choose(jo, "Alex")  # opening 1 now has one of two places taken
    jo.says("openings review 2")
    jo.press("Select Alex")
    jo.submit({"next_steps": "Thanks"})  # the panel is full
    deliver(engine, platform, clock)
    assert [len(received(platform, name)) for name in ("alex", "priya", "quinn")][1:] == [0, 0]

    clock.set(MONDAY_9 - timedelta(minutes=1))
    bot.tick()
    deliver(engine, platform, clock)
    assert received(platform, "priya") == []
    clock.set(MONDAY_9)
    bot.tick()
    bot.tick()  # a second beat, or a second process, sends nothing more
    deliver(engine, platform, clock)

    [weekly] = received(platform, "priya")
    assert shown(weekly) == (
        "This week's new openings that match your interests: 1. "
        "Press a button to say you're interested, or for more details. "
        "To change how you hear about openings, type profile openings.\n"
        "#1 Online booking working group: Digital services; Remote; places: 1 of 2 filled. "
        "It closes Thursday 10 December 2026 at 17:00 (Europe/London).\n"
        "[I'm interested]\n[More details]"
    )
    assert received(platform, "quinn") == []  # none: never a message
    tap(priya, weekly, "I'm interested")
    assert priya.last.form is not None

    # The next week's digest holds only what was posted since: nothing, so no message.
    clock.set(MONDAY_9 + timedelta(days=7))
    bot.tick()
    deliver(engine, platform, clock)
    assert len(received(platform, "priya")) == 1


def test_the_digest_goes_at_the_day_and_time_set_in_each_partners_own_time(engine, clock, platform):
    settings = Settings(
        _env_file=None,
        default_timezone="Europe/London",
        announcements_channel=f"console:local/{CHANNEL}",
        digest_day="Wednesday",
        digest_time="17:30",
    )
    bot = Bot(engine, settings, clock, EVERY_FEATURE)
    jo = someone(bot, "Jo", Role.STAFF)
    nina = someone(bot, "Nina", interests="online booking")
    nina.says("profile timezone America/New_York")
    nina.says("profile openings weekly")
    assert plain(nina.last.messages[0].fields[4].value) == "a weekly digest, on Wednesdays at 17:30"
    lee = someone(bot, "Lee", interests="online booking")
    lee.says("profile openings digest")
    lee.says("profile quiet 17:00-20:00")
    post(jo, closes_at="10 Dec 2026 5pm")
    assert "No partners have matching interests" in jo.text

    wednesday = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)  # 17:30 in London
    clock.set(wednesday)
    bot.tick()
    assert [(r.target_id, r.due_at) for r in outbox(engine, "opening.digest:")] == [
        ("lee", datetime(2026, 12, 2, 20, 0, tzinfo=UTC))  # after his quiet hours
    ]
    clock.set(wednesday + timedelta(hours=5))  # 17:30 in New York
    bot.tick()
    deliver(engine, platform, clock)
    assert [len(received(platform, name)) for name in ("lee", "nina")] == [1, 1]


def test_coordinators_set_the_digests_day_and_time_in_the_bot(engine, bot, clock, platform, jo, cora, alex):
    cora.says("openings digest")
    assert cora.text == "The weekly digest of openings: It goes out on Mondays at 09:00, in each partner's own time."
    cora.says("openings digest Fri 2pm")
    assert cora.text == "Done. It goes out on Fridays at 14:00, in each partner's own time."
    with Session(engine) as session:
        [chosen] = session.exec(select(ServiceSetting)).all()
    assert (chosen.key, chosen.value, chosen.changed_at) == ("openings.digest", "friday 14:00", clock.now())
    jo.says("openings digest monday 09:00")  # staff may not
    assert jo.text.startswith("Only coordinators can use openings digest.")
    cora.says("openings digest soon")
    assert cora.text == "Please give a day and a time, like: openings digest monday 09:00."
    alex.says("profile openings weekly")
    assert "a weekly digest, on Fridays at 14:00" in alex.text

    post(jo)
    friday = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 14:00 in London
    clock.set(friday - timedelta(minutes=1))
    bot.tick()
    assert outbox(engine, "opening.digest:") == []
    clock.set(friday)
    bot.tick()
    assert [(r.target_id, r.due_at) for r in outbox(engine, "opening.digest:")] == [("alex", friday)]


def test_a_digest_setting_that_cannot_be_read_is_refused_kindly(alex):
    alex.says("profile openings sometimes")
    assert alex.text == "Please choose each, weekly or none. For example: profile openings weekly."
    with pytest.raises(ValueError, match="not a day of the week"):
        Settings(_env_file=None, digest_day="someday")
    with pytest.raises(ValueError, match="not a time of day"):
        Settings(_env_file=None, digest_time="25:00")


def test_without_an_announcements_channel_partners_still_find_openings(engine, clock, platform):
    bot = Bot(engine, Settings(_env_file=None, default_timezone="Europe/London"), clock, EVERY_FEATURE)
    jo = someone(bot, "Jo", Role.STAFF)
    alex = someone(bot, "Alex", interests="online booking")
    post(jo, seats="1")
    assert jo.text.startswith(
        "Posted opening 1: Online booking working group. Sent to partners with matching interests: 1."
    )
    assert rows(engine, Opening)[0].announcement_id is None
    interested(alex)
    choose(jo, "Alex")
    jo.says("openings close 1")
    deliver(engine, platform, clock)
    assert posts(platform) == []
    assert rows(engine, Opening)[0].status == "closed"


PAGE_MISTAKES = [
    pytest.param(
        {"title": "A" * 101},
        1,
        "title",
        "Title can be up to 100 characters. Yours has 101. Please make it shorter.",
        id="long title",
    ),
    pytest.param(
        {"title": "Calling @everyone"},
        1,
        "title",
        "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        id="ping in the title",
    ),
    pytest.param({"team": ""}, 1, "team", "Please fill in Team or working group.", id="no team"),
    pytest.param({"seats": "0"}, 2, "seats", "Places needs a number from 1 to 100.", id="no places"),
    pytest.param({"seats": "-3"}, 2, "seats", "Places needs a number from 1 to 100.", id="places below 1"),
    pytest.param({"seats": "2.5"}, 2, "seats", "Places needs a whole number, like 3.", id="half a place"),
    pytest.param({"seats": "some"}, 2, "seats", "Places needs a number, like 3.", id="places in words"),
    pytest.param({"rate": ""}, 2, "rate", "Please fill in Pay rate.", id="no pay rate"),
    pytest.param(
        {"rate": "lots"},
        2,
        "rate",
        "Please type the pay like '25 an hour' or '40 a session', or 'none' if it is unpaid.",
        id="pay rate in words",
    ),
    pytest.param(
        {"place_kind": "on the moon"},
        3,
        "place_kind",
        "Please choose one of: Remote, In person, Hybrid.",
        id="unknown where",
    ),
    pytest.param(
        {"tags": "pain, <!channel>"},
        2,
        "tags",
        "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        id="ping in the tags",
    ),
    pytest.param(
        {"closes_at": "yesterday 5pm"},
        3,
        "closes_at",
        "That time has passed. Please give a closing time in the future, like 'next Friday 5pm'.",
        id="closing in the past",
    ),
    pytest.param(
        {"closes_at": "Friday"},
        3,
        "closes_at",
        "What time on that day? Please add a time with am, pm or a colon, like 'Friday 2pm' or 'Friday 14:00'.",
        id="closing day without a time",
    ),
    pytest.param(
        {"closes_at": "whenever"},
        3,
        "closes_at",
        "I couldn't read 'whenever' as a date and time. Try something like 'next Tuesday 2pm' or '3 Dec 14:00'.",
        id="closing in words",
    ),
    pytest.param(
        {"closes_at": "1 Jan 2028 10:00"},
        3,
        "closes_at",
        "Please choose a closing time within a year from now.",
        id="closing years ahead",
    ),
    pytest.param(
        {"place_kind": "in person", "place": ""},
        3,
        "place",
        "Please add the place, because this opening is in person or hybrid.",
        id="in person with no place",
    ),
]


@pytest.mark.parametrize(("change", "page", "field", "words"), PAGE_MISTAKES)
def test_a_mistake_is_named_on_its_field_and_nothing_is_saved(
    engine, platform, clock, jo, alex, change, page, field, words
):
    reply = post(jo, **change)

    assert reply.field_errors == {field: words}
    assert reply.form is not None and reply.form.page == page  # the same page, to put it right
    assert {f.name: f.initial for f in reply.form.fields}[field] == change[field]  # kept, not wiped
    assert rows(engine, Opening) == []
    assert rows(engine, Outbox) == []
    deliver(engine, platform, clock)
    assert platform.sent == []


def test_a_mistake_put_right_posts_the_opening(engine, jo):
    post(jo, place_kind="hybrid", place="")
    assert "place" in jo.last.field_errors
    jo.submit({"place": "Room 4"})
    assert jo.last.plain().startswith("Posted opening 1: Online booking working group.")
    assert [(o.place_kind, o.place) for o in rows(engine, Opening)] == [("hybrid", "Room 4")]
    assert rows(engine, FormDraft) == []


# ---- seeing openings -------------------------------------------------------------------------


def test_everyone_sees_what_is_open(engine, bot, clock, jo, cora, alex):
    alex.says("openings")
    assert alex.text == (
        "There are no open openings right now. New ones are posted in the announcements channel."
    )
    jo.says("openings")
    assert jo.text.endswith("Type openings new to post one.")

    post(jo)
    post(jo, title="Patient panel", team="Recruitment", seats="1", closes_at="Monday 10am")
    post(jo, title="Closed already", closes_at="today 10am")
    clock.set(START + timedelta(hours=2))
    interested(alex)

    alex.says("openings")
    assert alex.text == (
        "Open openings. Press a button for more details, or to say you're interested.\n"
        "#1 Online booking working group: Digital services; Remote; places: 2; "
        "you said you're interested. It closes Friday 27 November 2026 at 17:00 (Europe/London).\n"
        "#2 Patient panel: Recruitment; Remote; places: 1. It closes Monday 30 November 2026 at 10:00 (Europe/London).\n"
        "[I'm interested]\n[More details]\n[I'm interested]\n[More details]"
    )
    groups = [b.group for b in alex.last.messages[0].buttons]
    assert groups == ["#1 Online booking working group"] * 2 + ["#2 Patient panel"] * 2
    assert "Alex" not in alex.text  # nobody else's name

    jo.says("openings")  # staff: no "I'm interested", and a way to review their own
    assert [b.label for b in jo.last.messages[0].buttons] == [
        "More details",
        "Who is interested",
        "More details",
        "Who is interested",
    ]
    kim = someone(bot, "Kim", Role.STAFF)
    kim.says("openings")
    assert [b.label for b in kim.last.messages[0].buttons] == ["More details", "More details"]
    cora.says("openings")
    assert [b.label for b in cora.last.messages[0].buttons].count("Who is interested") == 2


def test_more_details_shows_everything_to_the_person_who_asked(engine, platform, clock, jo, alex):
    post(jo)
    deliver(engine, platform, clock)
    tap(alex, received(platform, "alex")[0], "More details")
    assert alex.text == (
        "Online booking working group\n"
        + ANNOUNCED.replace("Where:", "When: December to March\nWhere:")
        + "Places: 2\n"
        "Payment and expenses: £25 an hour plus travel\n"
        "Access support: Captions and breaks\n"
        "Interests: online booking\n"
        "Closes: Friday 27 November 2026 at 17:00 (Europe/London)\n"
        "[I'm interested]"
    )
    assert alex.last.messages[0].private
    alex.says("openings show #1")
    assert alex.text.startswith("Online booking working group\nTeam: Digital services")
    jo.says("openings show 1")
    assert jo.text.endswith("[Who is interested]")


# ---- saying you are interested -----------------------------------------------------------------


def test_a_partner_says_they_are_interested_with_a_note(engine, platform, clock, jo, alex):
    post(jo)
    deliver(engine, platform, clock)
    sent_before = len(platform.sent)
    tap(alex, received(platform, "alex")[0], "I'm interested")
    form = alex.last.form
    assert form is not None and (form.form_id, form.title, form.submit_label) == (
        "opening.note:1",
        "I'm interested",
        "Send",
    )
    assert [(f.name, f.required) for f in form.fields] == [
        ("availability", False),
        ("access_needs", False),
        ("note", False),
    ]
    alex.submit({"availability": "Weekday mornings", "access_needs": "Large text", "note": ""})

    assert alex.text == (
        "Thank you. You said you're interested in Online booking working group. "
        "Only Jo, who posted it, and the coordinators see your note. "
        "You can withdraw until you are selected.\n"
        "[Change my note]\n[Withdraw]"
    )
    assert alex.last.messages[0].private
    [mine] = rows(engine, OpeningInterest)
    assert (mine.opening_id, mine.member_id) == (1, member_id(engine, "alex"))
    assert (mine.availability, mine.access_needs, mine.note) == ("Weekday mornings", "Large text", "")
    assert (mine.created_at, mine.withdrawn_at, mine.selected_at) == (START, None, None)
    deliver(engine, platform, clock)
    assert len(platform.sent) == sent_before  # nobody else is told


def test_interest_with_no_note_at_all(engine, jo, alex):
    post(jo)
    interested(alex)
    assert alex.last.plain().startswith(
        "Thank you. You said you're interested in Online booking working group."
    )
    assert [(i.availability, i.access_needs, i.note) for i in rows(engine, OpeningInterest)] == [("", "", "")]


def test_a_second_press_changes_nothing(engine, clock, jo, alex):
    post(jo)
    interested(alex, availability="Mornings")
    clock.advance(timedelta(minutes=5))

    alex.says("openings")
    alex.press("I'm interested")
    assert alex.text == (
        "You already said you're interested in Online booking working group. Nothing changed.\n"
        "[Change my note]\n[Withdraw]"
    )
    assert alex.last.form is None
    [mine] = rows(engine, OpeningInterest)
    assert (mine.created_at, mine.availability) == (START, "Mornings")


def test_the_same_form_sent_twice_makes_one_interest(engine, jo, alex):
    post(jo)
    alex.says("openings")
    alex.press("I'm interested")
    form = alex.last.form
    values = {"availability": "Mornings", "access_needs": "", "note": ""}
    first = alex.bot.handle(FormSubmit(alex.who, form.form_id, values))
    second = alex.bot.handle(FormSubmit(alex.who, form.form_id, values))
    assert first.plain().startswith("Thank you. You said you're interested")
    assert second.plain() == "Saved. Your note for Online booking working group is up to date."
    assert len(rows(engine, OpeningInterest)) == 1


def test_a_note_can_be_changed(engine, jo, alex):
    post(jo)
    interested(alex, availability="Mornings")
    alex.press("Change my note")
    assert {f.name: f.initial for f in alex.last.form.fields} == {
        "availability": "Mornings",
        "access_needs": "",
        "note": "",
    }
    alex.submit({"availability": "Afternoons", "note": "I use a wheelchair"})
    assert alex.last.plain() == "Saved. Your note for Online booking working group is up to date."
    [mine] = rows(engine, OpeningInterest)
    assert (mine.availability, mine.note, mine.created_at) == ("Afternoons", "I use a wheelchair", START)


def test_withdrawing_and_coming_back(engine, clock, jo, alex):
    post(jo)
    interested(alex, note="Keen")
    clock.advance(timedelta(minutes=10))
    alex.press("Withdraw")
    assert alex.text == (
        "You have withdrawn from Online booking working group. No need to explain. "
        "You can say you're interested again while it is open."
    )
    [mine] = rows(engine, OpeningInterest)
    assert mine.withdrawn_at == START + timedelta(minutes=10)
    jo.says("openings review 1")
    assert jo.text == "Nobody has said they're interested in Online booking working group yet."
    press(alex, "opening.withdraw:1")
    assert alex.text == "You are not on the list for Online booking working group. Nothing changed."

    clock.advance(timedelta(minutes=10))
    alex.says("openings")
    alex.press("I'm interested")
    assert [f.initial for f in alex.last.form.fields] == ["", "", ""]  # a fresh start
    alex.submit({"note": "Back again"})
    assert alex.last.plain().startswith("Thank you. You said you're interested")
    [mine] = rows(engine, OpeningInterest)
    assert (mine.withdrawn_at, mine.note, mine.created_at) == (
        None,
        "Back again",
        START + timedelta(minutes=20),
    )


def test_withdrawing_after_selection_is_refused_kindly(engine, jo, alex):
    post(jo)
    interested(alex)
    choose(jo, "Alex")

    press(alex, "opening.withdraw:1")

    assert alex.text == (
        "You were already selected for Online booking working group, so I can't withdraw you here. "
        "If things have changed, that's okay. Please tell Jo, who posted it."
    )
    [mine] = rows(engine, OpeningInterest)
    assert mine.withdrawn_at is None and mine.selected_at == START
    assert len(rows(engine, Involvement)) == 1
    press(alex, "opening.interested:1")
    assert alex.text == "You were selected for Online booking working group. Nothing changed."


def test_only_partners_say_they_are_interested(engine, jo, cora, kim):
    post(jo)
    for member in (jo, cora, kim):
        press(member, "opening.interested:1")
        assert member.text == "Only partners can say they are interested. Type openings to see what is open."
        press(member, "opening.note:1")
        assert member.text == "Only partners can say they are interested. Type openings to see what is open."
        assert member.last.form is None
    assert rows(engine, OpeningInterest) == []


def test_interest_is_not_taken_once_closed_cancelled_or_full(engine, bot, clock, jo, alex, priya, quinn):
    post(jo, seats="1")
    post(jo, title="Patient panel")
    post(jo, title="Research group")
    interested(priya)
    choose(jo, "Priya")
    jo.says("openings close 2")
    jo.says("openings cancel 3")

    press(alex, "opening.interested:1")
    assert alex.text == "All places in Online booking working group are now filled. Thank you all the same."
    press(alex, "opening.interested:2")
    assert alex.text == "Patient panel has closed. Type openings to see what is open now."
    press(alex, "opening.interested:3")
    assert (
        alex.text
        == "Research group was cancelled, so it is not going ahead. Type openings to see what is open."
    )
    press(quinn, "opening.note:1")  # the form itself, from an old message
    assert quinn.last.form is None
    # A form opened before it closed cannot be sent after.
    clock.set(CLOSES)
    assert alex.bot.handle(FormSubmit(alex.who, "opening.note:2", {"note": "hi"})).plain() == (
        "Patient panel has closed. Type openings to see what is open now."
    )
    assert [(i.opening_id, i.member_id) for i in rows(engine, OpeningInterest)] == [
        (1, member_id(engine, "priya"))
    ]


# ---- choosing fairly -----------------------------------------------------------------------------


def test_who_is_interested_least_involved_first(engine, bot, clock, jo, cora):
    ann, ben, cat, dan = (someone(bot, name) for name in ("Ann", "Ben", "Cat", "Dan"))

    def past_opening(days_ago: int, title: str, chosen: list[Person], cancel: bool = False) -> None:
        clock.set(START - timedelta(days=days_ago))
        post(jo, title=title, seats="3", tags="", closes_at="Friday 5pm")
        number = rows(engine, Opening)[-1].id
        for member in chosen:
            member.says("openings")
            member.press("I'm interested")
            member.submit({})
            jo.says(f"openings review {number}")
            jo.press(f"Select {member.who.display_name}")
            jo.submit({"next_steps": "Thank you", "hours": "2"})
        jo.says(f"openings {'cancel' if cancel else 'close'} {number}")

    past_opening(300, "Old panel", [ben])  # longer ago than six months
    past_opening(60, "Booking group", [ann])
    past_opening(30, "Pain programme", [ann, dan])
    past_opening(20, "Cancelled study", [cat], cancel=True)  # never happened: does not count

    clock.set(START)
    post(jo, tags="")
    interested(ann, availability="Mondays")
    interested(dan)
    interested(ben, access="Step-free access")
    interested(cat, note="First time")

    jo.says("openings review 5")
    assert jo.text == (
        "Who is interested in Online booking working group, least involved first. Places filled: 0 of 2.\n"
        "Cat: Never selected before. Note: First time.\n"
        "Ben: Not selected in the last 6 months. Access needs: Step-free access.\n"
        "Dan: Selected once in the last 6 months, for 2 hours.\n"
        "Ann: Selected 2 times in the last 6 months, for 4 hours. Availability: Mondays.\n"
        "[Select Cat]\n[Select Ben]\n[Select Dan]\n[Select Ann]"
    )
    assert jo.last.messages[0].private
    cora.says("openings review 5 by date")
    assert [f.label for f in cora.last.messages[0].fields] == [
        "Ann",
        "Dan",
        "Ben",
        "Cat",
    ]
    assert cora.text.startswith(
        "Who is interested in Online booking working group, in the order they said so."
    )


def test_selecting_up_to_the_number_of_places(engine, platform, clock, jo, alex, priya, quinn):
    post(jo, seats="1")
    deliver(engine, platform, clock)
    interested(alex)
    interested(priya)

    jo.says("openings review 1")
    jo.press("Select Priya")
    form = jo.last.form
    assert form is not None and (form.form_id, form.title) == (
        "opening.select:1:" + str(member_id(engine, "priya")),
        "Select a partner",
    )
    assert [(f.name, f.label, f.required) for f in form.fields] == [
        ("next_steps", "Next steps for Priya", True),
        ("hours", "Hours agreed", False),
    ]
    jo.submit({"next_steps": "The first meeting is on Teams on 1 December at 11:00.", "hours": "6"})

    assert jo.text == (
        "Selected Priya for Online booking working group. I have sent them the next steps. "
        "Places filled: 1 of 1. All places are filled. Close it to thank the others.\n"
        "[Close now]"
    )
    [chosen] = rows(engine, Involvement)
    assert (chosen.member_id, chosen.opening_id, chosen.selected_at) == (member_id(engine, "priya"), 1, START)
    assert (chosen.hours_agreed, chosen.payment_offered, chosen.payment_declined) == (
        6.0,
        "£25 an hour plus travel",
        False,
    )
    assert chosen.next_steps == "The first meeting is on Teams on 1 December at 11:00."
    assert [i.selected_at for i in rows(engine, OpeningInterest)] == [None, START]

    deliver(engine, platform, clock)
    [news] = received(platform, "priya")[1:]
    assert shown(news) == (
        "Good news! You have been selected for Online booking working group. Here are the next steps from Jo. "
        "Being paid is your choice. If you would rather not be paid, press the button. Nothing else changes.\n"
        "Next steps: The first meeting is on Teams on 1 December at 11:00.\n"
        "Hours agreed: 6\n"
        "Where: Remote\n"
        "Payment and expenses: £25 an hour plus travel\n"
        "Access support: Captions and breaks\n"
        "[I'd rather not be paid]"
    )
    assert received(platform, "alex")[1:] == []  # not told until it closes
    (first_id, _post), (edited, update) = posts(platform)
    assert first_id is None and edited == "msg-1"
    assert update == (
        "Online booking working group: all places are now filled. Thank you, everyone.\n"
        + ANNOUNCED
        + "Places: 1 of 1 filled\n"
        "Payment and expenses: £25 an hour plus travel\n"
        "Closes: Friday 27 November 2026 at 17:00 (Europe/London)\n"
        "[More details]"
    )

    jo.says("openings review 1")
    assert "[Select" not in jo.text
    assert "Priya, selected for this one: Not selected in the last 6 months." in jo.text
    # A Select button from before, pressed now, changes nothing.
    press(jo, f"opening.select:1:{member_id(engine, 'alex')}")
    assert jo.text == "The only place in Online booking working group is filled. Nothing changed."
    assert len(rows(engine, Involvement)) == 1


def test_places_fill_one_by_one_and_the_announcement_counts_them(engine, platform, clock, jo, alex, priya):
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Alex", hours="")
    assert jo.text == (
        "Selected Alex for Online booking working group. I have sent them the next steps. "
        "Places filled: 1 of 2.\n[Who is interested]"
    )
    assert rows(engine, Involvement)[0].hours_agreed is None
    deliver(engine, platform, clock)
    assert "Places: 1 of 2 filled" in posts(platform)[-1][1]
    assert posts(platform)[-1][1].startswith("New opening: Online booking working group.")
    assert "Hours agreed" not in shown(received(platform, "alex")[-1])
    alex.says("openings")
    assert "places: 1 of 2 filled; you were selected." in alex.text
    assert [b.label for b in alex.last.messages[0].buttons] == ["More details"]  # chosen: nothing to say
    priya.says("openings")
    assert [b.label for b in priya.last.messages[0].buttons] == ["I'm interested", "More details"]


def test_selecting_the_same_person_twice_changes_nothing(engine, platform, clock, jo, alex):
    post(jo)
    interested(alex)
    jo.says("openings review 1")
    jo.press("Select Alex")
    form = jo.last.form
    values = {"next_steps": "Meet on Teams", "hours": "3"}
    first = jo.bot.handle(FormSubmit(jo.who, form.form_id, values))
    second = jo.bot.handle(FormSubmit(jo.who, form.form_id, values))
    assert first.plain().startswith("Selected Alex")
    assert second.plain() == "Alex is already selected for Online booking working group. Nothing changed."
    assert len(rows(engine, Involvement)) == 1
    deliver(engine, platform, clock)
    assert len([m for m in received(platform, "alex") if m.plain().startswith("Good news!")]) == 1


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"next_steps": "", "hours": "2"}, "next_steps", "Please fill in Next steps for Alex."),
        ({"next_steps": "Meet", "hours": "-1"}, "hours", "Hours agreed needs a number from 0 to 1000."),
        ({"next_steps": "Meet", "hours": "lots"}, "hours", "Hours agreed needs a number, like 3."),
        (
            {"next_steps": "Tell @here", "hours": ""},
            "next_steps",
            "Please leave out @everyone, @here and group mentions. They would alert everyone.",
        ),
    ],
)
def test_a_selection_with_a_mistake_saves_nothing(engine, platform, clock, jo, alex, values, field, words):
    post(jo)
    interested(alex)
    jo.says("openings review 1")
    jo.press("Select Alex")
    reply = jo.submit(values)
    assert reply.field_errors == {field: words}
    assert rows(engine, Involvement) == []
    assert [i.selected_at for i in rows(engine, OpeningInterest)] == [None]
    assert outbox(engine, "opening.selected:") == []


def test_a_partner_who_withdrew_cannot_be_selected(engine, jo, alex):
    post(jo)
    interested(alex)
    jo.says("openings review 1")
    select_button = jo.last.messages[0].buttons[0].action_id
    alex.press("Withdraw")
    press(jo, select_button)
    assert jo.text == (
        "That person is no longer interested in Online booking working group. "
        "Type openings review 1 to see who is."
    )
    assert rows(engine, Involvement) == []


def test_a_selected_partner_can_decline_payment_and_change_their_mind(engine, platform, clock, jo, alex):
    post(jo)
    interested(alex)
    choose(jo, "Alex")
    deliver(engine, platform, clock)
    news = received(platform, "alex")[-1]

    tap(alex, news, "I'd rather not be paid")
    assert alex.text == (
        "Noted. You chose not to be paid for Online booking working group. Nothing else changes.\n"
        "[I'd like to be paid after all]"
    )
    assert rows(engine, Involvement)[0].payment_declined is True
    tap(alex, news, "I'd rather not be paid")  # a second press
    assert alex.text == (
        "You already chose not to be paid for Online booking working group. Nothing changed.\n"
        "[I'd like to be paid after all]"
    )
    assert rows(engine, Involvement)[0].payment_declined is True

    alex.press("I'd like to be paid after all")
    assert (
        alex.text
        == "Noted. You will be paid for Online booking working group as offered.\n[I'd rather not be paid]"
    )
    assert rows(engine, Involvement)[0].payment_declined is False


def test_only_the_selected_partner_chooses_about_their_payment(engine, jo, alex, priya):
    post(jo)
    interested(alex)
    choose(jo, "Alex")
    press(priya, "opening.payment:1:decline")
    assert (
        priya.text
        == "You are not selected for Online booking working group, so there is no payment to choose."
    )
    press(alex, "opening.payment:1:maybe")
    assert alex.text == "That button no longer works. Type guide to see what you can do."
    assert rows(engine, Involvement)[0].payment_declined is False


# ---- closing -------------------------------------------------------------------------------------


def test_closing_on_time_happens_exactly_once_across_a_restart(
    engine, bot, settings, platform, clock, jo, alex, priya, quinn
):
    quinn.says("profile interests online booking")
    post(jo)
    interested(alex)
    interested(priya)
    interested(quinn)
    quinn.press("Withdraw")
    choose(jo, "Priya")
    deliver(engine, platform, clock)
    before = len(platform.sent)

    clock.set(CLOSES - timedelta(minutes=1))
    bot.tick()
    assert rows(engine, Opening)[0].status == "open"

    clock.set(CLOSES)
    bot.tick()
    [opening] = rows(engine, Opening)
    assert (opening.status, opening.closed_at) == ("closed", CLOSES)
    deliver(engine, platform, clock)
    assert len(platform.sent) == before + 3  # the edit, one thank-you, the final list

    [thanks] = received(platform, "alex")[1:]
    assert thanks.plain() == (
        "Thank you for saying you were interested in Online booking working group. "
        "It has now closed, and you were not selected this time. "
        "Places are shared out fairly, so please do say yes to the next one that suits you."
    )
    assert not any(m.plain().startswith("Thank you for saying") for m in received(platform, "priya"))
    assert not any(m.plain().startswith("Thank you for saying") for m in received(platform, "quinn"))
    [final] = received(platform, "jo")
    assert shown(final) == (
        "Online booking working group has closed. Here is the final list. Those not selected have been thanked.\n"
        "Selected: Priya (6 hours)\n"
        "Not selected: Alex"
    )
    _edited, closed = posts(platform)[-1]
    assert closed == (
        "Closed: Online booking working group. Thank you to everyone who said they were interested.\n"
        + ANNOUNCED
        + "Places: 1 of 2 filled\n"
        "Payment and expenses: £25 an hour plus travel"
    )

    # A new process, the scheduler waking it late and often: nothing happens twice.
    again = Bot(engine, settings, clock, EVERY_FEATURE)
    for moment in (CLOSES, CLOSES + timedelta(hours=1), CLOSES + timedelta(days=2)):
        clock.set(moment)
        again.tick()
        again.tick()
    deliver(engine, platform, clock)
    assert len(platform.sent) == before + 3
    assert len(outbox(engine, "opening.thanks:")) == 1
    assert len(outbox(engine, "opening.closed:")) == 1
    assert rows(engine, Opening)[0].closed_at == CLOSES

    alex.bot = again
    press(alex, "opening.interested:1")
    assert alex.text == "Online booking working group has closed. Type openings to see what is open now."


def test_a_missed_closing_time_still_closes_once(engine, bot, platform, clock, jo, alex):
    post(jo)
    interested(alex)
    clock.set(CLOSES + timedelta(days=3))  # the scheduler slept through it
    bot.tick()
    bot.tick()
    assert [(o.status, o.closed_at) for o in rows(engine, Opening)] == [
        ("closed", CLOSES + timedelta(days=3))
    ]
    assert len(outbox(engine, "opening.thanks:")) == 1


def test_a_thank_you_waits_for_quiet_hours_and_a_pause(engine, bot, platform, clock, jo, alex, priya):
    alex.says("profile quiet 16:00-09:00")
    post(jo)
    interested(alex)
    interested(priya)
    priya.says("profile pause 1 Dec 2026 9am")
    clock.set(CLOSES)
    bot.tick()
    due = {r.target_id: r.due_at for r in outbox(engine, "opening.thanks:")}
    assert due == {
        "alex": datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        "priya": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    }


def test_the_poster_closes_it_early(engine, bot, platform, clock, jo, alex, priya):
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Priya", hours="")
    clock.advance(timedelta(hours=1))

    jo.says("openings close 1")
    assert jo.text == (
        "Closed Online booking working group. I have thanked those not selected, and sent the final list to you."
    )
    assert [(o.status, o.closed_at) for o in rows(engine, Opening)] == [
        ("closed", START + timedelta(hours=1))
    ]
    deliver(engine, platform, clock)
    assert "Selected: Priya\nNot selected: Alex" in shown(received(platform, "jo")[-1])

    jo.says("openings close 1")
    assert jo.text == "Online booking working group has closed already. Nothing changed."
    clock.set(CLOSES)
    bot.tick()
    assert len(outbox(engine, "opening.thanks:")) == 1
    assert len(outbox(engine, "opening.closed:")) == 1
    jo.says("openings review 1")  # the final list stays to hand, with nothing left to choose
    assert "Priya, selected for this one" in jo.text and "[" not in jo.text


def test_close_now_when_all_places_are_filled(engine, platform, clock, jo, alex):
    post(jo, seats="1")
    interested(alex)
    choose(jo, "Alex")
    jo.press("Close now")
    assert jo.text.startswith("Closed Online booking working group.")
    assert rows(engine, Opening)[0].status == "closed"


def test_a_coordinator_closes_someone_elses_opening(engine, platform, clock, jo, cora, alex):
    post(jo)
    interested(alex)
    cora.says("openings close 1")
    assert cora.text == (
        "Closed Online booking working group. I have thanked those not selected, and sent the final list to Jo."
    )
    deliver(engine, platform, clock)
    assert received(platform, "jo")[-1].plain().startswith("Online booking working group has closed.")
    assert received(platform, "cora") == []
    assert "Selected: nobody\nNot selected: Alex" in shown(received(platform, "jo")[-1])


# ---- cancelling ----------------------------------------------------------------------------------


def test_cancelling_tells_everyone_interested(engine, bot, platform, clock, jo, alex, priya, quinn):
    quinn.says("profile interests online booking")
    post(jo)
    interested(alex)
    interested(priya)
    interested(quinn)
    quinn.press("Withdraw")
    choose(jo, "Priya")
    deliver(engine, platform, clock)

    jo.says("openings cancel 1")
    assert jo.text == "Cancelled Online booking working group. Partners told: 2."
    [opening] = rows(engine, Opening)
    assert (opening.status, opening.closed_at) == ("cancelled", START)
    deliver(engine, platform, clock)
    sorry = (
        "Sorry: Online booking working group has been cancelled, so it is not going ahead. "
        "Nothing more is needed from you. Thank you for your interest."
    )
    assert received(platform, "alex")[-1].plain() == sorry
    assert received(platform, "priya")[-1].plain() == sorry
    assert all(m.plain() != sorry for m in received(platform, "quinn"))
    _edited, cancelled = posts(platform)[-1]
    assert cancelled.startswith(
        "Cancelled: Online booking working group. Sorry, this opening is not going ahead.\n"
    )
    assert "[" not in cancelled

    jo.says("openings cancel 1")
    assert jo.text == "Online booking working group was cancelled already. Nothing changed."
    jo.says("openings close 1")
    assert jo.text == "Online booking working group was cancelled already. Nothing changed."
    clock.set(CLOSES)
    bot.tick()
    assert outbox(engine, "opening.thanks:") == [] and outbox(engine, "opening.closed:") == []
    assert len(outbox(engine, "opening.cancelled:")) == 2


# ---- changing an opening, and undoing a choice -------------------------------------------------


def test_the_poster_edits_an_opening_and_the_announcement_shows_it(engine, platform, clock, jo, alex, quinn):
    post(jo)
    deliver(engine, platform, clock)
    jo.says("openings edit 1")
    form = jo.last.form
    assert form is not None and form.form_id == "opening.edit:1"
    assert {f.name: f.initial for f in form.fields}["title"] == "Online booking working group"
    jo.submit({"title": "Booking pages group"})
    assert {f.name: f.initial for f in jo.last.form.fields}["tags"] == "online booking"
    jo.submit({"seats": "3", "tags": "online booking, gardening"})
    assert {f.name: f.initial for f in jo.last.form.fields}["closes_at"] == "27 Nov 2026 17:00"
    jo.submit({})

    assert jo.text == (
        "Saved. Booking pages group is up to date. The announcement shows the changes. "
        "Sent to more partners with matching interests: 1. "
        "It closes Friday 27 November 2026 at 17:00 (Europe/London)."
    )
    [opening] = rows(engine, Opening)
    assert (opening.title, opening.seats, opening.tags) == ("Booking pages group", 3, ["gardening", "online booking"])
    deliver(engine, platform, clock)
    edited, text = posts(platform)[-1]
    assert edited is not None and text.startswith("New opening: Booking pages group.")
    assert "Places: 3" in text
    assert len(received(platform, "alex")) == 1  # invited once, when it was posted
    [invitation] = received(platform, "quinn")  # gardening is a tag now
    assert invitation.plain().startswith("A new opening matches your interests (gardening): Booking pages group.")


def test_an_edit_keeps_the_places_already_filled_and_only_while_open(engine, bot, clock, jo, alex, priya):
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Alex")
    choose(jo, "Priya")
    jo.says("openings edit 1")
    jo.submit({})
    jo.submit({"seats": "1"})
    jo.submit({})
    assert jo.text == (
        "2 people are selected already, so please keep at least 2 places. Type openings edit 1 to try again."
    )
    assert [o.seats for o in rows(engine, Opening)] == [2]

    clock.set(CLOSES)
    bot.tick()
    jo.says("openings edit 1")
    assert jo.text == "Online booking working group has closed. Type openings to see what is open now."
    assert jo.last.form is None


@pytest.mark.parametrize("who", ["alex", "kim"])
def test_only_the_poster_and_coordinators_edit_an_opening(engine, jo, kim, cora, alex, who):
    post(jo)
    member = {"alex": alex, "kim": kim}[who]
    member.says("openings edit 1")
    assert member.text == "Only the person who posted an opening, and coordinators, can change it."
    assert member.last.form is None
    press(member, "opening.edit:1")
    assert member.last.refused and member.last.form is None
    cora.says("openings edit 1")
    assert cora.last.form is not None


def test_unselecting_before_it_closes_frees_the_place_and_tells_them_kindly(engine, platform, clock, jo, alex, priya):
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Alex")
    deliver(engine, platform, clock)
    assert len(received(platform, "alex")) == 2  # the invitation, then the good news

    jo.says("openings review 1")
    jo.press("Un-select Alex")
    assert jo.text == (
        "Un-select Alex from Online booking working group? The place is free again, and I will tell them kindly.\n"
        "[Yes, un-select Alex]\n[No, keep them]"
    )
    assert len(rows(engine, Involvement)) == 1  # nothing yet
    jo.press("Yes, un-select Alex")

    assert jo.text == (
        "Alex is no longer selected for Online booking working group. I have told them kindly. "
        "Places filled: 0 of 2.\n[Who is interested]"
    )
    assert rows(engine, Involvement) == []
    deliver(engine, platform, clock)
    assert received(platform, "alex")[-1].plain() == (
        "Sorry, there is a change of plan for Online booking working group. "
        "Jo can no longer offer you a place. "
        "You don't need to do anything. You are still on the list of people interested."
    )
    assert [p for _e, p in posts(platform)][-1].count("Places: 2") == 1
    # Back on the list, not selected: they can be chosen again, and hear the good news again.
    jo.says("openings review 1")
    assert "Alex: Never selected before." in jo.text
    choose(jo, "Alex")
    deliver(engine, platform, clock)
    assert received(platform, "alex")[-1].plain().startswith("Good news! You have been selected")


def test_unselecting_someone_who_has_not_heard_yet_sends_nothing(engine, bot, platform, clock, jo):
    nina = someone(bot, "Nina")
    nina.says("profile quiet 08:00-12:00")
    post(jo, tags="")
    interested(nina)
    choose(jo, "Nina")
    jo.says("openings review 1")
    jo.press("Un-select Nina")
    jo.press("Yes, un-select Nina")
    assert jo.text == "Nina is no longer selected for Online booking working group. Places filled: 0 of 2.\n[Who is interested]"
    assert outbox(engine, "opening.selected:") == [] and outbox(engine, "opening.unselected:") == []
    clock.advance(timedelta(hours=4))
    deliver(engine, platform, clock)
    assert received(platform, "nina") == []


def test_unselecting_is_refused_once_closed_and_for_others(engine, bot, clock, jo, kim, alex):
    post(jo)
    interested(alex)
    choose(jo, "Alex")
    alex_id = member_id(engine, "alex")
    for member in (kim, alex):
        press(member, f"opening.unselect:1:{alex_id}")
        assert member.text == NOT_CHOOSING
        press(member, f"opening.unselect:1:{alex_id}")
    clock.set(CLOSES)
    bot.tick()
    member = jo
    member.last = member.bot.handle(ButtonPress(jo.who, f"opening.unselect:1:{alex_id}", "yes"))
    assert jo.text == (
        "Online booking working group has closed, so the choice is final here. "
        "If plans have changed, please tell them yourself."
    )
    assert len(rows(engine, Involvement)) == 1


def test_cancelling_after_closing_tells_those_selected(engine, platform, clock, jo, alex, priya):
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Priya")
    jo.says("openings close 1")
    jo.says("openings cancel 1")
    assert jo.text == "Cancelled Online booking working group. Partners told: 1."
    assert [r.target_id for r in outbox(engine, "opening.cancelled:")] == ["priya"]
    assert [(o.status, o.closed_at) for o in rows(engine, Opening)] == [("cancelled", START)]


# ---- the involvement record ------------------------------------------------------------------------


def test_the_export_has_its_columns_and_figures(engine, bot, clock, jo, cora, alex, priya, quinn):
    quinn.says("profile interests online booking")
    post(jo, title="Booking group", seats="3", tags="", closes_at="10 Dec 2026 5pm")
    interested(alex)
    interested(priya)
    interested(quinn)
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # the last evening of the month
    choose(jo, "Alex", hours="6")
    choose(jo, "Priya", hours="1.5")
    priya.bot.handle(ButtonPress(priya.who, "opening.payment:1:decline"))
    clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # December: outside the range
    choose(jo, "Quinn", hours="2")
    post(jo, title="Study, later cancelled", seats="1", tags="", closes_at="10 Dec 2026 5pm")
    interested(alex)  # the first is full, so this is the one offered
    select_in = rows(engine, Opening)[-1].id
    jo.says(f"openings review {select_in}")
    jo.press("Select Alex")
    jo.submit({"next_steps": "Thanks", "hours": "4"})
    jo.says(f"openings cancel {select_in}")
    clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))

    reply = cora.says("openings export 2026-11-01 2026-11-30")

    [message] = reply.messages
    assert message.plain() == (
        "The involvement record from 2026-11-01 to 2026-11-30. Selections: 2. Hours agreed: 7.5. "
        "Chose not to be paid: 1."
    )
    [csv_file] = message.files
    assert (csv_file.name, csv_file.mime) == ("involvement-2026-11-01-to-2026-11-30.csv", "text/csv")
    assert csv_file.content == (
        "date,partner,opening,team,hours_agreed,payment_offered,payment_declined,hours_confirmed,"
        "sessions_confirmed,rate,rate_per,currency,amount,status,paid_on,expenses_approved,expenses_paid,"
        "expenses_waiting,expenses_declined\n"
        "2026-11-30,Alex,Booking group,Digital services,6,£25 an hour plus travel,no,,,25.00,hour,GBP,,offered,,0.00,0.00,0.00,0.00\n"
        "2026-11-30,Priya,Booking group,Digital services,1.5,£25 an hour plus travel,yes,,,25.00,hour,GBP,,declined,,0.00,0.00,0.00,0.00\n"
    )
    assert message.private

    cora.says("openings export 1 Nov to 31 Dec")
    content = cora.last.messages[0].files[0].content
    assert content.splitlines()[1:] == [
        "2026-11-30,Alex,Booking group,Digital services,6,£25 an hour plus travel,no,,,25.00,hour,GBP,,offered,,0.00,0.00,0.00,0.00",
        "2026-11-30,Priya,Booking group,Digital services,1.5,£25 an hour plus travel,yes,,,25.00,hour,GBP,,declined,,0.00,0.00,0.00,0.00",
        "2026-12-01,Quinn,Booking group,Digital services,2,£25 an hour plus travel,no,,,25.00,hour,GBP,,offered,,0.00,0.00,0.00,0.00",
    ]  # the cancelled study is left out

    cora.says("openings export 2027-01-01 2027-01-31")
    assert cora.text == "Nobody was selected from 2027-01-01 to 2027-01-31, so there is nothing to export."
    assert cora.last.messages[0].files == ()


def test_staff_export_the_involvement_record_of_their_own_openings(engine, clock, jo, kim, cora, alex, priya):
    post(jo, title="Booking group", tags="")
    post(kim, title="Patient panel", tags="")
    interested(alex)
    choose(jo, "Alex", hours="6")
    priya.says("openings show 2")
    priya.press("I'm interested")
    priya.submit({})
    kim.says("openings review 2")
    kim.press("Select Priya")
    kim.submit({"next_steps": "Thanks", "hours": "3"})

    jo.says("openings export 2026-11-01 2026-11-30")

    [message] = jo.last.messages
    assert message.plain() == (
        "The involvement record of your openings from 2026-11-01 to 2026-11-30. Selections: 1. "
        "Hours agreed: 6. Chose not to be paid: 0."
    )
    assert message.private
    assert message.files[0].content.splitlines()[1:] == [
        "2026-11-26,Alex,Booking group,Digital services,6,£25 an hour plus travel,no,,,25.00,hour,GBP,,offered,,0.00,0.00,0.00,0.00"
    ]
    assert "Priya" not in message.files[0].content and "Patient panel" not in message.files[0].content
    cora.says("openings export 2026-11-01 2026-11-30")
    assert len(cora.last.messages[0].files[0].content.splitlines()) == 3  # coordinators: all of them
    jo.says("openings export 2026-12-01 2026-12-31")
    assert jo.text == (
        "Nobody was selected for your openings from 2026-12-01 to 2026-12-31, so there is nothing to export."
    )


def test_dates_in_the_export_are_in_the_coordinators_zone(engine, clock, jo, cora, alex):
    post(jo, tags="", closes_at="10 Dec 2026 5pm")
    interested(alex)
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # 1 December in Auckland
    choose(jo, "Alex")
    cora.says("profile timezone Pacific/Auckland")
    cora.says("openings export 2026-12-01 2026-12-01")
    assert cora.last.messages[0].files[0].content.splitlines()[1].startswith("2026-12-01,Alex,")
    cora.says("openings export 2026-11-30 2026-11-30")
    assert cora.text.startswith("Nobody was selected")


def test_a_name_that_looks_like_a_formula_stays_text_in_the_export(engine, jo, cora, alex):
    alex.says("profile name =HYPERLINK(1)")
    post(jo, tags="")
    interested(alex)
    choose(jo, "=HYPERLINK(1)")
    cora.says("openings export 2026-11-01 2026-11-30")
    assert ",'=HYPERLINK(1),Online booking working group," in cora.last.messages[0].files[0].content


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "",
            "Which dates? For example: openings export 2026-11-01 2026-11-30, or openings export 1 Nov to 30 Nov.",
        ),
        # One day is a period of its own.
        ("2026-11-01", "Nobody was selected from 2026-11-01 to 2026-11-01, so there is nothing to export."),
        (
            "2026-11-01 2026-11-30 2026-12-31",
            "Which dates? For example: openings export 2026-11-01 2026-11-30, or openings export 1 Nov to 30 Nov.",
        ),
        (
            "soon later",
            "Which dates? For example: openings export 2026-11-01 2026-11-30, or openings export 1 Nov to 30 Nov.",
        ),
        ("soon to later", "I couldn't read 'soon' as a date. Try a date like 2026-11-30 or 30 Nov."),
        (
            "2026-12-01 2026-11-01",
            "The first date needs to be on or before the second. For example: 1 Sep to 30 Nov.",
        ),
    ],
)
def test_export_dates_that_cannot_be_read_are_asked_for_kindly(cora, text, words):
    cora.says(f"openings export {text}".strip())
    assert cora.text == words


# ---- who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "line", "words"),
    [
        ("alex", "openings new", NOT_POSTING),
        ("alex", "openings review 1", NOT_SEEN),
        ("kim", "openings review 1", NOT_SEEN),
        ("alex", "openings close 1", NOT_YOURS),
        ("kim", "openings close 1", NOT_YOURS),
        ("alex", "openings cancel 1", NOT_YOURS),
        ("kim", "openings cancel 1", NOT_YOURS),
        ("alex", "openings export 2026-11-01 2026-11-30", NOT_EXPORTING),
    ],
)
def test_each_permission_refusal_changes_nothing(
    engine, platform, clock, jo, kim, alex, priya, who, line, words
):
    post(jo)
    interested(priya, note="Private words")
    choose(jo, "Priya")
    deliver(engine, platform, clock)
    sent = len(platform.sent)
    member = {"alex": alex, "kim": kim, "jo": jo}[who]

    reply = member.says(line)

    assert member.text == words
    assert reply.form is None and reply.messages[0].files == ()
    assert "Priya" not in member.text
    assert [(o.status, o.closed_at) for o in rows(engine, Opening)] == [("open", None)]
    assert len(rows(engine, Involvement)) == 1
    assert rows(engine, FormDraft) == []
    deliver(engine, platform, clock)
    assert len(platform.sent) == sent


@pytest.mark.parametrize("who", ["alex", "kim"])
def test_buttons_made_up_by_hand_do_not_get_round_the_rules(engine, jo, kim, alex, priya, who):
    post(jo)
    interested(priya, note="Private words")
    member = {"alex": alex, "kim": kim}[who]
    priya_id = member_id(engine, "priya")

    press(member, f"opening.select:1:{priya_id}")
    assert member.text == NOT_CHOOSING and member.last.form is None
    member.last = member.bot.handle(
        FormSubmit(member.who, f"opening.select:1:{priya_id}", {"next_steps": "Come along", "hours": "3"})
    )
    assert member.text == NOT_CHOOSING
    press(member, "opening.review:1")
    assert member.text == NOT_SEEN
    press(member, "opening.close:1")
    assert member.text == NOT_YOURS
    if who == "alex":  # staff may post; partners may not
        press(member, "opening.new")
        assert member.text == NOT_POSTING and member.last.form is None

    assert "Private words" not in member.text
    assert rows(engine, Involvement) == []
    assert [i.selected_at for i in rows(engine, OpeningInterest)] == [None]
    assert [o.status for o in rows(engine, Opening)] == ["open"]


def test_staff_see_interest_in_their_own_openings_and_coordinators_in_all(engine, jo, kim, cora, alex):
    post(jo)
    post(kim, title="Patient panel")
    interested(alex, note="Hello")
    jo.says("openings review 1")
    assert "Alex" in jo.text
    jo.says("openings review 2")
    assert jo.text == NOT_SEEN
    kim.says("openings review 2")
    assert kim.text == "Nobody has said they're interested in Patient panel yet."
    cora.says("openings review 1")
    assert "Alex: Never selected before. Note: Hello." in cora.text
    cora.says("openings review 2")
    assert cora.text.startswith("Nobody has said")


def test_a_coordinator_can_post_and_select(engine, cora, alex):
    post(cora)
    assert cora.last.plain().startswith("Posted opening 1")
    interested(alex)
    choose(cora, "Alex")
    assert cora.text.startswith("Selected Alex for Online booking working group.")


# ---- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["openings review", "openings review abc", "openings review 99", "openings close 1234567890123"]
)
def test_a_missing_or_unknown_number_is_asked_for_kindly(engine, jo, line):
    post(jo)
    jo.says(line)
    assert jo.text == "Which opening? Type its number, like 1. Type openings to see them."
    assert [o.status for o in rows(engine, Opening)] == ["open"]


def test_an_unknown_word_says_what_can_be_typed(jo, alex):
    alex.says("openings frobnicate")
    assert alex.text == "Type openings and one of: list, show. Type guide to see more."
    jo.says("openings frobnicate")
    assert jo.text == "Type openings and one of: list, show, new, review, edit, close, cancel, export, hours, expenses. Type guide to see more."


@pytest.mark.parametrize(
    "action_id",
    [
        "opening.interested:abc",
        "opening.interested:999",
        "opening.details:",
        "opening.withdraw:99",
        "opening.note:x",
        "opening.payment:7:decline",
        "opening.review:1234567890123",
        "opening.close:",
        "opening.select:99:1",
    ],
)
def test_stale_or_broken_buttons_get_a_kind_message(engine, jo, alex, action_id):
    post(jo)
    press(alex, action_id)
    # A button only staff may use says so first, whatever it names.
    staff_only = {"opening.review": NOT_SEEN, "opening.close": NOT_YOURS, "opening.select": NOT_CHOOSING}
    expected = staff_only.get(action_id.split(":")[0], "That button no longer works. Type guide to see what you can do.")
    assert alex.text == expected
    assert alex.last.refused and alex.last.form is None
    assert rows(engine, OpeningInterest) == []


def test_openings_is_in_the_guide_for_each_role(jo, cora, alex):
    alex.says("guide")
    assert "openings: Lists open openings, so you can say you're interested. Try: openings" in alex.text
    assert "openings new" not in alex.text
    jo.says("guide")
    assert "openings new: Posts an opening for partners. Try: openings new" in jo.text
    assert "openings export: Gives who took part and when, as a file for payments." in jo.text
    cora.says("guide")
    assert "openings export: Gives who took part and when, as a file for payments." in cora.text


def test_the_home_page_shows_my_openings(engine, bot, jo, cora, alex, priya):
    from bot.conversation import HomeOpened

    def home(member: Person) -> str:
        member.last = bot.handle(HomeOpened(member.who))
        return member.text

    assert home(alex).startswith("Hello, Alex. Nothing is waiting for you.")
    post(jo)
    interested(alex)
    interested(priya)
    choose(jo, "Priya")
    assert (
        "Opening: Online booking working group: you said you're interested. It closes Friday 27 November 2026 at 17:00 (Europe/London)."
        in home(alex)
    )
    assert (
        "Opening: Online booking working group: you were selected. The next steps are in your messages."
        in home(priya)
    )
    assert (
        "Your opening: Online booking working group: interested 2, places filled 1 of 2. "
        "It closes Friday 27 November 2026 at 17:00 (Europe/London). Type openings review 1."
    ) in home(jo)
    assert "Your opening" not in home(cora)  # not hers
    alex.says("openings")
    alex.press("I'm interested")
    alex.press("Withdraw")
    assert "Online booking" not in home(alex)
    jo.says("openings close 1")
    assert "Online booking" not in home(jo) and "Online booking" not in home(priya)
