"""The alignment workshop: opening, agenda, time box, presenter, decisions, consensus, access."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from assessments import agenda, results
from assessments.models import PlanItem, Response, Round, Workshop, WorkshopAnswer, WorkshopItem
from assessments.workshops import item_questions
from stages.models import Stage
from tests.helpers import by_question, close, highest, lowest, submit_response

LEAD = "strategic.lead-definition"


def _round(organization, questionnaire, visibility="open", **fields):
    """A closed round of a leadership team: marketing and sales far apart on lead definition."""
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility=visibility, **fields
    )
    submit_response(
        round, "marketing", by_question({LEAD: 3}, default=1), name="Marta", email="m@a.example"
    )
    near = by_question({LEAD: 0}, default=1)
    submit_response(round, "sales", near, name="Sergio", email="s@a.example")
    submit_response(round, "ceo", near, name="Carla", email="c@a.example")
    return close(round)


@pytest.fixture
def published(organization, questionnaire):
    """The leadership team's open round, at the production threshold (3)."""
    return _round(organization, questionnaire)


def _open(client, round):
    return client.post(reverse("assessments:workshop_open", args=[round.pk]))


def _workshop(round):
    return Workshop.objects.get(round=round)


def _decision(round, item, pick, **extra):
    """POST data agreeing on pick(question) for every question of ITEM (None: we don't know)."""
    data = {"version": item.version, "note": "", **extra}
    for question in item_questions(round, item):
        option = pick(question)
        data[question.field_name] = "dont-know" if option is None else option.pk
    return data


def _decide(client, round, item, pick, **extra):
    url = reverse("assessments:workshop_item", args=[round.pk, item.pk])
    item.refresh_from_db()
    return client.post(url, _decision(round, item, pick, **extra))


def _indicator_items(round):
    return list(_workshop(round).items.exclude(indicator=None).select_related("indicator__stage"))


def _count_below_stage_4(items):
    return sum(1 for item in items if item.indicator.stage.number in (2, 3))


def _weight_below_stage_4(round):
    """The share of the question weight that stages 2 and 3 carry: their coverage."""
    questions = [q for page in round.questionnaire.pages() for q in page.questions.all()]
    below = sum(q.weight for q in questions if q.indicator.stage.number in (2, 3))
    return below / sum(q.weight for q in questions)


@pytest.mark.django_db
def test_one_item_per_indicator_the_climbed_stage_first_widest_gap_leading(member, published):
    assert _open(member, published).status_code == 302
    items = list(_workshop(published).items.select_related("indicator__stage"))
    keys = [item.indicator_key for item in items]
    assert len(keys) == len(set(keys)) == len(published.questionnaire.indicator_keys())
    # A team in stage 1 climbs stage 2: its indicators first, the lead definition leading.
    assert published.stage == 1
    stages = [item.indicator.stage.number for item in items]
    assert stages == sorted(stages)
    assert items[0].indicator_key == LEAD
    assert items[0].disagreement == pytest.approx(1.0, abs=0.01)
    # The default time box is shared out: every item fits, the widest gap gets most.
    assert sum(item.minutes for item in items) == agenda.DEFAULT_TIME_BOX
    assert items[0].minutes == max(item.minutes for item in items)
    assert min(item.minutes for item in items) >= agenda.MIN_MINUTES
    assert not any(item.next_time for item in items)
    page = member.get(reverse("assessments:workshop", args=[published.pk])).content.decode()
    assert "90 minutes planned of a 90-minute meeting" in page
    assert f"0 of {len(keys)} indicators decided" in page
    assert "100 points" in page


@pytest.mark.django_db
def test_opening_twice_keeps_one_workshop(member, published):
    _open(member, published)
    _open(member, published)
    assert Workshop.objects.filter(round=published).count() == 1
    # One item per indicator the round's questionnaire asks (nine in version 3).
    asked = published.questionnaire.indicator_keys()
    assert WorkshopItem.objects.filter(workshop__round=published).count() == len(asked) == 9


