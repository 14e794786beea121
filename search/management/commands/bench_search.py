"""Search benchmark: latency of the search API in-process, and index build time, by corpus size.

Runs only against a database whose name contains "bench" (it adds synthetic
cases). ``make bench`` prepares such databases for SQLite and PostgreSQL.

Synthetic cases are built from the real paragraphs
(``search.management.bench_corpus``): each takes a real title, summary and a
random draw of real items, regions and topics. For the largest
corpora the index build segments each distinct line once, as every indexing
run does (``search.index.text.memoised_segmentation``); the synthetic text
repeats the real paragraphs, so segmenting them again would measure nothing
new. Smaller corpora are built with the memo off, segmenting every text, and
the real segmentation speed is measured separately and printed, so the full
build time can be read off.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from unittest import mock

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from cases.models import Case
from regions.models import Region
from search import service as search_service
from search.index import text as search_text
from search.index.indexing import rebuild_index
from search.management.bench_corpus import (
    SYNTHETIC,
    holds,
    make_corpus,
    require_bench_database,
    vacuum,
)
from search.service import search_cases

QUERIES = [
    "服务",
    "发展",
    "企业",
    "融资",
    "铁路提单",
    "中欧班列",
    "通关便利化",
    "融资 武汉",
    "人才 OR 物流",
    '"文化贸易"',
    "融资 -保险",
    "鐵路提單",
    # Typed as people type: unspaced compounds, a compound the index lacks, no case with every word.
    "跨境电商融资",
    "外国专家引进",
    "邮轮 区块链",
]


class Command(BaseCommand):
    help = "检索性能基准（仅用于名称含 bench 的数据库）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="20,10000,100000", help="逗号分隔的案例总数")
        parser.add_argument("--repeat", type=int, default=15, help="每个查询重复次数")
        parser.add_argument("--memoise-from", type=int, default=50000, help="从此规模起缓存段落分词")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--reuse", action="store_true", help="数据库已有同样数量的案例且已建索引时，不重建")
        parser.add_argument("--keep", action="store_true", help="结束后保留最后一个规模的案例（不还原为 20 个）")

    def handle(self, *args, **options) -> None:
        name = require_bench_database()
        rng = random.Random(options["seed"])
        self.stdout.write(f"数据库：{connection.vendor}（{name}）")
        self.report_segmentation_speed()
        self.stdout.write(
            f"{'案例数':>8} {'建索引(秒)':>10} {'p50(ms)':>8} {'p95(ms)':>8} {'前20同精确排序':>8} {'最慢查询':>12}"
        )
        for size in [int(s) for s in options["sizes"].split(",")]:
            memoise = size >= options["memoise_from"]
            if options["reuse"] and holds(size):
                build, memoise = None, False  # built before: no build time to report
            else:
                make_corpus(size, rng)
                vacuum()
                build = self.timed_build(memoise)
            samples, slowest = self.measure(options["repeat"])
            p50 = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20)[18]
            agreement = self.agreement_with_exact_ranking()
            note = "（分词已缓存）" if memoise else ""
            built = "沿用" if build is None else f"{build:.1f}"
            self.stdout.write(f"{size:>8} {built:>10} {p50:>8.1f} {p95:>8.1f} {agreement:>13.0%} {slowest:>12}{note}")
        if not options["keep"] and not holds(20):
            make_corpus(20, rng)  # leave the bench database as it started
            rebuild_index()

    def report_segmentation_speed(self) -> None:
        texts = [
            "\n".join([case.title, case.summary, *(f"{i.heading}{i.body}" for i in case.items.all())])
            for case in Case.objects.exclude(collection__slug__startswith=SYNTHETIC).prefetch_related("items")
        ]
        chars = sum(len(t) for t in texts)
        search_text.tokenizer()  # the dictionary loads once per process; not part of the speed
        started = time.perf_counter()
        for text in texts:
            search_text.document_tokens(text)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"jieba 分词速度：{chars / seconds / 1000:.0f} 千字/秒（{len(texts)} 个真实案例，{chars} 字）"
        )

    def timed_build(self, memoise: bool) -> float:
        """The rebuild's time; without ``memoise`` every text is segmented whole, as distinct cases would be."""
        with search_text.memoised_segmentation(max_lines=None if memoise else 0):
            started = time.perf_counter()
            rebuild_index()
            return time.perf_counter() - started

    def measure(self, repeat: int) -> tuple[list[float], str]:
        runs = self.runs()
        for q, filters in runs:  # warm up caches and connections
            search_cases(q=q, page_size=20, **filters)
        samples: list[float] = []
        worst: dict[str, float] = {}
        for _ in range(repeat):
            for q, filters in runs:
                started = time.perf_counter()
                search_cases(q=q, page_size=20, **filters)
                elapsed = (time.perf_counter() - started) * 1000
                samples.append(elapsed)
                worst[q] = max(worst.get(q, 0), elapsed)
        slowest = max(worst, key=worst.get)
        return samples, f"{slowest}"

    def agreement_with_exact_ranking(self) -> float:
        """Share of the top 20 that ranking every match would also put in the top 20, over the query set.

        Below ``EXACT_RANK_LIMIT`` results the two are the same ranking; above it
        this is what the champion lists cost in quality.
        """
        shared = total = 0
        for q, filters in self.runs():
            ranked = {hit.case.pk for hit in search_cases(q=q, page_size=20, **filters).hits}
            with mock.patch.object(search_service, "EXACT_RANK_LIMIT", sys.maxsize):
                exact = {hit.case.pk for hit in search_cases(q=q, page_size=20, **filters).hits}
            shared += len(ranked & exact)
            total += len(exact)
        return shared / total if total else 1.0

    def runs(self) -> list[tuple[str, dict]]:
        hubei = Region.objects.get(slug="hubei")
        return [(q, {}) for q in QUERIES] + [("融资", {"regions": [hubei]})]
