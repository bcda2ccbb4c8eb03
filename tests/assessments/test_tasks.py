"""Background work: the database queue and its worker, batched sending, the sweep's cost."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import tasks
from assessments.models import Membership, Organization, Response, Round
from tests.helpers import private_path, private_token, run_worker

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class CountingBackend(EmailBackend):
    """The test outbox, counting connections as an SMTP server would see them."""

    connections = 0

    def open(self):
        type(self).connections += 1
        return super().open()


@pytest.fixture
def counting_mail(settings):
    settings.EMAIL_BACKEND = "tests.assessments.test_tasks.CountingBackend"
    CountingBackend.connections = 0
    return CountingBackend


def test_an_invitation_waits_in_the_queue_for_the_worker_without_its_link(
    member, round, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    response = member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "new@acme.example", "name": "New", "role": "sales", "language": "en"},
    )
    assert response.status_code == 302
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "assessments.tasks.send_emails"
    run_worker(monkeypatch)
    [sent] = mail.outbox
    assert sent.to == ["new@acme.example"]
    # The link was issued by the worker: the queue never held it.
    token = private_token(sent.body)
    queued.refresh_from_db()
    assert token not in str(queued.args_kwargs) and queued.status == "SUCCESSFUL"
    invitee = Response.objects.get(email="new@acme.example")
    assert member.get(private_path(token)).status_code in (200, 302)
    assert invitee.links.count() == 2  # one at creation, never handed out; one e-mailed
    delivery = invitee.deliveries.get()
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.link.response == invitee


def test_the_cron_command_enqueues_the_sweep_for_the_worker(settings, capsys, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    call_command("send_reminders")
    assert "Enqueued the daily sweep" in capsys.readouterr().out
    assert DBTaskResult.objects.get().task_path == "assessments.tasks.daily_sweep"
    run_worker(monkeypatch)
    assert DBTaskResult.objects.get().return_value == {"reminders": 0, "notices": 0}


def invitees(round, count, invited_at):
    return Response.objects.bulk_create(
        Response(
            round=round,
            questionnaire=round.questionnaire,
            organization_name=round.organization.name,
            role="sales",
            email=f"p{Response.objects.count()}-{index}@acme.example",
            invited_at=invited_at,
        )
        for index in range(count)
    )


def purges():
    """The sweep's DELETE of expired rows, one per database cache (none with Redis)."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    return sum(isinstance(cache, DatabaseCache) for cache in caches.all())


def test_a_batch_of_reminders_goes_over_one_connection_in_constant_queries(
    round, counting_mail, settings, django_assert_num_queries
):
    # The sweep claims and queues in a few queries at any size; the worker
    # then sends each batch over one connection, recording each e-mail once.
    settings.TASKS = DATABASE_QUEUE
    start = timezone.now() - datetime.timedelta(days=4)
    invitees(round, 3, start)
    with django_assert_num_queries(15 + purges()) as small:
        assert tasks.daily_sweep.call()["reminders"] == 3
    [queued] = DBTaskResult.objects.filter(task_path="assessments.tasks.send_emails")
    with django_assert_num_queries(6 + 3) as sending:
        assert tasks.send_emails.call(*queued.args_kwargs["args"]) == {"sent": 3, "failed": 0}
    assert counting_mail.connections == 1 and len(mail.outbox) == 3
    assert set(Response.objects.values_list("reminders_sent", flat=True)) == {1}

    invitees(round, 30, start)
    counting_mail.connections = 0
    with django_assert_num_queries(len(small.captured_queries)):
        assert tasks.daily_sweep.call()["reminders"] == 30
    [queued] = DBTaskResult.objects.filter(task_path="assessments.tasks.send_emails").exclude(
        pk=queued.pk
    )
    # One UPDATE per e-mail the server took: the record that keeps it from going twice.
    with django_assert_num_queries(len(sending.captured_queries) - 3 + 30):
        tasks.send_emails.call(*queued.args_kwargs["args"])
    assert counting_mail.connections == 1 and len(mail.outbox) == 33
    # Sent are counted: a second run the same day finds nothing, a second send sends nothing.
    assert tasks.daily_sweep.call()["reminders"] == 0
    assert tasks.send_emails.call(*queued.args_kwargs["args"]) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 33


def test_invitations_of_a_new_round_go_over_one_connection(
    member, organization, questionnaire, counting_mail
):
    last = Round.objects.create(
        organization=organization, questionnaire=questionnaire, closed_at=timezone.now()
    )
    invitees(last, 4, timezone.now())
    emails = list(last.responses.values_list("email", flat=True))
    data = {"visibility": "confidential", "reinvite": emails}
    member.post(reverse("assessments:round_new", args=[organization.pk]), data)
    assert len(mail.outbox) == 4 and counting_mail.connections == 1