@pytest.mark.django_db
def test_a_shorter_meeting_leaves_the_later_stages_for_next_time(member, published):
    _open(member, published)
    url = reverse("assessments:workshop_time_box", args=[published.pk])
    assert member.post(url, {"time_box": 30}).status_code == 302
    workshop = _workshop(published)
    assert workshop.time_box == 30
    now = [item for item in workshop.items.all() if not item.next_time]
    later = [item for item in workshop.items.all() if item.next_time]
    assert sum(item.minutes for item in now) <= 30
    assert len(now) == 30 // agenda.MIN_MINUTES and later
    assert max(item.position for item in now) < min(item.position for item in later)
    page = member.get(reverse("assessments:workshop", args=[published.pk])).content.decode()
    next_time = page.split('id="next-time-heading"')[1]
    assert escape(later[0].indicator.name) in next_time
    # The presenter steps through the meeting's items only.
    member.post(reverse("assessments:workshop_go", args=[published.pk]), {"to": str(len(now))})
    follow = member.post(reverse("assessments:workshop_go", args=[published.pk]), {"to": "next"})
    assert follow.status_code == 302
    assert _workshop(published).current_item_id == now[-1].pk


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", ["14", "481", "ninety", ""])
def test_a_time_box_out_of_bounds_changes_nothing(member, published, minutes):
    _open(member, published)
    before = list(_workshop(published).items.values_list("pk", "minutes", "next_time"))
    url = reverse("assessments:workshop_time_box", args=[published.pk])
    response = member.post(url, {"time_box": minutes})
    assert response.status_code == 400
    assert "Time box" in response.content.decode()
    assert _workshop(published).time_box == 90
    assert list(_workshop(published).items.values_list("pk", "minutes", "next_time")) == before


@pytest.mark.django_db
def test_putting_an_item_off_and_adding_a_topic_share_the_time_again(member, published):
    _open(member, published)
    workshop = _workshop(published)
    first = workshop.items.first()
    member.post(
        reverse("assessments:workshop_agenda_item", args=[published.pk, first.pk]),
        {"action": "skip"},
    )
    first.refresh_from_db()
    assert first.skipped and first.next_time
    member.post(
        reverse("assessments:workshop_add_item", args=[published.pk]),
        {"title": "Budget for joint events", "minutes": 10},
    )
    added = workshop.items.get(title="Budget for joint events")
    assert added.minutes == 10 and not added.next_time
    assert sum(i.minutes for i in workshop.items.filter(next_time=False)) == 90
    present = member.get(reverse("assessments:workshop_present", args=[published.pk]))
    assert escape(first.indicator.name) not in present.content.decode().split("<h1")[1]
    member.post(
        reverse("assessments:workshop_agenda_item", args=[published.pk, first.pk]),
        {"action": "restore"},
    )
    first.refresh_from_db()
    assert not first.next_time


@pytest.mark.django_db
def test_presenter_moves_and_follower_state_follows(member, published):
    _open(member, published)
    first, second = _workshop(published).items.select_related("indicator")[:2]
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert state["item"] == first.pk
    member.post(reverse("assessments:workshop_go", args=[published.pk]), {"to": "next"})
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert state["item"] == second.pk
    page = member.get(reverse("assessments:workshop_present", args=[published.pk]))
    assert escape(second.indicator.name) in page.content.decode()
    follow = member.get(reverse("assessments:workshop_follow", args=[published.pk]))
    assert escape(second.indicator.text) in follow.content.decode()


@pytest.mark.django_db
def test_the_presenter_shows_each_question_of_the_indicator_with_names(member, published):
    _open(member, published)
    body = member.get(reverse("assessments:workshop_present", args=[published.pk])).text
    item = _workshop(published).items.first()
    for question in item_questions(published, item):
        assert escape(question.text) in body
    assert "Marta" in body and "Sergio" in body and "Marketing side" in body


