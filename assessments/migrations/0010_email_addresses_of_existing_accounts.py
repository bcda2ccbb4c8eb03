"""Give every existing account its e-mail address as allauth knows it, not yet confirmed.

Accounts made before e-mail verification never proved they own their address
(an invitation could be accepted with any address), so each must confirm it at
its next login before acting as that address.
"""

from django.db import migrations


def record_addresses(apps, schema_editor):
    User = apps.get_model("auth", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    seen = set()
    addresses = []
    for pk, email in User.objects.exclude(email="").values_list("pk", "email").order_by("pk"):
        email = email.lower()
        if pk in known or email in seen:
            continue
        seen.add(email)
        addresses.append(EmailAddress(user_id=pk, email=email, verified=False, primary=True))
    EmailAddress.objects.bulk_create(addresses, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_cache_table"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(record_addresses, migrations.RunPython.noop, elidable=True),
    ]
