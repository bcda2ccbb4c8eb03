"""Background work, through Django's Tasks API (the django-tasks backport).

Task arguments are ids, never tokens: the queue is a table, and private links
are stored as digests only, so each e-mail's link is issued by the worker.
A task enqueued inside a transaction is committed with it (the database
queue), so the worker never reads data that is not committed yet.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db import connection as connection_of_the_database
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task

from smarketing import faults

from . import emails, evidence, exports
from .models import (
    Delivery,
    Evidence,
    EvidenceMapping,
    EvidenceUpload,
    MemberInvitation,
    Membership,
    Organization,
    PortfolioExport,
    PrivateLink,
    Response,
    Round,
    issue_links,
)
from .portfolio import PORTFOLIO_COLUMNS, filtered_portfolio, portfolio_table

logger = logging.getLogger(__name__)


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


logger = logging.getLogger(__name__)


@task()
def refresh_evidence_flags():
    """Store again what each organization's evidence contradicts, after its rules changed."""
    Organization.objects.filter(has_evidence=True).refresh_summaries()


@task()
def prepare_export(export_pk):
    """Build a large portfolio export with its requester's access rule, and store it.

    Idempotent: an export finished already (by an earlier run) is left as it is.
    """
    export = (
        PortfolioExport.objects.select_related("requested_by")
        .filter(pk=export_pk, status=PortfolioExport.Status.PENDING)
        .first()
    )
    if export is None:
        return
    user = export.requested_by
    query = QueryDict(mutable=True)
    for key, values in export.query.items():
        query.setlist(key, values)
    try:
        if not (user.is_active and user.is_staff and user.has_perm("assessments.view_dashboard")):
            raise PermissionDenied
        rows, _sort = filtered_portfolio(Organization.objects.for_consultant(user), user, query)
        listed = list(rows.values_list("pk", flat=True))
        table = portfolio_table(rows)
        with translation.override(export.language):
            content = exports.render(export.format, "portfolio", PORTFOLIO_COLUMNS, table)
    except (PermissionDenied, BadRequest):
        export.status = PortfolioExport.Status.FAILED
        content, listed = None, []
    except Exception as exc:
        if not faults.is_transient(exc):
            # A fault no retry mends: the requester reads "failed" instead of waiting.
            _finish_export(export.pk, PortfolioExport.Status.FAILED)
        raise
    else:
        export.status = PortfolioExport.Status.READY
    _finish_export(export.pk, export.status, content, listed)


def _finish_export(pk, status, content=None, listed=()):
    """Store an export's outcome, once: LISTED, the organizations its content lists."""
    PortfolioExport.objects.filter(pk=pk, status=PortfolioExport.Status.PENDING).update(
        status=status,
        content=content,
        rows=len(listed),
        organizations=list(listed),
        finished_at=timezone.now(),
    )


@task()
def read_evidence(evidence_pk):
    """Read an uploaded CRM export into its aggregates, then delete the file.

    The file is deleted in the transaction that stores the aggregates or the
    reason it could not be read, and on any other error too: personal data
    never outlives the reading. Progress is written as the rows go by, for the
    page's progress bar.
    """
    started = Evidence.objects.filter(pk=evidence_pk, status=Evidence.Status.PENDING).update(
        status=Evidence.Status.PARSING, progress=0
    )
    if not started:
        return
    record = Evidence.objects.select_related("round", "created_by").get(pk=evidence_pk)
    upload = EvidenceUpload.objects.filter(pk=evidence_pk).first()
    if upload is None:
        _evidence_failed(evidence_pk, evidence.ReadError("gone"))
        return
    data = upload.data()
    del upload

    def report(rows, fraction):
        percent = min(99, int(fraction * 100)) if fraction is not None else 0
        Evidence.objects.filter(pk=evidence_pk, status=Evidence.Status.PARSING).update(
            rows_read=rows, progress=percent
        )

    columns = {key: [index for index, _name in pairs] for key, pairs in record.columns.items()}
    try:
        table = evidence.open_table(data, settings.EVIDENCE_MAX_UNCOMPRESSED_MB * 2**20)
        try:
            result = evidence.read(table, record.kind, columns, record.source, report)
        finally:
            table.close()
    except evidence.ReadError as error:
        _evidence_failed(evidence_pk, error)
        return
    except Exception:
        _evidence_failed(evidence_pk, evidence.ReadError("unexpected"))
        raise
    with transaction.atomic():
        record.store(result)
        record.finished_at = timezone.now()
        stored = Evidence.objects.filter(pk=evidence_pk, status=Evidence.Status.PARSING).update(
            **{name: getattr(record, name) for name in EVIDENCE_RESULT}
        )
        EvidenceUpload.objects.filter(pk=evidence_pk).delete()
        if stored and record.source == evidence.OTHER:
            # Columns a member chose, remembered once a file was read with them: a choice
            # that fails to read is never applied again by itself.
            EvidenceMapping.objects.update_or_create(
                organization_id=record.round.organization_id,
                kind=record.kind,
                defaults={"columns": record.column_choice(), "updated_by": record.created_by},
            )
        if stored:
            # The portfolio's flag: what this evidence contradicts, stored on the organization.
            record.round.organization.evidence_read()


