"""Simultaneous requests: one result per submitted response, a shared link's cap kept."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Response, Round
from tests.helpers import highest, lowest, page_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs row locks: run against PostgreSQL"
    ),
]


def race(requests):
    """Run each callable in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        barrier.wait()
        try:
            results[index] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_final_submits_leave_one_result(questionnaire, organization):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    response = Response.objects.create(
        round=round, questionnaire=questionnaire, organization_name="A", role="sales"
    )
    pages = questionnaire.pages()
    for number, section in enumerate(pages[:-1], start=1):
        Client().post(
            reverse("assessments:page", args=[response.token, number]),
            page_data(section, lowest, next="1"),
        )
    last = reverse("assessments:page", args=[response.token, len(pages)])
    answers = [page_data(pages[-1], pick, next="1") for pick in (highest, lowest)]

    submits = []
    original = Response.submit

    def counting_submit(self):
        submits.append(self.pk)
        return original(self)

    with mock.patch.object(Response, "submit", counting_submit):
        outcomes = race([lambda data=data: Client().post(last, data) for data in answers])

    assert [o.status_code for o in outcomes] == [302, 302]
    assert submits == [response.pk]  # scored once; the other request changed nothing
    response.refresh_from_db()
    assert response.is_submitted
    # The result matches the answers stored: whichever request won, its page
    # and its score went in together, and the loser changed nothing.
    stored = set(
        Answer.objects.filter(response=response, question__section=pages[-1]).values_list(
            "option__order", flat=True
        )
    )
    assert len(stored) == 1
    top = {highest(question).order for question in pages[-1].questions.all()}
    expected_stage_4 = 1.0 if stored == top else 0.0
    assert response.attainment["4"] == expected_stage_4
    round.refresh_from_db()
    assert round.respondents == 1


def test_simultaneous_submits_of_two_respondents_both_count_in_the_round(
    questionnaire, organization
):
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    responses = [
        Response.objects.create(
            round=round, questionnaire=questionnaire, organization_name="A", role=role
        )
        for role in ("marketing", "sales")
    ]
    pages = questionnaire.pages()
    for response in responses:
        for number, section in enumerate(pages[:-1], start=1):
            Client().post(
                reverse("assessments:page", args=[response.token, number]),
                page_data(section, highest, next="1"),
            )
    race(
        [
            lambda r=r: Client().post(
                reverse("assessments:page", args=[r.token, len(pages)]),
                page_data(pages[-1], highest, next="1"),
            )
            for r in responses
        ]
    )
    round.refresh_from_db()
    assert round.respondents == 2
    assert set(round.groups) == {"marketing", "sales"}


def test_simultaneous_starts_through_a_shared_link_stop_at_the_rounds_cap(
    questionnaire, organization
):
    round = Round.objects.create(
        organization=organization, questionnaire=questionnaire, starts_per_hour=2
    )
    url = round.get_share_url()
    outcomes = race(
        [
            lambda n=n: Client(REMOTE_ADDR=f"192.0.2.{n}").post(url, {"role": "sales"})
            for n in range(4)
        ]
    )
    assert sorted(o.status_code for o in outcomes) == [302, 302, 429, 429]
    assert round.responses.count() == 2
