"""The consultants' dashboard: strict separation, portfolio, client detail, exports."""

import csv
import datetime
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl.utils import get_column_letter

from assessments import results
from assessments.models import Organization, PrivateLink, Questionnaire, Round
from assessments.portfolio import filtered_portfolio
from assessments.views.consultants import PER_PAGE
from stages.models import Stage
from tests.helpers import highest, lowest, submit_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a(questionnaire):
    organization = Organization.objects.create(name="Alpha Client", industry="software")
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True
    )
    submit_response(round, "marketing", highest, name="Alice Alpha", email="alice@alpha.example")
    submit_response(round, "sales", lowest, name='=HYPERLINK("http://evil")')
    return organization


@pytest.fixture
def org_b(questionnaire):
    organization = Organization.objects.create(name="Beta Client")
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True
    )
    submit_response(round, "ceo", highest, name="Bob Beta", email="bob@beta.example")
    return organization


@pytest.fixture
def consultant_a(make_consultant, org_a):
    return make_consultant("ca@consult.example", org_a)


@pytest.fixture
def consultant_b(make_consultant, org_b):
    return make_consultant("cb@consult.example", org_b)


def urls_for(organization):
    round = organization.rounds.get()
    response = round.responses.first()
    return [
        reverse("admin:dashboard_client", args=[organization.pk]),
        reverse("admin:dashboard_report", args=[organization.pk]),
        reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]),
        reverse("admin:dashboard_rounds_export", args=[organization.pk, "xlsx"]),
        reverse("admin:dashboard_responses_export", args=[round.pk, "csv"]),
        reverse("admin:dashboard_responses_export", args=[round.pk, "xlsx"]),
        reverse("admin:assessments_organization_change", args=[organization.pk]),
        reverse("admin:assessments_organization_history", args=[organization.pk]),
        reverse("admin:assessments_round_change", args=[round.pk]),
        reverse("admin:assessments_response_change", args=[response.pk]),
    ]


def fetch(client, url):
    """GET a page; an export is made by POST (the dashboard's forms)."""
    return (client.post if url.endswith((".csv", ".xlsx")) else client.get)(url)


def test_consultant_reaches_every_page_of_their_client(client, consultant_a, org_a):
    client.force_login(consultant_a)
    for url in urls_for(org_a):
        assert fetch(client, url).status_code == 200, url


def test_consultant_gets_404_for_every_page_of_another_client(
    client, consultant_a, consultant_b, org_b
):
    client.force_login(consultant_a)
    for url in urls_for(org_b):
        response = fetch(client, url)
        assert response.status_code == 404, url
        assert b"Beta Client" not in response.content and b"Bob Beta" not in response.content


@pytest.mark.parametrize(
    "name",
    ["organization", "round", "response", "planitem"],
)
def test_admin_lists_show_only_assigned_clients(client, consultant_a, consultant_b, name):
    client.force_login(consultant_a)
    page = client.get(reverse(f"admin:assessments_{name}_changelist"))
    assert page.status_code == 200
    assert "Beta Client" not in page.text and "Bob Beta" not in page.text


def test_lists_show_the_consultants_own_data(client, consultant_a):
    client.force_login(consultant_a)
    assert "Alpha Client" in client.get(reverse("admin:assessments_organization_changelist")).text
    assert "Alice Alpha" in client.get(reverse("admin:assessments_response_changelist")).text


def test_autocomplete_offers_only_assigned_clients(client, consultant_a, consultant_b):
    client.force_login(consultant_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "assessments",
            "model_name": "round",
            "field_name": "organization",
            "term": "",
        },
    )
    names = [result["text"] for result in response.json()["results"]]
    assert names == ["Alpha Client"]


def test_portfolio_shows_only_assigned_clients_and_superuser_sees_all(
    client, consultant_a, consultant_b, superuser
):
    client.force_login(consultant_a)
    page = client.get(reverse("admin:dashboard"))
    assert "Alpha Client" in page.text and "Beta Client" not in page.text
    client.force_login(superuser)
    page = client.get(reverse("admin:dashboard"))
    assert "Alpha Client" in page.text and "Beta Client" in page.text
    filtered = client.get(reverse("admin:dashboard"), {"consultant": consultant_b.pk})
    assert "Beta Client" in filtered.text and "Alpha Client" not in filtered.text


