"""Give every key indicator a short name, in English and Spanish.

Heatmap columns and export lines need a few words; the indicator's sentence
is too long for a column on A4, and its key is an identifier, not a label.
"""

from django.db import migrations, models

NAMES = {
    "silo.no-collaboration": ("No collaboration", "Sin colaboración"),
    "silo.separate-metrics": ("Separate metrics", "Métricas separadas"),
    "silo.silent-handoffs": ("Silent hand-offs", "Traspasos sin diálogo"),
    "strategic.shared-priority": ("Shared priority", "Prioridad compartida"),
    "strategic.lead-definition": ("Lead definition", "Definición de lead"),
    "strategic.leadership-meetings": ("Leaders' meetings", "Reuniones de líderes"),
    "strategic.joint-audience": ("Joint audience", "Audiencia común"),
    "strategic.implementation-plan": ("Implementation plan", "Plan de implantación"),
    "operational.shared-dashboard": ("Shared dashboard", "Cuadro de mando común"),
    "operational.revenue-council": ("Revenue council", "Consejo de ingresos"),
    "operational.single-workflow": ("Single workflow", "Flujo único"),
    "functional.revenue-leader": ("Revenue leader", "Líder de ingresos"),
    "functional.structure-in-place": ("Structure in place", "Estructura implantada"),
}


def name_indicators(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    for indicator in Indicator.objects.all():
        # An indicator added by hand gets its key's last part until someone names it.
        fallback = indicator.key.split(".")[-1].replace("-", " ").capitalize()
        english, spanish = NAMES.get(indicator.key, (fallback, fallback))
        indicator.name = indicator.name_en = english
        indicator.name_es = spanish
        indicator.save(update_fields=["name", "name_en", "name_es"])


def field():
    return models.CharField(
        "name",
        max_length=60,
        default="",
        help_text="A few words that head a column of the heatmap or a line of an export.",
    )


class Migration(migrations.Migration):
    dependencies = [("stages", "0003_implementation_plan_indicator")]

    operations = [
        migrations.AddField("indicator", "name", field()),
        migrations.AddField("indicator", "name_en", field()),
        migrations.AddField("indicator", "name_es", field()),
        migrations.RunPython(name_indicators, migrations.RunPython.noop),
        migrations.AlterField(
            "indicator",
            "name",
            models.CharField(
                "name",
                max_length=60,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
        migrations.AlterField(
            "indicator",
            "name_en",
            models.CharField(
                "name",
                max_length=60,
                null=True,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
        migrations.AlterField(
            "indicator",
            "name_es",
            models.CharField(
                "name",
                max_length=60,
                null=True,
                help_text="A few words that head a column of the heatmap or a line of an export.",
            ),
        ),
    ]
