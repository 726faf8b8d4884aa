"""Create the "Editors" group: staff who add comparisons and their sources, and nothing more.

An editor creates a comparison in the admin (two terms, lead, slug) and adds its sources with
"Add source from text" (the intake), which saves it as a draft, previews and publishes it, then curates their definitions, dimensions and stances.
Moderating readers' words stays with the Moderators group; a person may be in both.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"

# (model, actions) in the definitions app. No deleting comparisons or sources (their readers'
# distinctions and comments go with them): a comparison is withdrawn by unpublishing it.
PERMISSIONS = [
    ("comparison", ["view", "add", "change"]),
    ("source", ["view", "add", "change", "publish"]),
    ("definition", ["view", "add", "change", "delete"]),
    ("dimension", ["view", "add", "change", "delete"]),
    ("claim", ["view", "add", "change", "delete"]),
    ("stance", ["view", "add", "change", "delete"]),
    ("distinction", ["view", "change"]),
]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate): make them now.
    app_config = apps.get_app_config("definitions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="definitions", codename__in=codenames)
    )


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("definitions", "0007_distinction_reports_and_edits"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
