"""Editors curate the synonym table: the ``editors`` group may add, change, delete and view synonym groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "editors"
CODENAMES = [f"{action}_synonym" for action in ("add", "change", "delete", "view")]


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(alias).filter(content_type__app_label="search", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    alias = schema_editor.connection.alias
    for group in Group.objects.using(alias).filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.using(alias).filter(content_type__app_label="search", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_contentversion"),
        ("cases", "0003_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
