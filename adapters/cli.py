"""The `partnerbot` command: wiring that picks and starts adapters. Not part of the core."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from adapters.logs import configure_logging
from adapters.platforms import Platform, serve
from adapters.startup import CannotStart, open_database
from bot.clock import Clock, ShiftedClock, SystemClock
from bot.core import Bot
from bot.features import EVERY_FEATURE
from bot.members import Role
from bot.settings import Settings
from bot.words import translator

log = logging.getLogger("partnerbot")


def build_bot(settings: Settings, clock: Clock | None = None) -> Bot:
    """The bot on an up-to-date database; CannotStart says why not."""
    return Bot(open_database(settings), settings, clock or SystemClock(), EVERY_FEATURE)


def configured_platforms(settings: Settings) -> list[Platform]:
    """Every platform whose credentials are set, in the order they start."""
    found: list[Platform] = []
    if "slack" in settings.platforms():
        from adapters.slack.app import SlackPlatform

        found.append(SlackPlatform(settings))
    if "discord" in settings.platforms():
        from adapters.discord.app import DiscordPlatform

        found.append(DiscordPlatform(settings))
    return found


def run(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Start every configured platform, in one process; with none, say so and start the console."""
    _ = translator(settings.default_language)
    platforms = configured_platforms(settings)
    if not platforms:
        print(_("No chat platform is connected, so I am starting the console."), file=stdout)
        return console(settings, stdin, stdout, name=None, role=None, demo=False, start=None)
    # A server, not a console: log at the configured level.
    logging.getLogger().setLevel(settings.log_level.upper())
    return asyncio.run(serve(build_bot(settings), platforms, settings, stdout))


def console(
    settings: Settings,
    stdin: TextIO,
    stdout: TextIO,
    name: str | None,
    role: Role | None,
    demo: bool,
    start: datetime | None,
) -> int:
    from adapters.console.app import Console
    from bot.demo import seed_demo
    from bot.scheduling import Scheduler

    if not settings.announcements_channel:
        # The console shows announcements as posts in a channel of its own.
        settings = settings.model_copy(update={"announcements_channel": "console:local/announcements"})
    clock = ShiftedClock(SystemClock())
    if start is not None:
        clock.shift(start - clock.now())
    bot = build_bot(settings, clock)
    interactive = stdin.isatty()
    app = Console(bot, stdout, echo=not interactive, files_dir=settings.console_files_dir)
    _ = translator(settings.default_language)
    if demo:
        names = seed_demo(bot)
        print(
            _(
                "Demo community ready: {names}. Sam is a coordinator and Jo is staff. "
                "There is a wellbeing session to join, an opening, and a check-in waiting for Alex and Priya.",
                names=", ".join(names),
            ),
            _("To try it first, type :as alex and press 4 to answer the check-in. Then type sessions."),
            file=stdout,
        )
    app.become(name or "you", role)
    if interactive:
        print(_("Type guide to start, :help for console keys, or :quit to leave."), file=stdout)
    # Messages queued before a restart go out now.
    app.catch_up()
    scheduler = None
    if interactive:
        # One at a time: the console prints each message whole, in order.
        scheduler = Scheduler(bot, {"console": app.sender}, settings.dispatch_interval_seconds, workers=1)
        scheduler.start()
    try:
        while True:
            if interactive:
                try:
                    line = input(app.prompt())
                except EOFError:
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
            if not app.line(line):
                break
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        app.catch_up()
    return 0


def debug_flag(parser: argparse.ArgumentParser, default: Any = False) -> argparse.ArgumentParser:
    parser.add_argument(
        "--debug", action="store_true", default=default, help="if the bot cannot start, show the traceback too"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="partnerbot", description="A chat bot for patient partner communities."
    )
    debug_flag(parser)
    commands = parser.add_subparsers(dest="command")
    # --debug after the command too (`partnerbot run --debug`), without undoing one before it.
    after = argparse.SUPPRESS
    debug_flag(commands.add_parser("run", help="start every configured platform, or the console"), after)
    con = debug_flag(commands.add_parser("console", help="chat with the bot in this terminal"), after)
    con.add_argument("--as", dest="name", help="who you are, e.g. sam")
    con.add_argument("--role", choices=[r.value for r in Role], help="give yourself this role")
    con.add_argument("--demo", action="store_true", help="start with a small demo community")
    con.add_argument("--clock", help="start the console's clock at this UTC time, e.g. 2026-11-30T09:00")
    debug_flag(commands.add_parser("migrate", help="bring the database up to date, then stop"), after)
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValueError as problem:
        print(f"Please check your settings in .env or the environment:\n{problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    # The console's screen is the conversation: keep library chatter off it.
    if args.command in (None, "console", "run"):
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return command(args, settings)
    except CannotStart as problem:
        if args.debug:
            log.error("could not start", exc_info=problem.__cause__ or problem)
        print(problem, file=sys.stderr)
        return problem.code


def command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        build_bot(settings)
        print("The database is up to date.")
        return 0
    if args.command == "console":
        role = Role(args.role) if args.role else None
        start = None
        if args.clock:
            try:
                start = datetime.fromisoformat(args.clock).replace(tzinfo=UTC)
            except ValueError:
                _ = translator(settings.default_language)
                print(_("Please give --clock as a date and time, like 2026-11-30T09:00."), file=sys.stderr)
                return 2
        return console(settings, sys.stdin, sys.stdout, args.name, role, args.demo, start)
    return run(settings, sys.stdin, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
