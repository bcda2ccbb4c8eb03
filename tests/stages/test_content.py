import copy
import io

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments import content
from assessments.content_rows import sync_continuum
from stages.models import Indicator, NextStep, Stage

pytestmark = pytest.mark.django_db


def test_four_stages_in_order_with_stable_slugs():
    assert list(Stage.objects.values_list("number", "slug")) == [
        (1, "silo"),
        (2, "strategic"),
        (3, "operational"),
        (4, "functional"),
    ]


def test_each_stage_has_indicators_steps_and_colour():
    for stage in Stage.objects.with_content():
        assert stage.indicators.all(), stage
        assert stage.next_steps.all(), stage
        assert stage.colour.startswith("#") and len(stage.colour) == 7


def test_indicator_keys_are_namespaced_by_their_stage():
    for indicator in Indicator.objects.select_related("stage"):
        assert indicator.key.startswith(indicator.stage.slug + ".")


def test_the_articles_named_indicators_exist():
    keys = set(Indicator.objects.values_list("key", flat=True))
    assert {
        "strategic.lead-definition",
        "strategic.leadership-meetings",
        "operational.shared-dashboard",
        "operational.revenue-council",
        "functional.revenue-leader",
        "functional.structure-in-place",
    } <= keys


@pytest.mark.parametrize(
    "model, fields",
    [
        (Stage, ["name", "summary", "description"]),
        (Indicator, ["text", "action"]),
    ],
)
def test_content_is_written_in_english_and_spanish(model, fields):
    for obj in model.objects.all():
        for field in fields:
            english, spanish = getattr(obj, f"{field}_en"), getattr(obj, f"{field}_es")
            assert english and spanish and english != spanish, (obj, field)


def test_active_language_picks_the_translation():
    stage = Stage.objects.get(slug="silo")
    with translation.override("es"):
        assert stage.name == "Funciones en silo"
    with translation.override("en"):
        assert stage.name == "Siloed functions"


# The reviewed file (stages/content/continuum.yaml) and the database.


def test_the_database_holds_what_the_continuum_file_says(migrated_apps):
    """Column by column, both languages: the historical models read the stored columns."""
    model = migrated_apps.get_model
    data = content.load_continuum()
    stages = list(model("stages", "Stage").objects.order_by("number"))
    assert [stage.number for stage in stages] == [s.number for s in data.stages]
    for stage, wanted in zip(stages, data.stages, strict=True):
        assert (stage.slug, stage.colour) == (wanted.slug, wanted.colour)
        for field in ("name", "summary", "description"):
            assert columns(stage, field) == expected(getattr(wanted, field)), (stage, field)
        indicators = model("stages", "Indicator").objects.filter(stage=stage).order_by("order")
        assert [i.key for i in indicators] == [i.key for i in wanted.indicators]
        for order, (indicator, expect) in enumerate(
            zip(indicators, wanted.indicators, strict=True), start=1
        ):
            assert (indicator.order, indicator.defines_stage) == (order, expect.defines_stage)
            for field in ("name", "text", "action"):
                assert columns(indicator, field) == expected(getattr(expect, field)), indicator
        steps = model("stages", "NextStep").objects.filter(stage=stage).order_by("order")
        assert [(step.order, *columns(step, "text")) for step in steps] == [
            (n, *expected(text)) for n, text in enumerate(wanted.next_steps, start=1)
        ]


def columns(row, field):
    """A translated field's columns, as stored: the field itself, then each language."""
    return (getattr(row, field), getattr(row, f"{field}_en"), getattr(row, f"{field}_es"))


def expected(texts):
    """What columns() reads for a file's texts: the field itself holds the English."""
    return (texts["en"], texts["en"], texts["es"])


def test_syncing_a_database_that_already_says_it_writes_nothing(migrated_apps):
    with CaptureQueriesContext(connection) as queries:
        sync_continuum(migrated_apps)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_syncing_brings_back_the_files_wording_and_adds_what_is_missing(migrated_apps):
    Indicator.objects.filter(key="strategic.lead-definition").update(
        text_es="Otra redacción", defines_stage=False, order=9
    )
    NextStep.objects.filter(stage__number=1, order=2).delete()
    sync_continuum(migrated_apps)
    indicator = Indicator.objects.get(key="strategic.lead-definition")
    wanted = content.load_continuum().indicators()["strategic.lead-definition"][1]
    assert indicator.text_es == wanted.text["es"]
    assert indicator.defines_stage and indicator.order == 2
    assert NextStep.objects.filter(stage__number=1).count() == 2


