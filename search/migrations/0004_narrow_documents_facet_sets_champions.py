"""The search row becomes narrow: facet counts and champion lists.

The segmented text moves from SearchDocument to SearchText; SearchDocument
keeps what matching and counting read, with each case's published flag and
combination of regions and topics (FacetSet), and on SQLite its case id
becomes the table's rowid. Champion lists fill on the next
``reindex``; until then a common word is ranked over all its matches.
"""

import django.db.models.deletion
from django.db import migrations, models

import search.models

TOKEN_FIELDS = ("title_tokens", "label_tokens", "heading_tokens", "body_tokens")


def split_documents(apps, schema_editor):
    FacetSet = apps.get_model("search", "FacetSet")
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchText = apps.get_model("search", "SearchText")
    documents = SearchDocument.objects.select_related("case").prefetch_related("case__regions", "case__topics")
    sets: dict[tuple[str, str], int] = {}
    chunk: list = []
    for document in documents.iterator(chunk_size=1000):
        case = document.case
        key = (
            " ".join(str(pk) for pk in sorted(region.pk for region in case.regions.all())),
            " ".join(str(pk) for pk in sorted(topic.pk for topic in case.topics.all())),
        )
        if key not in sets:
            sets[key] = FacetSet.objects.create(region_ids=key[0], topic_ids=key[1]).pk
        document.facet_set_id = sets[key]
        document.published = case.status == "published"
        chunk.append(document)
        if len(chunk) == 1000:
            _save(chunk, SearchDocument, SearchText)
            chunk = []
    _save(chunk, SearchDocument, SearchText)


def _save(documents: list, SearchDocument, SearchText) -> None:
    SearchText.objects.bulk_create(
        [SearchText(case_id=d.case_id, **{name: getattr(d, name) for name in TOKEN_FIELDS}) for d in documents]
    )
    SearchDocument.objects.bulk_update(documents, ["facet_set", "published"])


def join_documents(apps, schema_editor):
    """Back to one table: the segmented text returns to SearchDocument."""
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchText = apps.get_model("search", "SearchText")
    texts = {text.case_id: text for text in SearchText.objects.all()}
    documents = list(SearchDocument.objects.filter(case_id__in=list(texts)))
    for document in documents:
        for name in TOKEN_FIELDS:
            setattr(document, name, getattr(texts[document.case_id], name))
    SearchDocument.objects.bulk_update(documents, list(TOKEN_FIELDS), batch_size=1000)


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
                ("region_ids", models.TextField(blank=True)),
                ("topic_ids", models.TextField(blank=True)),
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
        migrations.RunPython(split_documents, join_documents),
        migrations.AlterField(
            model_name="searchdocument",
            name="facet_set",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="search.facetset"
            ),
        ),
        *(migrations.RemoveField(model_name="searchdocument", name=name) for name in TOKEN_FIELDS),
        # On SQLite the table is made again, with the case id as its rowid and its rows packed.
        migrations.AlterField(
            model_name="searchdocument",
            name="case",
            field=search.models.RowidOneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="search_document",
                serialize=False,
                to="cases.case",
            ),
        ),
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
                "indexes": [models.Index(fields=["token", "-weight", "case"], name="search_champion_by_weight")],
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
