"""The data migration that brings stored results up to the current rules."""

import importlib

import pytest
from django.apps import apps

from assessments.models import Response, Round
from tests.helpers import by_question, submit_response

pytestmark = pytest.mark.django_db

rescore = importlib.import_module("assessments.migrations.0014_rescore_stored_results").rescore


def test_stored_results_are_scored_again_with_the_current_rules(round):
    # Stage 2 unknown: before, a silent 0 and no flag; the round averaged differently.
    response = submit_response(round, "marketing", by_question({2: None, 3: 3, 4: 3}))
    expected = Response.objects.get(pk=response.pk)
    stale = {"attainment": {"2": 0.0, "3": 1.0, "4": 1.0}, "flags": []}
    Response.objects.filter(pk=response.pk).update(**stale)
    Round.objects.filter(pk=round.pk).update(**stale, position="1.3000", groups={})

    rescore(apps, None)

    response.refresh_from_db()
    round.refresh_from_db()
    assert response.attainment == expected.attainment == {"2": None, "3": 1.0, "4": 1.0}
    assert response.flags == ["not-measured"]
    for field in ["position", "attainment", "flags", "coverage", "indicator_scores"]:
        assert getattr(round, field) == getattr(response, field), field
    assert round.groups["marketing"]["flags"] == ["not-measured"]
