"""Page benchmark: what every public page, API endpoint and export costs, uncached, by library size.

Runs only against a database whose name contains "bench" (it adds synthetic
cases, see ``search.management.bench_corpus``); ``make bench`` runs it after
``bench_search`` on SQLite and PostgreSQL. For each size it builds the library
(cases, search index, related cases; with progress), then measures:

* **Pages and API endpoints** (every GET route of the ``urls`` modules, the
  selection's forms, a missing case's 404): requested in-process with
  ``django.test.Client``, through the whole middleware stack, ``--repeat``
  times in rounds (every URL once per round) after one warm-up round; p50 and
  p95 of the wall time, and the database queries of one request. The process
  starts as the server's does (``config.wsgi``: the tokenizer loaded, and
  what start-up loaded left out of the garbage collector's passes). The page
  cache is on but its entries expire at once (``PAGE_CACHE_SECONDS=0``), so
  every request costs what a cache miss costs (look-up, render, store), and
  each response's ``X-Cache`` is checked: a hit stops the benchmark. The
  facet labels' cache works as in production.
* **Exports** (CSV, JSON and Excel of as many cases as ``EXPORT_MAX_CASES``
  allows, the Word briefing of as many as ``EXPORT_MAX_BRIEFING_CASES``
  allows): the time from the request until the last byte of the response has
  been read (median of ``--export-repeat``); and the peak memory growth, in a
  fresh child process per format: how far the resident set's high-water mark
  (``VmHWM``, reset through ``/proc/self/clear_refs`` just before) rises above
  the resident set before the request, while the response is read chunk by
  chunk and each chunk dropped, as a server sends it. The child first makes a
  one-case export of the same format, so imports and first-use caches are not
  counted. Unlike tracemalloc this includes memory that C libraries (lxml,
  zlib) allocate. An export the server declines (a 503: at the pace of its
  first cases it would run past ``EXPORT_TIME_LIMIT``, as on a slow machine)
  is reported as a miss with its message, and the run goes on.

The targets are printed with the figures: every page p95 ≤ 50 ms at 10,000
cases and more, every HTML page p95 ≤ 10 ms at 20 cases and fewer, the case
page within 1.5 × of its figure at the smallest size; CSV ≤ 5 s and Excel
≤ 20 s, each export growing memory by at most 100 MB.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from cases.models import Case, Topic
from regions.models import Region
from search.index.indexing import rebuild_index
from search.index.related import related_rebuild
from search.management.bench_corpus import SYNTHETIC, holds, make_corpus, require_bench_database, vacuum

PAGE_TARGET_MS = 50.0  # p95 of every page and endpoint, at LARGE cases and more
LEAN_TARGET_MS = 10.0  # p95 of every HTML page, at SMALL cases and fewer
CASE_PAGE_GROWTH = 1.5  # the case page at the largest size, against the smallest
LARGE, SMALL = 10000, 20
EXPORT_TARGETS_S = {"CSV": 5.0, "Excel": 20.0}
EXPORT_MEMORY_TARGET_MB = 100.0
CASE_PAGE = "案例页"


@dataclass
class Probe:
    """One URL to measure, and what the measurement found."""

    label: str
    path: str
    client: str = "anonymous"  # the name of the client (and so the session) that asks
    method: str = "get"
    data: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)
    status: int = 0
    queries: int = 0
    size: int = 0
    html: bool = False

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


@dataclass
class ExportResult:
    label: str
    cases: int
    seconds: float
    growth_mb: float
    size_mb: float
    refused: str = ""  # the server's message when it declined the export with a 503


class Command(BaseCommand):
    help = "页面与导出性能基准（不经页面缓存；仅用于名称含 bench 的数据库）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="20,10000", help="逗号分隔的案例总数")
        parser.add_argument("--repeat", type=int, default=20, help="每个页面请求次数")
        parser.add_argument("--export-repeat", type=int, default=3, help="每种导出的次数")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--reuse", action="store_true", help="数据库已有同样数量的案例且已建索引时，不重建")
        parser.add_argument("--keep", action="store_true", help="结束后保留最后一个规模的案例（不还原为 20 个）")
        parser.add_argument("--only", default="", help="只测标签或路径含此文字的页面（调试用）")
        parser.add_argument("--no-exports", action="store_true", help="不测导出")
        parser.add_argument("--export-memory", default="", help="内部使用：在子进程中测一次导出的内存峰值")

    def handle(self, *args, **options) -> None:
        name = require_bench_database()
        # Start as the server does. Otherwise a full garbage collection over Django and pypinyin's dictionary
        # (about 60 ms, which the server's workers never make) lands in a measured request now and then.
        import config.wsgi  # noqa: F401

        if options["repeat"] < 2 or options["export_repeat"] < 1:
            raise CommandError("--repeat 至少为 2（才有 p95），--export-repeat 至少为 1。")
        if options["export_memory"]:
            self.stdout.write(json.dumps(_export_memory(options["export_memory"])))
            return
        self.stdout.write(f"数据库：{connection.vendor}（{name}）；DEBUG={'开' if settings.DEBUG else '关'}")
        if settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG 开启时数字偏高：请以 DEBUG=0 运行。"))
        rng = random.Random(options["seed"])
        results: dict[int, tuple[list[Probe], list[ExportResult]]] = {}
        for size in [int(s) for s in options["sizes"].split(",")]:
            if options["reuse"] and holds(size):
                self.stdout.write(f"== {size} 个案例：沿用数据库中已建好的案例和索引（先清理死行）")
                vacuum()  # what other benchmarks deleted, as autovacuum would have
            else:
                self.build(size, rng)
            before = reference_ms()
            probes = self.measure_pages(options["repeat"], options["only"])
            after = reference_ms()
            exports = [] if options["no_exports"] else self.measure_exports(options["export_repeat"])
            results[size] = (probes, exports)
            self.report(size, probes, exports)
            self.stdout.write(
                f"本机速度参照（固定的 Python 计算，毫秒，越小越快）：测页面前 {before:.1f}，测页面后 {after:.1f}\n"
            )
        if len(results) > 1:
            self.report_together(results)
        self.report_targets(results)
        if not options["keep"] and not holds(SMALL):
            self.stdout.write("还原为 20 个真实案例……")
            make_corpus(SMALL, rng)  # leave the bench database as it started
            rebuild_index()
            related_rebuild()

    # Building -------------------------------------------------------------------

    def build(self, size: int, rng: random.Random) -> None:
        self.stdout.write(f"== {size} 个案例：生成合成案例、建索引和相关案例")
        started = time.perf_counter()
        make_corpus(size, rng, progress=self.progress("合成案例"))
        vacuum()
        rebuild_index(progress=self.progress("已索引"))
        related_rebuild(progress=self.progress("已计算相关案例"))
        vacuum()
        self.stdout.write(f"准备完毕，用时 {time.perf_counter() - started:.0f} 秒")

    def progress(self, label: str) -> Callable[[int, int], None]:
        step = 0

        def report(done: int, total: int) -> None:
            nonlocal step
            if done == total or done >= step:
                self.stdout.write(f"{label} {done}/{total}")
                self.stdout.flush()
                step = done + max(1, total // 10)

        return report

    # Pages ----------------------------------------------------------------------

    def measure_pages(self, repeat: int, only: str) -> list[Probe]:
        clients = {name: Client() for name in ("anonymous", "selecting", "toggling")}
        probes = [p for p in _probes(clients) if not only or only in p.label or only in p.path]
        with override_settings(PAGE_CACHE_SECONDS=0), _quiet("django.request"):  # not a line per 404
            for round_ in range(repeat + 1):  # the first round warms up
                for probe in probes:
                    client = clients[probe.client]
                    started = time.perf_counter()
                    response = _request(client, probe)
                    size = _consume(response)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.get("X-Cache") == "hit":
                        raise CommandError(f"{probe.path} 由页面缓存应答，测量无效。")
                    if round_:
                        probe.samples.append(elapsed)
                    else:
                        probe.status, probe.size = response.status_code, size
                        probe.html = response.get("Content-Type", "").startswith("text/html")
            for probe in probes:
                with CaptureQueriesContext(connection) as queries:
                    _consume(_request(clients[probe.client], probe))
                probe.queries = len(queries)
        return probes

    # Exports --------------------------------------------------------------------

    def measure_exports(self, repeat: int) -> list[ExportResult]:
        results = []
        for label, url, cases in _exports():
            self.stdout.write(f"导出 {label}（{cases} 个案例）……")
            self.stdout.flush()
            client = Client()
            seconds = []
            size = 0
            refused = ""
            for _ in range(repeat):
                started = time.perf_counter()
                with _quiet("django.request"):  # a declined export is a result, reported below
                    response = client.get(url)
                if response.status_code == 503:  # declined (its time limit, on a slow machine): the message says why
                    refused = _message(response)
                    self.stdout.write(self.style.WARNING(f"  未导出：{refused}"))
                    break
                if response.status_code != 200:
                    raise CommandError(f"{url}: {response.status_code} {_message(response)}")
                size = _consume(response)
                seconds.append(time.perf_counter() - started)
            if refused:
                results.append(ExportResult(label, cases, math.nan, math.nan, math.nan, refused))
                continue
            child = subprocess.run(
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_pages", "--export-memory", url],
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                raise CommandError(f"测量导出内存失败：{child.stderr[-2000:]}")
            memory = json.loads(child.stdout.strip().splitlines()[-1])
            results.append(
                ExportResult(label, cases, statistics.median(seconds), memory["growth_mb"], size / 1024 / 1024)
            )
        return results

    # Reports --------------------------------------------------------------------

    def report(self, size: int, probes: list[Probe], exports: list[ExportResult]) -> None:
        self.stdout.write(f"\n{size} 个案例（不经页面缓存；毫秒）")
        self.stdout.write(f"{'页面':<34} {'状态':>4} {'查询':>4} {'KB':>6} {'p50':>7} {'p95':>7}")
        for probe in probes:
            self.stdout.write(
                f"{_cut(probe.label, 34)} {probe.status:>4} {probe.queries:>4} {probe.size / 1024:>6.0f} "
                f"{probe.p50:>7.1f} {probe.p95:>7.1f}"
            )
        if exports:
            self.stdout.write(f"{'导出':<20} {'案例数':>7} {'秒':>7} {'内存增长(MB)':>12} {'文件(MB)':>9}")
            for export in exports:
                if export.refused:
                    self.stdout.write(f"{_cut(export.label, 20)} {export.cases:>7}   未导出（503，原因见下）")
                    continue
                self.stdout.write(
                    f"{_cut(export.label, 20)} {export.cases:>7} {export.seconds:>7.2f} "
                    f"{export.growth_mb:>12.1f} {export.size_mb:>9.1f}"
                )
        self.stdout.write("")

    def report_together(self, results: dict[int, tuple[list[Probe], list[ExportResult]]]) -> None:
        sizes = list(results)
        self.stdout.write("汇总：p50 / p95（毫秒）")
        self.stdout.write(f"{'页面':<34} " + " ".join(f"{f'{size} 个案例':>17}" for size in sizes))
        labels = [probe.label for probe in results[sizes[0]][0]]
        by_size = {size: {probe.label: probe for probe in probes} for size, (probes, _) in results.items()}
        for label in labels:
            cells = [by_size[size].get(label) for size in sizes]
            self.stdout.write(
                f"{_cut(label, 34)} " + " ".join(f"{f'{p.p50:.1f} / {p.p95:.1f}' if p else '—':>17}" for p in cells)
            )
        self.stdout.write("")

    def report_targets(self, results: dict[int, tuple[list[Probe], list[ExportResult]]]) -> None:
        misses = []
        for size, (probes, exports) in results.items():
            for probe in probes:
                if size >= LARGE and probe.p95 > PAGE_TARGET_MS:
                    misses.append(f"{size} 个案例：{probe.label} p95 {probe.p95:.1f} ms > {PAGE_TARGET_MS:.0f} ms")
                if size <= SMALL and probe.html and probe.p95 > LEAN_TARGET_MS:
                    misses.append(f"{size} 个案例：{probe.label} p95 {probe.p95:.1f} ms > {LEAN_TARGET_MS:.0f} ms")
            for export in exports:
                limit = EXPORT_TARGETS_S.get(export.label)
                if export.refused:
                    misses.append(f"{size} 个案例：导出 {export.label} 未完成：{export.refused}")
                    continue
                if limit and export.seconds > limit:
                    misses.append(f"{size} 个案例：导出 {export.label} {export.seconds:.1f} s > {limit:.0f} s")
                if export.growth_mb > EXPORT_MEMORY_TARGET_MB:
                    misses.append(
                        f"{size} 个案例：导出 {export.label} 内存增长 {export.growth_mb:.0f} MB "
                        f"> {EXPORT_MEMORY_TARGET_MB:.0f} MB"
                    )
        sizes = sorted(results)
        if len(sizes) > 1:
            first = {p.label: p for p in results[sizes[0]][0]}.get(CASE_PAGE)
            last = {p.label: p for p in results[sizes[-1]][0]}.get(CASE_PAGE)
            if first and last:
                ratio = last.p50 / first.p50
                self.stdout.write(f"案例页 p50：{sizes[-1]} 个案例是 {sizes[0]} 个案例的 {ratio:.2f} 倍")
                if ratio > CASE_PAGE_GROWTH:
                    misses.append(f"案例页 p50 增长 {ratio:.2f} 倍 > {CASE_PAGE_GROWTH} 倍")
        if misses:
            self.stdout.write(self.style.WARNING("未达目标：\n  " + "\n  ".join(misses)))
        else:
            self.stdout.write(self.style.SUCCESS("全部达到目标。"))


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """The logger ``name`` logs errors only, within."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _real_cases() -> list[Case]:
    return list(Case.objects.published().exclude(collection__slug__startswith=SYNTHETIC).order_by("pk"))


