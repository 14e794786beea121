import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cases.services import imported_texts_remember
from search.index.indexing import bulk

FIXTURES = ["regions", "topics", "cases"]


def fixture_case_ids() -> list[int]:
    path = Path(settings.FIXTURE_DIRS[0]) / "cases.json"
    return [row["pk"] for row in json.loads(path.read_text(encoding="utf-8")) if row["model"] == "cases.case"]


class Command(BaseCommand):
    help = "载入地区、主题和案例（fixtures/），并重建检索索引；可重复运行。"

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        with bulk(reindex=False):  # the whole index is rebuilt below
            for fixture in FIXTURES:
                if verbosity:
                    self.stdout.write(f"载入 fixtures/{fixture}.json …")
                call_command("loaddata", fixture, verbosity=0)
            # The cases of the fixture are what the importer wrote: the next import compares with them.
            imported_texts_remember(case_ids=fixture_case_ids())
        call_command("reindex", verbosity=verbosity)
        if verbosity:
            self.stdout.write(self.style.SUCCESS("初始数据已载入。"))
