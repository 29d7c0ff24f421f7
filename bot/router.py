"""From an event to the handler that answers it, with who may do what checked on the way.

A typed command becomes `command verb rest`: the verb's roles are checked, and the thing its
number names is found and checked, before the verb runs. A button press finds its button (or
the form it opens) by the name before the ':' in its id; a form's page and its submission go
through the same checks as opening it (bot/forms.py). A word the bot does not know gets an
answer written from the declarations: what this person can do, or what they may have meant.
"""

from __future__ import annotations

import difflib
import functools

from bot.checks import Refusal
from bot.conversation import ButtonPress, Command, FormSubmit, HomeOpened, Reply
from bot.feature import Asked, CommandSpec, Phrase, Verb
from bot.forms import continue_form, open_form, submit_form
from bot.guard import allowed, role_list
from bot.home import home
from bot.turn import Turn, split_id
from bot.words import COMMAND, languages, name_in, translator, verb_context

SAY_AT_MOST = 40  # characters of an unknown word said back


def route(turn: Turn) -> Reply:
    event = turn.event
    if isinstance(event, Command):
        return command(turn, event)
    if isinstance(event, ButtonPress):
        return press(turn, event)
    if isinstance(event, FormSubmit):
        return submit_form(turn, event.form_id, event.page, event.values, event.files)
    if isinstance(event, HomeOpened):
        return home(turn)
    raise Refusal("I can't read that. Type guide to see what you can do.")


def command(turn: Turn, event: Command) -> Reply:
    said = phrase(turn, f"{event.name} {event.text}")
    if said is not None:
        allowed(turn, said.roles, None, "", "", without_consent=said.without_consent)
        return said.run(turn, Asked(text=f"{event.name} {event.text}".strip()))
    name = event.name.strip().lstrip("/").lower() or "guide"
    spec = turn.features.command(name)
    if spec is None:
        language = turn.member.language
        names = [name_in(language, COMMAND, each) for each in turn.features.commands]
        close = difflib.get_close_matches(name, [*names, *turn.features.commands], n=1, cutoff=0.6)
        if close:
            raise Refusal(
                "I don't know '{name}'. Did you mean {suggestion}? Type guide to see what you can do.",
                name=name[:SAY_AT_MOST],
                suggestion=close[0],
            )
        raise Refusal("I don't know '{name}'. Type guide to see what you can do.", name=name[:SAY_AT_MOST])
    allowed(turn, spec.roles, None, "", "", spec.name, spec.without_consent)
    text = event.text.strip()
    if not spec.verbs:
        assert spec.run is not None, f"{spec.name} has neither verbs nor a handler"
        return spec.run(turn, Asked(text=text))
    word, _sep, rest = text.partition(" ")
    verb = _verb(turn, spec, word.lower())
    if verb.name == spec.by_number and word.removeprefix("#").isdecimal():
        rest = text  # "sessions 3": the number is the subject
    elif word and verb.name == spec.by_other and spec.verb(word.lower()) is None:
        rest = text  # "link K7P-4QD": the word is what the verb acts on
    what = f"{spec.name} {verb.name}"
    if verb.roles and not turn.is_(*verb.roles) and verb.instead:
        other = spec.verb(verb.instead)
        if other is not None and (not other.roles or turn.is_(*other.roles)):
            raise Refusal(
                "Only {roles} can use {name}. Did you mean: {other}?",
                roles=role_list(turn, verb.roles),
                name=what,
                other=f"{spec.name} {other.name} {rest.strip()}".strip(),
            )
    asked = allowed(
        turn, verb.roles, verb.subject, rest.strip(), verb.refusal or spec.refusal, what, spec.without_consent
    )
    return verb.run(turn, asked)


def phrase(turn: Turn, line: str) -> Phrase | None:
    """The declared words a line starts with ("help me, please" starts with "help me"), in any
    language the bot speaks, if any."""
    typed = plain_words(line)
    for each in turn.features.phrases:
        for language in languages():
            words = _phrase_words(each.words, language)
            if typed == words or typed.startswith(words + " "):
                return each
    return None


@functools.cache
def _phrase_words(words: str, language: str) -> str:
    """A declared phrase in one language, as plain_words compares it (asked on every command)."""
    return plain_words(translator(language)(words))


def plain_words(line: str) -> str:
    """A line as it is compared: any case, curly or straight apostrophes, no punctuation."""
    kept = line.casefold().replace("\u2019", "'")
    return " ".join("".join(ch if ch.isalnum() or ch in "' " else " " for ch in kept).split())


def _verb(turn: Turn, spec: CommandSpec, word: str) -> Verb:
    """The verb a word names; with no word, the first default this person may use; a number
    straight after the command, the verb that shows one thing."""
    if not word:
        usable = [v for v in map(spec.verb, spec.default) if v is not None and usable_by(turn, v)]
        found = usable[0] if usable else spec.verb(spec.default[0]) if spec.default else None
        assert found is not None, f"{spec.name} has no default verb"
        return found
    if spec.by_number and word.removeprefix("#").isdecimal():
        found = spec.verb(spec.by_number)
        assert found is not None, f"{spec.name}'s by_number is not one of its verbs"
        return found
    found = spec.verb(word) or (spec.verb(spec.by_other) if spec.by_other else None)
    if found is not None:
        return found
    mine = [v for v in spec.verbs if usable_by(turn, v)]
    # Said back with the names this person types: "séances voir", not "sessions show".
    language = turn.member.language
    command = name_in(language, COMMAND, spec.name)
    names = [name_in(language, verb_context(spec.name), v.name) for v in mine]
    close = difflib.get_close_matches(word, [*names, *(v.name for v in mine)], n=1, cutoff=0.6)
    if close:
        raise Refusal(
            "I don't know '{name}'. Did you mean {suggestion}?",
            name=f"{command} {word}"[:SAY_AT_MOST],
            suggestion=f"{command} {close[0]}",
        )
    raise Refusal(
        "Type {command} and one of: {verbs}. Type guide to see more.",
        command=command,
        verbs=", ".join(dict.fromkeys(names)),
    )


def usable_by(turn: Turn, verb: Verb) -> bool:
    return not verb.roles or turn.is_(*verb.roles)


def press(turn: Turn, event: ButtonPress) -> Reply:
    name, subject = split_id(event.action_id)
    if name in turn.features.forms:
        # The value, if any, is the page to go on with (see continue_form).
        if event.value.isdigit():
            return continue_form(turn, event.action_id, int(event.value))
        return open_form(turn, event.action_id)
    spec = turn.features.buttons.get(name)
    if spec is None:
        raise Refusal("That button no longer works. Type guide to see what you can do.")
    asked = allowed(turn, spec.roles, spec.subject, subject, spec.refusal, without_consent=spec.without_consent)
    return spec.run(turn, Asked(text=subject, subject=asked.subject, value=event.value))
