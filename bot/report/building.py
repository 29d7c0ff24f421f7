"""`report PERIOD`: what a coordinator sees, as short sentences, a chart for each part and one
CSV file of every number behind them, all in one private message (on Slack, in their direct
message with the bot). Definitions: bot/report/numbers.py and docs/reports.md.

CSV columns (stable, the same in every language): section, item, detail, date, measure, value.
`section` is checkins, sessions, openings or fairness; `measure` is one of the keys named in
docs/reports.md; dates are ISO (YYYY-MM-DD) in the coordinator's zone."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from bot import charts
from bot.charts import Series
from bot.conversation import File, Message, Reply
from bot.feature import Asked
from bot.periods import bounds, period
from bot.report import numbers
from bot.report.numbers import Fairness, OpeningRow, Run, SessionRow
from bot.sheets import header, safe_cell
from bot.turn import Turn
from bot.words import N_, Translate
from storage.models import Member

# Each column's stable key, and its name for people (see bot/sheets.py, header).
COLUMNS = {
    "section": N_("Section"),
    "item": N_("Item"),
    "detail": N_("Detail"),
    "date": N_("Date"),
    "measure": N_("Measure"),
    "value": N_("Value"),
}
# Said alone, `report` looks back over this.
DEFAULT_PERIOD = "last 3 months"
EXAMPLE = N_("I couldn't read that period. For example: report last 3 months, or report 1 Sep to 30 Nov.")
# A text alternative lists every point up to this many; beyond, the first, the last, the
# lowest and the highest (every number is in the CSV file).
_LISTED = 12


def report(turn: Turn, asked: Asked) -> Reply:
    first, last = period(turn, asked.text or DEFAULT_PERIOD, EXAMPLE)
    start, end = bounds(turn, first, last)
    _ = turn._
    span = {"first": _day(turn.member, first, long=True), "last": _day(turn.member, last, long=True)}
    runs = numbers.checkin_runs(turn.db, start, end)
    held = numbers.sessions(turn.db, start, end)
    posted = numbers.openings(turn.db, start, end)
    fair = numbers.fairness(turn.db, start, end)
    if not runs and not held and not posted and not fair.selections:
        return turn.say(
            _(
                "There is nothing to report from {first} to {last}: no check-ins closed, and no sessions or openings. You could try a longer period, like report last 12 months.",
                **span,
            )
        )
    rows: list[tuple[str, str, str, str, str, str]] = []
    lines = [_("Your report from {first} to {last}.", **span)]
    files: list[File] = []
    for words, made in (
        _checkins(turn, runs, rows),
        _sessions(turn, held, rows),
        _openings(turn, posted, rows),
        _fairness(turn, fair, rows),
    ):
        lines += words
        files += made
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(COLUMNS, turn.member.language, _))
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    lines.append(_("Every number behind the charts is in the CSV file."))
    files.append(File(f"report-{first.isoformat()}-to-{last.isoformat()}.csv", "text/csv", out.getvalue()))
    return Reply(messages=(Message(("\n".join(lines),), files=tuple(files)),))


# ---- check-ins --------------------------------------------------------------------------------


def _checkins(turn: Turn, runs: list[Run], rows: list) -> tuple[list[str], list[File]]:
    _ = turn._
    if not runs:
        return [_("Check-ins: none closed in this period.")], []
    by_checkin: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        by_checkin[run.checkin_id].append(run)
        day = _iso(turn, run.sent_at)
        rows.append(("checkins", run.name, "", day, "asked", str(run.asked)))
        rows.append(("checkins", run.name, "", day, "answered", str(run.answered)))
        rows.append(("checkins", run.name, "", day, "response_rate", _number(run.rate)))
        for scale in run.scales:
            rows.append(("checkins", run.name, scale.text, day, "answers", str(scale.answers)))
            rows.append(("checkins", run.name, scale.text, day, "mean", _number(scale.mean, 2)))
            rows.append(("checkins", run.name, scale.text, day, "sd", _number(scale.sd, 2)))
    asked = sum(r.asked for r in runs)
    answered = sum(r.answered for r in runs)
    rate = round(100 * answered / asked) if asked else 0
    language = turn.member.language
    lines = [
        _(
            "Check-ins: {runs} closed. {answered} of the {asked} people asked answered ({rate}%).",
            runs=format_decimal(len(runs), locale=language),
            answered=format_decimal(answered, locale=language),
            asked=format_decimal(asked, locale=language),
            rate=rate,
        )
    ]
    files = [_rate_chart(turn, by_checkin)]
    for number, group in enumerate(by_checkin.values(), start=1):
        questions: list[str] = []
        for run in group:
            questions += [s.text for s in run.scales if s.text not in questions]
        for index, question in enumerate(questions, start=1):
            made = trend_chart(_, turn.member, group, question, f"checkin-{number}-question-{index}.png")
            if made is not None:
                lines.append(made.description)
                files.append(made)
    return lines, files


def _rate_chart(turn: Turn, by_checkin: dict[int, list[Run]]) -> File:
    _ = turn._
    runs = sorted((r for group in by_checkin.values() for r in group), key=lambda r: r.sent_at)
    dates = _dates(turn.member, [r.sent_at for r in runs])
    series = []
    told = []
    for group in by_checkin.values():
        rates = {r.id: r.rate for r in group}
        series.append(Series(group[-1].name, [rates.get(r.id) for r in runs]))
        points = [(_day(turn.member, r.sent_at), f"{r.rate:.0f}%") for r in group if r.rate is not None]
        told.append(f"{group[-1].name}: {_listed(_, points)}")
    last = runs[-1]
    title = _("Share of people who answered each check-in: {rate}% the last time", rate=f"{last.rate or 0:.0f}")
    description = _("Share of people who answered, per check-in. {points}.", points="; ".join(told))
    return charts.line_chart(
        "checkin-response-rate.png", title, dates, series, _("Check-in sent on"), _("Answered (%)"),
        description, y_range=(0, 105), number="{:.0f}%",
    )


def trend_chart(_: Translate, reader: Member, runs: list[Run], question: str, name: str) -> File | None:
    """The average answer to one scale question, run by run, with its spread, in `reader`'s
    language and zone; None when no run had enough answers to show one. Also sent with the
    summary when a run closes (bot/checkins/notices.py)."""
    points = []
    for run in runs:
        for scale in run.scales:
            if scale.text == question and scale.mean is not None:
                points.append((run.sent_at, scale.mean, scale.sd))
                break
    if not points:
        return None
    first, last = points[0][1], points[-1][1]
    if len(points) == 1:
        title = _("Average answer to '{question}': {average}", question=question, average=f"{first:.1f}")
    else:
        title = _(
            "Average answer to '{question}' went from {first} to {last}",
            question=question, first=f"{first:.1f}", last=f"{last:.1f}",
        )
    spreads = [sd for _at, _mean, sd in points if sd is not None]
    listed = _listed(_, [(_day(reader, at), f"{mean:.1f}") for at, mean, _sd in points])
    description = _(
        "Average answer to '{question}' per check-in, from 1 to 5: {points} (standard deviation {low} to {high}).",
        question=question, points=listed, low=f"{min(spreads):.1f}", high=f"{max(spreads):.1f}",
    )
    return charts.line_chart(
        name,
        title,
        _dates(reader, [at for at, _mean, _sd in points]),
        [Series(question, [mean for _at, mean, _sd in points], [sd for _at, _mean, sd in points])],
        _("Check-in sent on"),
        _("Average answer (1 to 5), with its spread"),
        description,
        y_range=(0.5, 5.5),
    )


# ---- sessions ---------------------------------------------------------------------------------


def _sessions(turn: Turn, held: list[SessionRow], rows: list) -> tuple[list[str], list[File]]:
    _ = turn._
    if not held:
        return [_("Wellbeing sessions: none in this period.")], []
    for row in held:
        day = _iso(turn, row.starts_at)
        for measure, value in (
            ("places", row.places), ("signed_up", row.signed_up), ("waitlisted", row.waitlisted), ("attended", row.attended)
        ):
            rows.append(("sessions", row.title, "", day, measure, str(value)))
    totals = {
        "sessions": len(held),
        "places": sum(r.places for r in held),
        "signed_up": sum(r.signed_up for r in held),
        "waitlisted": sum(r.waitlisted for r in held),
        "attended": sum(r.attended for r in held),
    }
    sentence = _.n(
        "Wellbeing sessions: {sessions}, with {places} place, {signed_up} signed up, {waitlisted} on a waitlist and {attended} came.",
        "Wellbeing sessions: {sessions}, with {places} places, {signed_up} signed up, {waitlisted} on a waitlist and {attended} came.",
        totals["places"],
        **totals,
    )
    months = _by_month(turn, held, lambda r: r.starts_at)
    keys = list(months)
    series = [
        Series(_("Places"), [sum(r.places for r in months[k]) for k in keys]),
        Series(_("Signed up"), [sum(r.signed_up for r in months[k]) for k in keys]),
        Series(_("Waitlist"), [sum(r.waitlisted for r in months[k]) for k in keys]),
        Series(_("Came"), [sum(r.attended for r in months[k]) for k in keys]),
    ]
    told = "; ".join(
        _.n(
            "{month}: {places} place, {signed_up} signed up, {waitlisted} waiting, {attended} came",
            "{month}: {places} places, {signed_up} signed up, {waitlisted} waiting, {attended} came",
            int(series[0].values[i] or 0),
            month=k, places=int(series[0].values[i] or 0), signed_up=int(series[1].values[i] or 0),
            waitlisted=int(series[2].values[i] or 0), attended=int(series[3].values[i] or 0),
        )
        for i, k in enumerate(keys)
    )
    chart = charts.bar_chart(
        "sessions.png",
        _(
            "Wellbeing sessions: {places}, {attended}",
            places=_.n("{count} place", "{count} places", totals["places"]),
            attended=_.n("{count} person came", "{count} people came", totals["attended"]),
        ),
        keys,
        series,
        _("Month"),
        _("People"),
        _("Wellbeing sessions per month. {months}.", months=told),
    )
    return [sentence], [chart]


# ---- openings ---------------------------------------------------------------------------------


def _openings(turn: Turn, posted: list[OpeningRow], rows: list) -> tuple[list[str], list[File]]:
    _ = turn._
    if not posted:
        return [_("Openings: none posted in this period.")], []
    for row in posted:
        day = _iso(turn, row.posted_at)
        for measure, value in (
            ("places", str(row.places)), ("interested", str(row.interested)), ("selected", str(row.selected)),
            ("days_to_fill", _number(row.days_to_fill)),
        ):
            rows.append(("openings", row.title, "", day, measure, value))
    filled = sorted(r.days_to_fill for r in posted if r.days_to_fill is not None)
    totals = {
        "openings": len(posted),
        "places": sum(r.places for r in posted),
        "interested": sum(r.interested for r in posted),
        "selected": sum(r.selected for r in posted),
    }
    sentence = _.n(
        "Openings: {openings} posted, with {places} place. {interested} said they were interested and {selected} were selected.",
        "Openings: {openings} posted, with {places} places. {interested} said they were interested and {selected} were selected.",
        totals["places"],
        **totals,
    )
    if filled:
        days = int(f"{statistics.median(filled):.0f}")
        sentence += " " + _.n("Half were filled within {days} day.", "Half were filled within {days} days.", days, days=days)
    months = _by_month(turn, posted, lambda r: r.posted_at)
    keys = list(months)
    series = [
        Series(_("Places"), [sum(r.places for r in months[k]) for k in keys]),
        Series(_("Interested"), [sum(r.interested for r in months[k]) for k in keys]),
        Series(_("Selected"), [sum(r.selected for r in months[k]) for k in keys]),
    ]
    told = "; ".join(
        _.n(
            "{month}: {places} place, {interested} interested, {selected} selected",
            "{month}: {places} places, {interested} interested, {selected} selected",
            int(series[0].values[i] or 0),
            month=k, places=int(series[0].values[i] or 0), interested=int(series[1].values[i] or 0),
            selected=int(series[2].values[i] or 0),
        )
        for i, k in enumerate(keys)
    )
    chart = charts.bar_chart(
        "openings.png",
        _("Openings: {interested} people interested, {selected} selected", **totals),
        keys,
        series,
        _("Month posted"),
        _("People"),
        _("Openings per month posted. {months}.", months=told),
    )
    return [sentence], [chart]


# ---- fairness ---------------------------------------------------------------------------------


def _fairness(turn: Turn, fair: Fairness, rows: list) -> tuple[list[str], list[File]]:
    _ = turn._
    for measure, value in (
        ("partners", str(fair.partners)),
        ("selections", str(fair.selections)),
        ("never_selected", str(fair.never_selected)),
        ("top_tenth_size", str(fair.top_tenth)),
        ("top_tenth_share", _number(fair.top_share)),
        ("longest_wait_days", "" if fair.longest_wait_days is None else str(fair.longest_wait_days)),
        ("flag", "1" if fair.concentrated else "0"),
    ):
        rows.append(("fairness", "partners", "", "", measure, value))
    for times in range(6):
        rows.append(("fairness", "partners", "", "", f"selected_{times}{'_or_more' if times == 5 else ''}", str(fair.counts.get(times, 0))))
    if not fair.partners:
        return [_("Fairness: there are no partners yet.")], []
    if not fair.selections:
        return [_("Fairness: nobody was selected in this period.")], []
    lines = [
        " ".join(
            (
                _.n("Fairness: {count} selection.", "Fairness: {count} selections.", fair.selections),
                _.n(
                    "{never} of {partners} partners was never selected.",
                    "{never} of {partners} partners were never selected.",
                    fair.never_selected,
                    never=fair.never_selected,
                    partners=fair.partners,
                ),
                _("The most involved tenth of partners had {share}% of the selections.", share=f"{fair.top_share or 0:.0f}"),
            )
        )
    ]
    if fair.longest_wait_days is not None:
        lines.append(
            _.n(
                "Of the partners who said they were interested, the longest wait since last selected is {days} day.",
                "Of the partners who said they were interested, the longest wait since last selected is {days} days.",
                fair.longest_wait_days,
                days=fair.longest_wait_days,
            )
        )
    if fair.concentrated:
        lines.append(
            _(
                "Please look at this: the same few people got most of the work. In the review of an opening, those least involved come first."
            )
        )
    categories = ["0", "1", "2", "3", "4", "5+"]
    values = [fair.counts.get(times, 0) for times in range(6)]
    told = ", ".join(
        _.n("{times} time: {people}", "{times} times: {people}", times, times=label, people=count)
        for times, (label, count) in enumerate(zip(categories, values, strict=True))
    )
    chart = charts.bar_chart(
        "fairness.png",
        _.n(
            "{never} of {partners} partners was never selected",
            "{never} of {partners} partners were never selected",
            fair.never_selected,
            never=fair.never_selected,
            partners=fair.partners,
        ),
        categories,
        [Series(_("Partners"), values)],
        _("Times selected in the period"),
        _("Partners"),
        _("How many partners were selected how many times. {counts}.", counts=told),
    )
    return lines, [chart]


# ---- helpers ----------------------------------------------------------------------------------


def _local(reader: Member, at: datetime) -> date:
    return at.astimezone(ZoneInfo(reader.timezone)).date()


def _iso(turn: Turn, at: datetime) -> str:
    return _local(turn.member, at).isoformat()


def _day(reader: Member, at: date | datetime, long: bool = False) -> str:
    day = _local(reader, at) if isinstance(at, datetime) else at
    return format_date(day, "d MMM y" if long else "d MMM", locale=reader.language)


def _dates(reader: Member, moments: list[datetime]) -> list[str]:
    return [_day(reader, at) for at in moments]


def _by_month(turn: Turn, items: Iterable, moment) -> dict[str, list]:  # noqa: ANN001
    months: dict[str, list] = {}
    for item in items:
        local = _local(turn.member, moment(item))
        months.setdefault(format_date(local, "MMM y", locale=turn.member.language), []).append(item)
    return months


def _listed(_: Translate, points: list[tuple[str, str]]) -> str:
    if len(points) > _LISTED:
        low = min(points, key=lambda p: float(p[1].rstrip("%")))
        high = max(points, key=lambda p: float(p[1].rstrip("%")))
        return _(
            "{count} check-ins; first {first}, lowest {low}, highest {high}, last {last}",
            count=len(points),
            **{key: f"{day} {value}" for key, (day, value) in zip(("first", "low", "high", "last"), (points[0], low, high, points[-1]), strict=True)},
        )
    return ", ".join(f"{day} {value}" for day, value in points)


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"
