"""Let the Moderators group add and edit examples and their implications, and read answers.

Voiding answers needs the moderation permission they already have (definitions.can_moderate).
"""

from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, model, codename, name)
PERMISSIONS = [
    ("definitions", "example", "add_example", "Can add example"),
    ("definitions", "example", "change_example", "Can change example"),
    ("definitions", "example", "view_example", "Can view example"),
    ("definitions", "exampleimplication", "add_exampleimplication", "Can add example implication"),
    (
        "definitions",
        "exampleimplication",
        "change_exampleimplication",
        "Can change example implication",
    ),
    (
        "definitions",
        "exampleimplication",
        "delete_exampleimplication",
        "Can delete example implication",
    ),
    (
        "definitions",
        "exampleimplication",
        "view_exampleimplication",
        "Can view example implication",
    ),
    ("definitions", "exampleanswer", "view_exampleanswer", "Can view example answer"),
]


def _permissions(apps):
    # Permissions are normally created after all migrations ran (post_migrate): make them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        yield permission


def grant(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("definitions", "0010_examples"),
        ("comments", "0010_removal_voids_example_answers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
