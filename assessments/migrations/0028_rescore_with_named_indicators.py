"""Score every stored result again: the indicators that make a stage now gate it.

Results are computed once and stored, so a change of rules only reaches old
results through here (as 0014_rescore_stored_results did). What changed: a
stage is reached only when its mean reaches the threshold and each indicator
marked "defines its stage" (stages 0005) is known and established; one nobody
knew makes the position a lower bound ("not-measured"), one known but weak
holds the stage back ("held-back"); a later stage counts for a foundation gap
only once established. Responses keep their questionnaire version: a version
1 or 2 response is scored with these rules on its own answers.

Rescored here: submitted responses, rounds and their role groups, and
workshops' consensus results. What is computed from them follows in later
migrations, once the fields today's code reads exist: the portfolio's columns
(0035_publications_and_organization_creators refills every organization's)
and the peer benchmark when one is stored (recomputed by
0036_benchmark_counts_independent_contributors).
"""

from decimal import Decimal

from django.db import migrations

# Pure (no models), or taking the historical models: the rules of the code
# this database is migrated with.
from assessments import scoring

# The role groups as they were when this migration was written.
ROLE_GROUPS = {
    "marketing": "marketing",
    "sales": "sales",
    "ceo": "leadership",
    "revenue": "leadership",
}


def result_fields(result):
    return {
        "position": Decimal(str(result.position)),
        "stage": result.stage,
        "attainment": {str(k): v for k, v in result.attainment.items()},
        "indicator_scores": result.indicators,
        "flags": list(result.flags),
        "coverage": result.coverage,
    }


def scoring_answers(rows):
    """(group id, key, stage, named, weight, value) rows as scoring.Answer lists by group id."""
    grouped = {}
    for group_id, key, stage, named, weight, value in rows:
        grouped.setdefault(group_id, []).append(scoring.Answer(stage, value, weight, key, named))
    return grouped


def answers_by_response(Answer, **filters):
    rows = Answer.objects.filter(response__submitted_at__isnull=False, **filters).values_list(
        "response_id",
        "question__indicator__key",
        "question__indicator__stage__number",
        "question__indicator__defines_stage",
        "question__weight",
        "option__value",
    )
    return scoring_answers(rows.iterator())


def rescore_responses_and_rounds(apps):
    Answer = apps.get_model("assessments", "Answer")
    Response = apps.get_model("assessments", "Response")
    Round = apps.get_model("assessments", "Round")

    standalone = answers_by_response(Answer, response__round__isnull=True)
    for response_id, answers in standalone.items():
        Response.objects.filter(pk=response_id).update(**result_fields(scoring.score(answers)))

    for round in Round.objects.filter(respondents__gt=0).iterator():
        answers = answers_by_response(Answer, response__round=round)
        submitted = list(
            Response.objects.filter(round=round, submitted_at__isnull=False).values_list(
                "pk", "role"
            )
        )
        if not submitted:
            continue
        positions = []
        for response_id, _ in submitted:
            fields = result_fields(scoring.score(answers.get(response_id, [])))
            Response.objects.filter(pk=response_id).update(**fields)
            positions.append(fields["position"])
        groups = {}
        for group in ("marketing", "sales", "leadership"):
            members = [pk for pk, role in submitted if ROLE_GROUPS.get(role) == group]
            if members:
                result = scoring.aggregate(answers.get(pk, []) for pk in members)
                groups[group] = {
                    "count": len(members),
                    "position": result.position,
                    "stage": result.stage,
                    "flags": list(result.flags),
                    "attainment": {str(k): v for k, v in result.attainment.items()},
                    "indicator_scores": result.indicators,
                }
        team = scoring.aggregate(answers.get(pk, []) for pk, _ in submitted)
        Round.objects.filter(pk=round.pk).update(
            **result_fields(team),
            respondents=len(submitted),
            lowest=min(positions),
            highest=max(positions),
            groups=groups,
        )


def rescore_workshops(apps):
    """The consensus answers, scored like a response (Workshop.refresh_result)."""
    Workshop = apps.get_model("assessments", "Workshop")
    WorkshopItem = apps.get_model("assessments", "WorkshopItem")
    scored = list(Workshop.objects.filter(position__isnull=False).values_list("pk", flat=True))
    rows = (
        WorkshopItem.objects.filter(workshop__in=scored, question__isnull=False)
        .exclude(option__isnull=True, dont_know=False)
        .values_list(
            "workshop_id",
            "question__indicator__key",
            "question__indicator__stage__number",
            "question__indicator__defines_stage",
            "question__weight",
            "option__value",
        )
    )
    decided = scoring_answers(rows.iterator())
    for pk in scored:
        result = scoring.score(decided.get(pk, []))
        Workshop.objects.filter(pk=pk).update(**result_fields(result))


def rescore(apps, schema_editor):
    rescore_responses_and_rounds(apps)
    rescore_workshops(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0027_questionnaire_v3"),
        ("stages", "0005_indicator_defines_stage"),
    ]

    operations = [migrations.RunPython(rescore, migrations.RunPython.noop)]
