"""Red team: the alignment workshop and the opt-in peer benchmark, as the wrong person.

Each test asserts what the privacy model promises (README "Who sees the
answers", "Where you stand among peers"); a failing test is an attack that
works on the code under review.
"""

import pytest
from django.test import Client
from django.urls import reverse

from assessments.management.commands.materialize_benchmark import materialize
from assessments.models import BenchmarkEntry, Organization, PlanItem, Round, Workshop
from assessments.workshops import item_questions
from tests.helpers import benchmark_round, by_question, close, highest, submit_response

pytestmark = pytest.mark.django_db


# The peer benchmark


def test_a_group_of_five_does_not_publish_peers_exact_positions(member, organization):
    """A member of an opted-in organization reads its group's percentiles 10, 25, 50, 75, 90.

    With exactly BENCHMARK_MIN_ORGANIZATIONS (5) contributors, the 25th, 50th and
    75th percentiles fall on the 2nd, 3rd and 4th organization's own position, and
    the 10th and 90th (interpolated with them) give the lowest and highest back:
    p10 = o1 + 0.4 (o2 - o1). The member knows its own position, so the page lists
    every peer's position -- what the grid's comment ("the extremes would be one
    organization's own figure, so they are never computed") means to prevent.
    """
    Organization.objects.filter(pk=organization.pk).update(
        industry="software", size="11-50", benchmark_opt_in=True
    )
    organization.refresh_from_db()
    benchmark_round(organization, position=2.0)
    peer_positions = [1.3, 2.7, 3.1, 3.6]
    for index, position in enumerate(peer_positions):
        peer = Organization.objects.create(
            name=f"Peer {index}", industry="software", size="11-50", benchmark_opt_in=True
        )
        benchmark_round(peer, position=position)
    materialize()
    assert BenchmarkEntry.objects.filter(organization=organization).exists()

    page = member.get(reverse("assessments:benchmark", args=[organization.pk]))
    assert page.status_code == 200
    shown = page.context["positions"]
    exposed = {p: v for p, v in shown.items() if v in peer_positions}
    assert not exposed, f"percentiles equal to one peer's exact position: {exposed}"
    # The lowest peer, recovered from the 10th and 25th percentiles.
    lowest = (shown["10"] - 0.4 * shown["25"]) / 0.6
    assert abs(lowest - peer_positions[0]) > 0.1, "the lowest peer's position is recoverable"


def test_consultant_sees_no_percentile_in_a_wide_group_mostly_of_own_clients(
    client, make_consultant
):
    """README: a consultant sees a client's place only while its group holds at least
    BENCHMARK_MIN_ORGANIZATIONS organizations that are not their clients.

    _groups_shown_to counts a consultant's clients by their entry's group, which is
    the narrowest shown group: clients placed in "software" do not count towards the
    "all organizations" group they also belong to. Here "all" holds 10 organizations,
    6 of them the consultant's clients: only 4 others, yet the client placed in "all"
    shows its percentile (and the group's median) on the consultant dashboard.
    """
    clients = []
    for index in range(5):
        organization = Organization.objects.create(
            name=f"Client software {index}",
            industry="software",
            size="11-50",
            benchmark_opt_in=True,
        )
        benchmark_round(organization, position=1.5 + index * 0.4)
        clients.append(organization)
    lone = Organization.objects.create(
        name="Client finance", industry="finance", size="", benchmark_opt_in=True
    )
    benchmark_round(lone, position=2.2)
    clients.append(lone)
    for index in range(4):
        other = Organization.objects.create(
            name=f"Stranger {index}",
            industry=["retail", "health", "energy", "travel"][index],
            size="",
            benchmark_opt_in=True,
        )
        benchmark_round(other, position=1.8 + index * 0.5)
    materialize()
    entry = BenchmarkEntry.objects.select_related("group").get(organization=lone)
    assert entry.group.kind == "all" and entry.group.organizations == 10

    consultant = make_consultant("c@consult.example", *clients)
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_benchmark"))
    assert page.status_code == 200
    listed = {e.organization_id for e in page.context["page"].object_list}
    non_clients = entry.group.organizations - len(clients)
    assert non_clients < 5
    assert lone.pk not in listed, (
        f"the 'all' group shows with only {non_clients} organizations that are not clients"
    )


