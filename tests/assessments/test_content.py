"""The reviewed content files, the loader that refuses a malformed one, and check_content."""

import copy
import io
import os
import subprocess
import sys

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import content
from assessments.content_rows import CONTENT_MODELS, restore_content

V3 = content.questionnaire_file(3)


def test_questionnaire_v3_file_is_valid_and_probes_existing_indicators(db):
    from stages.models import Indicator

    keys = set(Indicator.objects.values_list("key", flat=True))
    questionnaire = content.load_questionnaire(V3, indicators=keys)
    assert questionnaire.version == 3
    assert [len(page.questions) for page in questionnaire.pages] == [5, 4, 6, 1]
    named = set(Indicator.objects.filter(defines_stage=True).values_list("key", flat=True))
    assert named <= questionnaire.indicator_keys()


def test_every_version_has_a_file_and_the_newest_is_active(db):
    from assessments.models import Questionnaire

    assert content.questionnaire_versions() == [1, 2, 3]
    assert list(Questionnaire.objects.values_list("version", "is_active")) == [
        (3, True),
        (2, False),
        (1, False),
    ]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_the_loaded_version_is_the_file(db, migrated_apps, version):
    """What the migration stored is what the reviewed file says, column by column."""
    model = migrated_apps.get_model
    data = content.load_questionnaire(content.questionnaire_file(version))
    questionnaire = model("assessments", "Questionnaire").objects.get(version=version)
    assert columns(questionnaire, "title") == expected(data.title)
    sections = model("assessments", "Section").objects.filter(questionnaire=questionnaire)
    assert [s.order for s in sections.order_by("order")] == list(range(1, len(data.pages) + 1))
    for section, page in zip(sections.order_by("order"), data.pages, strict=True):
        assert columns(section, "title") == expected(page.title)
        questions = model("assessments", "Question").objects.filter(section=section)
        questions = list(questions.select_related("indicator").order_by("order"))
        assert [q.order for q in questions] == list(range(1, len(page.questions) + 1))
        for question, wanted in zip(questions, page.questions, strict=True):
            assert question.indicator.key == wanted.indicator
            assert question.weight == wanted.weight
            assert columns(question, "text") == expected(wanted.text)
            options = model("assessments", "Option").objects.filter(question=question)
            assert [(o.order, o.value, *columns(o, "text")) for o in options.order_by("order")] == [
                (n, o.value, *expected(o.text)) for n, o in enumerate(wanted.options, start=1)
            ]


def columns(row, field):
    """A translated field's columns, as stored: the field itself, then each language."""
    return (getattr(row, field), getattr(row, f"{field}_en"), getattr(row, f"{field}_es"))


def expected(texts):
    """What columns() reads for a file's texts: the field itself holds the English."""
    return (texts["en"], texts["en"], texts["es"])


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


def test_a_spanish_text_identical_to_the_english_is_refused_unless_it_reads_the_same_in_both():
    data = copy.deepcopy(valid())
    first_question(data)["options"][1]["es"] = first_question(data)["options"][1]["en"]
    with pytest.raises(content.ContentError, match=r"options\[1\]: the 'es' text is the English"):
        content.parse_questionnaire(data, "questionnaire-v3.yaml")
    first_question(data)["options"][1].update(en="CRM", es="CRM")
    assert content.parse_questionnaire(data).pages[0].questions[0].options[1].text["es"] == "CRM"


def test_a_version_that_does_not_match_its_file_name_is_refused(tmp_path):
    data = valid()
    data["version"] = 4
    misnamed = tmp_path / "questionnaire-v5.yaml"
    misnamed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(content.ContentError, match="version 4 does not match the file's name"):
        content.load_questionnaire(misnamed)


def test_the_length_limits_are_the_database_columns():
    from assessments.models import Option, Question, Questionnaire, Section

    assert content.TITLE_LENGTH == Questionnaire._meta.get_field("title").max_length
    assert content.TITLE_LENGTH == Section._meta.get_field("title").max_length
    assert content.TEXT_LENGTH == Question._meta.get_field("text").max_length
    assert content.TEXT_LENGTH == Option._meta.get_field("text").max_length


# check_content: the command a reviewer runs, and the suite with it.


def write(folder, name, data):
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def check(*paths):
    """Run check_content; return what it printed on stderr, raising if it passed."""
    errors = io.StringIO()
    with pytest.raises(CommandError, match=r"problem\(s\) in"):
        call_command("check_content", *map(str, paths), stdout=io.StringIO(), stderr=errors)
    return errors.getvalue()


