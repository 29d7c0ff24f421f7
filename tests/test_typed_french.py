"""What a French speaker types: commands and the words after them by their French names (from
the catalogue, with or without accents), check-in questions with French kinds of answer, and
dates typed the French way. English names keep working for everyone: one core.

Each test drives `Bot.handle` with the FakeClock and checks what the person reads and what the
database holds, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session, select

from bot import checks
from bot.checkins.rules import Schedule, next_send, read_schedule, schedule_as_text
from bot.conversation import ButtonPress, Message, Who, plain
from bot.core import Bot
from bot.feature import Features
from bot.features import EVERY_FEATURE
from bot.members import AccountRef, Role
from bot.outbox import MAX_ATTEMPTS, RETRY_MAX, SendFailed
from bot.periods import period
from bot.words import COMMAND, languages, name_in, translator, verb_context
from storage.models import CheckIn
from tests.conftest import START, Person, deliver, member_named
from tests.test_checkins import answers_of, create, received
from tests.test_sessions import scheduled_one


def someone(bot: Bot, name: str, language: str = "en", role: Role | None = None, zone: str = "") -> Person:
    """A member past the first-contact message, reading `language`."""
    member = Person(bot, Who(AccountRef("console", "local", name.lower()), name))
    if role is not None:
        bot.prepare_local_member(member.who, role)
    member.says("profile")
    if language != "en":
        member.says(f"profile language {language}")
    if zone:
        member.says(f"profile timezone {zone}")
    return member


def fields_of(reply) -> dict[str, str]:
    return {f.label: plain(f.value) for m in reply.messages for f in m.fields}


# ---- commands and verbs ----------------------------------------------------------------------


def test_a_french_speaker_types_profil_and_reads_their_profile_in_french(bot, engine):
    sam = someone(bot, "Sam", "fr")
    sam.says("profil")
    assert sam.last.messages[0].plain() == "Votre profil. Vous et les coordonnateurs êtes les seuls à pouvoir le voir."
    assert fields_of(sam.last)["Langue"] == "Français"


def test_english_names_work_for_a_french_speaker_and_french_names_for_an_english_one(bot):
    sam = someone(bot, "Sam", "fr")
    sam.says("profile")
    assert sam.last.messages[0].plain().startswith("Votre profil.")
    alex = someone(bot, "Alex")
    alex.says("profil")
    assert alex.last.messages[0].plain() == "Your profile. Only you and the coordinators can see it."
    alex.says("PROFIL")
    assert alex.last.messages[0].plain() == "Your profile. Only you and the coordinators can see it."


def test_aide_shows_the_guide_with_the_names_a_french_speaker_types(bot):
    sam = someone(bot, "Sam", "fr")
    sam.says("aide")
    assert sam.last.messages[0].plain() == "Voici ce que vous pouvez faire. Tapez une commande, ou appuyez sur un bouton."
    guide = fields_of(sam.last)
    assert guide["profil"].endswith("Essayez\u00a0: profil fuseau Europe/London")
    assert guide["séances"].endswith("Essayez\u00a0: séances")
    cora = someone(bot, "Cora", "fr", Role.COORDINATOR)
    cora.says("aide")
    assert fields_of(cora.last)["séances personnes"].endswith("Essayez\u00a0: séances personnes 1")
    alex = someone(bot, "Alex")
    alex.says("aide")
    assert fields_of(alex.last)["profile"].endswith("Try: profile timezone Europe/London")


def test_what_the_french_catalogue_says_to_type_is_the_french_name():
    """"Tapez profil", not "Tapez profile": each command (and verb) a French sentence tells
    people to type is its French name, which the router reads."""
    features = Features(EVERY_FEATURE)
    with open("bot/locale/fr/LC_MESSAGES/messages.po", "rb") as handle:
        french = [str(m.string) for m in read_po(handle) if m.id and not m.context]
    told = 0
    for sentence in french:
        for hit in re.finditer(r"\b[Tt]apez (?:d'abord )?([\w-]+)(?: ([\w-]+))?", sentence):
            spec = features.command(hit[1])
            if spec is None:
                continue  # "Tapez son numéro", "Tapez une commande"
            told += 1
            assert hit[1] == name_in("fr", COMMAND, spec.name), sentence
            verb = spec.verb(hit[2] or "")
            if verb is not None:
                assert hit[2] == name_in("fr", verb_context(spec.name), verb.name), sentence
    assert told > 50


def test_seances_lists_the_sessions_with_or_without_accents(bot):
    cora = someone(bot, "Cora", role=Role.COORDINATOR)
    scheduled_one(cora)
    sam = someone(bot, "Sam", "fr")
    for typed in ("séances", "seances", "Séances liste", "sessions"):
        sam.says(typed)
        assert sam.text.startswith("Séances de mieux-être à venir."), (typed, sam.text)
        assert "#1 Chair yoga" in sam.text


def test_a_verb_by_its_french_name_changes_what_it_names(bot, engine):
    sam = someone(bot, "Sam", "fr")
    sam.says("profil fuseau America/Toronto")
    assert member_named(engine, "sam").timezone == "America/Toronto"
    alex = someone(bot, "Alex")
    alex.says("profile fuseau America/Halifax")  # the French word, typed after the English name
    assert member_named(engine, "alex").timezone == "America/Halifax"


def test_a_word_that_names_no_verb_is_answered_with_the_french_names(bot):
    sam = someone(bot, "Sam", "fr")
    sam.says("profil couleur bleu")
    assert sam.text == (
        "Tapez profil et l'un de ces mots\u00a0: voir, modifier, nom, fuseau, tranquillité, intérêts, occasions, "
        "langue, pause, reprendre, messages. Tapez aide pour en voir plus."
    )
    sam.says("séances voire 1")
    assert "séances voir" in sam.text


def test_every_translated_name_is_one_discord_accepts_and_names_one_thing():
    """Discord's rule for a name, and no French name that is already another command's (or
    verb's) name: typing it must not do something else than it does in English."""
    features = Features(EVERY_FEATURE)
    allowed = r"^[-_\w]{1,32}$"
    for language in languages():
        commands = {}
        for spec in features.commands.values():
            said = name_in(language, COMMAND, spec.name)
            assert re.match(allowed, said) and said == said.lower(), said
            assert features.command(said) is spec or said in commands, (language, said)
            commands.setdefault(said, spec.name)
            verbs = {}
            for verb in spec.verbs:
                word = name_in(language, verb_context(spec.name), verb.name)
                assert re.match(allowed, word) and word == word.lower(), word
                assert spec.verb(word) is verb, (language, spec.name, word)
                assert word not in verbs, (language, spec.name, word)
                verbs[word] = verb.name


# ---- check-ins: French kinds of answer, and answers ------------------------------------------


def test_a_french_coordinator_types_oui_non_and_texte_and_a_partner_answers_in_french(
    bot, engine, platform, clock
):
    cora = someone(bot, "Cora", "fr", Role.COORDINATOR)
    pat = someone(bot, "Pat", "fr")
    create(
        cora,
        name="Chaque semaine",
        questions="Comment allez-vous? | affreux, mauvais, correct, bien, super; "
        "Avez-vous bien dormi? | oui / non; Autre chose? | texte",
        schedule="now",
    )
    assert cora.last.form is None, cora.text
    deliver(engine, platform, clock)
    prompt: Message = next(m for m in received(platform, "pat") if m.buttons)
    labels = [(b.group, b.label) for b in prompt.buttons][:8]
    assert labels == [
        ("1. Comment allez-vous?", "1 affreux"),
        ("1. Comment allez-vous?", "2 mauvais"),
        ("1. Comment allez-vous?", "3 correct"),
        ("1. Comment allez-vous?", "4 bien"),
        ("1. Comment allez-vous?", "5 super"),
        ("2. Avez-vous bien dormi?", "Oui"),
        ("2. Avez-vous bien dormi?", "Non"),
        ("3. Autre chose?", "Écrire une réponse"),
    ]
    for label in ("4 bien", "Oui"):
        button = next(b for b in prompt.buttons if b.label == label)
        pat.last = bot.handle(ButtonPress(pat.who, button.action_id, button.value))
    assert pat.last.messages[0].plain() == "Enregistré\u00a0: Oui."
    assert answers_of(engine, "pat") == {0: "4", 1: "yes"}


# ---- dates typed in French ------------------------------------------------------------------

# START is Thursday 26 November 2026, 09:00 UTC: the coming Tuesday is 1 December.
TUESDAY_2PM_TORONTO = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "typed", ["mardi prochain 14 h", "Mardi prochain à 14h", "mardi 14 h", "prochain mardi 14:00", "1 déc 14 h 00"]
)
def test_a_date_typed_in_french_is_read_in_the_members_zone(typed):
    assert checks.moment(typed, "America/Toronto", START, "fr") == TUESDAY_2PM_TORONTO


