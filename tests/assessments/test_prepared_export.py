"""Large portfolio exports: prepared by the worker, downloaded by whoever asked, then dropped."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessments import tasks
from assessments.models import Organization, PortfolioExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients_abc(make_consultant):
    organizations = [Organization.objects.create(name=n) for n in ["Alpha", "Beta", "Gamma"]]
    return organizations


@pytest.fixture
def large(settings):
    settings.EXPORT_IMMEDIATE_ROWS = 1


def rows_of(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_large_export_is_prepared_then_offered_for_download(
    client, make_consultant, clients_abc, large
):
    alpha, beta, _gamma = clients_abc
    consultant = make_consultant("c@consult.example", alpha)
    beta.consultants.add(consultant)
    client.force_login(consultant)
    response = client.post(reverse("admin:dashboard_export", args=["csv"]) + "?sort=-name")
    export = PortfolioExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:dashboard_prepared_export", args=[export.pk])
    page = client.get(response["Location"])
    assert "The export of 2 clients is ready." in page.text
    download = client.get(reverse("admin:dashboard_prepared_export_download", args=[export.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="portfolio-')
    # The consultant's access rule and the page's sort, as in the request.
    assert [row[0] for row in rows_of(download.content)[1:]] == ["Beta", "Alpha"]


def test_only_the_requester_downloads_and_only_while_kept(
    client, make_consultant, superuser, clients_abc, large
):
    consultant = make_consultant("c@consult.example", clients_abc[0])
    client.force_login(superuser)
    client.post(reverse("admin:dashboard_export", args=["xlsx"]))
    export = PortfolioExport.objects.get()
    assert export.status == "ready" and export.rows == 3
    download = reverse("admin:dashboard_prepared_export_download", args=[export.pk])
    assert client.get(download)["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(consultant)
    assert client.get(download).status_code == 404
    client.force_login(superuser)
    later = timezone.now() + datetime.timedelta(hours=25)
    with time_machine.travel(later):
        assert client.get(download).status_code == 404
        tasks.daily_sweep.call()
    assert not PortfolioExport.objects.exists()


def test_a_pending_export_says_so_and_cannot_be_downloaded(client, superuser, clients_abc):
    export = PortfolioExport.objects.create(requested_by=superuser, format="csv")
    client.force_login(superuser)
    page = client.get(reverse("admin:dashboard_prepared_export", args=[export.pk]))
    assert "being prepared in the background" in page.text
    download = reverse("admin:dashboard_prepared_export_download", args=[export.pk])
    assert client.get(download).status_code == 404


def test_an_export_whose_requester_lost_the_dashboard_fails_without_data(
    make_consultant, clients_abc
):
    consultant = make_consultant("c@consult.example", clients_abc[0])
    export = PortfolioExport.objects.create(requested_by=consultant, format="csv")
    consultant.groups.clear()
    tasks.prepare_export.call(export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and export.content is None


def test_tampered_filters_are_refused_before_anything_is_queued(client, superuser, large):
    client.force_login(superuser)
    response = client.post(reverse("admin:dashboard_export", args=["csv"]) + "?sort=password")
    assert response.status_code == 400 and not PortfolioExport.objects.exists()
    assert client.post(reverse("admin:dashboard_export", args=["pdf"])).status_code == 404
