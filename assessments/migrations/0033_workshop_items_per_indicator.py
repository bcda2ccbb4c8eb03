"""Turn each workshop's per-question agenda items into one item per indicator, keeping decisions.

Before, an indicator's two or three questions were neighbouring items with the
same disagreement. Now an item is an indicator; each question's consensus
answer becomes a WorkshopAnswer of that item. Of an indicator's items, the one
highest on the agenda stays (its place, and the presenter's current item when
it was one of them), with the widest disagreement, every note, the plan item and
the latest save; it counts as decided only when every question was. The
minutes are shared out again within the default time box, and the consensus is
scored again under the rule that an undecided indicator counts as unknown.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

# Pure (no models): the rules of the code this database is migrated with.
from assessments import agenda, scoring

NOTE_LENGTH = 2000


def merge(apps, schema_editor):
    Workshop = apps.get_model("assessments", "Workshop")
    WorkshopItem = apps.get_model("assessments", "WorkshopItem")
    WorkshopAnswer = apps.get_model("assessments", "WorkshopAnswer")
    Question = apps.get_model("assessments", "Question")

    for workshop in Workshop.objects.select_related("round").iterator():
        items = list(
            WorkshopItem.objects.filter(workshop=workshop)
            .select_related("question")
            .order_by("position", "pk")
        )
        kept, groups = [], {}
        for item in items:
            if item.question_id is None:  # a topic of the facilitator's own: nothing to decide
                item.decided_at = None
                kept.append(item)
                continue
            indicator = item.question.indicator_id
            if indicator not in groups:
                kept.append(item)
            groups.setdefault(indicator, []).append(item)
        current = workshop.current_item_id
        for indicator, members in groups.items():
            first = members[0]
            decided = [m for m in members if m.option_id is not None or m.dont_know]
            WorkshopAnswer.objects.bulk_create(
                WorkshopAnswer(item=first, question_id=m.question_id, option_id=m.option_id)
                for m in decided
            )
            known = [m.disagreement for m in members if m.disagreement is not None]
            notes = list(dict.fromkeys(m.note for m in members if m.note))
            saved = [m for m in decided if m.decided_at is not None]
            latest = max(saved, key=lambda m: m.decided_at, default=None)
            first.indicator_id = indicator
            first.disagreement = max(known) if known else None
            first.skipped = all(m.skipped for m in members)
            first.note = "\n\n".join(notes)[:NOTE_LENGTH]
            first.plan_item_id = next((m.plan_item_id for m in members if m.plan_item_id), None)
            complete = len(decided) == len(members)
            first.decided_at = (
                (latest.decided_at if latest else timezone.now()) if complete else None
            )
            if latest:
                first.decided_by_id = latest.decided_by_id
            first.version = max(m.version for m in members)
            first.option_id, first.dont_know = None, False
            if current in {m.pk for m in members}:
                current = first.pk
            WorkshopItem.objects.filter(pk__in=[m.pk for m in members[1:]]).delete()
        planned = agenda.schedule(
            [
                agenda.Slot(
                    str(item.pk),
                    item.disagreement,
                    fixed=item.minutes if item.question_id is None else None,
                    skipped=item.skipped,
                )
                for item in kept
            ],
            agenda.DEFAULT_TIME_BOX,
        )
        for position, item in enumerate(kept, start=1):
            item.position = position
            item.next_time = str(item.pk) in planned.later
            if item.question_id is not None:
                item.minutes = planned.minutes.get(str(item.pk), agenda.MIN_MINUTES)
        WorkshopItem.objects.bulk_update(
            kept,
            [
                "indicator",
                "disagreement",
                "skipped",
                "next_time",
                "note",
                "plan_item",
                "decided_at",
                "decided_by",
                "version",
                "option",
                "dont_know",
                "position",
                "minutes",
            ],
        )

        questions = Question.objects.filter(
            section__questionnaire_id=workshop.round.questionnaire_id
        ).values_list(
            "pk", "indicator__key", "indicator__stage__number", "indicator__defines_stage", "weight"
        )
        agreed = dict(
            WorkshopAnswer.objects.filter(
                item__workshop=workshop, item__decided_at__isnull=False
            ).values_list("question_id", "option__value")
        )
        result = scoring.score(
            scoring.Answer(stage, agreed.get(pk), weight, key, named)
            for pk, key, stage, named, weight in questions
        )
        indicator_items = [item for item in kept if item.indicator_id is not None]
        Workshop.objects.filter(pk=workshop.pk).update(
            current_item_id=current,
            position=Decimal(str(result.position)),
            stage=result.stage,
            attainment={str(k): v for k, v in result.attainment.items()},
            indicator_scores=result.indicators,
            flags=list(result.flags),
            coverage=result.coverage,
            items_decided=sum(1 for item in indicator_items if item.decided_at is not None),
            items_to_decide=len(indicator_items),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0032_workshop_items_per_indicator_fields"),
        # The consensus is scored again with the indicators that make a stage.
        ("stages", "0005_indicator_defines_stage"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
