"""Remind invitees of open rounds and tell members when their next round is due.

Meant for cron (see README.md). Idempotent: every e-mail is claimed with a
conditional UPDATE before it is sent, so running the command twice in a row, or
twice at once, sends nothing twice.
"""

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from assessments import cadence, emails
from assessments.models import Organization, Response, Round, open_round


class Command(BaseCommand):
    help = "Send reminders to invitees who have not submitted, and due notices to members."

    def handle(self, *args, **options):
        now = timezone.now()
        self.close_lapsed(timezone.localdate())
        reminders = self.remind_invitees(now)
        notices = self.notify_due(timezone.localdate())
        self.stdout.write(f"Sent {reminders} reminder(s) and {notices} due notice(s).")

    def close_lapsed(self, today):
        """Close rounds whose closing day has passed, so the portfolio's columns follow."""
        lapsed = Round.objects.filter(closed_at__isnull=True, closes_on__lt=today)
        for round in lapsed.select_related("organization"):
            round.close()

    def remind_invitees(self, now):
        candidates = (
            Response.objects.filter(
                invited_at__isnull=False,
                submitted_at__isnull=True,
                reminders_stopped_at__isnull=True,
                reminders_sent__lt=cadence.MAX_REMINDERS,
            )
            .filter(open_round(timezone.localdate(now), prefix="round__"))
            .exclude(email="")
            .select_related("round__organization")
        )
        sent = 0
        for response in candidates.iterator():
            if not cadence.reminder_due(
                response.invited_at, response.last_reminded_at, response.reminders_sent, now
            ):
                continue
            if response.claim_reminder(now):
                emails.send_reminder(response)
                sent += 1
        return sent

    def notify_due(self, today):
        sent = 0
        for organization in Organization.objects.filter(next_due_on__lte=today).iterator():
            due = organization.next_due_on
            claimed = (
                Organization.objects.filter(pk=organization.pk, next_due_on=due)
                .filter(Q(due_notice_sent_for__isnull=True) | ~Q(due_notice_sent_for=due))
                .update(due_notice_sent_for=due)
            )
            if claimed:
                memberships = organization.memberships.filter(due_notices=True)
                for membership in memberships.select_related("user"):
                    emails.send_due_notice(membership, due)
                    sent += 1
        return sent
