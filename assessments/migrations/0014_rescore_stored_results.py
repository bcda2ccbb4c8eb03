"""Score the stored results of submitted responses and rounds again, with the current rules.

Results are computed once and stored, so a change of rules only reaches old
results through here. What changed: a stage nobody could answer is not measured
(a lower bound, flagged "not-measured") rather than a silent zero; the
foundation gap is also judged indicator by indicator; and a round is scored from
its respondents' answers through the same path as one respondent, so a round of
one reads exactly like its response. Positions only move for rounds whose
respondents left part of an indicator unanswered; flags are brought up to date.
"""

from decimal import Decimal

from django.db import migrations

# Pure (no models): always the rules of the code this database is migrated with.
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


def answers_by_response(Answer, **filters):
    rows = Answer.objects.filter(response__submitted_at__isnull=False, **filters).values_list(
        "response_id",
        "question__indicator__key",
        "question__indicator__stage__number",
        "question__weight",
        "option__value",
    )
    grouped = {}
    for response_id, key, stage, weight, value in rows.iterator():
        grouped.setdefault(response_id, []).append(scoring.Answer(stage, value, weight, key))
    return grouped


def rescore(apps, schema_editor):
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
        positions = []
        for response_id, _ in submitted:
            fields = result_fields(scoring.score(answers.get(response_id, [])))
            Response.objects.filter(pk=response_id).update(**fields)
            positions.append(fields["position"])
        if not submitted:
            continue
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


class Migration(migrations.Migration):
    dependencies = [("assessments", "0013_questionnaire_v2")]

    operations = [migrations.RunPython(rescore, migrations.RunPython.noop)]