# The alignment workshop


def test_consultant_assigned_later_reads_no_individual_spread_in_the_agenda(
    member, client, organization, questionnaire, make_consultant
):
    """An open round (no consultant when it ran) closes with 3 marketing and 3 sales
    answers; a member opens its workshop, ranked with the spread between individual
    answers (members of an open round may see it: the meeting is theirs). A
    consultant assigned afterwards -- who may see only what a confidential round
    publishes, never a spread -- must not read the stored disagreement ("100
    points", minutes, order) computed from two people's answers.
    """
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    key = "strategic.lead-definition"
    submit_response(round, "marketing", by_question({(key, 0): 0}, default=-1), email="a@x.example")
    for index in range(2):
        submit_response(round, "marketing", highest, email=f"m{index}@x.example")
    for index in range(3):
        submit_response(round, "sales", highest, email=f"s{index}@x.example")
    close(round)
    assert not round.consultant_access

    opened = member.post(reverse("assessments:workshop_open", args=[round.pk]))
    assert opened.status_code == 302
    workshop = Workshop.objects.get(round=round)
    item = workshop.items.get(indicator_key=key)
    gap = abs(
        round.groups["marketing"]["indicator_scores"][key]
        - round.groups["sales"]["indicator_scores"][key]
    )
    # The members' agenda is ranked by what they may see: the spread between people.
    assert item.disagreement > gap

    consultant = make_consultant("c@consult.example", organization)
    client.force_login(consultant)
    page = client.get(reverse("assessments:workshop", args=[round.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "points" not in body and "Shared priority" not in body, (
        "the consultant reads an agenda ranked on two people's answers (the spread)"
    )
    for name in ["workshop_present", "workshop_follow", "workshop_summary"]:
        assert client.get(reverse(f"assessments:{name}", args=[round.pk])).status_code == 404


@pytest.mark.parametrize("to", ["²", "³", "\u2460"])
def test_presenter_go_to_a_unicode_digit_is_not_a_server_error(
    member, organization, questionnaire, settings, to
):
    """POST /rounds/<pk>/workshop/go/ with to="²": str.isdigit() is True, int() raises."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    submit_response(round, "marketing", highest)
    close(round)
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    member.raise_request_exception = False
    response = member.post(reverse("assessments:workshop_go", args=[round.pk]), {"to": to})
    assert response.status_code in (302, 400)


# Exports


def _confidential_round_of_three(organization, questionnaire):
    from tests.helpers import lowest

    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(round, "marketing", lowest, email="low@acme.example")
    submit_response(round, "sales", highest, email="high1@acme.example")
    submit_response(round, "ceo", highest, email="high2@acme.example")
    return close(round)


def _rounds_table(body):
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        text = archive.read("rounds.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_member_export_has_no_spread_of_a_confidential_round(member, organization, questionnaire):
    """README: in a confidential round the spread (lowest and highest individual
    position) is never shown, being two people's positions. The organization's ZIP
    (GET /organizations/<id>/export.zip) writes lowest_position and highest_position
    of every published round, confidential ones included: here the one person who
    answered everything lowest."""
    round = _confidential_round_of_three(organization, questionnaire)
    assert round.is_published and round.lowest is not None
    download = member.get(reverse("assessments:organization_export", args=[organization.pk]))
    assert download.status_code == 200
    (row,) = _rounds_table(download.content)
    assert row["position"]  # the published mean is expected
    assert not row["lowest_position"] and not row["highest_position"], (
        f"spread exported: {row['lowest_position']} .. {row['highest_position']}"
    )


def test_consultant_export_has_no_spread_of_a_round_not_run_with_them(
    client, make_consultant, organization, questionnaire
):
    """A consultant sees of a round not run with them only what a confidential round
    publishes; GET /admin/dashboard/<id>/rounds.csv still writes its spread."""
    round = _confidential_round_of_three(organization, questionnaire)
    assert not round.consultant_access
    client.force_login(make_consultant("c@consult.example", organization))
    url = reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"])
    download = client.post(url)
    assert download.status_code == 200
    import csv
    import io

    (row,) = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert row["position"]
    assert not row["lowest_position"] and not row["highest_position"], (
        f"spread exported: {row['lowest_position']} .. {row['highest_position']}"
    )


def test_a_stale_decision_form_is_not_reported_saved_when_its_action_is_dropped(
    member, client, make_leader, organization, questionnaire, settings
):
    """Two facilitators edit one item from version 1. B saves consensus X with an action.
    A then submits the same consensus with a different action from the stale form:
    _same_decision treats it as a double submit, says "The decision is saved." and
    drops A's action without a conflict page (a lost update)."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    submit_response(round, "marketing", highest)
    close(round)
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    item = Workshop.objects.get(round=round).items.first()
    agreed = {q.field_name: str(highest(q).pk) for q in item_questions(round, item)}
    url = reverse("assessments:workshop_item", args=[round.pk, item.pk])
    base = {"version": "1", **agreed, "note": "", "add_action": "on"}

    other = Client()
    other.force_login(make_leader("b@acme.example", organization))
    assert other.post(url, {**base, "action": "B's action"}).status_code == 302
    stale = member.post(url, {**base, "action": "A's action"})
    plan = PlanItem.objects.get(round=round)
    assert stale.status_code == 409 or plan.note == "A's action", (
        "the stale save was reported saved, its action silently dropped"
    )


def test_a_double_submitted_finish_leaves_the_workshop_finished(
    member, organization, questionnaire, settings
):
    """POST /rounds/<pk>/workshop/finish/ toggles: a double click (or a resent form)
    finishes the workshop and at once puts it back in progress, so its consensus
    no longer shows beside the round's mean, with a success message either way."""
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    submit_response(round, "marketing", highest)
    close(round)
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    url = reverse("assessments:workshop_finish", args=[round.pk])
    finish = {"state": "finished", "confirm": "on"}
    assert member.post(url, finish).status_code == 302
    assert member.post(url, finish).status_code == 302
    workshop = Workshop.objects.get(round=round)
    assert workshop.is_finished, "the second submit of Finish reopened the workshop"


def test_a_member_of_a_side_of_three_cannot_read_colleagues_answers_per_question(
    member, leader, organization, questionnaire
):
    """Confidential round, marketing side of exactly 3 (the member and two colleagues),
    sales side of 3: both sides show. The workshop's item page counts each side's
    answers per option of one question. The member knows their own answer, so the
    two colleagues' answers to every question are the counts minus their own: here
    "2 chose the second option" -- both colleagues' individual answers, which a
    confidential round promises nobody in the team sees (README: no individual
    answers, no spread, role figures only as indicator means of 3 or more). The side's
    mean alone would not tell: (0 + 2/3) and (1/3 + 1/3) give the same mean."""
    second = by_question({}, default=1)

    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(round, "marketing", highest, email=leader.email)
    submit_response(round, "marketing", second, email="col1@acme.example")
    submit_response(round, "marketing", second, email="col2@acme.example")
    for index in range(3):
        submit_response(round, "sales", highest, email=f"s{index}@acme.example")
    close(round)
    assert round.is_confidential and round.is_published
    member.post(reverse("assessments:workshop_open", args=[round.pk]))
    item = Workshop.objects.get(round=round).items.exclude(indicator=None).first()
    page = member.get(reverse("assessments:workshop_item", args=[round.pk, item.pk]))
    assert page.status_code == 200
    figures = page.context["figures"]
    marketing = [
        index for index, (group, _label) in enumerate(figures.sides) if group == "marketing"
    ]
    [question, *_others] = figures.questions
    per_option = {
        (row.option.text if row.option else "dont-know"): [row.cells[i][1] for i in marketing]
        for row in question.rows
    }
    second_text = question.question.options.all()[1].text
    assert per_option.get(second_text) != [2], (
        f"the marketing side's answers per option: {per_option}; minus the member's own "
        "(highest), both colleagues answered the second option"
    )
