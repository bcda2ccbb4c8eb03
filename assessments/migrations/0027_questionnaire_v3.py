"""Load version 3 of the questionnaire from its reviewed data file, and make it active.

The content is assessments/content/questionnaire-v3.yaml, validated by
assessments/content.py (a malformed file stops the migration with a message
saying where). Versions 1 and 2 stay for the rounds that used them; rounds
compare by indicator key, which version 3 keeps.

What changed from version 2, and why (the file's header says the same):
- Stage 4 needs one leader over both functions. The reporting-line question
  is scored for what each answer means for that: a revenue leader (CRO or
  CCO) over marketing and sales is the top; one executive over both among
  other areas is established; both teams under the CEO or founder, the normal
  state below stage 4, and marketing under the head of sales, which is not a
  revenue leader, are a third of the way; separate executives are none of it.
- No question re-asks stage 2 or 3 inside stage 4: version 2's "which of these
  are in use" (lead definition, scorecard, council) and "how do the teams work
  below the leaders" are gone. Whether the structure holds under the leader is
  what the climb through stages 2 and 3 measures: stage 4 is only counted
  once they are reached, their named indicators established.
- The budget question is removed: one approved budget says who signs it (the
  CEO, in a founder-led company) more than whether the teams work as one, and
  it let a company with both teams under the CEO reach "functional alignment"
  without a revenue leader. Shared targets are asked in stage 3.
"""

from pathlib import Path

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

# Pure (no models): the same validation the suite runs on the file.
from assessments import content

PATH = Path(__file__).resolve().parent.parent / "content" / "questionnaire-v3.yaml"


def load_version_3(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    Questionnaire = apps.get_model("assessments", "Questionnaire")
    Section = apps.get_model("assessments", "Section")
    Question = apps.get_model("assessments", "Question")
    Option = apps.get_model("assessments", "Option")

    indicators = {i.key: i for i in Indicator.objects.all()}
    data = content.load_questionnaire(PATH, indicators=set(indicators))
    # The file's number, unless an editor's draft already took it.
    version = data.version
    if Questionnaire.objects.filter(version=version).exists():
        version = Questionnaire.objects.aggregate(v=Max("version"))["v"] + 1
    Questionnaire.objects.filter(is_active=True).update(is_active=False)
    questionnaire = Questionnaire.objects.create(
        version=version,
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
                indicator=indicators[question.indicator],
                order=order,
                weight=question.weight,
                **translated("text", question.text),
            )
            Option.objects.bulk_create(
                Option(question=row, order=n, value=option.value, **translated("text", option.text))
                for n, option in enumerate(question.options, start=1)
            )


def translated(field, texts):
    return {field: texts["en"], **{f"{field}_{lang}": text for lang, text in texts.items()}}


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0026_portfolio_export_and_list_indexes"),
        ("stages", "0006_spanish_wording"),
    ]

    operations = [migrations.RunPython(load_version_3, migrations.RunPython.noop)]
