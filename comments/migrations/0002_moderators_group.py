"""Create the "Moderators" group with exactly the permissions moderation needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, codename): what a moderator may do, and nothing more. No deleting sources, no
# adding or changing votes, no user, group or permission administration.
PERMISSIONS = [
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    ("comments", "can_moderate"),
    ("comments", "view_report"),
    ("definitions", "view_distinction"),
    ("definitions", "change_distinction"),
    ("definitions", "view_vote"),
    ("definitions", "view_source"),
    ("definitions", "view_definition"),
    ("definitions", "view_dimension"),
    ("definitions", "view_stance"),
    ("definitions", "view_comparison"),
    ("definitions", "view_bannedword"),
    ("definitions", "add_bannedword"),
    ("definitions", "change_bannedword"),
    ("definitions", "delete_bannedword"),
]


def create_moderators_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); on a fresh
    # database they do not exist yet at this point, so create them now.
    for label in ("comments", "definitions"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = []
    for app_label, codename in PERMISSIONS:
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(permissions)


def delete_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("definitions", "0001_initial"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_moderators_group, delete_moderators_group)]