def test_the_french_examples_of_a_date_are_read():
    """What the French refusals suggest typing: « mardi prochain 14 h », « vendredi 14 h »."""
    assert checks.moment("vendredi 14 h", "America/Toronto", START, "fr") == datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    assert checks.moment("vendredi 14:00", "America/Toronto", START, "fr") == datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    assert checks.moment("3 déc 14:00", "America/Toronto", START, "fr") == datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_english_is_still_read_for_a_french_speaker_and_french_hours_are_not_spans():
    assert checks.moment("next Tuesday 2pm", "America/Toronto", START, "fr") == TUESDAY_2PM_TORONTO
    assert checks.moment("mardi prochain 14 h 30", "Europe/Paris", START, "fr") == datetime(
        2026, 12, 1, 13, 30, tzinfo=UTC
    )


def test_a_french_speaker_pauses_until_mardi_prochain_14_h(bot, engine):
    sam = someone(bot, "Sam", "fr", zone="America/Toronto")
    sam.says("profil pause mardi prochain 14 h")
    assert member_named(engine, "sam").paused_until.replace(tzinfo=UTC) == TUESDAY_2PM_TORONTO


def test_a_pause_typed_in_french_ends_when_it_says():
    monday_9am_toronto = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert checks.pause_end("jusqu'à lundi", "America/Toronto", START, "fr") == monday_9am_toronto
    assert checks.pause_end("jusqu\u2019au lundi", "America/Toronto", START, "fr") == monday_9am_toronto
    assert checks.pause_end("until Monday", "America/Toronto", START, "fr") == monday_9am_toronto