@pytest.mark.django_db
def test_deciding_every_indicator_scores_a_complete_consensus(member, published):
    _open(member, published)
    for item in _indicator_items(published):
        assert _decide(member, published, item, highest).status_code == 302
    workshop = _workshop(published)
    assert float(workshop.position) == 4.0 and workshop.flags == []
    asked = len(published.questionnaire.indicator_keys())
    assert (workshop.items_decided, workshop.items_to_decide) == (asked, asked)
    assert not workshop.is_partial


@pytest.mark.django_db
def test_undecided_indicators_count_as_unknown(member, published):
    _open(member, published)
    items = _indicator_items(published)
    _decide(member, published, items[0], highest)
    workshop = _workshop(published)
    assert (workshop.items_decided, workshop.items_to_decide) == (1, len(items))
    # One indicator of nine is far below half coverage: no position at all.
    assert "low-coverage" in workshop.flags and not workshop.reading.placed
    # Stages 2 and 3 decided at the top: placed, but stage 4 is unknown, so a lower bound.
    for item in items:
        if item.indicator.stage.number in (2, 3):
            _decide(member, published, item, highest)
    workshop.refresh_from_db()
    assert workshop.items_decided == _count_below_stage_4(items) and workshop.is_partial
    assert workshop.coverage == pytest.approx(_weight_below_stage_4(published), abs=1e-3)
    assert workshop.reading.lower_bound and str(workshop.reading) == "≥ 3.0"


@pytest.mark.django_db
def test_half_an_indicator_is_refused_and_nothing_is_saved(member, published):
    _open(member, published)
    item = next(i for i in _indicator_items(published) if i.indicator_key == LEAD)
    first, second = item_questions(published, item)
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    response = member.post(url, {first.field_name: highest(first).pk, "version": 1})
    assert response.status_code == 400
    assert "every question of this indicator" in response.content.decode()
    assert not WorkshopAnswer.objects.exists()
    item.refresh_from_db()
    assert item.version == 1 and not item.is_decided


@pytest.mark.django_db
def test_another_questions_option_is_refused(member, published):
    _open(member, published)
    first, second = _indicator_items(published)[:2]
    data = _decision(published, first, highest)
    question = item_questions(published, first)[0]
    data[question.field_name] = highest(item_questions(published, second)[0]).pk
    url = reverse("assessments:workshop_item", args=[published.pk, first.pk])
    assert member.post(url, data).status_code == 400
    assert not WorkshopAnswer.objects.exists()


@pytest.mark.django_db
def test_stale_save_is_refused_and_shows_the_other_decision(member, published):
    _open(member, published)
    item = _indicator_items(published)[0]
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    theirs = _decision(published, item, highest, note="theirs")
    assert member.post(url, theirs).status_code == 302
    mine = _decision(published, item, lowest, note="mine")
    second = member.post(url, mine)
    assert second.status_code == 409
    body = second.content.decode()
    assert "Someone else saved this item" in body and "theirs" in body
    assert escape(highest(item_questions(published, item)[0]).text) in body
    item.refresh_from_db()
    assert item.note == "theirs" and item.version == 2
    assert {a.option for a in WorkshopAnswer.objects.filter(item=item)} == {
        highest(q) for q in item_questions(published, item)
    }


@pytest.mark.django_db
def test_double_submit_of_the_same_decision_is_no_conflict(member, published):
    _open(member, published)
    item = _indicator_items(published)[0]
    url = reverse("assessments:workshop_item", args=[published.pk, item.pk])
    data = _decision(published, item, highest, note="same")
    assert member.post(url, data).status_code == 302
    assert member.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.version == 2


