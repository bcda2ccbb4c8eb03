"""Load version 3 of the questionnaire from its reviewed data file, and make it active.

The content is assessments/content/questionnaire-v3.yaml, validated by
assessments/content.py (a malformed file stops the migration with a message
saying where) and written by assessments/content_rows.py. Versions 1 and 2
stay for the rounds that used them; rounds compare by indicator key, which
version 3 keeps.

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

from django.db import migrations

from assessments.content_rows import add_questionnaire


def load_version_3(apps, schema_editor):
    add_questionnaire(apps, 3)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0026_portfolio_export_and_list_indexes"),
        ("stages", "0006_spanish_wording"),
    ]

    operations = [migrations.RunPython(load_version_3, migrations.RunPython.noop)]
