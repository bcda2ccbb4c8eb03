"""Run the daily sweep: close lapsed rounds, remind invitees, tell members a round is due.

Meant for cron (see README.md). By default the sweep is enqueued for the
worker; --now runs it in this process. Idempotent: every e-mail is claimed
with an UPDATE before it is sent, so running it twice, even at once, sends
nothing twice.
"""

from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus

from assessments import tasks


class Command(BaseCommand):
    help = "Send reminders to invitees who have not submitted, and due notices to members."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run the sweep here instead of enqueuing it."
        )

    def handle(self, *args, now=False, **options):
        if now:
            counts = tasks.daily_sweep.call()
        else:
            result = tasks.daily_sweep.enqueue()
            if result.status != TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"Enqueued the daily sweep (task {result.id}).")
                return
            counts = result.return_value
        self.stdout.write(
            f"Sent {counts['reminders']} reminder(s) and {counts['notices']} due notice(s)."
        )
