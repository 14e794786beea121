from django.core.management import call_command
from django.core.management.base import BaseCommand

from search.index.indexing import bulk

FIXTURES = ["regions", "topics", "cases"]


class Command(BaseCommand):
    help = "载入地区、主题和案例（fixtures/），并重建检索索引；可重复运行。"

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        with bulk(reindex=False):  # the whole index is rebuilt below
            for fixture in FIXTURES:
                if verbosity:
                    self.stdout.write(f"载入 fixtures/{fixture}.json …")
                call_command("loaddata", fixture, verbosity=0)
        call_command("reindex", verbosity=verbosity)
        if verbosity:
            self.stdout.write(self.style.SUCCESS("初始数据已载入。"))