EVIDENCE_RESULT = [
    "status",
    "progress",
    "rows_read",
    "period_start",
    "period_end",
    "metrics",
    "notes",
    "finished_at",
]


def _evidence_failed(evidence_pk, error):
    logger.info("CRM export %s not read: %s %s", evidence_pk, error.code, error.params)
    with transaction.atomic():
        Evidence.objects.filter(pk=evidence_pk).update(
            status=Evidence.Status.FAILED,
            error=error.code,
            error_params=error.params,
            finished_at=timezone.now(),
        )
        EvidenceUpload.objects.filter(pk=evidence_pk).delete()


@task()
def expire_evidence_upload(evidence_pk):
    """Delete an upload still waiting for its columns (enqueued to run when it expires)."""
    minutes = settings.EVIDENCE_MAPPING_MINUTES
    if Evidence.objects.filter(pk=evidence_pk, status=Evidence.Status.MAPPING).exists():
        _evidence_failed(evidence_pk, evidence.ReadError("expired", minutes=minutes))


def schedule_upload_expiry(evidence_pk):
    """Have the worker delete an upload left waiting for its columns, when it expires.

    Only a queue that can run a task later does this (the database queue);
    the daily sweep deletes any upload that was missed.
    """
    task = expire_evidence_upload
    if task.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(minutes=settings.EVIDENCE_MAPPING_MINUTES)
        task.using(run_after=run_after).enqueue(evidence_pk)


def expire_evidence_uploads(now):
    """Delete uploads left waiting for their columns, or never read; return how many."""
    waited = now - timedelta(minutes=settings.EVIDENCE_MAPPING_MINUTES)
    stalled = now - timedelta(days=1)
    left = Evidence.objects.filter(
        Q(status=Evidence.Status.MAPPING, created_at__lt=waited)
        | Q(status__in=[Evidence.Status.PENDING, Evidence.Status.PARSING], created_at__lt=stalled)
    )
    count = 0
    for pk, status in left.values_list("pk", "status"):
        if status == Evidence.Status.MAPPING:
            error = evidence.ReadError("expired", minutes=settings.EVIDENCE_MAPPING_MINUTES)
        else:
            error = evidence.ReadError("stalled")
        _evidence_failed(pk, error)
        count += 1
    return count


# Rows claimed and e-mails sent per transaction and SMTP connection.
BATCH = 200


def send_later(deliveries):
    """Record DELIVERIES (unsaved) and have the worker send them; return them saved.

    Called inside the transaction that decided to send, so the e-mails, the
    task that sends them and the rows they are about are committed together
    or not at all.
    """
    deliveries = Delivery.objects.bulk_create(list(deliveries))
    if deliveries:
        send_emails.enqueue([delivery.pk for delivery in deliveries])
    return deliveries


