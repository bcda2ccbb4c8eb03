"""Disagreement reads as disagreement: disputed indicators and the leadership–teams gap.

On the team, round, client and report pages and in both exports, within the
privacy rules of the gap between role groups.
"""

import csv
import datetime
import html
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import Round
from tests.helpers import by_question, close, submit_response

pytestmark = pytest.mark.django_db

# The example: a CRO at 2.8 against a CMO at 1.7 and a CSO at 1.5. Everyone
# answers that a CRO leads both (the reporting line's last option).
CRO = by_question({2: 3, 3: 2, 4: 4})
CMO = by_question(
    {
        "strategic.shared-priority": 2,
        "strategic.leadership-meetings": 2,
        "strategic.implementation-plan": 1,
        "strategic.joint-audience": 2,
        "strategic.lead-definition": 1,
        3: 1,
        4: 4,
    }
)
CSO = by_question(
    {
        "strategic.shared-priority": 1,
        "strategic.leadership-meetings": 1,
        "strategic.implementation-plan": 1,
        "strategic.joint-audience": 2,
        "strategic.lead-definition": 1,
        3: 1,
        4: 4,
    }
)
# Marketing sees an agreed lead definition, sales none; everything else alike.
SIDES_APART = (
    by_question({"strategic.lead-definition": 3}, default=1),
    by_question({"strategic.lead-definition": 0}, default=1),
)


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def sheet_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def compact(page):
    return " ".join(html.unescape(page).split())


@pytest.fixture
def optimistic_cro(round, settings):
    """An open round of three, one person per role group: members see every group."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    Round.objects.filter(pk=round.pk).update(visibility="open")
    round.refresh_from_db()
    positions = [
        submit_response(round, role, pick).position
        for role, pick in [("revenue", CRO), ("marketing", CMO), ("sales", CSO)]
    ]
    assert [str(position)[:3] for position in positions] == ["2.8", "1.7", "1.5"]
    return close(round)


def test_an_optimistic_cro_is_the_finding_on_the_team_and_round_pages(
    client, leader, optimistic_cro
):
    client.force_login(leader)
    # The team page names the finding and leads to the round page, which explains it.
    team = compact(client.get(optimistic_cro.organization.get_absolute_url()).text)
    assert '<span class="status status-partly">Leadership apart from the teams</span>' in team
    assert f'<a href="{optimistic_cro.get_absolute_url()}">See the round:' in team
    assert "Perception gap" not in team
    page = compact(client.get(optimistic_cro.get_absolute_url()).text)
    assert "Leadership apart from the teams</h2>" in page
    assert (
        "The leadership sees 2 stages or indicators as further along than both marketing "
        "and sales do, by 50 points or more. The leaders' optimism is itself the finding"
    ) in page
    assert "<strong>Lead definition</strong>" in page
    assert "<strong>Implementation plan</strong>" in page
    assert "disputed: leadership 100%, marketing 33%, sales 33%" in page
    # Where to start: the lead definition, read as disputed rather than as its 55% mean.
    assert "(disputed: leadership 100%, marketing 33%, sales 33%; one of the practices" in page
    assert "55% in place" not in page
    assert (
        "the leadership sees it as in place (100%), while marketing sees it as partly in "
        "place (33%) and sales sees it as partly in place (33%). The leaders count on a "
        "practice the teams do not see at work"
    ) in page
    # The headline stays the team's, and the page says so.
    assert "The team's position and stage above still count everyone's answers." in page
    # Marketing and sales are within 50 points of each other everywhere.
    assert "Perception gap</h2>" not in page


def test_the_optimistic_cro_in_spanish(spanish, leader, optimistic_cro):
    spanish.force_login(leader)
    page = compact(spanish.get(optimistic_cro.get_absolute_url()).text)
    assert "en disputa: dirección 100%, marketing 33%, ventas 33%" in page
    assert "El optimismo de la dirección es en sí el hallazgo" in page


def test_the_dashboard_and_the_exports_flag_the_leadership_gap(client, superuser, optimistic_cro):
    # Run with a consultant, so that the dashboard shows its groups of one (as its
    # respondents were told); the portfolio reads a round as its consultants may.
    Round.objects.filter(pk=optimistic_cro.pk).update(consultant_access=True)
    optimistic_cro.organization.refresh_summary()
    client.force_login(superuser)
    [row] = client.get(reverse("admin:dashboard")).context["clients"]
    assert "leadership-gap" in row.flag_codes and "perception-gap" not in row.flag_codes
    assert "Leadership apart from the teams" in row.flag_names
    [exported] = csv_rows(client.post(reverse("admin:dashboard_export", args=["csv"])).content)
    assert "leadership-gap" in exported["flags"].split()
    organization = optimistic_cro.organization
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"])
    [round_row] = csv_rows(client.post(url).content)
    assert "leadership-gap" in round_row["flags"].split()
    assert (
        "strategic.lead-definition: leadership 100%, marketing 33%, sales 33%"
        in (round_row["disputed"])
    )


@pytest.fixture
def sides_apart(round, settings):
    """A confidential round closed with one marketing and one sales answer, published."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    for role, pick in zip(["marketing", "sales"], SIDES_APART, strict=True):
        submit_response(round, role, pick)
    return close(round)


