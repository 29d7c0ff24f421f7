"""`mydata`: everything the bot holds about the person, in plain words under a few headings,
with all of it as a JSON file and their check-in answers as a CSV file. Only they see it."""

from __future__ import annotations

import csv
import io
import json

from bot.conversation import File, Message, Reply
from bot.feature import Asked
from bot.mydata.queries import held_about
from bot.mydata.words import summary_fields
from bot.sheets import header, safe_cell
from bot.turn import Turn
from bot.words import N_

# Each column's stable key, and its name for people (see bot/sheets.py, header).
ANSWER_COLUMNS = {
    "checkin": N_("Check-in"),
    "sent_at": N_("Sent at"),
    "question": N_("Question"),
    "answer": N_("Answer"),
    "answered_at": N_("Answered at"),
}


def show(turn: Turn, _asked: Asked) -> Reply:
    held = held_about(turn.db, turn.member)
    _ = turn._
    words = _(
        "Here is everything I keep about you. Only you can see this. The files have all of it. "
        "Type mydata erase to erase it."
    )
    day = turn.now.date().isoformat()
    files = (
        File(f"my-data-{day}.json", "application/json", json.dumps(held, ensure_ascii=False, indent=2)),
        File(f"my-checkin-answers-{day}.csv", "text/csv", answers_csv(held, header(ANSWER_COLUMNS, turn.member.language, _))),
    )
    return Reply(messages=(Message((words,), summary_fields(turn, held), files=files),))


def answers_csv(held: dict, first_row: list[str]) -> str:
    """One row for each answer, and one for each note (its question is "note")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(first_row)
    for checkin in held["checkins"]:
        for answer in checkin["answers"]:
            row = (checkin["checkin"], checkin["sent_at"], answer["question"], answer["answer"], answer["answered_at"])
            writer.writerow(safe_cell(str(value or "")) for value in row)
        if checkin["note"]:
            writer.writerow(safe_cell(str(v or "")) for v in (checkin["checkin"], checkin["sent_at"], "note", checkin["note"], ""))
    return out.getvalue()
