"""Big rounds: respondent lists come a page at a time, at a cost that does not grow."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import tasks
from assessments.models import Answer, Organization, Response, Round
from tests.helpers import highest, run_worker, submit_response

pytestmark = pytest.mark.django_db


def invite(round, count):
    start = Response.objects.filter(round=round).count()
    Response.objects.bulk_create(
        Response(
            round=round,
            questionnaire=round.questionnaire,
            organization_name=round.organization.name,
            role="sales",
            email=f"p{start + n}@acme.example",
            name=f"Person {start + n:03}",
            invited_at=timezone.now(),
        )
        for n in range(count)
    )


def test_the_round_page_lists_respondents_by_page_at_a_constant_cost(
    member, round, django_assert_num_queries, django_assert_max_num_queries
):
    invite(round, 5)
    url = reverse("assessments:round", args=[round.pk])
    member.get(url)
    with django_assert_max_num_queries(30) as small:
        member.get(url)
    invite(round, 70)
    with django_assert_num_queries(len(small.captured_queries)):
        page = member.get(url)
    assert "0 of 75 submitted" in page.text
    assert "Person 049" in page.text and "Person 050" not in page.text
    assert "Page 1 of 2" in page.text
    second = member.get(url, {"respondents": "2"})
    assert "Person 050" in second.text and "Person 049" not in second.text
    assert member.get(url, {"respondents": "zz"}).status_code == 200


def test_the_team_page_counts_reminders_due_without_listing_everyone(member, round):
    invite(round, 60)
    Response.objects.update(invited_at=timezone.now() - timezone.timedelta(days=4))
    page = member.get(reverse("assessments:team", args=[round.organization.pk]))
    assert "60 people invited have not submitted and are due a reminder." in page.text
    # The team page counts them; the round page lists them, a page at a time.
    assert "Person 001" not in page.text
    assert "Page 1 of 2" in member.get(round.get_absolute_url()).text


def test_the_close_page_names_the_first_who_have_not_answered_and_counts_the_rest(member, round):
    invite(round, 53)
    page = member.get(reverse("assessments:round_close", args=[round.pk]))
    assert "Person 049" in page.text and "Person 050" not in page.text
    assert "And 3 more people." in page.text


def test_the_client_page_shows_the_first_responses_and_links_to_all(
    client, make_consultant, organization, questionnaire, monkeypatch
):
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, consultant_access=True
    )
    for _ in range(3):
        submit_response(round, "marketing", highest)
    client.force_login(make_consultant("c@consult.example", organization))
    monkeypatch.setattr("assessments.views.consultants.RESPONSES_SHOWN", 2)
    page = client.get(reverse("admin:dashboard_client", args=[organization.pk]))
    assert len(page.context["rounds"][0].submitted_responses) == 2
    assert "All 3 submitted responses, page by page" in page.text


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def answered(round, role="marketing"):
    """A response of ROUND with every question answered at its highest, not submitted."""
    response = Response.objects.create(
        round=round, questionnaire=round.questionnaire, organization_name="Acme", role=role
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, option=highest(question))
        for section in round.questionnaire.pages()
        for question in section.questions.all()
    )
    return response


def submit(response):
    with transaction.atomic():
        return tasks.submit_response(Response.objects.select_for_update().get(pk=response.pk))


def test_a_submit_costs_the_same_in_a_round_of_three_or_thirty(
    round, settings, django_assert_num_queries, django_assert_max_num_queries, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    for _ in range(3):
        submit(answered(round))
    with django_assert_max_num_queries(40) as small:
        submit(answered(round))
    for _ in range(26):
        submit(answered(round))
    with django_assert_num_queries(len(small.captured_queries)):
        submit(answered(round))
    # The portfolio's count follows at once; the result once the worker ran, once.
    assert Organization.objects.get(pk=round.organization_id).open_round_submitted == 31
    round.refresh_from_db()
    assert round.result_stale and round.respondents == 0
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_round_result").count() == 1
    run_worker(monkeypatch)
    round.refresh_from_db()
    assert not round.result_stale and round.respondents == 31 and round.position == 4


def test_a_confidential_round_closed_before_the_worker_ran_publishes_the_full_result(
    round, settings
):
    settings.TASKS = DATABASE_QUEUE
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role in ["marketing", "sales", "ceo"]:
        submit(answered(round, role))
    round.refresh_from_db()
    assert round.result_stale and not round.is_published
    round.close()
    assert not round.result_stale and round.respondents == 3 and round.is_published
    assert round.position == 4


def test_a_stale_closed_round_is_not_published(round, settings):
    settings.TASKS = DATABASE_QUEUE
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit(answered(round))
    Round.objects.filter(pk=round.pk).update(closed_at=timezone.now(), respondents=1)
    round.refresh_from_db()
    assert not round.is_published
    assert not Round.objects.published().filter(pk=round.pk).exists()
