"""Helpers for tests; conftest.py holds the fixtures (personas), this module the functions."""

import re

from django.urls import reverse

PRIVATE_LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,64})/")
INVITATION_LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]{20,64})/")


def private_token(text):
    """The token of the (last) private link in TEXT: an e-mail body or a redirect address."""
    return PRIVATE_LINK.findall(text)[-1]


def invitation_token(text):
    return INVITATION_LINK.findall(text)[-1]


def private_path(token):
    return reverse("assessments:resume", args=[token])


def close(round):
    """Close ROUND now, as a member would; a confidential round publishes its figures then."""
    from django.utils import timezone

    type(round).objects.filter(pk=round.pk).update(closed_at=timezone.now())
    round.refresh_from_db()
    # Closing by hand goes through Round.close(), which refreshes the portfolio's columns.
    round.organization.refresh_summary()
    return round


def by_question(mapping, default=0):
    """pick() by (indicator key, nth question of it), indicator key or stage number.

    Values are option indexes (0 = least aligned); None is "I don't know".
    """
    seen = {}

    def pick(question):
        key = question.indicator.key
        asked = seen.setdefault(key, [])
        if question.pk not in asked:
            asked.append(question.pk)
        for choice in ((key, asked.index(question.pk)), key, question.indicator.stage.number):
            if choice in mapping:
                index = mapping[choice]
                break
        else:
            index = default
        return None if index is None else list(question.options.all())[index]

    return pick


def page_data(section, pick, **extra):
    """POST data answering every question of a page; pick(question) returns an option or None."""
    data = {}
    for question in section.questions.all():
        option = pick(question)
        data[question.field_name] = "dont-know" if option is None else str(option.pk)
    return {**data, **extra}


def lowest(question):
    return question.options.all()[0]


def highest(question):
    return list(question.options.all())[-1]


def answer_all(client, response, pick=highest):
    """Answer every page through the views; return the last HTTP response."""
    from django.urls import reverse

    for number, section in enumerate(response.questionnaire.pages(), start=1):
        url = reverse("assessments:page", args=[response.token, number])
        last = client.post(url, page_data(section, pick, next="1"))
        assert last.status_code == 302, last.content
    return last


def submit_response(round, role, pick=highest, **fields):
    """Create a response in ROUND answered with pick(question) and submit it."""
    from django.db import transaction

    from assessments import tasks
    from assessments.models import Answer, Response

    if round is not None:
        fields = {
            "questionnaire": round.questionnaire,
            "organization_name": round.organization.name,
            **fields,
        }
    response = Response.objects.create(
        round=round, role=role, **{"organization_name": "Acme", **fields}
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, option=pick(question))
        for section in response.questionnaire.pages()
        for question in section.questions.all()
    )
    with transaction.atomic():
        tasks.submit_response(response)
    return response


def benchmark_round(
    organization,
    position=2.5,
    stage=2,
    attainment=None,
    groups=None,
    respondents=3,
    closed_at="now",
    opened_on=None,
    **fields,
):
    """A closed round of ORGANIZATION with stored figures, as the benchmark reads them."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from assessments.models import Questionnaire, Round

    closed_at = timezone.now() if closed_at == "now" else closed_at
    opened_on = opened_on or (closed_at or timezone.now()).date() - datetime.timedelta(days=7)
    return Round.objects.create(
        organization=organization,
        questionnaire=Questionnaire.objects.active(),
        opened_on=opened_on,
        closed_at=closed_at,
        position=Decimal(str(position)),
        stage=stage,
        attainment=attainment or {"2": 0.5, "3": 0.4, "4": 0.2},
        flags=fields.pop("flags", []),
        coverage=1.0,
        respondents=respondents,
        groups=groups or {},
        **fields,
    )


def sides(marketing, sales, count=3):
    """Stored role groups with the marketing and sales sides' attainment of stages 2 to 4."""

    def side(value):
        return {
            "count": count,
            "position": 2.0,
            "stage": 2,
            "flags": [],
            "indicator_scores": {},
            "attainment": {"2": value, "3": value, "4": value},
        }

    return {"marketing": side(marketing), "sales": side(sales)}


def run_worker(monkeypatch):
    """Run the database queue's worker until the queue is empty, inside the test's transaction.

    The worker closes connections it finds out of autocommit between tasks,
    as a long-running process should; here that would close the test's own.
    """
    from django.core.management import call_command

    monkeypatch.setattr(
        "assessments.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0)


def among_peers(organization, peers=5):
    """Opt ORGANIZATION in beside PEERS opted-in peers and materialize the benchmark.

    Enough for every section of the benchmark pages to show, the gap included.
    """
    from assessments.management.commands.materialize_benchmark import materialize
    from assessments.models import Organization

    Organization.objects.filter(pk=organization.pk).update(benchmark_opt_in=True)
    for n in range(peers):
        peer = Organization.objects.create(name=f"Peer {n}", benchmark_opt_in=True)
        benchmark_round(peer, position=1.5 + n / 2, groups=sides(0.6, 0.1 * n), respondents=6)
    materialize()


def crm_export(count=120, seed=1, kind="leads", source="hubspot", style="us", **profile):
    """A generated CRM export (demo_export: no real people) as CSV bytes."""
    from assessments.management import demo_export

    make = demo_export.leads if kind == "leads" else demo_export.deals
    header, rows = make(count, seed=seed, profile=demo_export.Profile(**profile), source=source)
    return demo_export.to_csv(header, rows, style)


def upload_export(client, round, data, name="export.csv", kind="leads", follow=False, **fields):
    """Post DATA as a CRM export of ROUND through the upload page; return the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("assessments:evidence_upload", args=[round.pk])
    file = SimpleUploadedFile(name, data)
    return client.post(url, {"kind": kind, "file": file, **fields}, follow=follow)


def add_evidence(round, user):
    """Read generated leads and deals exports for ROUND through the upload page, as USER."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    leads = crm_export(200, follow_up_hours=90, never_worked=0.3)
    assert upload_export(client, round, leads, "leads.csv").status_code == 302
    deals = crm_export(120, kind="deals", source="salesforce")
    assert upload_export(client, round, deals, "deals.csv", kind="deals").status_code == 302


def waiting_for_columns(round, user):
    """An export of ROUND whose columns were not recognised; return its columns page's URL."""
    from django.test import Client

    from assessments.models import Evidence

    client = Client()
    client.force_login(user)
    data = b"Lead,Opened,Funnel step\n" + b"".join(b"L%d,2025-03-14,lead\n" % n for n in range(5))
    upload_export(client, round, data, "other.csv")
    record = Evidence.objects.get(round=round, status="mapping")
    return reverse("assessments:evidence_columns", args=[round.pk, record.pk])


def use_up_starts(count, address="127.0.0.1"):
    """Count COUNT anonymous starts from ADDRESS in the rate limiter, as if they had happened.

    Through the limiter the views use, so a test reaches the per-address limit
    without posting a thousand forms.
    """
    from django.test import RequestFactory

    from assessments import throttle

    request = RequestFactory().post("/", REMOTE_ADDR=address)
    for _ in range(count):
        assert throttle.allowed(request, "start")


def busy_round():
    """A round, unsaved, to render the page of a shared link at its cap without a database."""
    from assessments.models import Organization, Round

    return Round(pk=1, organization=Organization(name="Acme"))
