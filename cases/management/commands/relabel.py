"""Rename or delete a topic or a region, or merge topics, however many cases they label, with progress.

The admin does the same within a request, up to ``ADMIN_BULK_MAX_CASES`` cases
(each case's labels are reindexed); beyond that it refuses and names this command.
"""

import reversion
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.db.models import ProtectedError

from cases.models import Topic
from cases.services import labelled_case_count, topics_merge
from regions.models import Region
from search.index.indexing import bulk

from ..progress import indexing_progress

REGIONS_UNDER = "“{}”下还有地区，请先删除或移走它们；没有改动。"


class Command(BaseCommand):
    help = "改名或删除主题、地区，合并主题，并重建所涉案例的检索索引（显示进度）；案例多、后台网页来不及完成时使用。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{rename,merge,delete}")
        rename = actions.add_parser("rename", help="改名：relabel rename topic|region 标识 新名称")
        rename.add_argument("kind", choices=["topic", "region"], help="topic（主题）或 region（地区）")
        rename.add_argument("slug", help="主题或地区的标识（slug）")
        rename.add_argument("name", help="新名称")
        rename.add_argument("--short-name", help="地区的新简称")
        merge = actions.add_parser("merge", help="合并：relabel merge 保留的主题标识 并入的主题标识……")
        merge.add_argument("target", help="合并后保留的主题的标识")
        merge.add_argument("others", nargs="+", help="并入它的主题的标识（并入后删除）")
        delete = actions.add_parser("delete", help="删除：relabel delete topic|region 标识（案例本身保留）")
        delete.add_argument("kind", choices=["topic", "region"], help="topic（主题）或 region（地区）")
        delete.add_argument("slug", help="主题或地区的标识（slug）")

    def handle(self, *args, **options) -> None:
        if options["action"] == "rename":
            self.rename(options["kind"], options["slug"], options["name"].strip(), options["short_name"])
        elif options["action"] == "delete":
            self.delete(options["kind"], options["slug"])
        else:
            self.merge(options["target"], options["others"])

    def rename(self, kind: str, slug: str, name: str, short_name: str | None) -> None:
        label = _label(kind, slug)
        model = type(label)
        if not name:
            raise CommandError("新名称不能为空。")
        before = str(label.name)
        label.name = name
        if short_name is not None and isinstance(label, Region):
            label.short_name = short_name.strip()
        try:
            label.full_clean(validate_unique=True)
        except ValidationError as error:
            raise CommandError(f"名称无效：{'；'.join(error.messages)}") from None
        self.stdout.write(f"“{before}”改名为“{name}”，重建 {labelled_case_count(label)} 个案例的索引……")
        try:
            with bulk(progress=indexing_progress(self.stdout)), reversion.create_revision():
                reversion.set_comment(f"{model._meta.verbose_name}“{before}”改名为“{name}”")
                label.save()
        except IntegrityError as error:
            raise CommandError(f"改名失败（{error}），没有改动。") from None
        self.stdout.write(self.style.SUCCESS("完成。"))

    def merge(self, target_slug: str, other_slugs: list[str]) -> None:
        topics = {topic.slug: topic for topic in Topic.objects.filter(slug__in=[target_slug, *other_slugs])}
        missing = [slug for slug in [target_slug, *other_slugs] if slug not in topics]
        if missing:
            raise CommandError(f"没有这些标识的主题：{'、'.join(missing)}。")
        target = topics[target_slug]
        others = [topics[slug] for slug in dict.fromkeys(other_slugs) if slug != target_slug]
        if not others:
            raise CommandError("请给出至少一个要并入的其他主题。")
        names = "、".join(f"“{topic.name}”" for topic in others)
        self.stdout.write(f"把{names}并入“{target.name}”……")
        with bulk(progress=indexing_progress(self.stdout)), reversion.create_revision():
            reversion.set_comment(f"主题{names}并入“{target.name}”")
            affected = topics_merge(target=target, others=others)
        self.stdout.write(self.style.SUCCESS(f"完成：{len(affected)} 个案例归入“{target.name}”；原主题已删除。"))

    def delete(self, kind: str, slug: str) -> None:
        label = _label(kind, slug)
        noun = label._meta.verbose_name
        if isinstance(label, Region) and label.children.exists():
            raise CommandError(REGIONS_UNDER.format(label.name))
        self.stdout.write(f"删除{noun}“{label.name}”，重建 {labelled_case_count(label)} 个案例的索引……")
        try:
            with bulk(progress=indexing_progress(self.stdout)), reversion.create_revision():
                reversion.set_comment(f"删除{noun}“{label.name}”")
                label.delete()
        except ProtectedError:  # a region put under it meanwhile
            raise CommandError(REGIONS_UNDER.format(label.name)) from None
        self.stdout.write(self.style.SUCCESS("完成：案例保留，去掉了这一标签。"))


def _label(kind: str, slug: str) -> Topic | Region:
    model = Topic if kind == "topic" else Region
    label = model.objects.filter(slug=slug).first()
    if label is None:
        raise CommandError(f"没有标识为“{slug}”的{model._meta.verbose_name}。")
    return label
