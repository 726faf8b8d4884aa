"""One moderation mechanism: a pingback is a kind of comment, not a status; one permission.

Comments stored with the status "pingback" become published comments of the kind "pingback"
(never shown in a thread, as before). The report count column, written and never read, goes.
The Moderators group's "comments.can_moderate" becomes "definitions.can_moderate", which now
governs comments, distinctions and votes alike.
"""

from django.db import migrations, models


NAME = "Can moderate comments, distinctions and votes"


def pingbacks_to_kind(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(status="pingback").update(kind="pingback", status="published")


def pingbacks_to_status(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(kind="pingback").update(status="pingback")


def _permission(apps, app_label, model, codename):
    # Permissions are normally created after all migrations ran (post_migrate): make it now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": NAME}
    )
    return permission


def _move_permission(apps, old, new):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    before, after = _permission(apps, *old), _permission(apps, *new)
    for group in Group.objects.filter(permissions=before):
        group.permissions.add(after)
        group.permissions.remove(before)
    for user in User.objects.filter(user_permissions=before):
        user.user_permissions.add(after)
        user.user_permissions.remove(before)


def one_permission(apps, schema_editor):
    _move_permission(
        apps,
        ("comments", "comment", "can_moderate"),
        ("definitions", "distinction", "can_moderate"),
    )
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="comments", codename="can_moderate"
    ).delete()


def two_permissions(apps, schema_editor):
    _move_permission(
        apps,
        ("definitions", "distinction", "can_moderate"),
        ("comments", "comment", "can_moderate"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0002_moderators_group"),
        ("definitions", "0003_moderation_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="kind",
            field=models.CharField(
                choices=[("comment", "Comment"), ("pingback", "Pingback/trackback")],
                default="comment",
                max_length=16,
            ),
        ),
        migrations.RunPython(pingbacks_to_kind, pingbacks_to_status),
        migrations.AlterField(
            model_name="comment",
            name="status",
            field=models.CharField(
                choices=[
                    ("published", "Published"),
                    ("pending", "Pending moderation"),
                    ("removed", "Removed"),
                    ("spam", "Spam"),
                ],
                default="published",
                max_length=16,
            ),
        ),
        migrations.RemoveField(model_name="comment", name="report_count"),
        migrations.AlterModelOptions(name="comment", options={"ordering": ["created", "id"]}),
        migrations.RunPython(one_permission, two_permissions),
    ]
