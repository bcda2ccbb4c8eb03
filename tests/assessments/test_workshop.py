"""The alignment workshop: opening, agenda, presenter, decisions, consensus, privacy, access."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import results
from assessments.models import PlanItem, Round, Workshop, WorkshopItem
from stages.models import Stage
from tests.helpers import by_question, close, highest, lowest, submit_response


def _published_round(organization, questionnaire, visibility="confidential", **fields):
    """A closed round with one marketing and one sales respondent far apart on lead definition."""
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility=visibility, **fields
    )
    apart = by_question({"strategic.lead-definition": 3}, default=1)
    submit_response(round, "marketing", apart, name="Marta", email="m@acme.example")
    near = by_question({"strategic.lead-definition": 0}, default=1)
    submit_response(round, "sales", near, name="Sergio", email="s@acme.example")
    submit_response(round, "ceo", near, name="Carla", email="c@acme.example")
    return close(round)


@pytest.fixture
def one_per_group(settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1


@pytest.fixture
def published(organization, questionnaire, one_per_group):
    return _published_round(organization, questionnaire)


def _open(client, round):
    return client.post(reverse("assessments:workshop_open", args=[round.pk]))


@pytest.mark.django_db
def test_member_opens_a_workshop_with_the_widest_gap_first(member, published):
    response = _open(member, published)
    assert response.status_code == 302
    workshop = Workshop.objects.get(round=published)
    items = list(workshop.items.select_related("question__indicator"))
    assert items[0].indicator_key == "strategic.lead-definition"
    assert items[0].disagreement == pytest.approx(1.0, abs=0.01)
    assert items[0].minutes == 15
    page = member.get(reverse("assessments:workshop", args=[published.pk]))
    assert page.status_code == 200
    assert items[0].question.text in page.content.decode()


@pytest.mark.django_db
def test_opening_twice_keeps_one_workshop(member, published):
    _open(member, published)
    _open(member, published)
    assert Workshop.objects.filter(round=published).count() == 1
    questions = sum(len(page.questions.all()) for page in published.questionnaire.pages())
    assert WorkshopItem.objects.filter(workshop__round=published).count() == questions == 16


@pytest.mark.django_db
def test_presenter_moves_and_follower_state_follows(member, published):
    _open(member, published)
    workshop = Workshop.objects.get(round=published)
    first, second = workshop.items.order_by("position")[:2]
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert state["item"] == first.pk
    member.post(reverse("assessments:workshop_go", args=[published.pk]), {"to": "next"})
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert state["item"] == second.pk
    page = member.get(reverse("assessments:workshop_present", args=[published.pk]))
    assert second.question.text in page.content.decode()
    follow = member.get(reverse("assessments:workshop_follow", args=[published.pk]))
    assert second.question.text in follow.content.decode()


@pytest.mark.django_db
def test_decision_saves_and_scores_the_consensus(member, published):
    _open(member, published)
    workshop = Workshop.objects.get(round=published)
    for item in workshop.items.select_related("question"):
        option = highest(item.question)
        url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
        response = member.post(url, {"consensus": option.pk, "note": "", "version": item.version})
        assert response.status_code == 302
    workshop.refresh_from_db()
    assert float(workshop.position) == 4.0
    assert workshop.flags == []


@pytest.mark.django_db
def test_stale_save_is_refused_and_shows_the_other_decision(member, published):
    _open(member, published)
    item = Workshop.objects.get(round=published).items.select_related("question").first()
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    low, high = lowest(item.question), highest(item.question)
    first = member.post(url, {"consensus": high.pk, "note": "theirs", "version": 1})
    assert first.status_code == 302
    second = member.post(url, {"consensus": low.pk, "note": "mine", "version": 1})
    assert second.status_code == 409
    body = second.content.decode()
    assert "Someone else saved this item" in body
    assert "theirs" in body and high.text in body
    item.refresh_from_db()
    assert item.option == high and item.note == "theirs" and item.version == 2


@pytest.mark.django_db
def test_action_becomes_a_plan_item_with_owner_and_due_date(member, published, leader):
    _open(member, published)
    item = Workshop.objects.get(round=published).items.select_related("question").first()
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    data = {
        "consensus": "dont-know",
        "note": "We disagree on what a lead is",
        "add_action": "on",
        "owner": "both",
        "owner_person": leader.pk,
        "due_on": "2030-01-31",
        "action": "Write the definition together",
        "version": 1,
    }
    assert member.post(url, data).status_code == 302
    plan = PlanItem.objects.get(round=published)
    assert plan.indicator == item.question.indicator
    assert (plan.owner, plan.owner_person, str(plan.due_on)) == ("both", leader, "2030-01-31")
    assert plan.note == "Write the definition together"
    item.refresh_from_db()
    assert item.dont_know and item.option is None and item.plan_item == plan
    # Saving again updates the same plan item, never a second one.
    data["version"] = 2
    data["owner"] = "sales"
    assert member.post(url, data).status_code == 302
    assert PlanItem.objects.get(round=published).owner == "sales"


@pytest.mark.django_db
def test_another_questions_option_is_refused(member, published):
    _open(member, published)
    first, second = Workshop.objects.get(round=published).items.select_related("question")[:2]
    url = reverse("assessments:workshop_item", args=[published.pk, first.pk])
    response = member.post(url, {"consensus": highest(second.question).pk, "version": 1})
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.option is None and first.version == 1


@pytest.mark.django_db
def test_jump_to_a_missing_item_says_so(member, published):
    _open(member, published)
    response = member.post(
        reverse("assessments:workshop_go", args=[published.pk]), {"to": "99"}, follow=True
    )
    assert "There is no item 99" in response.content.decode()


@pytest.mark.django_db
def test_skipped_and_added_items(member, published):
    _open(member, published)
    workshop = Workshop.objects.get(round=published)
    first = workshop.items.first()
    agenda_url = reverse("assessments:workshop_agenda_item", args=[published.pk, first.pk])
    member.post(agenda_url, {"action": "skip"})
    member.post(
        reverse("assessments:workshop_add_item", args=[published.pk]),
        {"title": "Budget for joint events", "minutes": 10},
    )
    state = member.get(reverse("assessments:workshop_present", args=[published.pk]))
    body = state.content.decode()
    assert first.question.text not in body.split("<h1")[1].split("</h1>")[0]
    added = workshop.items.get(title="Budget for joint events")
    # After the round's 16 questions.
    assert added.position == 17 and added.minutes == 10
    member.post(agenda_url, {"action": "down"})
    first.refresh_from_db()
    assert first.position == 2


@pytest.mark.django_db
def test_confidential_round_opens_only_when_published(member, organization, questionnaire):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(round, "marketing", highest)
    response = _open(member, round)
    assert not Workshop.objects.filter(round=round).exists()
    page = member.get(response["Location"])
    assert "opens once the round's figures are published" in page.content.decode()


@pytest.mark.django_db
def test_confidential_round_shows_no_side_below_the_minimum_and_no_names(
    member, organization, questionnaire, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = _published_round(organization, questionnaire)
    _open(member, round)
    item = Workshop.objects.get(round=round).items.first()
    # Ranked without the hidden sides: no gap to rank by, questionnaire order stands.
    assert item.disagreement is None
    body = member.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marketing side" not in body and "Marta" not in body
    assert "No side's answers may be shown" in body


@pytest.mark.django_db
def test_open_round_shows_names_to_members(member, organization, questionnaire, one_per_group):
    round = _published_round(organization, questionnaire, visibility="open")
    _open(member, round)
    body = member.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marta" in body and "Sergio" in body and "Marketing side" in body


@pytest.mark.django_db
def test_consultant_without_access_to_responses_sees_no_names(
    client, make_consultant, organization, questionnaire, one_per_group
):
    round = _published_round(organization, questionnaire, visibility="open")
    consultant = make_consultant("c@consult.example", organization)
    client.force_login(consultant)
    _open(client, round)
    body = client.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marketing side" in body
    assert "Marta" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_member", "other_consultant", "superuser"])
def test_outsiders_get_404(
    client, persona, published, make_leader, make_consultant, superuser, member
):
    _open(member, published)
    user = {
        "other_member": lambda: make_leader("x@other.example"),
        "other_consultant": lambda: make_consultant("y@other.example"),
        "superuser": lambda: superuser,
    }[persona]()
    client.force_login(user)
    for name in ["workshop", "workshop_present", "workshop_follow", "workshop_state"]:
        assert client.get(reverse(f"assessments:{name}", args=[published.pk])).status_code == 404


@pytest.mark.django_db
def test_assigned_consultant_facilitates(client, make_consultant, organization, published):
    client.force_login(make_consultant("c@consult.example", organization))
    _open(client, published)
    assert Workshop.objects.filter(round=published).exists()
    assert client.get(reverse("assessments:workshop", args=[published.pk])).status_code == 200


@pytest.mark.django_db
def test_summary_is_in_the_organizations_language(member, published, leader):
    leader.memberships.update(language="es")
    _open(member, published)
    body = member.get(reverse("assessments:workshop_summary", args=[published.pk]))
    assert body.status_code == 200
    assert 'lang="es"' in body.content.decode()
    # The round's mean is named by the headline's rule, in the organization's language.
    with translation.override("es"):
        stages = {stage.number: stage for stage in Stage.objects.all()}
        expected = f"{published.reading}, {results.headline(published.reading, stages).title}"
    assert expected in body.content.decode()


def _grow(organization, questionnaire, responses):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    for index in range(responses):
        role = ["marketing", "sales", "ceo"][index % 3]
        submit_response(round, role, highest, email=f"p{index}@acme.example")
    return close(round)


@pytest.mark.django_db
@pytest.mark.parametrize("responses", [3, 9])
@pytest.mark.parametrize(
    "name", ["workshop", "workshop_present", "workshop_follow", "workshop_summary"]
)
def test_query_counts_do_not_grow_with_responses(
    member, organization, questionnaire, responses, name, django_assert_num_queries, one_per_group
):
    round = _grow(organization, questionnaire, responses)
    _open(member, round)
    url = reverse(f"assessments:{name}", args=[round.pk])
    member.get(url)  # warms the questionnaire's cached pages
    with django_assert_num_queries(QUERIES[name]):
        assert member.get(url).status_code == 200


# A confidential round: no answers per option are read (only the sides' means show).
QUERIES = {"workshop": 5, "workshop_present": 6, "workshop_follow": 6, "workshop_summary": 9}


def _finish_with_highest(client, round):
    _open(client, round)
    workshop = Workshop.objects.get(round=round)
    for item in workshop.items.select_related("question"):
        url = reverse("assessments:workshop_item", args=[round.pk, item.pk])
        client.post(url, {"consensus": highest(item.question).pk, "version": item.version})
    client.post(reverse("assessments:workshop_finish", args=[round.pk]))
    workshop.refresh_from_db()
    return workshop


@pytest.mark.django_db
def test_finished_consensus_shows_beside_the_mean_everywhere(
    member, client, published, organization, make_consultant
):
    workshop = _finish_with_highest(member, published)
    assert workshop.is_finished and float(workshop.position) == 4.0
    team = member.get(organization.get_absolute_url()).content.decode()
    assert "<strong>Consensus:</strong> 4.0" in team and "Round's mean: 1.4" in team
    assert "Consensus (workshop)" in team  # the progress table's column and chart series
    csv = member.get(reverse("assessments:organization_export", args=[organization.pk])).content
    import io
    import zipfile

    rounds = zipfile.ZipFile(io.BytesIO(csv)).read("rounds.csv").decode("utf-8-sig")
    header, row = rounds.splitlines()[:2]
    assert '"consensus_position"' in header
    assert '"4.0"' in row
    consultant = make_consultant("c@consult.example", organization)
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk]))
    assert "Consensus (workshop)" in page.content.decode()
    export = client.post(reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]))
    assert "consensus_flags" in export.content.decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("levels", "flag"),
    [
        ({2: 0, 3: 3, 4: 3, "strategic.joint-audience": None}, "foundation-gap"),
        ({2: None, 3: 3, 4: 3}, "not-measured"),
        ({2: None, 3: None, 4: 1}, "low-coverage"),
        ({2: 3, 3: 2, 4: 1}, None),
    ],
)
def test_consensus_scores_like_a_response(member, published, questionnaire, levels, flag):
    """The same answers give the same result, flags included, as a submitted response."""
    from assessments.models import Response

    _open(member, published)
    workshop = Workshop.objects.get(round=published)
    pick = by_question(levels)
    for item in workshop.items.select_related("question__indicator__stage"):
        option = pick(item.question)
        url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
        choice = "dont-know" if option is None else option.pk
        member.post(url, {"consensus": choice, "version": item.version})
    workshop.refresh_from_db()
    alone = submit_response(None, "ceo", pick, questionnaire=questionnaire)
    alone = Response.objects.get(pk=alone.pk)
    assert workshop.position == alone.position
    assert workshop.flags == alone.flags
    assert (flag in workshop.flags) if flag else workshop.flags == []
    assert workshop.indicator_scores == alone.indicator_scores


@pytest.mark.django_db
def test_double_submit_of_the_same_decision_is_no_conflict(member, published):
    _open(member, published)
    item = Workshop.objects.get(round=published).items.select_related("question").first()
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    data = {"consensus": highest(item.question).pk, "note": "same", "version": 1}
    assert member.post(url, data).status_code == 302
    assert member.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.version == 2


@pytest.mark.django_db
def test_consultant_gets_no_workshop_of_a_round_whose_figures_they_may_not_see(
    client, member, make_consultant, organization, questionnaire
):
    """An open round of one, not run with the consultant: the members' figures only."""
    consultant = make_consultant("c@consult.example")
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    organization.consultants.add(consultant)  # assigned after the round opened
    submit_response(round, "marketing", highest)
    close(round)
    _open(member, round)
    client.force_login(consultant)
    page = client.get(reverse("assessments:workshop", args=[round.pk]))
    assert "opens once the round" in page.content.decode()
    for name in ["workshop_present", "workshop_follow", "workshop_state", "workshop_summary"]:
        assert client.get(reverse(f"assessments:{name}", args=[round.pk])).status_code == 404


@pytest.mark.django_db
def test_state_json_carries_no_figures(member, published):
    _open(member, published)
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert set(state) == {"item", "status", "timer_started_at", "elapsed"}
