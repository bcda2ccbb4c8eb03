"""Recompute every organization's stored portfolio columns.

Rarely needed: the columns follow every change of a round or a response, and
the daily send_reminders closes rounds whose closing date passed. Run it after
changing ROUND_GROUP_MIN_RESPONDENTS, which decides what consultants see.
"""

from django.core.management.base import BaseCommand

from assessments.models import Organization


class Command(BaseCommand):
    help = "Recompute the consultants' portfolio columns of every organization."

    def handle(self, *args, **options):
        count = Organization.objects.refresh_summaries()
        self.stdout.write(f"Refreshed {count} organization(s).")
