"""The scheduler wakes the code up; the database decides what is due."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.clock import Clock
from bot.outbox import Sender, dispatch_due

log = logging.getLogger(__name__)


def make_scheduler(
    engine: Engine, senders: Mapping[str, Sender], clock: Clock, interval_seconds: float
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def send_due() -> None:
        try:
            dispatch_due(engine, senders, clock)
        except Exception:  # the next tick tries again; nothing is marked sent that was not
            log.exception("outbox dispatch failed")

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
