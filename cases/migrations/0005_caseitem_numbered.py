from django.db import migrations, models


def mark_items_with_heading_numbered(apps, schema_editor) -> None:
    """Until now only items with a heading were numbered; the next import marks the others."""
    CaseItem = apps.get_model("cases", "CaseItem")
    CaseItem.objects.exclude(heading="").update(numbered=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseitem",
            name="numbered",
            field=models.BooleanField(default=False, verbose_name="编号条目"),
        ),
        migrations.AlterField(
            model_name="caseitem",
            name="heading",
            field=models.CharField(
                blank=True,
                help_text="编号条目的第一句（简短的小标题）；无小标题的条目留空。",
                max_length=500,
                verbose_name="要点",
            ),
        ),
        migrations.RunPython(mark_items_with_heading_numbered, migrations.RunPython.noop),
    ]