@pytest.mark.django_db
def test_action_becomes_a_plan_item_with_owner_and_due_date(member, published, leader):
    _open(member, published)
    item = _indicator_items(published)[0]
    action = {
        "add_action": "on",
        "owner": "both",
        "owner_person": leader.pk,
        "due_on": "2030-01-31",
        "action": "Write the definition together",
    }
    assert _decide(member, published, item, lambda q: None, **action).status_code == 302
    plan = PlanItem.objects.get(round=published)
    assert plan.indicator == item.indicator
    assert (plan.owner, plan.owner_person, str(plan.due_on)) == ("both", leader, "2030-01-31")
    item.refresh_from_db()
    assert item.is_decided and item.plan_item == plan
    assert list(WorkshopAnswer.objects.filter(item=item).values_list("option", flat=True)) == [
        None,
        None,
    ]
    assert _decide(member, published, item, lambda q: None, **{**action, "owner": "sales"})
    assert PlanItem.objects.get(round=published).owner == "sales"


@pytest.mark.django_db
def test_finishing_with_undecided_indicators_asks_for_confirmation(member, published):
    _open(member, published)
    items = _indicator_items(published)
    _decide(member, published, items[0], highest)
    url = reverse("assessments:workshop_finish", args=[published.pk])
    page = member.get(url).content.decode()
    assert f"1 of {len(items)} indicators decided" in page
    for item in items[1:]:
        assert escape(item.indicator.name) in page
    refused = member.post(url, {"state": "finished"})
    assert refused.status_code == 400
    assert "confirm that the consensus leaves them unknown" in refused.content.decode()
    assert not _workshop(published).is_finished
    assert member.post(url, {"state": "finished", "confirm": "on"}).status_code == 302
    assert _workshop(published).is_finished
    assert member.post(url, {"state": "in-progress"}).status_code == 302
    assert not _workshop(published).is_finished


@pytest.mark.django_db
def test_finishing_with_everything_decided_needs_no_confirmation(member, published):
    _open(member, published)
    for item in _indicator_items(published):
        _decide(member, published, item, highest)
    url = reverse("assessments:workshop_finish", args=[published.pk])
    assert "Every indicator is decided" in member.get(url).content.decode()
    assert member.post(url, {"state": "finished"}).status_code == 302
    assert _workshop(published).is_finished


@pytest.mark.django_db
def test_a_partial_consensus_is_labelled_everywhere(member, client, published, organization):
    _open(member, published)
    for item in _indicator_items(published):
        if item.indicator.stage.number in (2, 3):
            _decide(member, published, item, highest)
    url = reverse("assessments:workshop_finish", args=[published.pk])
    member.post(url, {"state": "finished", "confirm": "on"})
    items = _indicator_items(published)
    decided, count = _count_below_stage_4(items), len(items)
    coverage = round(100 * _weight_below_stage_4(published))
    team = member.get(organization.get_absolute_url()).content.decode()
    assert f"Consensus ({decided} of {count} decided):</strong>" in team
    assert "≥ 3.0" in team and f"coverage {coverage}%" in team
    assert f"≥ 3.0 ({decided} of {count} decided)" in team  # the progress table
    assert "Partial consensus" in team  # its line in the progress chart
    round_page = member.get(published.get_absolute_url()).content.decode()
    assert f"Consensus ({decided} of {count} decided):</strong>" in round_page
    download = member.get(reverse("assessments:organization_export", args=[organization.pk]))
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        text = archive.read("rounds.csv").decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    assert (row["consensus_decided"], row["consensus_indicators"]) == (str(decided), str(count))
    assert "not-measured" in row["consensus_flags"]


