"""Words people might type to make the bot show something other than text, and readers that
say what Discord and Slack would make of a rendered message: what a person sees, and what in it
is live (a link with other words, a mention, a heading, a quote...).

The readers follow each platform's markup as far as it matters here; they are kept strict, so
that anything they are unsure of counts as live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.conversation import Button, Field, Message, Moment, Option, Select

# One table for every platform: each is typed by a person and must reach everyone inert.
HOSTILE = {
    "two masked links on a line": "see [a](https://evil.example/a) or [NHS login](<https://evil.example/b>)",
    "masked links with a title and spaces": '[NHS login](https://evil.example/b "NHS") [x]( https://evil.example/c )',
    "nested brackets": "[[NHS] login](https://evil.example/d) and [a [b] c](https://evil.example/e)",
    "a link over two lines": "[NHS\nlogin](https://evil.example/f)",
    "discord mentions": "<@1> <@!1> <@&1> <#1> </guide:1> <:nhs:1> <a:nhs:1> <id:customize>",
    "a time that fakes the bot's": "Meet at <t:1764583200:F> (<t:1764583200:R>)",
    "slack tokens": "<@U1> <!here> <!channel> <!subteam^S1|@nurses> <#C1> <http://x|y> <!date^1764583200^{date}|Tuesday>",
    "mass mentions": "@everyone @here @Everyone @channel",
    "lookalikes of @": "＠everyone ﹫here",
    "zero-width between < and @": "<\u200b@1> <\u200d@1> @\u200ceveryone",
    "headings": "# Heading\n## Smaller\n### Smallest\n-# subtext",
    "quotes and lists": "> quote\n>>> all the rest\n- item\n* item\n+ item\n1. first\n2) second",
    "indented": "   # heading\n  > quote\n  -# small",
    "formatting": "**bold** *it* _it_ __under__ ~~strike~~ ||spoiler|| `code` ```block```",
    "backslashes": "\\[a](https://evil.example/g) \\<@1> \\*x\\* \\",
    "bare links": "https://meet.example/a_b_c?x=1&y=2 and (https://nhs.example/path_(1)).",
    "a link then a token": "https://nhs.example/x<@1> and https://nhs.example/y[NHS login](https://evil.example/h)",
    "an angle-bracket link": "<https://evil.example/i>",
    "entities": "&lt;@U1&gt; &amp; & < > &gt; quote",
    "quote lookalikes": "＞ fullwidth quote\n&gt; entity quote\n>quote",
}

# A partner's note as it reaches staff: masked links of both platforms' shapes, and a quote.
NOTE = (
    "Tuesdays suit me. see [a](https://evil.example/a) or [NHS login](<https://evil.example/b>)\n"
    "> <https://evil.example/c|NHS login> <@1002>"
)

AT = Moment(datetime(2026, 12, 3, 14, 0, tzinfo=UTC), "3 December 14:00")


def everywhere(typed: str) -> Message:
    """A message with `typed` in every place a person's words can be: among the bot's words
    and a time, a field's label and value, a button, a group's words, a select."""
    return Message(
        ("Note: ", typed, ". Closes ", AT, "."),
        fields=(Field(typed, (typed,)), Field("When", (AT, " ", typed))),
        buttons=(Button(typed, "opening.review:1"), Button("Yes", "checkin.answer:1", group=typed)),
        selects=(Select(typed, "profile.language", (Option(typed, "en"),)),),
    )


ZERO_WIDTH = re.compile("[\u200b\u00ad]")


def typed_as_seen(text: str) -> str:
    """What a reader should see of `text`: every character, less the invisible breaks."""
    return ZERO_WIDTH.sub("", text)


@dataclass
class Reading:
    """A message as a person sees it, and what in it would act (a link, a ping, markup)."""

    seen: str = ""
    live: list[str] = field(default_factory=list)


# ---- Discord ------------------------------------------------------------------------------------

# A link in <...>, as Discord reads it: taken whole, nothing in it is markup, no preview. (A bare
# link is read as markup here: stricter than Discord, which would take some of it whole too.)
_DISCORD_LINK = re.compile(r"<(?P<link>[^: >]+:/[^ >]+)>")
_DISCORD_TOKEN = re.compile(
    r"<(?:@!?\d+|@&\d+|#\d+|/[^<>\s]+:\d+|t:-?\d+(?::[A-Za-z])?|a?:\w+:\d+|id:\w+|sound:[\d:]+)>"
)
_BOT_LABEL = re.compile(r"^\*\*(?P<label>.*?):\*\* ", re.MULTILINE | re.DOTALL)
_LINE_MARKUP = re.compile(r"^[ \t]*(?:#{1,3} |-# |>|[-*+] |\d+[.)] )", re.MULTILINE)
_INLINE_MARKUP = re.compile(r"\*|_|~~|\|\||`")
_MASKED_LINK = re.compile(r"\[.*?\]\(", re.DOTALL)
_MASS = re.compile(r"@(?:everyone|here)", re.IGNORECASE)
ESCAPED, LINK = "\x00", "\x01"


def discord_reading(content: str, times: frozenset[str] = frozenset()) -> Reading:
    """What Discord shows of one message's content. `times` are the bot's own time tokens.

    Each character is read as Discord reads it: a link in <...> whole, a backslash before
    punctuation as that character shown plainly. Then the markup is looked for in what is left
    raw: `marked` holds each raw character as itself, escaped ones and links as placeholders.
    """
    seen: list[str] = []
    marked: list[str] = []
    at = 0
    while at < len(content):
        if link := _DISCORD_LINK.match(content, at):
            seen.append(link["link"])
            marked.append(LINK * len(link["link"]))
            at = link.end()
        elif (token := _DISCORD_TOKEN.match(content, at)) and token[0] in times:
            seen.append("[time]")
            marked.append(ESCAPED * len("[time]"))
            at = token.end()
        elif content[at] == "\\" and at + 1 < len(content) and re.match(r"[^0-9A-Za-z\s]", content[at + 1]):
            seen.append(content[at + 1])
            marked.append(ESCAPED)
            at += 2
        else:
            seen.append(content[at])
            marked.append(content[at])
            at += 1
    raw, shown = "".join(marked), "".join(seen)
    # The adapter's own bold around a field's label is not a person's markup: it goes unseen.
    for label in reversed(list(_BOT_LABEL.finditer(raw))):
        start, end = label.span()
        colon = label.end("label")
        raw = raw[:start] + ESCAPED * 2 + raw[start + 2 : colon] + ":" + ESCAPED * 2 + " " + raw[end:]
        shown = shown[:start] + shown[start + 2 : colon] + ": " + shown[end:]
    reading = Reading(typed_as_seen(shown))
    reading.live += [f"masked link {m[0]!r}" for m in _MASKED_LINK.finditer(raw)]
    reading.live += [f"token {m[0]!r}" for m in _DISCORD_TOKEN.finditer(raw)]
    reading.live += [f"line markup {m[0]!r}" for m in _LINE_MARKUP.finditer(raw)]
    reading.live += [f"markup {m[0]!r}" for m in _INLINE_MARKUP.finditer(raw)]
    reading.live += [f"ping {m[0]!r}" for m in _MASS.finditer(raw)]
    return reading


# ---- Slack --------------------------------------------------------------------------------------

_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
# The adapter's own time (adapters/slack/render.py:date_token); a typed one has its < escaped.
_SLACK_DATE = re.compile(r"!date\^\d+\^\{date_short_pretty\}, \{time\}\|(?P<fallback>[^<>|]*)")
_SLACK_QUOTE = re.compile(r"^[ \t]*(?:&gt;|＞)", re.MULTILINE)
_SLACK_MASS = re.compile(r"@(?:everyone|here|channel)", re.IGNORECASE)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}


def slack_reading(text: str) -> Reading:
    """What Slack shows of one mrkdwn text: the adapter's own times as their words, entities
    as their characters. Any other <...> is a link, a mention or a ping."""
    reading = Reading()
    for token in _SLACK_TOKEN.finditer(text):
        if not _SLACK_DATE.fullmatch(token[1]):
            reading.live.append(f"token {token[0]!r}")
    if re.search(r"&(?!amp;|lt;|gt;)", text):
        reading.live.append("a bare &")
    reading.live += [f"quote {m[0]!r}" for m in _SLACK_QUOTE.finditer(text)]
    reading.live += [f"ping {m[0]!r}" for m in _SLACK_MASS.finditer(text)]

    def date_words(token: re.Match[str]) -> str:
        found = _SLACK_DATE.fullmatch(token[1])
        return f"[time {found['fallback']}]" if found else token[0]

    seen = _SLACK_TOKEN.sub(date_words, text)
    seen = re.sub("&amp;|&lt;|&gt;", lambda m: _ENTITIES[m[0]], seen)
    reading.seen = typed_as_seen(seen)
    return reading
