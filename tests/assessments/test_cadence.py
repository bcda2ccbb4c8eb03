import datetime

import pytest

from assessments import cadence
from assessments.cadence import add_months, is_overdue, next_due, reminder_due

D = datetime.date
T = datetime.datetime


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # across the year end
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 3, 15), 3, D(2026, 6, 15)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "cadence, expected",
    [
        ("monthly", D(2026, 2, 28)),
        ("quarterly", D(2026, 4, 30)),
        ("half-yearly", D(2026, 7, 31)),
        ("yearly", D(2027, 1, 31)),
    ],
)
def test_next_due_follows_the_cadence(cadence, expected):
    assert next_due(D(2026, 1, 31), cadence) == expected


def test_nothing_is_due_before_the_first_round():
    assert next_due(None, "quarterly") is None


@pytest.mark.parametrize(
    "invited_days_ago, reminded_days_ago, sent, expected",
    [
        (2, None, 0, False),
        (3, None, 0, True),
        (10, 2, 1, False),
        (10, 3, 1, True),
        (30, 10, 2, False),  # two reminders at most
    ],
)
def test_reminders_are_spaced_and_capped(invited_days_ago, reminded_days_ago, sent, expected):
    now = T(2026, 3, 1, 9, tzinfo=datetime.UTC)
    invited = now - datetime.timedelta(days=invited_days_ago)
    reminded = (
        None if reminded_days_ago is None else now - datetime.timedelta(days=reminded_days_ago)
    )
    assert reminder_due(invited, reminded, sent, now) is expected


@pytest.mark.parametrize(
    "due, overdue",
    [(None, False), (D(2026, 4, 16), False), (D(2026, 4, 15), False), (D(2026, 4, 14), True)],
)
def test_a_round_is_overdue_from_the_day_after_its_due_date(due, overdue):
    assert is_overdue(due, D(2026, 4, 15)) is overdue


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-12-04T02:59", "2026-12-04T03:00"),
        ("2026-12-04T03:00", "2026-12-05T03:00"),  # the run of this minute has started
        ("2026-12-04T23:10", "2026-12-05T03:00"),
        ("2026-12-31T10:00", "2027-01-01T03:00"),
    ],
)
def test_the_next_daily_run_is_the_next_occurrence_of_its_time(now, expected):
    zone = datetime.UTC
    now = datetime.datetime.fromisoformat(now).replace(tzinfo=zone)
    expected = datetime.datetime.fromisoformat(expected).replace(tzinfo=zone)
    assert cadence.next_daily_run(now, datetime.time(3, 0)) == expected