@pytest.mark.django_db
def test_finished_consensus_shows_beside_the_mean_everywhere(
    member, client, published, organization, make_consultant
):
    _open(member, published)
    for item in _indicator_items(published):
        _decide(member, published, item, highest)
    member.post(reverse("assessments:workshop_finish", args=[published.pk]), {"state": "finished"})
    team = member.get(organization.get_absolute_url()).content.decode()
    assert "<strong>Consensus:</strong>\n  4.0" in team and "Round's mean: 1.4" in team
    assert "Consensus (workshop)" in team  # the progress table's column and chart series
    consultant = make_consultant("c@consult.example", organization)
    client.force_login(consultant)
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk]))
    assert "Consensus (workshop)" in page.content.decode()
    export = client.post(reverse("admin:dashboard_rounds_export", args=[organization.pk, "csv"]))
    assert "consensus_decided" in export.content.decode("utf-8-sig")


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
    _open(member, published)
    pick = by_question(levels)
    for item in _indicator_items(published):
        assert _decide(member, published, item, pick).status_code == 302
    workshop = _workshop(published)
    alone = Response.objects.get(
        pk=submit_response(None, "ceo", pick, questionnaire=questionnaire).pk
    )
    assert workshop.position == alone.position
    assert workshop.flags == alone.flags
    assert (flag in workshop.flags) if flag else workshop.flags == []
    assert workshop.indicator_scores == alone.indicator_scores


@pytest.mark.django_db
def test_confidential_round_opens_only_when_published(member, organization, questionnaire):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    submit_response(round, "marketing", highest)
    response = _open(member, round)
    assert not Workshop.objects.filter(round=round).exists()
    page = member.get(response["Location"])
    assert escape("opens once the round's figures are published") in page.content.decode()


@pytest.mark.django_db
def test_confidential_round_of_a_small_team_shows_no_side_and_no_names(
    member, organization, questionnaire, settings
):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    round = _round(organization, questionnaire, visibility="confidential")
    _open(member, round)
    item = _workshop(round).items.first()
    # Ranked without the hidden sides: no disagreement to rank by.
    assert item.disagreement is None
    body = member.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marketing side" not in body and "Marta" not in body
    assert "No side's answers may be shown" in body


@pytest.mark.django_db
def test_a_wide_confidential_survey_ranks_by_the_sides_gap_without_names(
    member, organization, questionnaire
):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    for n in range(3):
        submit_response(round, "marketing", by_question({LEAD: 3}, 1), email=f"m{n}@a.example")
        submit_response(round, "sales", by_question({LEAD: 0}, 1), email=f"s{n}@a.example")
    close(round)
    _open(member, round)
    first = _workshop(round).items.first()
    assert first.indicator_key == LEAD and first.disagreement == pytest.approx(1.0, abs=0.01)
    body = member.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marketing side: 100%" in body and "Sales side: 0%" in body
    assert "answers per option stay hidden" in body and "m0@a.example" not in body


@pytest.mark.django_db
def test_an_open_round_is_ranked_by_the_spread_between_people(member, organization, questionnaire):
    """Two marketing leaders far apart, sales in between: no gap between sides, a wide spread."""
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    submit_response(round, "marketing", by_question({LEAD: 3}, 1), email="m1@a.example")
    submit_response(round, "marketing", by_question({LEAD: 0}, 1), email="m2@a.example")
    submit_response(round, "sales", by_question({}, 1), email="s@a.example")
    close(round)
    _open(member, round)
    lead = _workshop(round).items.get(indicator_key=LEAD)
    assert lead.position == 1 and lead.disagreement == pytest.approx(1.0, abs=0.01)


@pytest.mark.django_db
def test_a_consultant_the_round_was_run_with_facilitates_and_sees_names(
    client, make_consultant, organization, questionnaire
):
    consultant = make_consultant("c@consult.example", organization)
    round = _round(organization, questionnaire, consultant_access=True)
    client.force_login(consultant)
    _open(client, round)
    assert Workshop.objects.filter(round=round).exists()
    body = client.get(reverse("assessments:workshop_present", args=[round.pk])).content.decode()
    assert "Marta" in body and "Marketing side" in body


