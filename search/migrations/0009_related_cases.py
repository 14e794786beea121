import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_caseitem_numbered"),
        ("search", "0008_editors_edit_synonyms"),
    ]

    operations = [
        migrations.CreateModel(
            name="RelatedTerms",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("terms", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "相关词向量",
                "verbose_name_plural": "相关词向量",
            },
        ),
        migrations.CreateModel(
            name="RelatedCase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.FloatField()),
                ("topics", models.CharField(blank=True, max_length=200)),
                ("words", models.CharField(blank=True, max_length=200)),
                ("rank", models.PositiveSmallIntegerField()),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"
                    ),
                ),
                (
                    "related",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"),
                ),
            ],
            options={
                "verbose_name": "相关案例",
                "verbose_name_plural": "相关案例",
                "indexes": [models.Index(fields=["case", "rank"], name="search_related_by_rank")],
            },
        ),
    ]
