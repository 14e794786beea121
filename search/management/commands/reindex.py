import time

from django.core.management.base import BaseCommand

from search.index.indexing import rebuild_index
from search.index.related import related_rebuild


class Command(BaseCommand):
    help = "重建全部案例的检索索引。"

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        started = time.perf_counter()
        step = 1
        interactive = self.stdout.isatty()

        def progress(label: str):
            def report(done: int, total: int) -> None:
                nonlocal step
                if verbosity and (done == total or done >= step):
                    prefix, ending = ("\r", "") if interactive else ("", "\n")
                    self.stdout.write(f"{prefix}{label} {done}/{total} 个案例", ending=ending)
                    self.stdout.flush()
                    step = done + max(1, total // 10)
                    if done == total and interactive:
                        self.stdout.write("")

            return report

        total = rebuild_index(progress=progress("已索引"))
        step = 1
        related_rebuild(progress=progress("已计算相关案例"))  # every case's related cases, from the rebuilt index
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(f"索引已重建：{total} 个案例，用时 {time.perf_counter() - started:.1f} 秒。")
            )