DISPUTED = "disputed: marketing 100%, sales 0%"
LISTED = (
    "<strong>Lead definition</strong> (Marketing and sales have agreed together on what makes "
    f"a lead qualified.): {DISPUTED}"
)


def test_a_disputed_indicator_reads_both_figures_on_every_page(
    client, leader, superuser, sides_apart
):
    client.force_login(leader)
    # The team page is the overview: the finding's name, the figures on the round page.
    team = compact(client.get(sides_apart.organization.get_absolute_url()).text)
    assert "Perception gap" in team and "50% in place" not in team
    for url in [sides_apart.get_absolute_url()]:
        page = compact(client.get(url).text)
        assert LISTED in page
        # First advice: the lead definition, read as disputed rather than as its 50% mean.
        assert (
            f'both leaders sign it off. <span class="small text-body-secondary">({DISPUTED};'
            in (page)
        )
        assert "50% in place" not in page
    client.force_login(superuser)
    organization = sides_apart.organization
    for name in ["admin:dashboard_client", "admin:dashboard_report"]:
        page = compact(client.get(reverse(name, args=[organization.pk])).text)
        assert f'<span class="disputed">{DISPUTED}</span>' in page
        assert LISTED in page


def test_a_disputed_indicator_reads_both_figures_in_both_exports(
    client, leader, superuser, sides_apart
):
    organization = sides_apart.organization
    cell = "strategic.lead-definition: marketing 100%, sales 0%"
    label = "Lead definition — disputed: marketing 100%, sales 0%"
    client.force_login(superuser)
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"])
    [row] = csv_rows(client.post(url).content)
    assert row["disputed"] == cell and "perception-gap" in row["flags"].split()
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "xlsx"])
    [row] = sheet_rows(client.post(url).content)
    assert (row["disputed"], row["disputed_label"]) == (cell, label)

    client.force_login(leader)
    response = client.get(reverse("assessments:organization_export", args=[organization.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    [row] = csv_rows(archive.read("rounds.csv"))
    assert row["disputed"] == cell
    [row] = sheet_rows(archive.read("rounds.xlsx"))
    assert row["disputed_label"] == label


def test_the_export_labels_a_dispute_in_the_readers_language(spanish, superuser, sides_apart):
    spanish.force_login(superuser)
    url = reverse("admin:dashboard_rounds_export", args=[sides_apart.organization.pk, "xlsx"])
    [row] = sheet_rows(spanish.post(url).content)
    assert row["disputed"] == "strategic.lead-definition: marketing 100%, sales 0%"
    assert row["disputed_label"].endswith("— en disputa: marketing 100%, ventas 0%")


@pytest.fixture
def sales_hidden(round, settings, make_consultant):
    """A confidential round, closed, whose sales group is too small to show.

    Three marketing people, three leaders, two sales people and one "other":
    the two sales people are hidden, and the three outside the groups shown
    (sales and other) are enough not to single anyone out.
    """
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    marketing, sales = SIDES_APART
    people = [("marketing", marketing)] * 3 + [("ceo", CRO), ("revenue", CRO), ("ceo", CRO)]
    people += [("sales", sales)] * 2 + [("other", marketing)]
    for role, pick in people:
        submit_response(round, role, pick)
    close(round)
    # The same answers with the sales side shown would be disputed, and the leaders apart.
    groups = round.groups
    assert groups["marketing"]["indicator_scores"]["strategic.lead-definition"] == 1.0
    assert groups["sales"]["indicator_scores"]["strategic.lead-definition"] == 0.0
    make_consultant("c@consult.example", round.organization)
    return round


def test_a_hidden_sales_side_shows_no_dispute_and_no_leadership_gap(client, leader, sales_hidden):
    from assessments.visibility import Viewer

    for viewer in [Viewer.MEMBER, Viewer.CONSULTANT]:
        view = sales_hidden.view(viewer)
        assert view.figures and view.groups == {"marketing", "leadership"}
        assert not view.gap and not view.leadership_gap
    organization = sales_hidden.organization
    client.force_login(leader)
    pages = [
        client.get(organization.get_absolute_url()).text,
        client.get(sales_hidden.get_absolute_url()).text,
    ]
    zipped = client.get(reverse("assessments:organization_export", args=[organization.pk]))
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    rows = csv_rows(archive.read("rounds.csv")) + sheet_rows(archive.read("rounds.xlsx"))

    client.force_login(organization.consultants.get())
    pages += [
        client.get(reverse(name, args=[organization.pk])).text
        for name in ["admin:dashboard_client", "admin:dashboard_report"]
    ]
    pages.append(client.get(reverse("admin:dashboard")).text)
    for fmt, read in [("csv", csv_rows), ("xlsx", sheet_rows)]:
        url = reverse("admin:dashboard_rounds_export", args=[organization.pk, fmt])
        rows += read(client.post(url).content)
    [client_row] = client.get(reverse("admin:dashboard")).context["clients"]

    for page in pages:
        assert "disputed:" not in page and "Disputed indicators" not in page
        assert "Leadership apart from the teams" not in page and "Perception gap" not in page
    for row in rows:
        assert row["position"] is not None and row["position"] != ""
        assert not row["disputed"]
        assert not {"perception-gap", "leadership-gap"} & set((row["flags"] or "").split())
    assert not {"perception-gap", "leadership-gap"} & set(client_row.flag_codes)


def test_a_change_into_a_disputed_indicator_says_so_with_both_figures(
    client, leader, sides_apart, questionnaire
):
    earlier = Round.objects.create(
        organization=sides_apart.organization,
        questionnaire=questionnaire,
        opened_on=sides_apart.opened_on - datetime.timedelta(days=90),
    )
    for role in ["marketing", "sales"]:
        submit_response(earlier, role, by_question({}, default=1))
    close(earlier)
    client.force_login(leader)
    page = compact(client.get(sides_apart.get_absolute_url()).text)
    assert (
        "“Marketing and sales have agreed together on what makes a lead qualified.” improved "
        f"from 33% to 50% (+17 points). In the later round it is {DISPUTED}."
    ) in page


def test_a_dispute_in_answers_the_publication_holds_back_is_not_shown(
    client, member, organization, questionnaire, superuser, settings, make_consultant
):
    """The disputes, the heatmap and the rounds export read the figures the viewer sees:
    a consultant of an open round not run with them sees its publication, which holds
    back two late answers (too few to show); the members and the operators see them."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    agreed, doubtful = SIDES_APART[0], by_question({"strategic.lead-definition": 2}, 1)
    for n, (role, pick) in enumerate([("marketing", agreed)] * 3 + [("sales", doubtful)] * 3):
        submit_response(round, role, pick, email=f"p{n}@acme.example")
    close(round)
    member.post(reverse("assessments:round_reopen", args=[round.pk]))
    for n in range(2):
        submit_response(round, "sales", SIDES_APART[1], email=f"late{n}@acme.example")
    close(round)
    round = Round.objects.get(pk=round.pk)
    assert round.publication_held
    # 100% against 40% in the latest figures; 100% against 67% as published.
    disputed = "disputed: marketing 100%, sales 40%"
    assert disputed in compact(member.get(round.get_absolute_url()).text)

    organization_url = reverse("admin:dashboard_client", args=[organization.pk])
    export_url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"])
    client.force_login(make_consultant("c@consult.example", organization))
    page = compact(client.get(organization_url).text)
    assert "Answers given or deleted since are not in them" in page
    assert "disputed:" not in page and "Disputed indicators" not in page
    [row] = csv_rows(client.post(export_url).content)
    assert row["disputed"] == "" and "perception-gap" not in row["flags"].split()

    client.force_login(superuser)
    assert f'<span class="disputed">{disputed}</span>' in compact(client.get(organization_url).text)
    [row] = csv_rows(client.post(export_url).content)
    assert row["disputed"] == "strategic.lead-definition: marketing 100%, sales 40%"