@task()
def send_emails(delivery_pks):
    """Send the deliveries of DELIVERY_PKS not sent yet, over one SMTP connection.

    Each is claimed before it goes and recorded once the mail server took it,
    so a second run (a retry, or a run after its worker died) sends none of
    them twice. A transient failure leaves the rest queued and fails the task
    for the worker to retry (smarketing.faults); a permanent one is recorded
    on the delivery, which the pages show. Return how many went and failed.
    """
    pending = list(
        Delivery.objects.claimable().filter(pk__in=delivery_pks).values_list("pk", flat=True)
    )
    counts = {"sent": 0, "failed": 0}
    if not pending:
        return counts
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:
        if faults.is_transient(exc):
            _postpone(pending, exc)
        raise
    try:
        for start in range(0, len(pending), BATCH):
            claimed = _claim(pending[start : start + BATCH])
            for index, (delivery, message) in enumerate(claimed):
                try:
                    counts[_send(delivery, message, connection)] += 1
                except Exception:
                    # Not tried: back in the queue for the retry, not left "sending".
                    _unclaim([d.pk for d, _message in claimed[index + 1 :]])
                    raise
    finally:
        connection.close()
    return counts


def _unclaim(pks):
    Delivery.objects.filter(pk__in=pks, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.QUEUED, attempts=F("attempts") - 1
    )