def _probes(clients: dict[str, Client]) -> list[Probe]:
    """Every public GET route with typical parameters, and the selection's forms; sets up the clients' sessions."""
    published = Case.objects.published()
    real = _real_cases()
    case, other = real[len(real) // 2], real[len(real) // 2 - 2]
    topic = max(Topic.objects.all(), key=lambda topic: published.with_topics([topic]).count())
    province = Region.objects.get(slug="hubei")
    city = Region.objects.get(slug="wuhan")
    topic_pages = Paginator(range(published.with_topics([topic]).count()), settings.PAGE_SIZE, orphans=3).num_pages
    browse_pages = max(1, -(-published.count() // settings.PAGE_SIZE))
    chosen = list(published.order_by("pk").values_list("pk", flat=True)[:200])
    clients["selecting"].post(reverse("cases:selection_add"), {"case": chosen})
    clients["toggling"].post(reverse("cases:selection_add"), {"case": [other.pk]})
    search = reverse("search:search")
    api = reverse("api:case_list")
    feed = reverse("search:feed")
    suggest = reverse("search:suggest")
    json_accept = {"Accept": "application/json"}

    return [
        Probe("首页", reverse("cases:home")),
        Probe("浏览全部 /search/", search),
        Probe("浏览 /cases/ 第 2 页", reverse("cases:case_list") + "?page=2"),
        Probe("浏览 最后一页", f"{search}?page={browse_pages}"),
        Probe("浏览 按时间", f"{search}?sort=newest"),
        Probe("检索 融资", f"{search}?q=融资"),
        Probe("检索 服务（很多案例）", f"{search}?q=服务"),
        Probe("检索 融资 + 湖北省", f"{search}?{urlencode({'q': '融资', 'region': 'hubei'})}"),
        Probe("检索 主题筛选", f"{search}?topic={topic.slug}"),
        Probe("检索 跨境电商融资", f"{search}?q=跨境电商融资"),
        Probe("检索 人才 OR 物流 第 2 页", f"{search}?{urlencode({'q': '人才 OR 物流', 'page': 2})}"),
        Probe(CASE_PAGE, case.get_absolute_url()),
        Probe("案例 RIS", reverse("cases:case_ris", args=[case.pk])),
        Probe("案例 404", reverse("cases:case_detail", args=[999999999])),
        Probe("无此页 404", "/no-such-page/"),
        Probe("主题列表", reverse("cases:topic_list")),
        Probe("主题页", topic.get_absolute_url()),
        Probe("主题页 最后一页", f"{topic.get_absolute_url()}?page={topic_pages}"),
        Probe("地区列表", reverse("regions:region_list")),
        Probe("地区页 省", province.get_absolute_url()),
        Probe("地区页 市", city.get_absolute_url()),
        Probe("比较 两个案例", f"{reverse('cases:compare')}?case={case.pk}&case={other.pk}"),
        Probe("比较 选择案例", reverse("cases:compare")),
        Probe("已选案例（200 个）", reverse("cases:selection"), client="selecting"),
        Probe("已选案例（空）", reverse("cases:selection")),
        Probe("加入已选 POST", reverse("cases:selection_add"), "toggling", "post", {"case": case.pk}, json_accept),
        Probe("移出已选 POST", reverse("cases:selection_remove"), "toggling", "post", {"case": case.pk}, json_accept),
        Probe("检索帮助", reverse("search:help")),
        Probe("订阅 全部", feed),
        Probe("订阅 融资", f"{feed}?q=融资"),
        Probe("API 案例列表", api),
        Probe("API 检索 融资", f"{api}?q=融资"),
        Probe("API 检索 服务 第 2 页", f"{api}?{urlencode({'q': '服务', 'page': 2})}"),
        Probe("API 筛选 地区+主题", f"{api}?{urlencode({'region': 'hubei', 'topic': topic.slug})}"),
        Probe("API 案例", reverse("api:case_detail", args=[case.pk])),
        Probe("API 地区", reverse("api:region_list")),
        Probe("API 建议 融", f"{suggest}?q=融"),
        Probe("API 建议 jinrong", f"{suggest}?q=jinrong"),
        Probe("健康检查", reverse("healthz")),
        Probe("favicon", reverse("cases:favicon")),
    ]


def _exports() -> list[tuple[str, str, int]]:
    """(Label, URL, number of cases) of each export at its cap: the whole library, or its first cases."""
    published = list(Case.objects.published().order_by(*Case._meta.ordering).values_list("pk", flat=True))
    whole = min(len(published), settings.EXPORT_MAX_CASES)
    scope = "" if len(published) <= settings.EXPORT_MAX_CASES else "?" + _chosen(published[:whole])
    briefing = published[: settings.EXPORT_MAX_BRIEFING_CASES]
    return [
        ("CSV", reverse("export:cases_csv") + scope, whole),
        ("JSON", reverse("export:cases_json") + scope, whole),
        ("Excel", reverse("export:cases_xlsx") + scope, whole),
        ("Word 简报", reverse("export:briefing_docx") + "?" + _chosen(briefing), len(briefing)),
    ]


def _chosen(ids: list[int]) -> str:
    return urlencode([("case", pk) for pk in ids])


def _request(client: Client, probe: Probe):
    return getattr(client, probe.method)(probe.path, probe.data, headers=probe.headers)


def _consume(response) -> int:
    """Read the response's body as a server sends it, chunk by chunk, keeping none; its length."""
    if not response.streaming:
        return len(response.content)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    return size


def reference_ms() -> float:
    """The median time of a fixed computation in Python: how fast the machine is right now.

    The same pages can take half as long again from one quarter of an hour to
    the next on a shared machine; printed beside the figures, this tells runs apart.
    """
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(200_000))
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _cut(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns, a Chinese character taking two."""
    columns = sum(2 if ord(char) > 0x2E7F else 1 for char in text)
    return text + " " * max(0, width - columns)


def _message(response) -> str:
    """What a refused export's page says (its heading, then why), for the report."""
    html = response.content.decode(errors="replace")
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    reasons = re.findall(r'class="refusal">(.*?)</(?:p|ul)>', html, re.S)
    text = "；".join(" ".join(re.sub(r"<[^>]+>", " ", reason).split()) for reason in reasons)
    return (f"{heading.group(1)}：{text}" if heading else text or html)[:300]


def _status_kb(name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return float(line.split()[1])
    raise CommandError(f"/proc/self/status 中没有 {name}")


def _export_memory(url: str) -> dict[str, float]:
    """In this (fresh) process: how far the resident set's high-water mark rises while ``url`` is read and dropped."""
    client = Client()
    first = Case.objects.published().order_by("pk").values_list("pk", flat=True).first()
    _consume(client.get(url.split("?")[0] + "?" + _chosen([first])))  # imports, first-use caches
    before = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
    started = time.perf_counter()
    response = client.get(url)
    size = _consume(response)
    seconds = time.perf_counter() - started
    return {"growth_mb": (_status_kb("VmHWM") - before) / 1024, "seconds": seconds, "bytes": size}
