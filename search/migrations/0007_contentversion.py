"""The content version moves from the cache to a one-row table, so every process sees a bump at once."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("search", "ContentVersion").objects.create(pk=1, version=1)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_seed_synonyms"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=1)),
            ],
            options={
                "verbose_name": "内容版本",
                "verbose_name_plural": "内容版本",
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
