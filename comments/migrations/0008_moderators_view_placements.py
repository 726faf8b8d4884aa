"""Let the Moderators group see readers' placements (issue 18), to void and restore them.

Voiding and restoring are admin actions guarded by the moderation permission; the group only
needs to read the rows (`definitions.view_placement`).
"""

from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, model, codename, name)
PERMISSIONS = [("definitions", "placement", "view_placement", "Can view placement")]


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
        ("comments", "0007_removal_voids_placements"),
        ("definitions", "0006_placements"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
