"""Add stage 2's implementation plan as a key indicator, in English and Spanish.

The article names "develop an alignment implementation plan" as what moves a
team from strategic to operational alignment; questionnaire v2 asks about it.
"""

from django.db import migrations

KEY = "strategic.implementation-plan"
TEXT = (
    "Marketing and sales have an alignment implementation plan: what will change, who owns "
    "each change and by when.",
    "Marketing y ventas tienen un plan de implantación de la alineación: qué va a cambiar, "
    "quién se encarga de cada cambio y para cuándo.",
)
ACTION = (
    "Write the implementation plan with both leaders: the changes to processes, metrics and "
    "meetings, an owner and a date for each, and when you will review it together.",
    "Redactar con los dos líderes el plan de implantación: los cambios en procesos, métricas "
    "y reuniones, con un responsable y una fecha para cada uno, y cuándo se revisará "
    "conjuntamente.",
)


def add_indicator(apps, schema_editor):
    Stage = apps.get_model("stages", "Stage")
    Indicator = apps.get_model("stages", "Indicator")
    stage = Stage.objects.get(slug="strategic")
    last = stage.indicators.order_by("-order").values_list("order", flat=True).first() or 0
    Indicator.objects.get_or_create(
        key=KEY,
        defaults={
            "stage": stage,
            "order": last + 1,
            **translated("text", TEXT),
            **translated("action", ACTION),
        },
    )


def translated(field, pair):
    english, spanish = pair
    return {field: english, f"{field}_en": english, f"{field}_es": spanish}


class Migration(migrations.Migration):
    dependencies = [("stages", "0002_load_continuum_content")]

    operations = [migrations.RunPython(add_indicator, migrations.RunPython.noop)]
