"""Drop the readable tokens once their digests are kept (see 0007).

A migration of its own: PostgreSQL refuses to alter a table in the
transaction that just wrote rows referring to it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_private_links_stored_as_digests"),
    ]

    operations = [
        migrations.AlterField(
            model_name="memberinvitation",
            name="token_digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.RemoveField(model_name="memberinvitation", name="token"),
        migrations.RemoveField(model_name="response", name="token"),
        migrations.RemoveField(model_name="round", name="share_token"),
    ]
