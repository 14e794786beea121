"""The search row becomes narrow: facet counts and champion lists.

The segmented text moves from SearchDocument to SearchText; SearchDocument
keeps what matching and counting read, with each case's published flag and
combination of regions and topics (FacetSet). Champion lists fill on the next
``reindex``; until then a common word is ranked over all its matches.
"""

import django.db.models.deletion
from django.db import migrations, models

TOKEN_FIELDS = ("title_tokens", "label_tokens", "heading_tokens", "body_tokens")


def split_documents(apps, schema_editor):
    FacetSet = apps.get_model("search", "FacetSet")
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchText = apps.get_model("search", "SearchText")
    documents = SearchDocument.objects.select_related("case").prefetch_related("case__regions", "case__topics")
    for document in documents.iterator(chunk_size=1000):
        case = document.case
        SearchText.objects.create(case=case, **{name: getattr(document, name) for name in TOKEN_FIELDS})
        document.facet_set, _ = FacetSet.objects.get_or_create(
            region_ids=" ".join(str(pk) for pk in sorted(region.pk for region in case.regions.all())),
            topic_ids=" ".join(str(pk) for pk in sorted(topic.pk for topic in case.topics.all())),
        )
        document.published = case.status == "published"
        document.save(update_fields=["facet_set", "published"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_editors_group"),
        ("search", "0003_narrow_heap"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("region_ids", models.CharField(blank=True, max_length=200)),
                ("topic_ids", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("region_ids", "topic_ids"), name="search_facetset_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("title_tokens", models.TextField(blank=True)),
                ("label_tokens", models.TextField(blank=True, help_text="regions and topics")),
                ("heading_tokens", models.TextField(blank=True)),
                ("body_tokens", models.TextField(blank=True)),
            ],
            options={"verbose_name": "分词文本", "verbose_name_plural": "分词文本"},
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="published",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_set",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="search.facetset"
            ),
        ),
        migrations.RunPython(split_documents, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="searchdocument",
            name="facet_set",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="search.facetset"
            ),
        ),
        *(migrations.RemoveField(model_name="searchdocument", name=name) for name in TOKEN_FIELDS),
        migrations.CreateModel(
            name="Champion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
                ("weight", models.FloatField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["token", "-weight"], name="search_champion_by_weight")],
            },
        ),
        migrations.CreateModel(
            name="ChampionFloor",
            fields=[
                ("token", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("weight", models.FloatField()),
            ],
        ),
    ]
