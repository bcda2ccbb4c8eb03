"""A plan item's "owner" (marketing, sales or both) is called the team in charge.

"Owner" beside "person responsible" read as two names for one thing; only the
label changes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0038_round_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="planitem",
            name="owner",
            field=models.CharField(
                blank=True,
                choices=[
                    ("marketing", "Marketing"),
                    ("sales", "Sales"),
                    ("both", "Marketing and sales"),
                ],
                max_length=10,
                verbose_name="team in charge",
            ),
        ),
    ]
