"""Add 台湾省, 香港特别行政区 and 澳门特别行政区, completing the 34 province-level divisions of GB/T 2260.

Installations loaded before this change have 31. Applying it again changes
nothing: a division already present under its code or slug is left as it is.
Unapplying removes the three unless a case or a city refers to one of them,
which is then kept rather than lose that link.
"""

from django.db import migrations
from django.db.models import Q

# (code, name, short name, slug), as in fixtures/regions.json.
DIVISIONS = [
    ("710000", "台湾省", "台湾", "taiwan"),
    ("810000", "香港特别行政区", "香港", "xianggang"),
    ("820000", "澳门特别行政区", "澳门", "aomen"),
]


def add_divisions(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for code, name, short_name, slug in DIVISIONS:
        if not Region.objects.filter(Q(code=code) | Q(slug=slug)).exists():
            Region.objects.create(code=code, name=name, short_name=short_name, slug=slug, level="province")


def remove_divisions(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Region.objects.filter(
        code__in=[code for code, *_ in DIVISIONS], children__isnull=True, cases__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
        ("cases", "0001_initial"),  # the reverse looks at the cases of a region
    ]

    operations = [migrations.RunPython(add_divisions, remove_divisions)]
