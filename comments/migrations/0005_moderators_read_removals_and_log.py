"""Let the Moderators group read the moderation log and the record of visitors' removals.

Both pages are read-only: the log is Django's admin log (`admin.view_logentry`), and a removal
(`comments.view_visitorremoval`) is undone from its own page with the moderation permission.
"""

from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, model, codename, name)
PERMISSIONS = [
    ("admin", "logentry", "view_logentry", "Can view log entry"),
    (
        "comments",
        "visitorremoval",
        "view_visitorremoval",
        "Can view removal of a visitor's content",
    ),
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
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0004_visitor_removals"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