# ---- periods, pause lengths and "tout": words read from the catalogue -----------------------

NOTHING_TO_REPORT = (
    "Il n'y a rien à signaler du {first} au {last}\u00a0: aucun suivi fermé, et aucune séance ni occasion. "
    "Vous pourriez essayer une période plus longue, comme rapport 12 derniers mois."
)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [  # typed on Thursday 26 November 2026 (the test clock), in London
        ("rapport 3 derniers mois", "27 août 2026", "26 nov. 2026"),
        ("rapport les 2 dernières semaines", "13 nov. 2026", "26 nov. 2026"),
        ("rapport cette année", "1 janv. 2026", "26 nov. 2026"),
        ("report Cette Annee", "1 janv. 2026", "26 nov. 2026"),
        ("rapport le mois dernier", "1 oct. 2026", "31 oct. 2026"),
        ("rapport l\u2019an dernier", "1 janv. 2025", "31 déc. 2025"),
        ("rapport ce mois-ci", "1 nov. 2026", "26 nov. 2026"),
        ("rapport 1 sept. au 30 sept.", "1 sept. 2026", "30 sept. 2026"),
        ("rapport last 3 months", "27 août 2026", "26 nov. 2026"),  # English is read too
    ],
)
def test_a_french_coordinator_types_a_period_in_french(bot, typed, first, last):
    cora = someone(bot, "Cora", "fr", Role.COORDINATOR)
    assert cora.says(typed).plain() == NOTHING_TO_REPORT.format(first=first, last=last)


def test_french_periods_are_not_read_for_an_english_speaker(bot):
    cora = someone(bot, "Cora", role=Role.COORDINATOR)
    assert cora.says("report 3 derniers mois").plain() == (
        "I couldn't read that period. For example: report last 3 months, or report 1 Sep to 30 Nov."
    )


@pytest.mark.parametrize(
    ("typed", "days"),
    [("2 semaines", 14), ("1 semaine", 7), ("une semaine", 7), ("3 jours", 3), ("pendant 2 mois", 60), ("2 weeks", 14)],
)
def test_a_french_partner_pauses_for_a_length_and_it_ends_exactly_that_much_later(bot, engine, clock, typed, days):
    sam = someone(bot, "Sam", "fr", zone="America/Toronto")
    sam.says(f"profil pause {typed}")
    assert member_named(engine, "sam").paused_until.replace(tzinfo=UTC) == clock.now() + timedelta(days=days)


def test_an_admin_types_envois_reessayer_tout(bot, engine, clock, platform):
    ada = someone(bot, "Ada", "fr")  # the first person is the admin
    someone(bot, "Bob")
    ada.says("roles grant bob staff")
    platform.failures += [SendFailed("Slack said internal_error")] * MAX_ATTEMPTS
    for _try in range(MAX_ATTEMPTS):
        deliver(engine, platform, clock)
        clock.advance(RETRY_MAX)
    ada.says("envois réessayer 999")
    assert ada.text == "Quel message? Tapez envois pour voir leurs numéros, ou tapez envois réessayer tout."
    ada.says("envois réessayer tout")
    assert ada.text == "Nouvel essai maintenant. Messages\u00a0: 1."
    assert deliver(engine, platform, clock) == 1
    assert platform.texts_for("bob")[0].startswith("Ada gave you the staff role.")  # Bob reads English
    ada.says("envois")
    assert ada.text == "Tous les messages ont été envoyés. Rien n'est en attente."


# ---- check-in schedules typed in French -----------------------------------------------------