def test_the_length_limits_are_the_database_columns():
    limits = {
        (Stage, "slug"): content.SLUG_LENGTH,
        (Stage, "name"): content.STAGE_NAME_LENGTH,
        (Stage, "summary"): content.STAGE_SUMMARY_LENGTH,
        (Indicator, "key"): content.INDICATOR_KEY_LENGTH,
        (Indicator, "name"): content.INDICATOR_NAME_LENGTH,
        (Indicator, "text"): content.INDICATOR_TEXT_LENGTH,
        (Indicator, "action"): content.INDICATOR_TEXT_LENGTH,
        (NextStep, "text"): content.STEP_LENGTH,
    }
    for (model, field), limit in limits.items():
        assert model._meta.get_field(field).max_length == limit, (model, field)


# The file's checks, each shown failing (the command runs them: tests/assessments/test_content.py).


def valid():
    return yaml.safe_load(content.CONTINUUM_FILE.read_text(encoding="utf-8"))


def stage(data, number):
    return data["stages"][number - 1]


def indicator(data, number, n=0):
    return stage(data, number)["indicators"][n]


def moved(stage, slug):
    """Give a stage another slug, its indicators' keys with it."""
    stage["slug"] = slug
    for indicator in stage["indicators"]:
        indicator["key"] = f"{slug}.{indicator['key'].split('.')[1]}"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["stages"].pop(), "the stages must be numbered 1, 2, 3, 4 in order"),
        (lambda d: stage(d, 2).update(number=3), "numbered 1, 2, 3, 4 in order, not 1, 3, 3, 4"),
        (lambda d: stage(d, 1).update(colour="red"), "stages[0].colour must be a colour"),
        (lambda d: stage(d, 1).update(slug="Silo 1"), "stages[0].slug must be lower-case"),
        (lambda d: moved(stage(d, 2), "silo"), "continuum.yaml: the slug silo is used more than"),
        (lambda d: stage(d, 1).pop("summary"), "stages[0]: missing ['summary']"),
        (lambda d: stage(d, 1).update(extra=1), "stages[0]: unknown ['extra']"),
        (lambda d: stage(d, 1).update(next_steps=[]), "next_steps must be a non-empty list"),
        (
            lambda d: indicator(d, 2).update(key="strategic.Shared Priority"),
            "stages[1].indicators[0].key must be a key such as strategic.name",
        ),
        (
            lambda d: indicator(d, 2).update(key="operational.shared-priority"),
            "must start with its stage's slug, strategic.",
        ),
        (
            lambda d: indicator(d, 2, 1).update(key="strategic.shared-priority"),
            "continuum.yaml: the indicator key strategic.shared-priority is used more than once",
        ),
        (lambda d: indicator(d, 2).update(defines_stage="yes"), "must be true or false"),
        (
            lambda d: [i.update(defines_stage=False) for i in stage(d, 3)["indicators"]],
            "stages[2]: stage 3 needs at least one indicator with defines_stage: true",
        ),
        (
            lambda d: indicator(d, 1).update(defines_stage=True),
            "stage 1 is not scored, so no indicator can define it (silo.no-collaboration)",
        ),
        (
            lambda d: indicator(d, 4)["name"].update(es=indicator(d, 4)["name"]["en"]),
            "stages[3].indicators[0].name: the 'es' text is the English one",
        ),
        (lambda d: indicator(d, 4)["text"].pop("es"), "indicators[0].text: missing ['es']"),
        (
            lambda d: indicator(d, 4)["name"].update(en="x" * 61),
            "stages[3].indicators[0].name: the 'en' text is longer than 60 characters",
        ),
        (
            lambda d: stage(d, 1)["next_steps"][0].update(es=" "),
            "stages[0].next_steps[0]: the 'es' text is empty",
        ),
    ],
)
def test_a_malformed_continuum_is_refused_with_a_message_saying_where(tmp_path, change, message):
    data = valid()
    change(data)
    with pytest.raises(content.ContentError) as error:
        content.parse_continuum(copy.deepcopy(data), "continuum.yaml")
    assert message in str(error.value)
    assert str(error.value).startswith("continuum.yaml: ")
    # check_content says the same, and does not go on to check questionnaires against it.
    path = tmp_path / "continuum.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_content", str(path), str(content.questionnaire_file(3)), stderr=errors)
    assert errors.getvalue() == f"{error.value}\n"


def test_questionnaires_are_checked_against_the_continuum_given(tmp_path):
    """Removing an indicator a questionnaire asks about fails on the questionnaire."""
    data = valid()
    stage(data, 2)["indicators"] = [
        i for i in stage(data, 2)["indicators"] if i["key"] != "strategic.joint-audience"
    ]
    path = tmp_path / "continuum.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_content", str(path), str(content.questionnaire_file(1)), stderr=errors)
    assert "questionnaire-v1.yaml: pages[1].questions[0]: no indicator has the key " in (
        errors.getvalue()
    )