@pytest.mark.django_db
def test_a_consultant_assigned_later_gets_no_workshop_of_an_open_round(
    client, member, make_consultant, organization, published
):
    """The members' agenda is ranked on each person's answers, which the consultant may not see."""
    _open(member, published)
    assert _workshop(published).items.first().disagreement is not None
    client.force_login(make_consultant("c@consult.example", organization))
    page = client.get(reverse("assessments:workshop", args=[published.pk])).content.decode()
    assert "not run with a consultant" in page and "points" not in page
    for name in ["workshop_present", "workshop_follow", "workshop_state", "workshop_summary"]:
        assert client.get(reverse(f"assessments:{name}", args=[published.pk])).status_code == 404


@pytest.mark.django_db
def test_a_consultant_facilitates_a_published_confidential_round(
    client, make_consultant, organization, questionnaire
):
    """Not run with them, but they see what the members see: the same agenda."""
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    for n, role in enumerate(["marketing", "sales", "ceo"] * 3):
        submit_response(round, role, highest, email=f"p{n}@a.example")
    close(round)
    client.force_login(make_consultant("c@consult.example", organization))
    _open(client, round)
    assert client.get(reverse("assessments:workshop_present", args=[round.pk])).status_code == 200


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
def test_summary_is_in_the_readers_language(member, published, leader):
    leader.memberships.update(language="en")
    _open(member, published)
    member.cookies["django_language"] = "es"
    body = member.get(reverse("assessments:workshop_summary", args=[published.pk])).text
    assert '<html lang="es">' in body and "Taller de alineación" in body
    # The round's mean is named by the headline's rule, in the reader's language too.
    with translation.override("es"):
        stages = {stage.number: stage for stage in Stage.objects.all()}
        expected = f"{published.reading}, {results.headline(published.reading, stages).title}"
    assert expected in body
    member.cookies["django_language"] = "en"
    body = member.get(reverse("assessments:workshop_summary", args=[published.pk])).text
    assert '<html lang="en">' in body and "Alignment workshop" in body


@pytest.mark.django_db
def test_the_summary_print_button_is_shown_by_its_script(member, published):
    _open(member, published)
    body = member.get(reverse("assessments:workshop_summary", args=[published.pk])).text
    assert "data-print hidden" in body and "js/print.js" in body


def _grow(organization, questionnaire, responses, visibility="confidential"):
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, visibility=visibility
    )
    for index in range(responses):
        role = ["marketing", "sales", "ceo"][index % 3]
        submit_response(round, role, highest, email=f"p{index}@acme.example")
    return close(round)


@pytest.mark.django_db
@pytest.mark.parametrize("responses", [3, 9])
@pytest.mark.parametrize("visibility", ["confidential", "open"])
@pytest.mark.parametrize(
    "name",
    ["workshop", "workshop_present", "workshop_follow", "workshop_summary", "workshop_finish"],
)
def test_query_counts_do_not_grow_with_responses(
    member, organization, questionnaire, responses, visibility, name, django_assert_num_queries
):
    round = _grow(organization, questionnaire, responses, visibility)
    _open(member, round)
    url = reverse(f"assessments:{name}", args=[round.pk])
    member.get(url)  # warms the questionnaire's cached pages
    queries = QUERIES[name] + (1 if visibility == "open" and name in PER_OPTION else 0)
    with django_assert_num_queries(queries):
        assert member.get(url).status_code == 200


QUERIES = {
    "workshop": 6,
    "workshop_present": 6,
    "workshop_follow": 6,
    "workshop_summary": 9,
    "workshop_finish": 6,
}
# In an open round the presenter reads the answers per option (one query).
PER_OPTION = {"workshop_present", "workshop_follow"}


@pytest.mark.django_db
def test_state_json_carries_no_figures(member, published):
    _open(member, published)
    state = member.get(reverse("assessments:workshop_state", args=[published.pk])).json()
    assert set(state) == {"item", "status", "timer_started_at", "elapsed"}
