"""The privacy model, as the wrong person would try it.

Confidential rounds (the default) show members no figure until they close with
enough answers, and never a role group that would single someone out; open
rounds show each person's answers by name; consultants see individual
responses only of rounds run with them. What respondents are told matches.
"""

import csv
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.models import Response, RoleGroup, Round
from assessments.visibility import Viewer
from tests.helpers import close, highest, lowest, submit_response

pytestmark = pytest.mark.django_db


def team_page(member, round):
    return member.get(round.organization.get_absolute_url())


def figures_shown(page):
    return "position_chart" in page.context or 'class="position"' in page.text


def test_a_confidential_round_shows_no_figure_while_it_is_open(member, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    seen = []
    for role, pick in [("marketing", highest), ("sales", lowest), ("ceo", highest)] * 2:
        submit_response(round, role, pick)
        for url in (round.organization.get_absolute_url(), round.get_absolute_url()):
            page = member.get(url)
            assert page.status_code == 200
            assert not figures_shown(page)
            seen.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.text))
    # Nothing that changes with each submission but the count of who submitted.
    assert "published when the round closes" in seen[-1] or "published when it closes" in seen[-1]
    assert member.post(reverse("assessments:plan_add", args=[round.pk])).status_code == 404
    close(round)
    page = team_page(member, round)
    assert figures_shown(page)
    assert len(page.context["progress_chart"]["data"][0]["x"]) == 1


