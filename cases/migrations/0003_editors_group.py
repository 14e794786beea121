"""The ``editors`` group: everything editorial, nothing about users or groups.

Editors add, change, delete and view cases, their items, topics, regions and
collections, read the revision history and import source documents. User and
group management stays with superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "editors"
PERMISSIONS = [
    *(
        (app_label, f"{action}_{model}")
        for app_label, model in [
            ("cases", "case"),
            ("cases", "caseitem"),
            ("cases", "topic"),
            ("cases", "collection"),
            ("regions", "region"),
        ]
        for action in ("add", "change", "delete", "view")
    ),
    ("cases", "import_documents"),
    ("reversion", "view_revision"),
    ("reversion", "view_version"),
]


def create_editors(apps, schema_editor):
    # Permissions are normally created after the last migration; make sure
    # those named here exist already (on a fresh database they do not).
    for app_label in {app_label for app_label, _ in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.using(schema_editor.connection.alias).get(
            content_type__app_label=app_label, codename=codename
        )
        group.permissions.add(permission)


def remove_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_import_permission"),
        ("regions", "0001_initial"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
