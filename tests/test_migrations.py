"""The data migrations carry old rows forward: one walk from old schemas to today's.

Each case writes its rows with the historical models of the migration before
the one it tests, then the walk goes on; once at today's schema every case
checks what its migration made of them. One walk rather than one per case:
on SQLite each schema change rebuilds its table, so going back and forth
through the whole history costs tens of seconds per walk.
"""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments import content
from assessments.models import (
    MemberInvitation,
    PrivateLink,
    Response,
    Round,
    Workshop,
    WorkshopAnswer,
    WorkshopItem,
)
from stages.models import Indicator
from tests.assessments.test_private_links import stored_text
from tests.helpers import by_question


def migrate_to(target, *others):
    """Migrate the assessments app to TARGET (None: today's), and to OTHERS (app, name) too;
    return their historical apps."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = executor.loader.graph.leaf_nodes() if target is None else [("assessments", target)]
    targets += others
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# stages 0004 to 0006: a continuum loaded before names and named indicators existed.
# Going back to 0003 drops those columns; going forward adds them empty, and 0004 to
# 0006 fill them from the file and bring back its wording over an editor's.

BEFORE_NAMES = ("stages", "0003_implementation_plan_indicator")


def old_indicators(old):
    indicator = old.get_model("stages", "Indicator")
    assert not any(field.name == "defines_stage" for field in indicator._meta.get_fields())
    indicator.objects.filter(key="functional.revenue-leader").update(text_es="Texto de un editor")


def indicators_synced():
    data = content.load_continuum().indicators()
    for indicator in Indicator.objects.all():
        _, wanted = data[indicator.key]
        assert (indicator.name_en, indicator.name_es) == (wanted.name["en"], wanted.name["es"])
        assert indicator.defines_stage == wanted.defines_stage
        assert indicator.text_es == wanted.text["es"]


# 0008_private_link_digests: links stored as digests keep working.


def old_links(old):
    questionnaire = old.get_model("assessments", "Questionnaire").objects.get(is_active=True)
    organization = old.get_model("assessments", "Organization").objects.create(name="Links")
    old_round = old.get_model("assessments", "Round").objects.create(
        organization=organization, questionnaire=questionnaire, share_token="s" * 43
    )
    old.get_model("assessments", "Response").objects.create(
        questionnaire=questionnaire,
        round=old_round,
        organization_name="Links",
        role="ceo",
        token="t" * 43,
    )
    old.get_model("assessments", "MemberInvitation").objects.create(
        organization=organization, email="x@old.example", role="ceo", token="i" * 43
    )


def links_still_work():
    assert Response.objects.by_token("t" * 43).get().organization_name == "Links"
    assert MemberInvitation.objects.by_token("i" * 43).get().email == "x@old.example"
    assert PrivateLink.objects.get().digest == hashlib.sha256(b"t" * 43).hexdigest()
    assert "t" * 43 not in stored_text()


# 0018: one open round per organization, the latest.


def old_open_rounds(old):
    questionnaire = old.get_model("assessments", "Questionnaire").objects.get(is_active=True)
    organization = old.get_model("assessments", "Organization").objects.create(name="Rounds")
    OldRound = old.get_model("assessments", "Round")
    lapsed = OldRound.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        opened_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2020, 1, 31),
    )
    earlier = OldRound.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=datetime.date(2021, 1, 1)
    )
    latest = OldRound.objects.create(
        organization=organization, questionnaire=questionnaire, opened_on=datetime.date(2022, 1, 1)
    )
    return organization.pk, lapsed.pk, earlier.pk, latest.pk


def one_round_left_open(organization, lapsed, earlier, latest):
    still_open = Round.objects.filter(organization_id=organization, closed_at=None)
    assert list(still_open.values_list("pk", flat=True)) == [latest]
    assert Round.objects.get(pk=lapsed).closed_at is not None
    assert Round.objects.get(pk=earlier).closed_at is not None


# 0028 and 0033: a workshop's consensus, agreed on before the named indicators gated
# their stage and before the agenda went per indicator, reads as today's rules read it.


def old_workshop(old):
    questionnaire = old.get_model("assessments", "Questionnaire").objects.get(version=3)
    organization = old.get_model("assessments", "Organization").objects.create(name="Workshop")
    round = old.get_model("assessments", "Round").objects.create(
        organization=organization, questionnaire=questionnaire, visibility="open"
    )
    workshop = old.get_model("assessments", "Workshop").objects.create(
        round=round,
        status="finished",
        finished_at=timezone.now(),
        position=Decimal("2.4000"),
        stage=2,
        flags=[],
    )
    questions = list(
        old.get_model("assessments", "Question")
        .objects.filter(section__questionnaire=questionnaire)
        .select_related("indicator__stage")
        .order_by("section__order", "order")
    )
    # Agreed: what a team without a lead definition answers (2.4, "strategic", before).
    agreed = by_question({2: 3, 3: 1, 4: 0, "strategic.lead-definition": 0})
    for position, question in enumerate(questions, start=1):
        old.get_model("assessments", "WorkshopItem").objects.create(
            workshop=workshop,
            question=question,
            indicator_key=question.indicator.key,
            position=position,
            minutes=5,
            option=agreed(question),
            decided_at=timezone.now(),
            version=2,
        )
    return workshop.pk, len({question.indicator_id for question in questions})


def workshop_rescored(pk, indicators):
    migrated = Workshop.objects.get(pk=pk)
    assert migrated.flags == ["held-back"] and migrated.position < 2
    assert migrated.items_decided == migrated.items_to_decide == indicators
    stored = (migrated.position, migrated.stage, migrated.flags, migrated.indicator_scores)
    migrated.refresh_result()
    migrated.refresh_from_db()
    assert (migrated.position, migrated.stage, migrated.flags, migrated.indicator_scores) == stored


# 0038_round_names: existing rounds named in the order they opened, in their opener's language.


def unnamed_rounds(old):
    Organization = old.get_model("assessments", "Organization")
    OldRound = old.get_model("assessments", "Round")
    questionnaire = old.get_model("assessments", "Questionnaire").objects.get(version=3)
    spanish = Organization.objects.create(name="Ibérica")
    lucia = old.get_model("auth", "User").objects.create(username="lucia")
    old.get_model("assessments", "Membership").objects.create(
        organization=spanish, user=lucia, role="sales", language="es"
    )
    english = Organization.objects.create(name="Acme")
    today = timezone.localdate()
    for organization, creator in ((spanish, lucia), (english, None)):
        for closed in (True, True, False):
            OldRound.objects.create(
                organization=organization,
                questionnaire=questionnaire,
                opened_on=today,
                closed_at=timezone.now() if closed else None,
                created_by=creator,
            )
    return {"Ibérica": spanish.pk, "Acme": english.pk}


def rounds_named(organizations):
    names = {
        name: list(
            Round.objects.filter(organization_id=pk).order_by("pk").values_list("name", flat=True)
        )
        for name, pk in organizations.items()
    }
    assert names == {
        "Ibérica": ["Ronda 1", "Ronda 2", "Ronda 3"],
        "Acme": ["Round 1", "Round 2", "Round 3"],
    }


# 0032-0034: workshops opened when agenda items were questions (under questionnaire
# version 2, before version 3 came, and under version 3) become one item per
# indicator, their decisions kept.

LEAD = "strategic.lead-definition"


def per_question_workshop(old, version):
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

    return workshop.pk, questions, lead, others


def one_item_per_indicator(version, pk, questions, lead, others):
    workshop = Workshop.objects.get(pk=pk)
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


@pytest.mark.django_db(transaction=True)
def test_old_rows_reach_todays_schema_as_each_data_migration_promised():
    old = migrate_to("0006_consultants_group", BEFORE_NAMES)
    old_links(old)
    old_indicators(old)
    rounds = old_open_rounds(migrate_to("0017_rewrite_tables_without_old_tokens"))
    per_question = {
        2: per_question_workshop(migrate_to("0026_portfolio_export_and_list_indexes"), 2)
    }
    workshop = old_workshop(migrate_to("0027_questionnaire_v3"))
    per_question[3] = per_question_workshop(migrate_to("0031_round_starts_per_hour"), 3)
    unnamed = unnamed_rounds(migrate_to("0037_prepared_exports_know_what_they_list"))
    migrate_to(None)

    indicators_synced()
    links_still_work()
    one_round_left_open(*rounds)
    workshop_rescored(*workshop)
    for version, workshop in per_question.items():
        one_item_per_indicator(version, *workshop)
    rounds_named(unnamed)
