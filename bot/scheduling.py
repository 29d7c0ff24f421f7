"""The scheduler wakes the code up; the database decides what is due."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from apscheduler.schedulers.background import BackgroundScheduler

from bot.core import Bot
from bot.outbox import Sender, dispatch_due

log = logging.getLogger(__name__)


def make_scheduler(bot: Bot, senders: Mapping[str, Sender], interval_seconds: float) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def send_due() -> None:
        try:
            bot.tick()
            dispatch_due(bot.engine, senders, bot.clock)
        except Exception:  # the next tick tries again; nothing is marked sent that was not
            log.exception("scheduled work failed")

    scheduler.add_job(
        send_due,
        "interval",
        seconds=interval_seconds,
        id="outbox",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return scheduler