def test_check_content_passes_on_every_real_file():
    out = io.StringIO()
    call_command("check_content", stdout=out)
    assert "4 content file(s) are valid." in out.getvalue()


def test_check_content_exits_non_zero_naming_the_file_and_the_place(tmp_path):
    data = valid()
    first_question(data)["weight"] = -1
    broken = write(tmp_path, "questionnaire-v3.yaml", data)
    failed = subprocess.run(
        [sys.executable, "manage.py", "check_content", str(broken)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith(
        "questionnaire-v3.yaml: pages[0].questions[0].weight must be positive, not -1.0\n"
    )
    assert "1 problem(s) in 1 content file(s)" in failed.stderr


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: without(d, "pages"), "questionnaire-v3.yaml: missing ['pages']"),
        (lambda d: first_question(d).update(weight=0), "questions[0].weight must be positive"),
        (lambda d: first_question(d)["options"][3].update(value=0.9), "most aligned 1"),
        (lambda d: first_question(d)["options"].reverse(), "from least to most aligned"),
        (
            lambda d: first_question(d).update(indicator="strategic.nope"),
            "pages[0].questions[0]: no indicator has the key 'strategic.nope'",
        ),
        (
            lambda d: first_question(d).update(indicator="silo.no-collaboration"),
            "pages[0].questions[0]: 'silo.no-collaboration' is an indicator of stage 1, which "
            "is not scored",
        ),
        (
            lambda d: d["pages"].pop(),
            "no question asks about these indicators that make their stage: "
            "functional.revenue-leader",
        ),
        (
            lambda d: first_question(d)["text"].update(es=first_question(d)["text"]["en"]),
            "pages[0].questions[0].text: the 'es' text is the English one, not a translation",
        ),
        (lambda d: first_question(d)["text"].update(es=""), "the 'es' text is empty"),
        (lambda d: d["title"].update(en="x" * 201), "title: the 'en' text is longer than 200"),
    ],
)
def test_check_content_refuses_each_kind_of_broken_questionnaire(tmp_path, change, message):
    data = valid()
    change(data)
    errors = check(write(tmp_path, "questionnaire-v3.yaml", data))
    assert message in errors
    assert errors.startswith("questionnaire-v3.yaml")


def test_an_older_version_need_not_ask_about_every_named_indicator(tmp_path):
    """A version that is history is scored with what it asked; only the newest must ask all."""
    data = valid()
    data["pages"].pop()  # No question about the revenue leader.
    data["version"] = 2
    out = io.StringIO()
    call_command("check_content", str(write(tmp_path, "questionnaire-v2.yaml", data)), stdout=out)
    assert "1 content file(s) are valid." in out.getvalue()


def test_check_content_checks_every_file_it_is_given(tmp_path):
    data = valid()
    first_question(data)["weight"] = 0
    unreadable = tmp_path / "questionnaire-v9.yaml"
    unreadable.write_text("version: [\n", encoding="utf-8")
    errors = check(V3, write(tmp_path, "questionnaire-v3.yaml", data), unreadable)
    assert errors.count("\n") == 2
    assert "weight must be positive" in errors
    assert "questionnaire-v9.yaml: cannot be read" in errors


@pytest.mark.django_db(transaction=True)
def test_restoring_after_a_flush_gives_the_rows_and_keys_migrations_give(migrated_apps):
    from django.db import connection

    from assessments.models import Questionnaire
    from stages.models import Indicator

    def rows():
        return {
            label: [
                {k: v for k, v in row.items() if k not in ("published_at", "created_at")}
                for row in migrated_apps.get_model(label).objects.order_by("pk").values()
            ]
            for label in CONTENT_MODELS
        }

    before = rows()
    call_command("flush", interactive=False, verbosity=0)
    restore_content(migrated_apps, connection)
    assert rows() == before
    # As `migrate` numbers them: version n is row n, the continuum's first indicator row 1.
    assert list(Questionnaire.objects.values_list("pk", "version", "is_active")) == [
        (3, 3, True),
        (2, 2, False),
        (1, 1, False),
    ]
    assert Indicator.objects.get(pk=1).key == "silo.no-collaboration"
    with pytest.raises(ValueError, match="without content"):
        restore_content(migrated_apps, connection)
