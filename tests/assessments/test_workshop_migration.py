"""Workshops opened before agenda items became indicators survive the migration, decisions kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.models import Workshop, WorkshopAnswer, WorkshopItem

LEAD = "strategic.lead-definition"
# A workshop opened under questionnaire version 2 (before version 3 came), and one
# opened under version 3, at the last migration before these.
BEFORE = {
    2: [("assessments", "0026_portfolio_export_and_list_indexes")],
    3: [("assessments", "0031_round_starts_per_hour")],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", [2, 3])
def test_per_question_items_become_one_item_per_indicator_keeping_decisions(version):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE[version])
    old = executor.loader.project_state(BEFORE[version]).apps
    # Rolling back leaves version 3's rows in place: take the version by its number.
    questionnaire = old.get_model("assessments", "Questionnaire").objects.get(version=version)
    organization = old.get_model("assessments", "Organization").objects.create(name="Old")
    round = old.get_model("assessments", "Round").objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    OldItem = old.get_model("assessments", "WorkshopItem")
    questions = list(
        old.get_model("assessments", "Question")
        .objects.filter(section__questionnaire=questionnaire)
        .select_related("indicator")
        .order_by("section__order", "order")
    )
    workshop = old.get_model("assessments", "Workshop").objects.create(round=round)
    now = timezone.now()
    lead = [q for q in questions if q.indicator.key == LEAD]
    others = [q for q in questions if q.indicator.key != LEAD]
    # The lead definition's two questions lead the agenda, both decided; the others follow.
    items = {}
    for position, question in enumerate(lead + others, start=1):
        options = list(question.options.order_by("order"))
        decided = question in lead or question == others[0]
        items[question.pk] = OldItem.objects.create(
            workshop=workshop,
            question=question,
            indicator_key=question.indicator.key,
            position=position,
            minutes=15 if question in lead else 3,
            disagreement=1.0 if question in lead else None,
            option=options[-1] if decided else None,
            note="Leads mean different things" if question == lead[1] else "",
            decided_at=now if decided else None,
            version=2 if decided else 1,
        )
    OldItem.objects.create(workshop=workshop, title="Joint events budget", position=99, minutes=10)
    workshop.current_item = items[lead[1].pk]
    workshop.save()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    workshop = Workshop.objects.get(pk=workshop.pk)
    migrated = list(workshop.items.order_by("position"))
    keys = [item.indicator_key for item in migrated if item.indicator_id]
    # The indicators of the round's own questionnaire, each once (version 3 asks no
    # "structure in place" at stage 4).
    assert sorted(keys) == sorted({q.indicator.key for q in questions})
    assert ("functional.structure-in-place" in keys) == (version == 2)
    assert [item.position for item in migrated] == list(range(1, len(migrated) + 1))
    first = migrated[0]
    assert first.indicator.key == LEAD and first.disagreement == 1.0
    assert first.is_decided and first.note == "Leads mean different things"
    assert workshop.current_item_id == first.pk
    assert set(WorkshopAnswer.objects.filter(item=first).values_list("question_id", flat=True)) == {
        q.pk for q in lead
    }
    # The first other question was decided alone: kept, but its indicator is not decided.
    partly = WorkshopItem.objects.get(workshop=workshop, indicator_id=others[0].indicator_id)
    assert WorkshopAnswer.objects.filter(item=partly).count() == 1
    assert partly.is_decided == (
        sum(1 for q in questions if q.indicator_id == others[0].indicator_id) == 1
    )
    topic = migrated[-1]
    assert topic.title == "Joint events budget" and topic.minutes == 10
    # Shared out again within the default box; the consensus counts the rest as unknown.
    assert workshop.time_box == 90
    assert sum(item.minutes for item in migrated if not item.next_time) <= 90
    assert workshop.items_to_decide == len(keys) and 1 <= workshop.items_decided <= 2
    assert "low-coverage" in workshop.flags
