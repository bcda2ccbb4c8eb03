"""The data migrations that bring stored results up to the current rules."""

import functools
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from assessments.models import (
    BenchmarkEntry,
    Organization,
    Questionnaire,
    Response,
    Round,
)
from tests.helpers import among_peers, by_question, close, submit_response

pytestmark = pytest.mark.django_db

rescore_0014 = importlib.import_module("assessments.migrations.0014_rescore_stored_results").rescore
migration_0028 = importlib.import_module(
    "assessments.migrations.0028_rescore_with_named_indicators"
)
refill_summaries = importlib.import_module(
    "assessments.migrations.0035_publications_and_organization_creators"
).refill_summaries
recompute_benchmark = importlib.import_module(
    "assessments.migrations.0036_benchmark_counts_independent_contributors"
).recompute

RESCORED = "0028_rescore_with_named_indicators"
REFILLED = "0035_publications_and_organization_creators"
RECOMPUTED = "0036_benchmark_counts_independent_contributors"


@functools.cache
def at(migration):
    """The historical models a migration's data step is given: the app as of MIGRATION.

    A data step that reads a field added by a later migration fails here as it
    would on a real database migrated from before it.
    """
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(("assessments", migration)).apps


def rescore():
    """0028's rescoring of responses and rounds, then what follows from it: the portfolio's
    columns (0035) and a stored benchmark (0036), each step on the models of its day.

    0028's workshop step reads the per-question agenda items of its day, which 0034
    removed: a workshop is carried through the migrations themselves (tests/test_migrations.py).
    """
    migration_0028.rescore_responses_and_rounds(at(RESCORED))
    refill_summaries(at(REFILLED), None)
    recompute_benchmark(at(RECOMPUTED), None)


# Leaders who meet, share priorities and wrote a plan, but agreed no lead definition:
# stage 2's mean is reached, what makes it is not. Before the named indicators gated
# their stage, this read about 2.4, "strategic".
NO_LEAD_DEFINITION = by_question({2: 3, 3: 1, 4: 0, "strategic.lead-definition": 0})


def test_0014_scored_stored_results_again_with_the_rules_of_its_day(round):
    round.questionnaire = Questionnaire.objects.get(version=2)
    round.save()
    # Stage 2 unknown: before, a silent 0 and no flag; the round averaged differently.
    response = submit_response(round, "marketing", by_question({2: None, 3: 3, 4: 3}))
    expected = Response.objects.get(pk=response.pk)
    stale = {"attainment": {"2": 0.0, "3": 1.0, "4": 1.0}, "flags": []}
    Response.objects.filter(pk=response.pk).update(**stale)
    Round.objects.filter(pk=round.pk).update(**stale, position="1.3000", groups={})

    rescore_0014(apps, None)

    response.refresh_from_db()
    round.refresh_from_db()
    assert response.attainment == expected.attainment == {"2": None, "3": 1.0, "4": 1.0}
    assert response.flags == ["not-measured"]
    for field in ["position", "attainment", "flags", "coverage", "indicator_scores"]:
        assert getattr(round, field) == getattr(response, field), field
    assert round.groups["marketing"]["flags"] == ["not-measured"]


def stale(model, pk, **fields):
    """Store what the earlier rules gave: stage 2 reached on its mean alone, no flag."""
    model.objects.filter(pk=pk).update(
        **{"position": Decimal("2.4000"), "stage": 2, "flags": [], **fields}
    )


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_response_of_any_version_is_rescored_on_its_own_answers(version):
    questionnaire = Questionnaire.objects.get(version=version)
    response = submit_response(None, "ceo", NO_LEAD_DEFINITION, questionnaire=questionnaire)
    expected = Response.objects.get(pk=response.pk)
    assert expected.stage == 1 and expected.position < 2  # the current rules
    stale(Response, response.pk)

    rescore()

    response.refresh_from_db()
    assert response.questionnaire_id == questionnaire.pk  # keeps its version
    for field in ["position", "stage", "attainment", "indicator_scores", "flags", "coverage"]:
        assert getattr(response, field) == getattr(expected, field), field
    assert response.position < 2


def test_rounds_their_groups_and_the_portfolio_are_rescored(round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    for role in ("marketing", "sales", "ceo"):
        submit_response(round, role, NO_LEAD_DEFINITION)
    close(round)
    round.refresh_result()
    round.refresh_from_db()
    expected_round = round
    organization = Organization.objects.get(pk=round.organization_id)
    assert organization.latest_position == round.position < 2
    groups = {group: {**data, "flags": [], "stage": 2} for group, data in round.groups.items()}
    stale(Round, round.pk, groups=groups, lowest=Decimal("2.4"), highest=Decimal("2.4"))
    Organization.objects.filter(pk=organization.pk).update(
        latest_position=Decimal("2.4"), latest_stage=2, latest_flags=[]
    )

    rescore()

    round = Round.objects.get(pk=round.pk)
    for field in ["position", "stage", "attainment", "indicator_scores", "flags", "coverage"]:
        assert getattr(round, field) == getattr(expected_round, field), field
    assert round.groups == expected_round.groups
    assert round.groups["marketing"]["flags"] == ["held-back"]
    assert round.lowest == round.highest == round.position
    organization.refresh_from_db()
    assert (organization.latest_position, organization.latest_stage) == (round.position, 1)
    assert organization.latest_flags == ["held-back"]


def test_a_stored_benchmark_is_computed_again_from_the_rescored_rounds(round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", NO_LEAD_DEFINITION)
    close(round)
    among_peers(round.organization)
    entry = BenchmarkEntry.objects.get(organization=round.organization)
    assert entry.stage == 1
    stale(Round, round.pk)
    BenchmarkEntry.objects.filter(pk=entry.pk).update(position=Decimal("2.4"), stage=2)

    rescore()

    entry = BenchmarkEntry.objects.get(organization=round.organization)
    assert entry.stage == 1 and entry.position == Round.objects.get(pk=round.pk).position
    # Six organizations with no member or creator in common: six contributors.
    assert entry.group.contributors == 6


def test_no_benchmark_is_started_by_the_migration(round, settings):
    settings.ROUND_GROUP_MIN_RESPONDENTS = 1
    submit_response(round, "marketing", NO_LEAD_DEFINITION)
    close(round)
    Organization.objects.filter(pk=round.organization_id).update(benchmark_opt_in=True)
    rescore()
    assert not BenchmarkEntry.objects.exists()
