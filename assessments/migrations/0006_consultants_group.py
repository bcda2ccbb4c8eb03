"""Create the Consultants group with the view permissions the dashboard needs, and fill due dates."""

from django.db import migrations
from django.db.models import Max

from assessments.cadence import MONTHS, add_months

GROUP = "Consultants"
PERMISSIONS = [
    ("assessments", "view_dashboard"),
    ("assessments", "view_organization"),
    ("assessments", "view_round"),
    ("assessments", "view_response"),
    ("assessments", "view_answer"),
    ("assessments", "view_planitem"),
    ("assessments", "view_membership"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    add_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def add_group(Group, Permission):
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def fill_due_dates(apps, schema_editor):
    Organization = apps.get_model("assessments", "Organization")
    for organization in Organization.objects.annotate(last=Max("rounds__opened_on")):
        if organization.last:
            organization.next_due_on = add_months(organization.last, MONTHS[organization.cadence])
            organization.save(update_fields=["next_due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_consultants_and_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_group, migrations.RunPython.noop),
        migrations.RunPython(fill_due_dates, migrations.RunPython.noop),
    ]
