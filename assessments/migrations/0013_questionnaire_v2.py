"""Load version 2 of the questionnaire, in English and Spanish, and make it active.

The content is assessments/content/questionnaire-v2.yaml, a reviewed data
file (its header says the same as this). Version 1 stays for the rounds that
used it; rounds compare by indicator key. What changed, and why:
- "Who do marketing and sales report to?" has an option for both reporting to the
  CEO, and asks about the reporting line only: how the teams work in practice is
  asked separately (structure-in-place), so a single leader over teams that still
  work apart — the article's warning — shows as exactly that.
- Shared revenue targets are asked once, in stage 3 (shared metrics); the stage 2
  and stage 4 questions no longer mention them.
- The structure question is no longer conditional ("if they share a leader…")
  and no longer bundles two situations in its first option.
- Each option adds one requirement to the one below it; no top option asks for
  three things at once.
- Stage 2's "implementation plan" (what moves a team to stage 3) has a question.
Options score 0, 1/3, 2/3 and 1; the article's named indicators carry weight 1.5
in their main question, as in version 1.
"""

from django.db import migrations

from assessments.content_rows import add_questionnaire


def load_version_2(apps, schema_editor):
    add_questionnaire(apps, 2)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_round_visibility_and_consultant_access"),
        ("stages", "0003_implementation_plan_indicator"),
    ]

    operations = [migrations.RunPython(load_version_2, migrations.RunPython.noop)]