def add_organizations(questionnaire, count, opened_on):
    for index in range(count):
        organization = Organization.objects.create(name=f"Org {index}")
        Round.objects.create(
            organization=organization, questionnaire=questionnaire, opened_on=opened_on
        )


def test_a_day_with_nothing_due_is_a_few_queries_whatever_the_size(
    questionnaire, django_assert_max_num_queries
):
    # Every organization was told already or is not due; every invitee reminded twice.
    opened = timezone.localdate() - datetime.timedelta(days=200)
    add_organizations(questionnaire, 3, opened)
    Organization.objects.update(due_notice_sent_for=F("next_due_on"))
    with django_assert_max_num_queries(9 + purges()) as small:
        tasks.daily_sweep.call()
    add_organizations(questionnaire, 40, opened)
    Organization.objects.update(due_notice_sent_for=F("next_due_on"))
    for round in Round.objects.all()[:20]:
        invitees(round, 2, timezone.now() - datetime.timedelta(days=30))
    Response.objects.update(reminders_sent=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert tasks.daily_sweep.call() == {"reminders": 0, "notices": 0}


def test_due_notices_go_out_once_per_due_date_in_batches(
    organization, leader, questionnaire, counting_mail
):
    with time_machine.travel(datetime.datetime(2026, 1, 31, 9, tzinfo=datetime.UTC)):
        Round.objects.create(organization=organization, questionnaire=questionnaire)
    others = [Organization.objects.create(name=f"Other {i}") for i in range(3)]
    for other in others:
        Membership.objects.create(organization=other, user=leader, role="marketing")
        Round.objects.create(
            organization=other,
            questionnaire=questionnaire,
            opened_on=datetime.date(2026, 1, 31),
        )
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, tzinfo=datetime.UTC)):
        assert tasks.daily_sweep.call()["notices"] == 4
        assert tasks.daily_sweep.call()["notices"] == 0
    assert len(mail.outbox) == 4 and counting_mail.connections == 1


def test_an_upload_waits_for_the_worker_which_reads_it_and_deletes_the_file(
    settings, member, round, monkeypatch
):
    from assessments.models import Evidence, EvidenceUpload
    from tests.helpers import crm_export, upload_export

    settings.TASKS = DATABASE_QUEUE
    upload_export(member, round, crm_export(200))
    record = Evidence.objects.get()
    assert record.status == "pending" and EvidenceUpload.objects.exists()
    page = member.get(round.get_absolute_url()).content.decode()
    assert "Waiting for its turn to be read." in page
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "assessments.tasks.read_evidence"
    assert queued.args_kwargs == {"args": [record.pk], "kwargs": {}}  # an id, never the file
    run_worker(monkeypatch)
    record.refresh_from_db()
    assert record.status == "ready" and record.rows_read == 200
    assert not EvidenceUpload.objects.exists()


def test_an_upload_waiting_for_its_columns_is_deleted_by_a_task_due_when_it_expires(
    settings, member, round, monkeypatch
):
    from assessments.models import Evidence, EvidenceUpload
    from tests.helpers import upload_export

    settings.TASKS = DATABASE_QUEUE
    upload_export(member, round, b"When,Funnel\n2025-03-14,lead\n2025-03-15,lead\n")
    record = Evidence.objects.get()
    queued = DBTaskResult.objects.get(task_path="assessments.tasks.expire_evidence_upload")
    expected = record.created_at + datetime.timedelta(minutes=settings.EVIDENCE_MAPPING_MINUTES)
    assert abs(queued.run_after - expected) < datetime.timedelta(seconds=5)
    run_worker(monkeypatch)  # not due yet: nothing happens
    assert EvidenceUpload.objects.exists()
    with time_machine.travel(expected + datetime.timedelta(seconds=1)):
        run_worker(monkeypatch)
    record.refresh_from_db()
    assert (record.status, record.error) == ("failed", "expired")
    assert not EvidenceUpload.objects.exists()


def test_the_sweep_deletes_expired_rows_of_the_database_caches(questionnaire):
    """Django's database cache keeps an expired row until it is read again or culled."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connection

    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        pytest.skip("Redis expires keys itself")
    cache.clear()
    cache.set("start:203.0.113.9", 1, timeout=60)
    cache.set("login-failed", "still wanted", timeout=3 * 3600)

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(cache._table)}")
            return cursor.fetchone()[0]

    assert rows() == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        tasks.daily_sweep.call()
    assert rows() == 1 and cache.get("login-failed") == "still wanted"
