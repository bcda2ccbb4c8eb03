import pytest
from django.utils import translation

from stages.models import Indicator, Stage

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