def test_a_french_coordinator_schedules_chaque_semaine_lun_and_each_reader_reads_it_back(bot, engine):
    cora = someone(bot, "Cora", "fr", Role.COORDINATOR)
    create(cora, name="Chaque semaine", questions="Avez-vous bien dormi? | oui/non", schedule="chaque semaine lun 10 h")
    assert cora.last.form is None, cora.text
    with Session(engine) as session:
        checkin = session.exec(select(CheckIn)).one()
    assert (checkin.schedule, checkin.weekdays, checkin.local_time) == ("weekly", "0", 600)
    cora.says("suivi liste")
    assert "#1 Chaque semaine: chaque semaine lun 10:00 (l'heure de chaque partenaire);" in cora.text
    cora.says("suivi modifier 1")
    assert {f.name: f.initial for f in cora.last.form.fields}["schedule"] == "chaque semaine lun 10:00"
    alex = someone(bot, "Alex", role=Role.COORDINATOR)
    alex.says("checkin list")
    assert "#1 Chaque semaine: weekly mon 10:00 (each partner's own time);" in alex.text


@pytest.mark.parametrize(
    ("typed", "english", "french"),
    [
        ("chaque semaine lun, jeu à 10 h", "weekly mon, thu 10:00", "chaque semaine lun, jeu 10:00"),
        ("toutes les 2 semaines le lundi 10:00", "every 2 weeks mon 10:00", "toutes les 2 semaines lun 10:00"),
        ("toutes les deux semaines mardi 9:30", "every 2 weeks tue 09:30", "toutes les 2 semaines mar 09:30"),
        ("tous les 3 jours 9 h", "every 3 days 09:00", "tous les 3 jours 09:00"),
        ("tous les jours 18:30 America/Toronto", "daily 18:30 America/Toronto", "chaque jour 18:30 America/Toronto"),
        ("premier lundi du mois 10:00", "first mon of the month 10:00", "premier lun du mois 10:00"),
        ("dernier vendredi du mois 17 h", "last fri of the month 17:00", "dernier ven du mois 17:00"),
        ("maintenant", "now", "maintenant"),
        ("every 1 day 10:00", "every 1 day 10:00", "chaque jour 10:00"),
    ],
)
def test_a_schedule_typed_in_french_is_read_and_written_back_in_each_language(typed, english, french):
    schedule = read_schedule(typed)
    assert schedule_as_text(schedule) == english
    assert schedule_as_text(schedule, translator("fr")) == french
    assert read_schedule(english) == schedule
    assert occurrences(read_schedule(french)) == occurrences(schedule)


def occurrences(schedule: Schedule) -> list[datetime]:
    """The next ten sends from START, in London: what a schedule means, whatever its words."""
    sends, after = [], START
    for _ in range(10):
        after = next_send(schedule, START.date(), after, "Europe/London")
        if after is None:
            break
        sends.append(after)
    return sends


def test_an_unknown_day_is_refused_with_the_french_days():
    with pytest.raises(checks.Refusal) as refused:
        read_schedule("chaque semaine lundo 10:00")
    assert refused.value.words(translator("fr")) == (
        "Je n'ai pas compris «\u00a0lundo\u00a0» dans l'horaire. Essayez\u00a0: chaque semaine lun 10:00, "
        "tous les 3 jours 10:00, ou maintenant."
    )


# ---- every French example of a period or a schedule is read ---------------------------------


def french_sentences() -> list[tuple[str, str]]:
    with open("bot/locale/fr/LC_MESSAGES/messages.po", "rb") as handle:
        return [(str(m.id), str(m.string)) for m in read_po(handle) if m.id and not m.context and isinstance(m.id, str)]


def examples(french: str) -> list[str]:
    """The things to type that a sentence suggests, after its last colon or "comme"."""
    tail = re.split(r"\u00a0: |comme ", french)[-1].rstrip(".")
    return [piece.strip() for piece in re.split(r", ou |, (?=[^\d\s,]{4,})| ou ", tail) if piece.strip()]


def test_every_french_example_of_a_schedule_is_read():
    told = 0
    for english, french in french_sentences():
        if not re.search(r"weekly mon|every 3 days|of the month 10:00", english):
            continue
        for example in examples(french):
            told += 1
            read_schedule(example)  # a Refusal fails the test, naming the example
    assert told >= 10


def test_every_french_example_of_a_period_is_read():
    typed_after = {name_in("fr", COMMAND, c) for c in ("report", "mywork")} | {"occasions paiements"}
    turn = SimpleNamespace(now=START, member=SimpleNamespace(timezone="Europe/London", language="fr"))
    told = 0
    for english, french in french_sentences():
        if not re.search(r"(like|example:) .*(last \d+ months|last month|this year|1 Sep to 30 Nov)", english):
            continue
        for example in examples(french):
            if example == "rien pour tout":
                continue
            command = next((c for c in typed_after if example.startswith(c + " ")), "")
            told += 1
            first, last = period(turn, example.removeprefix(command).strip(), "?")
            assert first <= last, example
    assert told >= 10