def _claim(pks):
    """Claim the deliveries of PKS still claimable; issue their links; return (delivery, message).

    One transaction: a link replaces the one an earlier attempt issued, so
    each e-mail hands out one working link however often it was tried.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Delivery.objects.claimable(now)
            .filter(pk__in=pks)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "response__round__organization",
                "invitation__organization",
                "invitation__invited_by",
                "membership__user",
                "membership__organization",
                "sender",
            )
            .order_by("pk")
        )
        if not claimed:
            return []
        horizon = now - timedelta(hours=settings.TASK_RETRY_HOURS)
        given_up = [d for d in claimed if d.created_at < horizon]
        if given_up:
            _fail(given_up, _give_up_message())
            claimed = [d for d in claimed if d not in given_up]
        earlier = [d.link_id for d in claimed if d.link_id]
        if earlier:
            PrivateLink.objects.filter(pk__in=earlier).delete()
        with_links = [d for d in claimed if d.response_id]
        for delivery, link in zip(
            with_links, issue_links([d.response for d in with_links]), strict=True
        ):
            delivery.link = link
        invitations = [d.invitation for d in claimed if d.invitation_id]
        for invitation in invitations:
            invitation.new_token()
        MemberInvitation.objects.bulk_update(invitations, ["token_digest"])
        for delivery in claimed:
            delivery.status, delivery.claimed_at = Delivery.Status.SENDING, now
            delivery.attempts += 1
        Delivery.objects.bulk_update(claimed, ["status", "claimed_at", "attempts", "link"])
    return [(delivery, emails.compose(delivery)) for delivery in claimed]


def _send(delivery, message, connection):
    """Hand MESSAGE to the mail server and record what became of DELIVERY; "sent" or "failed"."""
    try:
        connection.send_messages([message])
    except Exception as exc:
        if faults.is_transient(exc):
            _record(delivery.pk, status=Delivery.Status.QUEUED, error=faults.describe(exc))
            raise
        # The server refused for good (an unknown mailbox), or the message cannot be sent.
        _fail([delivery], faults.describe(exc))
        return "failed"
    _record(delivery.pk, status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
    return "sent"


def _record(pk, **fields):
    """Store a delivery's outcome; wait out a database that restarts (up to a minute).

    The mail server has the message by now: losing the record would send it
    again at the next attempt.
    """
    for attempt in range(RECORD_TRIES):
        try:
            Delivery.objects.filter(pk=pk).update(**fields)
            return
        except (OperationalError, InterfaceError):
            if attempt == RECORD_TRIES - 1:
                raise
            connection_of_the_database.close()
            time.sleep(1)


RECORD_TRIES = 60


def _fail(deliveries, error):
    """Mark DELIVERIES not delivered, with ERROR; the links they issued stop working."""
    links = [d.link_id for d in deliveries if d.link_id]
    with transaction.atomic():
        if links:
            PrivateLink.objects.filter(pk__in=links).delete()
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=Delivery.Status.FAILED, error=error, link=None
        )


def _postpone(pks, exc):
    """Note on queued deliveries why they wait (no mail server), for the pages and recovery."""
    Delivery.objects.filter(pk__in=pks, status=Delivery.Status.QUEUED).update(
        error=faults.describe(exc), claimed_at=timezone.now()
    )


def _give_up_message():
    return f"The mail server did not accept it within {settings.TASK_RETRY_HOURS} hours."


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
    expire_evidence_uploads(now)
    purge_expired_cache_rows(now)
    reminders = notices = 0
    while sent := remind_batch(now):
        reminders += sent
    while True:
        organizations, sent = notify_batch(today)
        if not organizations:
            break
        notices += sent
    return {"reminders": reminders, "notices": notices}


def purge_expired_cache_rows(now):
    """Delete the expired rows of the database caches, rendered result pages among them.

    Django's database cache drops an expired row only when it is read again
    or the table is full, so a page whose response was never opened again
    would stay on disk past its time. Redis expires keys itself.
    """
    for cache in caches.all():
        if not isinstance(cache, DatabaseCache):
            continue
        connection = connections[router.db_for_write(cache.cache_model_class)]
        table = connection.ops.quote_name(cache._table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {connection.ops.quote_name('expires')} < %s",
                [connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))],
            )


def remind_batch(now):
    """Claim up to BATCH due reminders and queue them; return how many.

    The rows are locked (skipping those another run holds) and counted in one
    UPDATE, in the transaction that records their e-mails, so two runs at
    once never send one twice.
    """
    with transaction.atomic():
        batch = list(
            Response.objects.reminder_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not batch:
            return 0
        Response.objects.filter(pk__in=batch).update(
            reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
        )
        send_later([Delivery(kind=Delivery.Kind.REMINDER, response_id=pk) for pk in batch])
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
        memberships = list(memberships.order_by("pk").values_list("pk", "organization_id"))
        send_later(
            Delivery(kind=Delivery.Kind.DUE_NOTICE, membership_id=pk, due_on=dates[organization])
            for pk, organization in memberships
        )
    return len(due), len(memberships)


def recover(now=None):
    """Queue again the work whose task was lost; return how many of each kind.

    The worker runs this every TASK_RECOVERY_SECONDS (commands/db_worker.py),
    after it put tasks whose lease ran out back in the queue. Work that has
    no task waiting or running for it is found here: a round whose result is
    stale, an export still being prepared (after an hour, failed instead),
    e-mails still queued. Running a task twice changes nothing, so two
    workers recovering at once do no harm.
    """
    now = now or timezone.now()
    rounds = (
        Round.objects.filter(result_stale=True)
        .exclude(pk__in=_waiting(refresh_round_result))
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in rounds:
        refresh_round_result.enqueue(pk)
    exports = PortfolioExport.objects.filter(status=PortfolioExport.Status.PENDING).exclude(
        pk__in=_waiting(prepare_export)
    )
    too_old = now - timedelta(hours=1)
    failed = exports.filter(created_at__lt=too_old).update(
        status=PortfolioExport.Status.FAILED, finished_at=now
    )
    rerun = list(exports.filter(created_at__gte=too_old).values_list("pk", flat=True)[:BATCH])
    for pk in rerun:
        prepare_export.enqueue(pk)
    lease = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    waiting = {pk for args in _waiting_args(send_emails) for pk in args[0]}
    unsent = [
        pk
        for pk in Delivery.objects.claimable(now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease), created_at__lt=lease)
        .values_list("pk", flat=True)[: BATCH * 10]
        if pk not in waiting
    ]
    for start in range(0, len(unsent), BATCH):
        send_emails.enqueue(unsent[start : start + BATCH])
    counts = {"rounds": len(rounds), "exports": len(rerun), "failed exports": failed}
    counts["e-mails"] = len(unsent)
    if any(counts.values()):
        logger.warning("Recovered work whose task was lost: %s", counts)
    return counts


def _waiting_args(task_):
    """The arguments of TASK_'s runs waiting in the queue or running (the database queue)."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path=task_.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return [row["args"] for row in rows]


def _waiting(task_):
    """The first argument (an id) of TASK_'s waiting or running runs."""
    return [args[0] for args in _waiting_args(task_) if args]
