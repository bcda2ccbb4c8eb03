"""Spanish wording from a native reading of the continuum.

- "Plan de implementación", the article's own word, instead of "implantación".
- In Spain a "director comercial" is usually the head of sales, so the revenue
  leader is described as leading marketing and sales, with its English titles.
Only the original wording is replaced: an editor's own text is left alone.
"""

from django.db import migrations

REVENUE_LEADER = (
    "Un director de ingresos (CRO) o un director comercial (CCO) dirige marketing y ventas.",
    "Un director o directora de ingresos (CRO o CCO) está al frente de marketing y de ventas "
    "a la vez.",
)


def reword(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    NextStep = apps.get_model("stages", "NextStep")
    for indicator in Indicator.objects.all():
        fields = {
            name: getattr(indicator, name).replace("lan de implantación", "lan de implementación")
            for name in ("name_es", "text_es", "action_es")
            if getattr(indicator, name)
        }
        if indicator.text_es == REVENUE_LEADER[0]:
            fields["text_es"] = REVENUE_LEADER[1]
        Indicator.objects.filter(pk=indicator.pk).update(**fields)
    for step in NextStep.objects.all():
        if step.text_es and "plan de implantación" in step.text_es:
            NextStep.objects.filter(pk=step.pk).update(
                text_es=step.text_es.replace("plan de implantación", "plan de implementación")
            )


class Migration(migrations.Migration):
    dependencies = [("stages", "0005_indicator_defines_stage")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
