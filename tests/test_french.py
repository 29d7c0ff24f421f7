"""Everything a French-speaking member sees is French: no leak of the catalogue's English.

French-speaking members (a partner, a member of staff, a coordinator and an admin) set up a small
community, then each drives every command verb, button and form page the features declare (as
tests/test_authorization.py does). Every reply is drawn as the console, Slack and Discord draw it,
with the words each adapter adds, and read for an English sentence of the catalogue whose French
is different, or an English day or month name. People's own words (a title, a question) are
theirs: the community below writes them in French.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from adapters.console import render as console
from adapters.discord import render as discord_render
from adapters.slack import render as slack
from bot.conversation import ButtonPress, Command, Event, FormSubmit, Message, Moment, Reply, Who
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, find_account
from bot.words import _entries, translator, when
from tests.conftest import Person, RecordingSender, deliver, prompts_and_members
from tests.test_authorization import FORGED, subjects_for
from tests.test_openings import post
from tests.test_sessions import schedule

# What the French-speaking community writes itself.
QUESTIONS = "Comment allez-vous? | très mal, mal, correct, bien, très bien; Bien dormi? | yes/no"
OPENING = {
    "title": "Groupe de travail sur la prise de rendez-vous",
    "team": "Services numériques",
    "involves": "Tester les nouvelles pages et dire ce qui les rendrait plus simples.",
    "commitment": "2 heures par mois",
    "dates": "de décembre à mars",
    "access": "Sous-titres et pauses",
    "tags": "Rendez-vous en ligne",
    "payment": "plus les déplacements",
}

DAYS_AND_MONTHS = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May"
    r"|June|July|August|September|October|November|December)\b"
    # Short names only where a date is written, since "Mon" is also French ("Mon profil").
    r"|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b,? \d"
    r"|\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)


def catalogue_pairs() -> dict[str, str]:
    """Each English sentence of the catalogue, each form of a plural entry on its own, with its
    French (a plural's French forms together). Names of commands are typed words: left out."""
    english, english_plurals = _entries("en")
    french, french_plurals = _entries("fr")
    pairs = {msgid: french.get(msgid, msgid) for msgid in english}
    for singular, forms in english_plurals.items():
        for form in forms:
            pairs.setdefault(form, " | ".join(french_plurals.get(singular, forms)))
    return pairs


PAIRS = catalogue_pairs()


def english_sentences() -> dict[str, str]:
    """Each piece of English (3 words or more, between {gaps}) whose French says it otherwise,
    with the catalogue sentence it comes from."""
    pieces: dict[str, str] = {}
    for msgid, french in PAIRS.items():
        if french == msgid:
            continue
        for piece in re.split(r"\{[a-z_]+\}", msgid):
            piece = piece.strip(" .,:;()'\"\n")
            if len(piece.split()) >= 3 and piece not in french:
                pieces.setdefault(piece, msgid)
    return pieces


ENGLISH = english_sentences()
# One pass over the text for all of them, longest first.
ENGLISH_PATTERN = re.compile("|".join(re.escape(p) for p in sorted(ENGLISH, key=len, reverse=True)))


# A label, a title or a button's words drawn whole: English of any length whose French differs.
LABELS = {msgid for msgid, french in PAIRS.items() if "{" not in msgid and french != msgid}


def leaks(pieces: list[tuple[str, str]]) -> list[str]:
    """The English in what a platform drew: a piece of a catalogue sentence anywhere, a label
    drawn whole, or an English day or month."""
    text = "\n".join(piece for _key, piece in pieces)
    found = [f"{m.group(0)!r} (from {ENGLISH[m.group(0)]!r})" for m in ENGLISH_PATTERN.finditer(text)]
    found += [f"{p.strip()!r} (a label)" for key, p in pieces if key in SHOWN and p.strip() in LABELS]
    return found + [f"{m.group(0)!r} (an English date)" for m in DAYS_AND_MONTHS.finditer(text)]


# ---- what each platform draws ------------------------------------------------------------------


# The keys of a payload whose words a person reads (not ids, values sent back, or types).
SHOWN = {"text", "label", "placeholder", "description", "content", "title"}


def strings(drawn: Any, key: str = "text") -> Iterator[tuple[str, str]]:
    """Every string in a payload (Slack's blocks, Discord's components), with its key."""
    if isinstance(drawn, str):
        yield key, drawn
    elif isinstance(drawn, dict):
        for name, value in drawn.items():
            yield from strings(value, name)
    elif isinstance(drawn, list | tuple):
        for value in drawn:
            yield from strings(value, key)


def on_console(reply: Reply, _: Callable[..., str]) -> list[tuple[str, str]]:
    lines = [console.render_message(m, None, _) for m in reply.messages]
    if reply.form is not None:
        lines.append(console.render_form_title(reply.form))
        lines += [console.field_prompt(f, _) for f in reply.form.fields]
    lines += reply.field_errors.values()
    return [("text", line) for line in lines]


def on_slack(reply: Reply, _: Callable[..., str]) -> list[tuple[str, str]]:
    drawn: list[Any] = [slack.render_message(m, _) for m in reply.messages]
    drawn = [[part.text, part.blocks] for parts in drawn for part in parts]
    if reply.form is not None:
        drawn.append(slack.render_modal(reply.form, slack.Origin(), _, notes=reply.messages))
    drawn.append(slack.render_errors(reply))
    drawn.append(slack.render_home(reply, _))
    return list(strings(drawn))


def discord_strings(message: Any) -> list[tuple[str, str]]:
    found = [("content", message.content)]
    for row in message.rows:
        for control in row:
            found += list(strings({k: v for k, v in vars(control).items() if isinstance(v, str | list | tuple)}))
    return found


def on_discord(reply: Reply, _: Callable[..., str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for message in reply.messages:
        for part in discord_render.render_message(message):
            found += discord_strings(part)
    if reply.form is not None:
        modal = discord_render.render_modal(reply.form, _)
        found.append(("title", modal.title))
        found += list(strings([item.to_component_dict() for item in modal.children]))
        for part in discord_render.render_message(discord_render.form_offer(reply.form, _)):
            found += discord_strings(part)
        if reply.field_errors:
            for part in discord_render.render_message(discord_render.form_errors(reply, _)):
                found += discord_strings(part)
    # Discord's markdown escapes are not words.
    return [(key, re.sub(r"\\(.)", r"\1", piece)) for key, piece in found]


PLATFORMS = {"console": on_console, "slack": on_slack, "discord": on_discord}


# ---- a French-speaking community ----------------------------------------------------------------


@dataclass
class Seen:
    """Every reply someone got, with the way in that brought it."""

    replies: list[tuple[str, Reply]] = field(default_factory=list)


class Francophone(Person):
    """Someone who reads French; every reply they get is kept to be read for English."""

    seen: Seen

    def says(self, line: str, mentions: tuple[AccountRef, ...] = ()) -> Reply:
        reply = super().says(line, mentions)
        self.seen.replies.append((f"{self.who.display_name} typed {line!r}", reply))
        return reply

    def submit(self, values: dict[str, str]) -> Reply:
        form = self.last.form
        reply = super().submit(values)
        self.seen.replies.append((f"{self.who.display_name} sent page {form.page} of {form.form_id}", reply))
        return reply

    def handle(self, event: Event, what: str) -> Reply:
        self.last = self.bot.handle(event)
        self.seen.replies.append((f"{self.who.display_name}: {what}", self.last))
        with Session(self.bot.engine) as session:
            erased = find_account(session, self.who.account) is None
        if erased:  # they erased their own data: they come back as someone new, and choose French
            self.answered = False
            Person.says(self, "profile")
            self.says("profile language fr")
        return self.last


def francophone(bot: Bot, name: str, seen: Seen) -> Francophone:
    someone = Francophone(bot, Who(AccountRef("console", "local", name.lower()), name))
    someone.seen = seen
    Person.says(someone, "profile")  # in English, until they choose French
    someone.says("profile language fr")
    return someone


class Community:
    """Ada (an admin), Cora (a coordinator), Jo (staff) and Pat (a partner), all in French.
    Cora sent a check-in; Jo posted an opening Pat is interested in; Cora scheduled a wellbeing
    session, which Pat joined, and one for staff only."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.seen = Seen()
        self.ada, self.cora, self.jo, self.pat = (
            francophone(bot, name, self.seen) for name in ("Ada", "Cora", "Jo", "Pat")
        )
        self.ada.says("roles grant Cora coordinator")
        self.ada.says("roles grant Jo staff")
        self.cora.says("checkin new")
        self.cora.submit({"name": "Bien-être de la semaine", "questions": QUESTIONS, "schedule": "now", "window": "24"})
        self.cora.submit({"visibility": "named", "alert_level": "1"})
        post(self.jo, **OPENING)
        self.pat.handle(ButtonPress(self.pat.who, "opening.interested:1"), "pressed I'm interested")
        self.pat.submit({"note": "Seulement le mardi."})
        schedule(self.cora, title="Yoga sur chaise", place="Salle 2")
        schedule(self.cora, title="Réunion du personnel", audience="staff", place="Salle 9")
        self.pat.handle(ButtonPress(self.pat.who, "session.signup:1"), "signed up for session 1")
        self.prompts, self.member_ids = prompts_and_members(bot.engine)


@pytest.fixture
def community(engine, settings, clock) -> Community:
    return Community(Bot(engine, settings, clock, EVERY_FEATURE))


def assert_all_french(seen: Seen) -> None:
    found = []
    for what, reply in seen.replies:
        # The adapters' own words, in the language the reply says its reader reads.
        _ = translator(reply.language or "en")
        for platform, draw in PLATFORMS.items():
            for leak in leaks(draw(reply, _)):
                found.append(f"{what}, on {platform}: {leak}")
    shown = "\n".join(dict.fromkeys(found))
    assert not found, f"A French reader saw English ({len(set(found))} times):\n{shown}"


def test_setting_up_a_community_in_french_shows_no_english(community, engine, clock):
    assert community.prompts and community.member_ids
    # What reached each of them by direct message as well: the check-in, the opening, the
    # session's news. (Channel posts are in the service's language: issue 18, part 3.)
    platform = RecordingSender()
    clock.advance(timedelta(minutes=5))
    assert deliver(engine, platform, clock) > 0
    for delivery in platform.sent:
        if delivery.target_kind == "dm" and delivery.message.text:
            reply = Reply(messages=(delivery.message,), language="fr")
            community.seen.replies.append((f"a direct message to {delivery.target_id}", reply))
    assert any(what.startswith("a direct message") for what, _reply in community.seen.replies)
    assert_all_french(community.seen)


@pytest.mark.parametrize("who", ["pat", "jo", "cora", "ada"])
def test_every_verb_button_and_form_page_answers_a_french_reader_in_french(community, who):
    person: Francophone = getattr(community, who)
    community.seen.replies.clear()
    features = community.bot.features
    for spec in features.commands.values():
        if not spec.verbs:
            person.handle(Command(person.who, spec.name, ""), f"typed {spec.name!r}")
        for verb in spec.verbs:
            for subject in subjects_for(community, verb.subject, button=False):  # type: ignore[arg-type]
                typed = f"{verb.name} {subject}".strip()
                person.handle(Command(person.who, spec.name, typed), f"typed {spec.name} {typed!r}")
    for button in features.buttons.values():
        for subject in subjects_for(community, button.subject, button=True):  # type: ignore[arg-type]
            action = f"{button.name}:{subject}" if subject else button.name
            for value in ("", "1"):
                person.handle(ButtonPress(person.who, action, value), f"pressed {action} ({value or 'no value'})")
    for form in features.forms.values():
        for subject in subjects_for(community, form.subject, button=True):  # type: ignore[arg-type]
            form_id = f"{form.name}:{subject}" if subject else form.name
            person.handle(ButtonPress(person.who, form_id), f"opened {form_id}")
            person.handle(ButtonPress(person.who, form_id, "2"), f"opened page 2 of {form_id}")
            for page in (1, 2, 3):
                person.handle(FormSubmit(person.who, form_id, FORGED, page=page), f"sent page {page} of {form_id}")
    assert_all_french(community.seen)


def test_csv_files_name_their_columns_in_french_and_keep_each_stable_key(community):
    pat, cora = community.pat, community.cora
    pat.handle(ButtonPress(pat.who, f"checkin.answer:{community.prompts['Pat']}:0:4"), "answered")
    pat.says("mydata")
    [answers] = [f for m in pat.last.messages for f in m.files if f.mime == "text/csv"]
    first_row = answers.content.splitlines()[0]
    assert first_row == (
        "Suivi (checkin),Envoyé le (sent_at),Question (question),Réponse (answer),Répondu le (answered_at)"
    )
    cora.says("report last 3 months")
    [report] = [f for m in cora.last.messages for f in m.files if f.mime == "text/csv"]
    assert report.content.splitlines()[0] == (
        "Section (section),Élément (item),Détail (detail),Date (date),Mesure (measure),Valeur (value)"
    )
    assert_all_french(community.seen)


def test_slack_writes_a_time_with_no_english_word_between_its_day_and_time():
    at = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    moment = Moment(at, when(at, "America/Toronto", "fr"))
    [drawn] = slack.render_message(Message(("Début : ", moment)), translator("fr"))
    [section] = drawn.blocks
    assert section["text"]["text"] == (
        f"Début : <!date^{int(at.timestamp())}^{{date_short_pretty}}, {{time}}"
        "|jeudi 3 décembre 2026 à 14:00 (America/Toronto)>"
    )
    assert not leaks([("text", drawn.text)])


def test_the_leak_test_sees_english_when_there_is_some(community):
    """The same drawing and reading, for someone who reads English: it must find English on
    every platform, a sentence, a label and a date alike."""
    alex = Francophone(community.bot, Who(AccountRef("console", "local", "alex"), "Alex"))
    alex.seen = Seen()
    Person.says(alex, "profile")
    alex.says("sessions")
    alex.handle(ButtonPress(alex.who, "profile.edit"), "opened profile.edit")
    for what, reply in alex.seen.replies:
        for platform, draw in PLATFORMS.items():
            assert leaks(draw(reply, translator("en"))), f"{what}, on {platform}"
    [(_what, edit)] = [(w, r) for w, r in alex.seen.replies if "profile.edit" in w]
    assert any("(a label)" in leak for leak in leaks(on_slack(edit, translator("en"))))
    assert any("an English date" in leak for leak in leaks([("text", "Thu 3 Dec, 14:00")]))
    assert not leaks([("text", "Mon profil : jeu. 3 déc., 14:00")])


def test_the_jobs_done_through_to_the_end_in_french_show_no_english(community, engine, clock):
    """Not only first pages and refusals: each job carried through, and what it sends."""
    ada, cora, jo, pat = community.ada, community.cora, community.jo, community.pat
    pat.handle(ButtonPress(pat.who, f"checkin.answer:{community.prompts['Pat']}:0:2"), "answered the check-in")
    jo.says("openings review 1")
    jo.handle(ButtonPress(jo.who, f"opening.select:1:{community.member_ids['Pat']}"), "pressed Select Pat")
    assert jo.last.form is not None, jo.last.plain()
    jo.submit({"next_steps": "Rencontre sur Teams le 1er décembre.", "hours": "6"})
    assert jo.last.form is None and not jo.last.refused, jo.last.plain()
    cora.says("sessions move 1")
    assert cora.last.form is not None, cora.last.plain()
    cora.submit({"start": "10 déc. 14:00"})  # typed as a French reader would
    assert cora.last.form is None and not cora.last.refused, cora.last.plain()
    for typed in ("mywork", "mydata", "sessions", "sessions calendar 1", "checkin history", "pause", "resume"):
        pat.says(typed)
    cora.says("openings export 1 nov. au 30 nov.")  # a period as the French examples give it
    assert [f.name for m in cora.last.messages for f in m.files] == ["involvement-2026-11-01-to-2026-11-30.csv"]
    for typed in ("report last 3 months", "openings payments last month", "roles"):
        cora.says(typed)
    ada.says("roles")
    clock.advance(timedelta(days=2))
    platform = RecordingSender()
    deliver(engine, platform, clock)
    for delivery in platform.sent:
        if delivery.target_kind == "dm" and delivery.message.text:
            reply = Reply(messages=(delivery.message,), language="fr")
            community.seen.replies.append((f"a direct message to {delivery.target_id}", reply))
    assert_all_french(community.seen)