def test_a_confidential_round_closed_with_too_few_answers_never_shows(member, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    submit_response(round, "marketing", highest)
    submit_response(round, "sales", lowest)
    close(round)
    for url in (round.organization.get_absolute_url(), round.get_absolute_url()):
        page = member.get(url)
        assert not figures_shown(page)
    page = member.get(round.get_absolute_url())
    assert "closed with fewer than 3 submitted responses" in page.text
    assert "not published" in team_page(member, round).text


def test_an_unpublished_round_is_no_previous_round_or_progress_point(member, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    submit_response(round, "marketing", highest)  # one answer: never published
    close(round)
    later = Round.objects.create(
        organization=round.organization, questionnaire=round.questionnaire, visibility="open"
    )
    respondent = submit_response(later, "sales", lowest)
    page = team_page(member, later)
    assert page.context["latest"] == later
    assert "previous" not in page.context and "Before it" not in page.text
    assert page.context["progress_chart"]["data"][0]["x"] == [0]
    assert page.context["progress_chart"]["layout"]["xaxis"]["ticktext"] == [later.name]
    page = member.get(later.get_absolute_url())
    assert "comparison" not in page.context
    names = [t["name"] for t in page.context["position_chart"]["data"]]
    assert "Previous round" not in names
    # The respondent's result page draws no "previous round" marker either.
    result = Client().get(reverse("assessments:result", args=[respondent.token]))
    assert "Team, previous round" not in result.text


@pytest.mark.parametrize(
    "counts, minimum, shown",
    [
        ({"marketing": 3, "sales": 3}, 3, {"marketing", "sales"}),
        # One sales person: marketing's figures plus the team's would give them away.
        ({"marketing": 3, "sales": 1}, 3, set()),
        ({"marketing": 3, "sales": 3, "leadership": 1}, 3, {"sales"}),
        ({"marketing": 3, "sales": 3, "leadership": 3}, 3, {"marketing", "sales", "leadership"}),
        ({"marketing": 4, "sales": 2, "leadership": 1}, 3, {"marketing"}),
        ({"marketing": 2, "sales": 2, "leadership": 2}, 3, set()),
        ({"marketing": 5}, 3, {"marketing"}),
        ({"marketing": 1, "sales": 1}, 1, {"marketing", "sales"}),
    ],
)
def test_visible_groups_never_leave_someone_alone(round, settings, counts, minimum, shown):
    settings.ROUND_GROUP_MIN_RESPONDENTS = minimum
    round.groups = {group: {"count": count, "position": 2.0} for group, count in counts.items()}
    round.respondents = sum(counts.values())
    round.closed_at = round.opened_on and "2026-01-01T00:00Z"
    assert round.is_published
    visible = round.view(Viewer.MEMBER).groups
    assert visible == shown
    hidden = round.respondents - sum(counts[group] for group in visible)
    assert hidden == 0 or hidden >= minimum
    assert all(counts[group] >= minimum for group in visible)


def test_others_count_in_the_team_and_are_never_left_alone(member, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role in ["marketing"] * 3 + ["sales"] * 3 + ["other"]:
        submit_response(round, role, highest if role == "marketing" else lowest)
    close(round)
    summary = member.get(round.get_absolute_url()).context["round_summary"]
    shown = [group.group for group in summary.groups if group.position is not None]
    assert len(shown) == 1 and RoleGroup.LEADERSHIP not in shown
    assert not summary.shows_gap


def test_an_open_round_shows_each_persons_answers_by_name(member, leader, round):
    Round.objects.filter(pk=round.pk).update(visibility="open")
    submit_response(round, "marketing", highest, name="Marta Ruiz")
    submit_response(round, "sales", lowest, email="sergio@acme.example")
    page = member.get(round.get_absolute_url())
    assert figures_shown(page)
    assert "Each person&#x27;s answers" in page.text or "Each person's answers" in page.text
    assert "Marta Ruiz" in page.text and "sergio@acme.example" in page.text
    first_option = round.questionnaire.pages()[0].questions.first().options.last().text
    assert first_option in page.text


def test_a_confidential_round_never_shows_names_with_answers(member, round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", highest, name="Marta Ruiz")
    close(round)
    page = member.get(round.get_absolute_url())
    assert figures_shown(page)
    assert "individuals" not in page.context
    first_option = round.questionnaire.pages()[0].questions.first().options.last().text
    assert first_option not in page.text


@pytest.mark.parametrize(
    "visibility, expected",
    [
        ("confidential", "Your answers are confidential"),
        ("open", "This is an open round"),
    ],
)
def test_respondents_are_told_before_the_first_question_and_in_the_invitation(
    member, organization, visibility, expected
):
    member.post(
        reverse("assessments:round_new", args=[organization.pk]), {"visibility": visibility}
    )
    round = Round.objects.get()
    assert round.visibility == visibility
    member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "p@acme.example", "role": "sales"},
    )
    [invitation] = mail.outbox
    assert expected in invitation.body and expected in invitation.alternatives[0][0]
    visitor = Client()
    assert expected in visitor.get(round.get_share_url()).text
    invited = Response.objects.get()
    first_page = visitor.get(reverse("assessments:page", args=[invitation_token(invitation), 1]))
    assert first_page.status_code == 200 and expected in first_page.text
    assert invited.round == round
    assert "consultant" not in invitation.body


def invitation_token(message):
    from tests.helpers import private_token

    return private_token(message.body)


def test_respondents_are_told_when_a_consultant_sees_their_answers(
    member, organization, make_consultant
):
    make_consultant("c@consult.example", organization)
    member.post(
        reverse("assessments:round_new", args=[organization.pk]), {"visibility": "confidential"}
    )
    round = Round.objects.get()
    assert round.consultant_access
    member.post(
        reverse("assessments:round_invite", args=[round.pk]),
        {"email": "p@acme.example", "role": "sales"},
    )
    told = "run with a consultant, who also sees individual responses"
    assert told in mail.outbox[0].body
    assert told in Client().get(round.get_share_url()).text


@pytest.fixture
def late_consultant(round, make_consultant, settings):
    """A consultant assigned after the round opened: its respondents were never told."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role, pick in [("marketing", highest), ("sales", lowest), ("ceo", highest)]:
        submit_response(round, role, pick, name=f"Person {role}")
    return make_consultant("late@consult.example", round.organization)


def test_a_consultant_assigned_later_sees_no_individual_response(client, round, late_consultant):
    client.force_login(late_consultant)
    response = round.responses.first()
    for url in [
        reverse("admin:assessments_response_change", args=[response.pk]),
        reverse("admin:assessments_round_change", args=[round.pk]),
        reverse("admin:dashboard_responses_export", args=[round.pk, "csv"]),
    ]:
        fetch = client.post if url.endswith((".csv", ".xlsx")) else client.get
        assert fetch(url).status_code == 404, url
    listing = client.get(reverse("admin:assessments_response_changelist"))
    assert "Person marketing" not in listing.text
    page = client.get(reverse("admin:dashboard_client", args=[round.organization.pk]))
    assert "Person marketing" not in page.text
    assert "was not run with a consultant" in page.text
    # Nor the figures, while the round is not published.
    assert "position_chart" not in page.context
    export = client.post(
        reverse("admin:dashboard_rounds_export", args=[round.organization.pk, "csv"])
    )
    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    assert row[header.index("respondents")] == "3"
    assert row[header.index("position")] == "" and row[header.index("flags")] == ""


def test_a_consultant_assigned_later_sees_what_members_see_once_published(
    client, round, late_consultant
):
    close(round)
    client.force_login(late_consultant)
    page = client.get(reverse("admin:dashboard_client", args=[round.organization.pk]))
    assert "position_chart" in page.context
    assert "Person marketing" not in page.text
    portfolio = client.get(reverse("admin:dashboard"))
    [row] = portfolio.context["clients"]
    assert row.latest_position == round.position


def test_a_consultant_of_a_round_run_with_them_sees_each_response(
    client, questionnaire, make_consultant, organization
):
    consultant = make_consultant("c@consult.example", organization)
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True
    )
    submit_response(round, "marketing", highest, name="Marta Ruiz")
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk]))
    assert "Marta Ruiz" in page.text
    export = client.post(reverse("admin:dashboard_responses_export", args=[round.pk, "csv"]))
    assert export.status_code == 200 and "Marta Ruiz" in export.content.decode()


def test_start_page_promises_only_what_holds(client, questionnaire):
    page = client.get(reverse("assessments:start"))
    assert "only someone with your private link can open your answers" in page.text
    assert "its administrators" in page.text
