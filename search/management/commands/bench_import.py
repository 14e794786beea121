"""Import benchmark: a document of a thousand cases through the admin's import page, preview and confirmation.

Runs only against a database whose name contains "bench" (it imports into a
collection of its own, removed at the end). ``make bench`` prepares such
databases for SQLite and PostgreSQL.

The document is made of the 20 real cases in turn, numbered 1 … N, each with
one line of its own added to its lead (本案例是合成文档的第一百二十号案例。), so
that every case differs from the others. The import runs as an editor's does:
``django.test.Client``, logged in as a superuser, uploads it, previews it and
confirms it; then the same document is imported again, which changes nothing;
then once more with words changed in every case (发展 → 持续发展 wherever it
is, and 试点 added to the line of its own), so that every case is updated and
indexed again.

Each step's time is split by timing the functions it calls: parsing the
document, comparing it with the library (the preview's whole work), the
database writes, the history snapshots, segmentation and the index writes;
the rest is the session, the page and the commit. An indexing run segments
each distinct line once, and the document repeats the real paragraphs, so
the segmentation measured is of the distinct lines; how long segmenting every
line would take at the measured speed is printed beside it.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse

import cases.admin_import
import cases.services
import search.index.documents
import search.index.indexing
import search.index.text
from cases.management.commands.import_cases import pad
from cases.models import Case, Collection
from cases.numbering import chinese_numeral
from search.index.backends import get_backend
from search.index.indexing import bulk
from search.management.bench_corpus import require_bench_database, vacuum

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "service-trade-pilot-best-practices-2020.txt"
CASE_HEADER = re.compile(r"\s*\d{1,4}[．.](?!\d)\s*\S.*")
PROVIDER_LINE = re.compile(r"\s*[（(].*提供\s*[）)]\s*")
SLUG = "bench-import"
CHANGES = (("发展", "持续发展"), ("号案例。", "号试点案例。"))  # the second in every case
USERNAME = "bench-import"
STEPS = ("parse", "compare", "write", "history", "segment", "index", "other")
STEP_LABELS = {
    "parse": "解析",
    "compare": "比对",
    "write": "写库",
    "history": "历史",
    "segment": "分词",
    "index": "索引",
    "other": "其他",
}


def marker(number: int) -> str:
    """The line only case ``number`` of a synthetic document has: 本案例是合成文档的第一百二十号案例。"""
    return f"本案例是合成文档的第{chinese_numeral(number)}号案例。"


def synthetic_document(count: int) -> str:
    """A source document of ``count`` cases numbered 1 … count: the 20 real cases in turn, each with its marker line.

    Case n is real case (n - 1) % 20 + 1 renumbered, with :func:`marker` as the first paragraph of its lead.
    """
    lines = SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if CASE_HEADER.fullmatch(line.rstrip("\n"))]
    blocks = [lines[start:end] for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)]
    out: list[str] = []
    for number in range(1, count + 1):
        header, *rest = blocks[(number - 1) % len(blocks)]
        out.append(re.sub(r"\d{1,4}", str(number), header, count=1))
        provider = next(index for index, line in enumerate(rest) if PROVIDER_LINE.fullmatch(line.rstrip("\n")))
        out += rest[: provider + 1]
        out.append(f"{marker(number)} \n")  # the trailing space ends the paragraph, as in the source
        out += rest[provider + 1 :]
    return "".join(out)


class Command(BaseCommand):
    help = "导入性能基准：经后台“导入原文”页面预览并确认一个含上千个案例的文档（仅用于名称含 bench 的数据库）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1000, help="文档中的案例数")
        parser.add_argument(
            "--status",
            choices=[choice for choice, _ in Case.Status.choices],
            default=Case.Status.PUBLISHED,
            help="新案例的状态（默认已发布：索引要写的最多）",
        )
        parser.add_argument("--keep", action="store_true", help="结束后保留导入的案例集")

    def handle(self, *args, **options) -> None:
        name = require_bench_database()
        count = options["cases"]
        self.stdout.write(f"数据库：{connection.vendor}（{name}）")
        search.index.text.tokenizer()  # loaded once per process (gunicorn's master loads it before forking)
        started = time.perf_counter()
        document = synthetic_document(count).encode()
        self.stdout.write(
            f"合成文档：{count} 个案例，{len(document) / 1e6:.1f} MB（{time.perf_counter() - started:.1f} 秒）"
        )
        self.remove_collection()
        client = self.client()
        self.stdout.write("单位：秒。“写库”含确认时的比对；“其他”是会话、页面和提交。")
        self.row("步骤", "总计", *(STEP_LABELS[step] for step in STEPS), "案例/秒")
        try:
            fields = {"new_slug": SLUG, "new_title": "导入基准（合成）", "new_case_status": options["status"]}
            self.step("预览（新）", count, lambda: self.preview(client, document, fields))
            self.step("确认（新）", count, lambda: self.confirm(client), confirming=True)
            imported = Case.objects.filter(collection__slug=SLUG).count()
            if imported != count:
                raise CommandError(f"导入后有 {imported} 个案例，应为 {count} 个。")
            fields = {"collection": Collection.objects.get(slug=SLUG).pk, "new_case_status": options["status"]}
            self.step("预览（未变）", count, lambda: self.preview(client, document, fields))
            self.step("确认（未变）", count, lambda: self.confirm(client), confirming=True)
            changed = document.decode()
            for old, new in CHANGES:
                changed = changed.replace(old, new)
            changed = changed.encode()
            self.step("预览（改动）", count, lambda: self.preview(client, changed, fields))
            self.step("确认（改动）", count, lambda: self.confirm(client), confirming=True)
        finally:
            if not options["keep"]:
                self.remove_collection()
                vacuum()

    def client(self) -> Client:
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_unusable_password()
        user.save()
        client = Client()
        client.force_login(user)
        return client

    def remove_collection(self) -> None:
        with bulk():
            Case.objects.filter(collection__slug=SLUG).delete()
            Collection.objects.filter(slug=SLUG).delete()

    def preview(self, client: Client, document: bytes, fields: dict) -> None:
        upload = SimpleUploadedFile("bench.txt", document, content_type="text/plain")
        response = client.post(reverse("admin:cases_case_import"), {"document": upload, "_preview": "1", **fields})
        if response.status_code != 200 or b'name="token"' not in response.content:
            raise CommandError(f"预览失败：HTTP {response.status_code}")

    def confirm(self, client: Client) -> None:
        token = client.session[cases.admin_import.SESSION_KEY]["token"]
        url = reverse("admin:cases_case_import")
        response = client.post(url, {"_confirm": "1", "token": token})
        if response.status_code != 302:
            raise CommandError(f"确认失败：HTTP {response.status_code}")
        if response["Location"] == url:  # back to the upload form: it gave up, writing nothing
            self.stdout.write("  超过时限，未导入（已全部撤销）")

    def row(self, *cells: str) -> None:
        widths = [12, 7, *(6 for _ in STEPS), 8]
        self.stdout.write("".join(pad(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip())

    def step(self, label: str, count: int, run: Callable[[], None], *, confirming: bool = False) -> None:
        self.stdout.write(f"{label}……")
        self.stdout.flush()
        with timed_steps() as spent:
            started = time.perf_counter()
            run()
            total = time.perf_counter() - started
        split = {
            "parse": spent["parse"],
            "compare": 0.0 if confirming else spent["import"],
            "write": spent["import"] - spent["history"] if confirming else 0.0,
            "history": spent["history"],
            "segment": spent["segment"],
            "index": spent["reindex"] - spent["segment"],
        }
        split["other"] = total - sum(split.values())
        self.row(label, f"{total:.1f}", *(f"{split[step]:.1f}" for step in STEPS), f"{count / total:.0f}")
        if spent["segmented_chars"]:
            speed = spent["segmented_chars"] / spent["segment_only"] if spent["segment_only"] else 0
            whole = spent["indexed_chars"] / speed if speed else 0
            self.stdout.write(
                f"  分词：索引文本 {spent['indexed_chars']:,.0f} 字，其中不同的行 {spent['segmented_chars']:,.0f} 字，"
                f"{speed / 1000:.0f} 千字/秒；每行都分词约需 {whole:.1f} 秒"
            )
        if spent["segment"]:
            parts = {"倒排索引": spent["backend"], "冠军列表": spent["champions"], "相关案例": spent["related"]}
            parts["其他"] = split["index"] - sum(parts.values())
            self.stdout.write("  索引：" + "，".join(f"{name} {seconds:.1f}" for name, seconds in parts.items()))


@contextmanager
def timed_steps() -> Iterator[dict[str, float]]:
    """Time the functions the import calls, by step: a dict of seconds (and characters segmented)."""
    spent: dict[str, float] = defaultdict(float)

    def timed(key: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - started

        return wrapper

    def counted(key: str, function: Callable[[str], object]) -> Callable:
        def wrapper(text: str):
            spent[key] += len(text)
            return function(text)

        return wrapper

    targets = [
        (cases.admin_import, "decode_document", "parse"),
        (cases.admin_import, "parse_document", "parse"),
        (cases.admin_import, "case_import", "import"),
        (cases.services, "record_revision", "history"),
        (cases.services, "record_unversioned", "history"),
        (search.index.indexing, "_reindex_now", "reindex"),
        (search.index.indexing, "case_field_tokens", "segment"),
        (search.index.indexing, "champions_write", "champions"),
        (search.index.indexing, "related_write", "related"),
        (type(get_backend()), "write_many", "backend"),
    ]
    with ExitStack() as stack:
        for module, name, key in targets:
            stack.enter_context(mock.patch.object(module, name, timed(key, getattr(module, name))))
        text = search.index.text
        segment = timed("segment_only", counted("segmented_chars", text.segment_document))
        stack.enter_context(mock.patch.object(text, "segment_document", segment))
        documents = search.index.documents
        tokens = counted("indexed_chars", documents.document_tokens)
        stack.enter_context(mock.patch.object(documents, "document_tokens", tokens))
        yield spent
