import contextlib
import time
import unicodedata
from pathlib import Path

import reversion
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from cases.importer import DocumentError, parse_bytes
from cases.models import Collection
from cases.services import ImportReport, case_import
from search.index.indexing import bulk

from ..progress import indexing_progress

LONG_IMPORT = 100  # cases: from this many on, each step and the indexing's progress are reported as they go


class Command(BaseCommand):
    help = "从原文文本导入一个案例集的案例（可重复运行：已有案例就地更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="UTF-8 文本文件")
        parser.add_argument("--collection", required=True, help="案例集标识（slug），如 service-trade-2020")
        parser.add_argument("--title", help="新建案例集时的标题")
        parser.add_argument("--issuer", default="", help="新建案例集时的发布机构")
        parser.add_argument("--year", type=int, help="新建案例集时的年份")
        parser.add_argument("--source-note", default="", help="新建案例集时的来源说明")
        parser.add_argument("--dry-run", action="store_true", help="只解析并列出结果，不写入数据库")
        parser.add_argument(
            "--take-source",
            action="append",
            nargs="?",
            const="*",
            type=case_number,
            default=[],
            metavar="编号",
            help="冲突（编辑和原文都改了）时采用原文：不带编号为全部冲突，带编号为该案例的冲突（可重复）；默认保留编辑的版本",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        started = time.perf_counter()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror}") from None
        try:
            parsed = parse_bytes(data)
        except DocumentError as error:
            raise CommandError(f"{path}：{error}") from None
        verbose = options["verbosity"] > 1 or (options["verbosity"] == 1 and len(parsed) >= LONG_IMPORT)
        if verbose:
            self.stdout.write(f"已解析 {len(parsed)} 个案例（{time.perf_counter() - started:.1f} 秒）")

        collection = Collection.objects.filter(slug=options["collection"]).first()
        if collection is None:
            if not options["title"]:
                raise CommandError(f"案例集“{options['collection']}”不存在；新建时请用 --title 给出标题。")
            collection = Collection(
                slug=options["collection"],
                title=options["title"],
                issuer=options["issuer"],
                year=options["year"],
                source_note=options["source_note"],
            )
        try:
            # Each case reindexed once; a dry run writes nothing. What is written is a revision of each case it
            # changes, as an import from the admin is: the version an editor opened has its text in the history.
            revision = contextlib.nullcontext() if options["dry_run"] else reversion.create_revision()
            progress = indexing_progress(self.stdout) if verbose else None
            with bulk(reindex=not options["dry_run"], progress=progress), revision:
                if not options["dry_run"]:
                    reversion.set_comment(f"导入原文“{path.name}”（命令 import_cases）")
                writing = time.perf_counter()
                report = case_import(
                    parsed_cases=parsed,
                    collection=collection,
                    dry_run=options["dry_run"],
                    take_source=options["take_source"],
                )
                if verbose:
                    done = "已比对" if options["dry_run"] else "已比对并写入"
                    self.stdout.write(f"{done}（{time.perf_counter() - writing:.1f} 秒）")
        except DocumentError as error:
            raise CommandError(f"{path}：{error}") from None
        except DatabaseError as error:
            raise CommandError(f"数据库写入失败（{error}），已全部回滚，未写入任何内容。") from None
        self.print_report(report)
        if verbose:
            self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒。")

    def print_report(self, report: ImportReport) -> None:
        actions = {"created": "新增", "updated": "更新", "unchanged": "未变"}
        rows = [("编号", "标题", "地区", "做法", "效果", "思路", "结果")]
        for change in report.changes:
            rows.append(
                (
                    str(change.number),
                    change.title,
                    "、".join(change.regions),
                    *(str(count) for count in change.item_counts),
                    actions[change.action],
                )
            )
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())
        for change in report.changes:
            for text in change.texts:
                current, source = around_difference(text.current, text.source)
                line = f"{change.number} 号 {text.label}：当前“{current}”，原文“{source}” → {text.kind_label}"
                self.stdout.write(self.style.WARNING(f"冲突：{line}") if text.is_conflict else line)
        summary = "，".join(f"{label} {report.count(action)} 个" for action, label in actions.items())
        conflicts = report.conflicts
        if conflicts:
            taken = sum(1 for _, text in conflicts if text.kind == "taken")
            summary += f"；冲突 {len(conflicts)} 处，采用原文 {taken} 处"
        if report.dry_run:
            self.stdout.write(self.style.WARNING(f"试运行：{summary}；未写入数据库。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已导入“{report.collection.title}”：{summary}。"))


def case_number(value: str) -> str:
    if value != "*" and not value.isdigit():
        raise ValueError(value)
    return str(int(value)) if value != "*" else value


def around_difference(first: str, second: str, before: int = 10, after: int = 20) -> tuple[str, str]:
    """Both texts shortened to where they start to differ, for one line of output."""
    first, second = " ".join(first.split()), " ".join(second.split())
    start = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(len(first), len(second))
    )
    start = max(start - before, 0)

    def cut(text: str) -> str:
        if not text:
            return "（无）"
        part = text[start : start + before + after]
        return ("……" if start else "") + part + ("……" if start + before + after < len(text) else "")

    return cut(first), cut(second)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
