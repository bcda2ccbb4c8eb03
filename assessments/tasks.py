"""Background work, through Django's Tasks API (the django-tasks backport).

Task arguments are ids, never tokens: the queue is a table, and private links
are stored as digests only, so each e-mail's link is issued by the worker.
A task enqueued inside a transaction is committed with it (the database
queue), so the worker never reads data that is not committed yet.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import task

from . import emails, exports
from .models import (
    MemberInvitation,
    Membership,
    Organization,
    PortfolioExport,
    Response,
    Round,
    issue_links,
)
from .portfolio import PORTFOLIO_COLUMNS, filtered_portfolio, portfolio_table


def submit_response(response):
    """Submit RESPONSE (Response.submit) and have the worker recompute its round's result.

    Recomputing reads every answer of the round, so doing it in the request
    would make each submit cost more the bigger the round; one task runs for
    a burst of submits instead, enqueued when the submit made the result
    stale. Return False when the round closed in the meantime (nothing stored).
    """
    if not response.submit():
        return False
    if response.round_id and Round(pk=response.round_id).mark_stale():
        refresh_round_result.enqueue(response.round_id)
    return True


@task()
def refresh_round_result(round_pk):
    """Recompute a round's result after submits (submit_response), under its lock."""
    with transaction.atomic():
        round = Round.objects.select_for_update().filter(pk=round_pk).first()
        if round is not None and round.result_stale:
            round.refresh_result()


@task()
def prepare_export(export_pk):
    """Build a large portfolio export with its requester's access rule, and store it."""
    export = PortfolioExport.objects.select_related("requested_by").get(pk=export_pk)
    user = export.requested_by
    query = QueryDict(mutable=True)
    for key, values in export.query.items():
        query.setlist(key, values)
    try:
        if not (user.is_active and user.is_staff and user.has_perm("assessments.view_dashboard")):
            raise PermissionDenied
        rows, _sort = filtered_portfolio(Organization.objects.for_consultant(user), user, query)
        count = rows.count()
        table = portfolio_table(rows)
        with translation.override(export.language):
            content = exports.render(export.format, "portfolio", PORTFOLIO_COLUMNS, table)
    except (PermissionDenied, BadRequest):
        export.status = PortfolioExport.Status.FAILED
        content, count = None, 0
    else:
        export.status = PortfolioExport.Status.READY
    PortfolioExport.objects.filter(pk=export.pk).update(
        status=export.status, content=content, rows=count, finished_at=timezone.now()
    )


# Rows claimed and e-mails sent per transaction and SMTP connection.
BATCH = 200


@task()
def send_private_link(response_pk):
    response = Response.objects.filter(pk=response_pk).first()
    if response is not None and response.email:
        emails.send_private_link(response, response.issue_link())


@task()
def send_round_invitations(response_pks, inviter_pk):
    """Invite each response's person with a private link, over one SMTP connection."""
    inviter = get_user_model().objects.filter(pk=inviter_pk).first()
    responses = list(
        Response.objects.filter(pk__in=response_pks, submitted_at__isnull=True)
        .exclude(email="")
        .select_related("round__organization")
        .order_by("pk")
    )
    issue_links(responses)
    emails.send_batch([emails.round_invitation(r, r.token, inviter) for r in responses])


@task()
def send_member_invitation(invitation_pk):
    """Send the invitation with a link issued here; an earlier unsent one stops working."""
    invitation = (
        MemberInvitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_pk, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    invitation.new_token()
    MemberInvitation.objects.filter(pk=invitation.pk).update(token_digest=invitation.token_digest)
    emails.send_member_invitation(invitation)


@task()
def send_reminder(response_pk):
    """Send "Remind now"'s reminder; the view counted it (Response.claim_reminder)."""
    response = Response.objects.select_related("round__organization").filter(pk=response_pk)
    response = response.first()
    if response is not None:
        emails.send_reminder(response)


@task()
def daily_sweep():
    """Close lapsed rounds, drop expired exports, send reminders and due notices; return counts.

    Each step selects only what is still to do, in batches of BATCH rows
    claimed in one UPDATE and mailed over one connection, so a day with
    nothing due costs a few queries however many clients there are.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    for round in Round.objects.filter(closed_at__isnull=True, closes_on__lt=today).only(
        "pk", "organization_id"
    ):
        round.close()
    kept_since = now - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    PortfolioExport.objects.filter(created_at__lt=kept_since).delete()
    reminders = notices = 0
    while sent := remind_batch(now):
        reminders += sent
    while True:
        organizations, sent = notify_batch(today)
        if not organizations:
            break
        notices += sent
    return {"reminders": reminders, "notices": notices}


def remind_batch(now):
    """Claim and send up to BATCH due reminders; return how many went out.

    The rows are locked (skipping those another run holds) and counted in one
    UPDATE before anything is sent, so two runs at once never send one twice.
    """
    with transaction.atomic():
        batch = list(
            Response.objects.reminder_due(now)
            .select_related("round__organization")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return 0
        Response.objects.filter(pk__in=[r.pk for r in batch]).update(
            reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
        )
        issue_links(batch)
    emails.send_batch([emails.reminder(r, r.token) for r in batch])
    return len(batch)


def notify_batch(today):
    """Claim up to BATCH organizations whose members were not told the due date; tell them.

    Return how many organizations were claimed and how many e-mails went out.
    """
    not_told = Q(due_notice_sent_for__isnull=True) | ~Q(due_notice_sent_for=F("next_due_on"))
    with transaction.atomic():
        due = list(
            Organization.objects.filter(not_told, next_due_on__lte=today)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "next_due_on")[:BATCH]
        )
        if not due:
            return 0, 0
        Organization.objects.filter(pk__in=[pk for pk, _ in due]).update(
            due_notice_sent_for=F("next_due_on")
        )
    dates = dict(due)
    memberships = Membership.objects.filter(organization__in=dates, due_notices=True)
    messages = [
        emails.due_notice(membership, dates[membership.organization_id])
        for membership in memberships.select_related("user", "organization").order_by("pk")
    ]
    emails.send_batch(messages)
    return len(due), len(messages)
