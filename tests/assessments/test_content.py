"""The reviewed content files and the loader that refuses a malformed one."""

import copy
from pathlib import Path

import pytest
import yaml

from assessments import content

V3 = Path(content.__file__).resolve().parent / "content" / "questionnaire-v3.yaml"


def test_questionnaire_v3_file_is_valid_and_probes_existing_indicators(db):
    from stages.models import Indicator

    keys = set(Indicator.objects.values_list("key", flat=True))
    questionnaire = content.load_questionnaire(V3, indicators=keys)
    assert questionnaire.version == 3
    assert [len(page.questions) for page in questionnaire.pages] == [5, 4, 6, 1]
    named = set(Indicator.objects.filter(defines_stage=True).values_list("key", flat=True))
    assert named <= questionnaire.indicator_keys()


def test_the_loaded_version_is_the_file(questionnaire):
    """What the migration stored is what the reviewed file says, in both languages."""
    data = content.load_questionnaire(V3)
    stored = questionnaire.pages()
    assert questionnaire.title_es == data.title["es"]
    for section, page in zip(stored, data.pages, strict=True):
        assert (section.title_en, section.title_es) == (page.title["en"], page.title["es"])
        for question, expected in zip(section.questions.all(), page.questions, strict=True):
            assert question.indicator.key == expected.indicator
            assert question.weight == expected.weight
            assert question.text_es == expected.text["es"]
            assert [(o.value, o.text_en, o.text_es) for o in question.options.all()] == [
                (o.value, o.text["en"], o.text["es"]) for o in expected.options
            ]


def valid():
    return yaml.safe_load(V3.read_text(encoding="utf-8"))


def first_question(data):
    return data["pages"][0]["questions"][0]


def without(mapping, key):
    del mapping[key]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(version="3"), "version must be a whole number"),
        (lambda d: d.update(colour="red"), "unknown ['colour']"),
        (lambda d: without(d["title"], "es"), "title: missing ['es']"),
        (lambda d: d["title"].update(es="  "), "the 'es' text is empty"),
        (lambda d: d.update(pages=[]), "pages must be a non-empty list"),
        (lambda d: first_question(d).update(weight=0), "weight must be positive"),
        (lambda d: first_question(d).update(weight="heavy"), "weight must be a number"),
        (lambda d: first_question(d).update(indicator="Lead def"), "must be a key"),
        (lambda d: first_question(d).update(indicator="strategic.nope"), "no indicator has"),
        (lambda d: first_question(d)["options"][1].update(value=1.5), "within [0, 1]"),
        (lambda d: first_question(d)["options"].reverse(), "from least to most aligned"),
        (lambda d: first_question(d)["options"][0].update(value=0.1), "worth 0"),
        (lambda d: without(first_question(d)["options"][2], "en"), "missing ['en']"),
        (lambda d: first_question(d)["text"].update(en="x" * 401), "longer than 400"),
        (lambda d: first_question(d).update(options=[{"value": 0, "en": "a", "es": "b"}]), "two"),
    ],
)
def test_a_malformed_file_is_refused_with_a_message_saying_where(change, message):
    data = copy.deepcopy(valid())
    change(data)
    keys = {q["indicator"] for page in valid()["pages"] for q in page["questions"]}
    with pytest.raises(content.ContentError) as error:
        content.parse_questionnaire(data, "questionnaire-v3.yaml", indicators=keys)
    assert message in str(error.value)
    assert str(error.value).startswith("questionnaire-v3.yaml")


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 3\npages: [\n", encoding="utf-8")
    with pytest.raises(content.ContentError, match="broken.yaml: cannot be read"):
        content.load_questionnaire(broken)