def test_staff_without_the_dashboard_permission_is_refused(client, django_user_model, org_a):
    staff = django_user_model.objects.create_user("s@x.example", "s@x.example", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:dashboard")).status_code == 403
    assert client.get(reverse("admin:dashboard_client", args=[org_a.pk])).status_code == 403


def test_leaders_and_visitors_are_sent_to_the_admin_login(client, leader, org_a):
    for user in [None, leader]:
        if user:
            client.force_login(user)
        response = client.get(reverse("admin:dashboard_client", args=[org_a.pk]))
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_portfolio_filters_sorts_and_flags(client, superuser, questionnaire, org_a, org_b):
    overdue = Organization.objects.create(name="Gamma Late")
    Round.objects.create(
        organization=overdue,
        questionnaire=questionnaire,
        opened_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:dashboard"), {"overdue": "1"})
    assert [c.name for c in page.context["clients"]] == ["Gamma Late"]
    assert "(overdue)" in page.text
    by_position = client.get(reverse("admin:dashboard"), {"sort": "-position"})
    assert [c.name for c in by_position.context["clients"]] == [
        "Beta Client",
        "Alpha Client",
        "Gamma Late",
    ]
    stage_four = client.get(reverse("admin:dashboard"), {"stage": "4"})
    assert [c.name for c in stage_four.context["clients"]] == ["Beta Client"]
    search = client.get(reverse("admin:dashboard"), {"q": "alp"})
    assert [c.name for c in search.context["clients"]] == ["Alpha Client"]
    assert client.get(reverse("admin:dashboard"), {"page": "zz"}).status_code == 200
    for tampered in [
        {"sort": "password"},
        {"stage": "x"},
        {"stage": "9"},
        {"consultant": "9" * 30},
        {"consultant": "-1"},
        {"q": "x" * 500},
    ]:
        response = client.get(reverse("admin:dashboard"), tampered)
        assert response.status_code == 400, tampered
        assert "This address is not valid" in response.text
        url = reverse("admin:dashboard_export", args=["csv"]) + "?" + urlencode(tampered)
        export = client.post(url)
        assert export.status_code == 400, tampered


def test_portfolio_row_has_change_rate_and_flags(client, superuser, org_a, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    org_a.rounds.update(closed_at=timezone.now())
    second = Round.objects.create(
        organization=org_a,
        questionnaire=org_a.rounds.first().questionnaire,
        consultant_access=True,
    )
    submit_response(second, "marketing", highest)
    submit_response(second, "sales", highest)
    client.force_login(superuser)
    [row] = client.get(reverse("admin:dashboard"), {"q": "Alpha"}).context["clients"]
    assert float(row.change) == pytest.approx(4.0 - 1.6667, abs=0.001)
    assert row.rate_percent == 100
    page = client.get(reverse("admin:dashboard"), {"q": "Alpha"})
    # The change is told between the positions as shown, 1.6 then 4.0, so it adds up.
    assert "▲ +2.4" in page.text


def test_portfolio_query_count_is_constant(
    client, superuser, questionnaire, django_assert_num_queries
):
    def add_clients(count):
        for index in range(count):
            organization = Organization.objects.create(
                name=f"Client {Organization.objects.count()}"
            )
            round = Round.objects.create(
                organization=organization, questionnaire=questionnaire, consultant_access=True
            )
            if index % 2:
                submit_response(round, "marketing", highest)

    add_clients(5)
    client.force_login(superuser)
    client.get(reverse("admin:dashboard"))
    # session, user, count, page of clients, consultants filter, stages filter
    with django_assert_num_queries(6) as five:
        client.get(reverse("admin:dashboard"))
    add_clients(45)
    with django_assert_num_queries(len(five.captured_queries)):
        page = client.get(reverse("admin:dashboard"))
    assert len(page.context["clients"]) == 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigram index")
def test_the_search_by_name_is_served_by_the_trigram_index(superuser):
    Organization.objects.bulk_create(Organization(name=f"Client {n:04d}") for n in range(300))
    rows, _sort = filtered_portfolio(Organization.objects.all(), superuser, QueryDict("q=nt 0299"))
    with connection.cursor() as cursor:
        # At a few hundred rows reading them all is cheaper; what matters is that
        # the index matches the query the search sends (UPPER(name::text) LIKE …),
        # so the planner is left only index-driven bitmap scans to choose from.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = rows[:PER_PAGE].explain()
    assert "org_name_trgm_idx" in plan
    assert [row.name for row in rows] == ["Client 0299"]


def test_rounds_xlsx_export(client, consultant_a, org_a):
    client.force_login(consultant_a)
    response = client.post(reverse("admin:dashboard_rounds_export", args=[org_a.pk, "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = [[c.value for c in r] for r in sheet.iter_rows()]
    assert header[:10] == [
        "organization",
        "round_id",
        "opened_on",
        "closes_on",
        "closed_at",
        "questionnaire_version",
        "respondents",
        "position",
        "stage",
        "stage_label",  # the code's label, next to it
    ]
    assert row[0] == "Alpha Client" and row[6] == 2


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_xlsx_export_reads_like_the_page(client, consultant_a, org_a, language):
    """Widths, a bold frozen header with filters, labels beside codes, formats as on screen."""
    client.force_login(consultant_a)
    client.cookies["django_language"] = language
    round = org_a.rounds.get()
    response = client.post(reverse("admin:dashboard_rounds_export", args=[org_a.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}2"
    cells = dict(zip(header, sheet[2], strict=True))
    # The value is the page's figure (1.6667 reads 1.6, never a rounded 1.7), in its format.
    assert cells["position"].value == float(round.reading.position) == 1.6
    assert cells["position"].number_format == "0.0"
    assert cells["coverage"].number_format == "0%"
    assert cells["coverage"].value == round.coverage_percent / 100
    assert cells["opened_on"].number_format == "d mmm yyyy"
    assert cells["stage"].value == round.stage  # the stable code stays
    # Its label is the headline's, in the requester's language, as the pages name it.
    with translation.override(language):
        stages = {stage.number: stage for stage in Stage.objects.all()}
        title = results.verdict(round.position, round.stage, round.flags, stages)
    assert title and cells["stage_label"].value == title
    # A date column is wide enough for "30 Nov 2026": never "#####".
    width = sheet.column_dimensions[get_column_letter(header.index("opened_on") + 1)].width
    assert width >= len("30 Nov 2026")


def test_responses_export_has_one_column_per_indicator_and_no_formula(client, consultant_a, org_a):
    client.force_login(consultant_a)
    round = org_a.rounds.get()
    response = client.post(reverse("admin:dashboard_responses_export", args=[round.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    keys = Questionnaire.objects.active().indicator_keys()
    assert header[-len(keys) :] == keys and "strategic.lead-definition" in header
    names = [row[header.index("name")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(row[header.index("name")].startswith("=") for row in rows[1:])
    for link in PrivateLink.objects.all():
        assert link.digest not in response.content.decode()

    xlsx = client.post(reverse("admin:dashboard_responses_export", args=[round.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    evil = next(c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert evil.data_type == "s"


def test_unknown_export_format_is_a_404(client, consultant_a, org_a):
    client.force_login(consultant_a)
    assert (
        client.post(reverse("admin:dashboard_rounds_export", args=[org_a.pk, "pdf"])).status_code
        == 404
    )


def test_portfolio_export_obeys_the_access_rule(client, consultant_a, consultant_b):
    client.force_login(consultant_a)
    response = client.post(reverse("admin:dashboard_export", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert "Alpha Client" in text and "Beta Client" not in text
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == ["organization", "industry", "size", "cadence", "latest_position"]


def test_client_detail_shows_heatmap_responses_and_gap(client, consultant_a, org_a, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    client.force_login(consultant_a)
    page = client.get(reverse("admin:dashboard_client", args=[org_a.pk]))
    assert "Indicator heatmap" in page.text
    # Columns are headed by the indicators' names, never by their internal keys.
    assert ">Lead definition</th>" in page.text and "strategic.lead-definition" not in page.text
    assert "Alice Alpha" in page.text  # individual responses, for the assigned consultant
    assert "the perception gap" in page.text
    # Marketing at the top and sales at the bottom: no cell reads their mean (50%).
    cell = page.context["heatmap"]["rows"][0][1][0]
    assert str(cell["dispute"]) == "disputed: marketing 100%, sales 0%" and "colour" not in cell
    assert '<span class="disputed">disputed: marketing 100%, sales 0%</span>' in page.text


def test_report_is_printable(client, consultant_a, org_a):
    client.force_login(consultant_a)
    page = client.get(reverse("admin:dashboard_report", args=[org_a.pk]))
    assert "report.css" in page.text and "Alpha Client" in page.text


def test_respondents_are_told_when_a_consultant_follows_the_round(client, consultant_a, org_a):
    round = org_a.rounds.get()
    page = client.get(round.get_share_url())
    assert "run with a consultant" in page.text


def test_superuser_clones_and_publishes_a_version_and_answered_versions_are_read_only(
    client, superuser, questionnaire, org_a
):
    client.force_login(superuser)
    change = reverse("admin:assessments_questionnaire_change", args=[questionnaire.pk])
    page = client.get(change)
    assert page.context["has_change_permission"] is False
    assert client.post(change, {"title_en": "x"}).status_code == 403
    client.post(
        reverse("admin:assessments_questionnaire_changelist"),
        {"action": "clone_versions", "_selected_action": [questionnaire.pk]},
    )
    copy = Questionnaire.objects.get(version=questionnaire.version + 1)
    assert not copy.is_locked and not copy.is_active
    assert client.get(reverse("admin:assessments_questionnaire_change", args=[copy.pk])).context[
        "has_change_permission"
    ]
    client.post(
        reverse("admin:assessments_questionnaire_changelist"),
        {"action": "publish_version", "_selected_action": [copy.pk]},
    )
    assert Questionnaire.objects.active() == copy


def test_the_client_pages_round_links_lead_somewhere_a_consultant_may_go(
    client, consultant_a, org_a
):
    client.force_login(consultant_a)
    page = client.get(reverse("admin:dashboard_client", args=[org_a.pk]))
    round = org_a.rounds.get()
    link = reverse("admin:dashboard_client", args=[org_a.pk]) + f"#round-{round.pk}"
    assert f'href="{link}"' in page.text and f'id="round-{round.pk}"' in page.text
    assert f'href="{round.get_absolute_url()}"' not in page.text  # a member page: a 404 for them
