"""Red team: a confidential round's figures change after it was closed (PostgreSQL).

"The figures are published once, when the round closes ... a round that
publishes only when it closes has nothing to compare" (README). A submit that
started while the round was open and commits after the close still refreshes
the round: the member compares the figures before and after.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Response, Round
from tests.helpers import highest, lowest, page_data, submit_response

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers (IMMEDIATE)"
    ),
]


def test_a_submit_in_flight_does_not_change_a_closed_rounds_figures(round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 3
    for role in ("marketing", "sales", "ceo"):
        submit_response(round, role, lowest)
    late = Response.objects.create(
        round=round, questionnaire=round.questionnaire, organization_name="x", role="other"
    )
    pages = round.questionnaire.pages()
    Answer.objects.bulk_create(
        Answer(response=late, question=q, option=highest(q))
        for section in pages[:-1]
        for q in section.questions.all()
    )
    last_page = reverse("assessments:page", args=[late.token, len(pages)])
    data = page_data(pages[-1], highest, next="1")
    outcome = {}

    def submit():
        outcome["status"] = Client().post(last_page, data).status_code
        connection.close()

    with transaction.atomic():
        # The member presses "Close the round" while the late respondent presses "Submit".
        Round.objects.filter(pk=round.pk).update(closed_at=timezone.now())
        worker = threading.Thread(target=submit)
        worker.start()
        time.sleep(1.5)
        published = Round.objects.get(pk=round.pk)
        seen_at_close = (published.respondents, published.position)
    worker.join(30)
    after = Round.objects.get(pk=round.pk)
    assert (after.respondents, after.position) == seen_at_close, (
        f"figures changed after the close: {seen_at_close} -> "
        f"{(after.respondents, after.position)}; submit answered {outcome.get('status')}"
    )
