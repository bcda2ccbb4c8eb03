"""Dates of the revisiting rhythm: pure functions, no Django."""

from __future__ import annotations

import calendar
import datetime

MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}

# Invitees who have not submitted get at most this many reminders, this far apart.
MAX_REMINDERS = 2
REMINDER_SPACING = datetime.timedelta(days=3)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day MONTHS later, or the month's last day when it is shorter.

    31 January + 1 month is 28 (or 29) February; 29 February + 12 months is 28 February.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def next_due(last_round_on: datetime.date | None, cadence: str) -> datetime.date | None:
    """Return when the next round is due, None before the first round."""
    if last_round_on is None:
        return None
    return add_months(last_round_on, MONTHS[cadence])


def is_overdue(next_due_on: datetime.date | None, today: datetime.date) -> bool:
    """Tell whether the next round is overdue: its due date has passed (the due day is not late)."""
    return next_due_on is not None and next_due_on < today


def next_reminder_at(
    invited_at: datetime.datetime,
    last_reminded_at: datetime.datetime | None,
    reminders_sent: int,
) -> datetime.datetime | None:
    """Return when an invitee who has not submitted may be reminded next; None after the last."""
    if reminders_sent >= MAX_REMINDERS:
        return None
    return (last_reminded_at or invited_at) + REMINDER_SPACING


def reminder_due(
    invited_at: datetime.datetime,
    last_reminded_at: datetime.datetime | None,
    reminders_sent: int,
    now: datetime.datetime,
) -> bool:
    """Tell whether an invitee who has not submitted gets a reminder now."""
    at = next_reminder_at(invited_at, last_reminded_at, reminders_sent)
    return at is not None and now >= at


def next_daily_run(now: datetime.datetime, at: datetime.time) -> datetime.datetime:
    """Return the next moment after NOW (a local, aware time) at which a daily job runs AT."""
    run = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)
