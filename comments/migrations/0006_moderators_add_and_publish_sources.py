"""Let the Moderators group add sources from an article's text, as drafts, and publish them.

A moderator may add a source (`definitions.add_source`, used by "Add source from text" in the
admin), which is saved as a draft, and publish a draft (`definitions.publish_source`). Changing
or deleting a source once saved stays with editors (superusers): see README, "Moderation".
"""

from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, model, codename, name)
PERMISSIONS = [
    ("definitions", "source", "add_source", "Can add source"),
    ("definitions", "source", "publish_source", "Can publish a draft source"),
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
        ("comments", "0005_moderators_read_removals_and_log"),
        ("definitions", "0005_source_publish_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
