"""Admin bulk-work benchmark: what publishing, withdrawing, renaming and merging topics cost on a large library.

Runs only against a database whose name contains "bench" (it adds synthetic
cases, topics and a superuser). ``make bench`` prepares such databases for
SQLite and PostgreSQL.

The library is the real cases and synthetic ones up to ``--cases`` (see
``search.management.bench_corpus``), indexed first. Two bench topics label every
case and a third every other one. Each step is one request of a logged-in
superuser through Django's test client, timed from the request to the
response, as the admin's pages send it:

* withdraw every case, then publish every case: the change list's "select all
  N" (``select_across``), as an editor selects more cases than a page holds;
* rename a topic that labels every case (its name is indexed with each case);
* merge the topic of every case into the topic of every other case;
* delete the synthetic cases: the confirmation page, then the deletion.

gunicorn cuts a request off after 30 s (``config/gunicorn.conf.py``).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
from collections.abc import Callable

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cases.models import Case, Collection, Topic
from search.index.indexing import rebuild_index
from search.management.bench_corpus import SYNTHETIC, make_corpus, require_bench_database, vacuum

BENCH_USER = "bench-admin"
# (slug, name): the renamed topic (every case), the merged one (every case) and the one it is merged into (half).
RENAMED = ("bench-renamed", "基准主题甲")
MERGED = ("bench-merged", "基准主题乙")
KEPT = ("bench-kept", "基准主题丙")
NEW_NAME = "基准主题丁"
TIMEOUT_SECONDS = 30


class Command(BaseCommand):
    help = "管理后台批量操作的性能基准（仅用于名称含 bench 的数据库）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=2000, help="案例总数（含真实案例）")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--profile", type=int, default=0, metavar="N", help="每步列出累计耗时最多的 N 个函数")

    def handle(self, *args, **options) -> None:
        name = require_bench_database()
        size = options["cases"]
        self.stdout.write(f"数据库：{connection.vendor}（{name}），{size} 个案例")
        try:
            self.prepare(size, random.Random(options["seed"]))
            client = Client()
            client.force_login(self.superuser())
            results = self.run_steps(client, size, options["profile"])
        finally:
            self.say("恢复基准数据库（删除合成案例和基准主题，重建索引）…")
            make_corpus(0, random.Random(0))
            Topic.objects.filter(slug__in=[RENAMED[0], MERGED[0], KEPT[0]]).delete()
            Collection.objects.filter(slug__startswith=SYNTHETIC).delete()
            get_user_model().objects.filter(username=BENCH_USER).delete()
            rebuild_index()
            vacuum()
        self.stdout.write(f"{'操作':<24} {'秒':>7}")
        for label, seconds in results:
            mark = "" if seconds <= TIMEOUT_SECONDS else f"（超过 {TIMEOUT_SECONDS} 秒的请求时限）"
            self.stdout.write(f"{label:<24} {seconds:>7.2f}{mark}")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def prepare(self, size: int, rng: random.Random) -> None:
        self.say(f"建立语料：{size} 个案例…")
        make_corpus(size, rng, progress=lambda done, total: self.say(f"  已写入 {done}/{total} 个合成案例"))
        Topic.objects.filter(slug__in=[RENAMED[0], MERGED[0], KEPT[0]]).delete()
        ids = sorted(Case.objects.values_list("pk", flat=True))
        links = Case.topics.through
        for (slug, topic_name), labelled in ((RENAMED, ids), (MERGED, ids), (KEPT, ids[::2])):
            topic = Topic.objects.create(slug=slug, name=topic_name, position=900)
            links.objects.bulk_create([links(case_id=pk, topic=topic) for pk in labelled], batch_size=5000)
        Case.objects.update(status=Case.Status.PUBLISHED)
        self.say("建索引（重复段落的分词已缓存）…")
        started = time.perf_counter()
        rebuild_index(progress=self.progress("  已索引"))  # segments each distinct paragraph once
        self.say(f"  用时 {time.perf_counter() - started:.1f} 秒")

    def progress(self, prefix: str) -> Callable[[int, int], None]:
        step = 0

        def report(done: int, total: int) -> None:
            nonlocal step
            if done == total or done >= step:
                self.say(f"{prefix} {done}/{total}")
                step = done + max(1, total // 5)

        return report

    def superuser(self):
        users = get_user_model()
        user = users.objects.filter(username=BENCH_USER).first() or users(username=BENCH_USER)
        user.is_staff = user.is_superuser = True
        user.set_unusable_password()
        user.save()
        return user

    def run_steps(self, client: Client, size: int, profile: int) -> list[tuple[str, float]]:
        changelist = reverse("admin:cases_case_changelist")
        topics = reverse("admin:cases_topic_changelist")
        renamed = Topic.objects.get(slug=RENAMED[0])
        merged, kept = Topic.objects.get(slug=MERGED[0]), Topic.objects.get(slug=KEPT[0])
        synthetic = Collection.objects.filter(slug__startswith=SYNTHETIC).order_by("pk").first()
        any_case = Case.objects.values_list("pk", flat=True).first()
        across = {"select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [any_case]}
        results = []

        def step(label: str, send: Callable[[], HttpResponse], check: Callable[[], bool]) -> None:
            self.say(f"{label}…")
            profiler = cProfile.Profile() if profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            response = send()
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            if profiler:
                report = io.StringIO()
                pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(profile)
                self.stdout.write(report.getvalue())
            if response.status_code not in (200, 302) or not check():
                raise CommandError(f"{label}：应答 {response.status_code}，结果不对")
            self.say(f"  {seconds:.2f} 秒")
            results.append((label, seconds))

        step(
            f"撤回全部 {size} 个案例",
            lambda: client.post(changelist, {**across, "action": "unpublish"}),
            lambda: not Case.objects.published().exists(),
        )
        step(
            f"发布全部 {size} 个案例",
            lambda: client.post(changelist, {**across, "action": "publish"}),
            lambda: not Case.objects.exclude(status=Case.Status.PUBLISHED).exists(),
        )
        step(
            f"主题改名（{renamed.cases.count()} 个案例）",
            lambda: client.post(
                reverse("admin:cases_topic_change", args=[renamed.pk]),
                {"name": NEW_NAME, "slug": renamed.slug, "description": "", "position": renamed.position},
            ),
            lambda: Topic.objects.filter(pk=renamed.pk, name=NEW_NAME).exists(),
        )
        step(
            f"合并主题（{merged.cases.count()} 个案例）",
            lambda: client.post(
                topics,
                {
                    "action": "merge_topics",
                    "index": "0",
                    ACTION_CHECKBOX_NAME: [merged.pk, kept.pk],
                    "post": "yes",
                    "target": kept.pk,
                },
            ),
            lambda: not Topic.objects.filter(pk=merged.pk).exists() and kept.cases.count() == size,
        )
        in_synthetic = f"{changelist}?collection__id__exact={synthetic.pk}"
        count = synthetic.cases.count()
        step(
            f"删除 {count} 个案例：确认页",
            lambda: client.post(in_synthetic, {**across, "action": "delete_selected"}),
            lambda: synthetic.cases.count() == count,
        )
        step(
            f"删除 {count} 个案例",
            lambda: client.post(in_synthetic, {**across, "action": "delete_selected", "post": "yes"}),
            lambda: not synthetic.cases.exists(),
        )
        return results
