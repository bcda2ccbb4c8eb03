"""Write the reviewed content files into the database, for the data migrations.

Each function takes the historical `apps` a migration gets: a field a later
schema migration adds is simply not written yet (sync_continuum runs again
once it exists), and every translated field is its plain columns (the real
models' modeltranslation fields would read and write the active language's
column instead). The tests that flush the database restore the content with
restore_content, exactly as a new database's migrations leave it.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.db.models import Max
from django.utils import timezone

from assessments import content

CONTENT_MODELS = (
    "stages.Stage",
    "stages.Indicator",
    "stages.NextStep",
    "assessments.Questionnaire",
    "assessments.Section",
    "assessments.Question",
    "assessments.Option",
)


def sync_continuum(apps, schema_editor=None, path=content.CONTINUUM_FILE):
    """Make the stages, indicators and next steps say what the continuum file says.

    Idempotent: a row that already says it is left untouched, and what is
    missing is created. An indicator is known by its key, a step by its place
    in its stage's list. Nothing is deleted: answers and plans refer to
    indicators and steps, so removing one takes a migration of its own.
    """
    data = content.load_continuum(path)
    Stage = apps.get_model("stages", "Stage")
    Indicator = apps.get_model("stages", "Indicator")
    NextStep = apps.get_model("stages", "NextStep")
    existing = {indicator.key: indicator for indicator in Indicator.objects.all()}
    for stage_data in data.stages:
        stage = _write(
            Stage,
            Stage.objects.filter(number=stage_data.number).first(),
            number=stage_data.number,
            slug=stage_data.slug,
            colour=stage_data.colour,
            **translated("name", stage_data.name),
            **translated("summary", stage_data.summary),
            **translated("description", stage_data.description),
        )
        for order, indicator in enumerate(stage_data.indicators, start=1):
            _write(
                Indicator,
                existing.get(indicator.key),
                key=indicator.key,
                stage_id=stage.pk,
                order=order,
                defines_stage=indicator.defines_stage,
                **translated("name", indicator.name),
                **translated("text", indicator.text),
                **translated("action", indicator.action),
            )
        steps = list(NextStep.objects.filter(stage=stage).order_by("order", "pk"))
        for order, text in enumerate(stage_data.next_steps, start=1):
            step = steps[order - 1] if order <= len(steps) else None
            _write(NextStep, step, stage_id=stage.pk, order=order, **translated("text", text))


def add_questionnaire(apps, version):
    """Load a questionnaire version's file as a new, active version; return its row."""
    Indicator = apps.get_model("stages", "Indicator")
    Questionnaire = apps.get_model("assessments", "Questionnaire")
    Section = apps.get_model("assessments", "Section")
    Question = apps.get_model("assessments", "Question")
    Option = apps.get_model("assessments", "Option")

    indicators = dict(Indicator.objects.values_list("key", "pk"))
    data = content.load_questionnaire(content.questionnaire_file(version), set(indicators))
    number = data.version
    # The file's number, unless an editor's draft (or a migration run again) took it.
    if Questionnaire.objects.filter(version=number).exists():
        number = Questionnaire.objects.aggregate(v=Max("version"))["v"] + 1
    Questionnaire.objects.filter(is_active=True).update(is_active=False)
    questionnaire = Questionnaire.objects.create(
        version=number,
        is_active=True,
        published_at=timezone.now(),
        **translated("title", data.title),
    )
    for page_order, page in enumerate(data.pages, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire, order=page_order, **translated("title", page.title)
        )
        for order, question in enumerate(page.questions, start=1):
            row = Question.objects.create(
                section=section,
                indicator_id=indicators[question.indicator],
                order=order,
                weight=question.weight,
                **translated("text", question.text),
            )
            Option.objects.bulk_create(
                Option(question=row, order=n, value=option.value, **translated("text", option.text))
                for n, option in enumerate(question.options, start=1)
            )
    return questionnaire


def restore_content(apps, connection):
    """Fill a flushed database with the content `migrate` gives a new one, primary keys included.

    A flush keeps the tables' sequences, so they restart first: row for row,
    the continuum and every questionnaire version (each made active in turn,
    as its migration does, so the newest stays active) get the keys they
    have after `migrate`.
    """
    models = [apps.get_model(*label.split(".")) for label in CONTENT_MODELS]
    if any(model.objects.exists() for model in models):
        raise ValueError("restore_content fills a database without content; this one has some")
    sequences = [{"table": model._meta.db_table, "column": "id"} for model in models]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)
    sync_continuum(apps)
    for version in content.questionnaire_versions():
        add_questionnaire(apps, version)


def translated(field, texts):
    """Return a translated field's columns: the English in the field itself, then each language."""
    return {field: texts["en"], **{f"{field}_{lang}": text for lang, text in texts.items()}}


def _write(model, row, **values):
    """Create the row, or save the values that differ; only the fields the model has yet."""
    values = {name: value for name, value in values.items() if _has_field(model, name)}
    if row is None:
        return model.objects.create(**values)
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if changed:
        model.objects.filter(pk=row.pk).update(**changed)
    return row


def _has_field(model, name):
    try:
        model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return False
    return True
