"""Importing a source document from the admin: upload, preview, confirm.

The preview is the importer's own dry run (``case_import(dry_run=True)``), so
it shows exactly what the confirmation will write. Between the two steps the
document's text waits in the user's session (one pending import per session,
at most ``MAX_DOCUMENT_BYTES``), keyed by a random token that the confirmation
form must send back; on confirmation the text is parsed and checked again.
Nothing is written before the confirmation, and nothing at all when the
document has an error. The preview also records the version of each case it
would update; if any of them was saved by someone else before the
confirmation, the confirmation writes nothing and shows a fresh preview.

A confirmation must end before gunicorn's worker timeout: one that would not
finish within ``settings.IMPORT_TIME_LIMIT`` seconds (projected from how fast
its first cases are indexed) gives up, writes nothing, and says to use the
``import_cases`` command, which has no limit. A preview lists at most
``MAX_DIFFERENCES_SHOWN`` differences one by one, and counts the rest; it
shows at most ``MAX_CONFLICTS_SHOWN`` conflicts side by side, each with its
own box, and one box takes the source's text for every conflict, listed or not.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from search.index.indexing import Progress, bulk

from .history.diff import inline_diff
from .importer import MAX_DOCUMENT_BYTES, DocumentError, ParsedCase, decode_document, parse_document
from .models import Case, Collection, ImportRun
from .services import (
    ImportAlreadyDone,
    ImportConflict,
    ImportReport,
    TextOutcome,
    case_import,
    import_versions,
)

SESSION_KEY = "cases_pending_import"
MAX_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024  # the document and the form around it
IMPORT_PERMISSION = "cases.import_documents"
FIELD_LABELS = {"title": "标题", "provider": "提供单位", "summary": "导语", "regions": "地区", "items": "条目"}
ACTIONS = {"created": "新增", "updated": "更新", "unchanged": "未变"}
MAX_DIFFERENCES_SHOWN = 500
# Each shown conflict is a box of the form: well below the fields a request may carry (DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_CONFLICTS_SHOWN = 200
TAKE_ALL = "*"  # the box that takes the source's text for every conflict (see ``services._takes``)
COMMIT_SECONDS = 2  # left for committing and answering, after the last case is indexed


class ImportTooSlow(Exception):
    """The confirmation would not finish within the time limit; it gives up before writing anything."""

    def __init__(self, cases: int, projected: float) -> None:
        super().__init__(f"{cases} cases would take about {projected:.0f} s")
        self.cases = cases
        self.projected = projected


class ImportForm(forms.Form):
    document = forms.FileField(
        label="原文文件",
        help_text=f"UTF-8 编码的 .txt 文本文件，不超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB。",
        validators=[FileExtensionValidator(["txt"], message="请上传 .txt 文本文件。")],
    )
    collection = forms.ModelChoiceField(
        Collection.objects.all(),
        required=False,
        label="导入到案例集",
        empty_label="（新建案例集）",
        help_text="已有案例集中编号相同的案例会就地更新；选“新建案例集”则在下面填写新案例集的信息。",
    )
    new_slug = forms.SlugField(
        label="新案例集标识",
        required=False,
        max_length=80,
        help_text="用于网址，只能含英文字母、数字、连字符和下划线，如 service-trade-2021。",
        error_messages={"invalid": "标识只能含英文字母、数字、连字符和下划线，不能有空格或汉字。"},
    )
    new_title = forms.CharField(label="新案例集标题", required=False, max_length=200)
    new_year = forms.IntegerField(label="年份", required=False, min_value=1978, max_value=2100)
    new_issuer = forms.CharField(label="发布机构", required=False, max_length=200)
    new_case_status = forms.ChoiceField(
        label="新案例的状态",
        choices=Case.Status.choices,
        initial=Case.Status.DRAFT,
        help_text="已有案例的状态不会改变。",
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(f"文件过大（超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB）。")
        return upload.read(MAX_DOCUMENT_BYTES + 1)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("collection") is None:
            if "new_slug" in self.errors:
                pass  # already said what is wrong with it
            elif not data.get("new_slug"):
                self.add_error("new_slug", "新建案例集时请填写标识。")
            elif Collection.objects.filter(slug=data["new_slug"]).exists():
                self.add_error("new_slug", "已有案例集使用这个标识；请在上面选择它，或换一个标识。")
            if not data.get("new_title"):
                self.add_error("new_title", "新建案例集时请填写标题。")
        return data


@dataclass
class PendingImport:
    """What waits in the session between preview and confirmation."""

    token: str
    filename: str
    text: str
    collection_id: int | None
    new_collection: dict
    new_case_status: str
    versions: dict[str, int] = field(default_factory=dict)  # case number → its version at the preview

    @classmethod
    def from_session(cls, request: HttpRequest) -> PendingImport | None:
        data = request.session.get(SESSION_KEY)
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    def save(self, request: HttpRequest) -> None:
        request.session[SESSION_KEY] = self.__dict__

    def collection(self) -> Collection | None:
        """The target collection: the chosen one, if it still exists, or a new unsaved one if its slug is still free."""
        if self.collection_id is not None:
            return Collection.objects.filter(pk=self.collection_id).first()
        if Collection.objects.filter(slug=self.new_collection["slug"]).exists():
            return None
        return Collection(**self.new_collection)


def import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    if request.method == "POST" and _content_length(request) > MAX_REQUEST_BYTES:
        # Refused before the body is read, so a huge upload is never stored.
        messages.error(request, f"文件过大（超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB），未导入。")
        return HttpResponseRedirect(reverse("admin:cases_case_import"))
    if request.method == "POST" and "_confirm" in request.POST:
        return _confirm(model_admin, request)
    if request.method == "POST" and "_cancel" in request.POST:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "已取消导入，未写入任何内容。")
        return HttpResponseRedirect(reverse("admin:cases_case_changelist"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _preview(model_admin, request, form)
    return _render(model_admin, request, "admin/cases/case/import_form.html", {"form": form})


def _preview(model_admin: admin.ModelAdmin, request: HttpRequest, form: ImportForm) -> HttpResponse:
    data = form.cleaned_data
    pending = PendingImport(
        token=secrets.token_urlsafe(16),
        filename=request.FILES["document"].name[:200],
        text="",
        collection_id=data["collection"].pk if data["collection"] else None,
        new_collection={
            "slug": data["new_slug"],
            "title": data["new_title"],
            "year": data["new_year"],
            "issuer": data["new_issuer"],
        },
        new_case_status=data["new_case_status"],
    )
    request.session.pop(SESSION_KEY, None)  # an earlier preview is replaced
    try:
        pending.text = decode_document(data["document"])
        parsed = parse_document(pending.text)
        return _show_preview(model_admin, request, pending, parsed)
    except DocumentError as error:
        return _render(
            model_admin,
            request,
            "admin/cases/case/import_form.html",
            {"form": form, "error": error, "error_line": _line_text(pending.text, error.line)},
        )


def _show_preview(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    pending: PendingImport,
    parsed: list[ParsedCase],
    notice: str = "",
) -> HttpResponse:
    """Dry-run the import, remember it (with the versions of the cases it reads) in the session, and show it."""
    with transaction.atomic():  # the versions recorded are those the dry run read
        numbers = [case.number for case in parsed]
        pending.versions = {
            str(n): v for n, v in import_versions(collection=pending.collection(), numbers=numbers).items()
        }
        report = _run(pending, parsed, dry_run=True)
    pending.save(request)
    return _render(
        model_admin,
        request,
        "admin/cases/case/import_preview.html",
        {
            "pending": pending,
            "new_collection": pending.collection_id is None,
            "new_case_status": Case.Status(pending.new_case_status).label,
            "notice": notice,
            **_report_context(report),
        },
    )


def _confirm(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    started = time.monotonic()
    pending = PendingImport.from_session(request)
    token = request.POST.get("token", "")
    done = ImportRun.objects.filter(token=token).first() if token else None
    if done is not None:  # a second submission of a confirmed import (a double click, or the back button)
        return _already_done(request, done.collection_id)
    if pending is None or not secrets.compare_digest(pending.token, token):
        messages.error(request, "没有待确认的导入（可能已经导入过，或预览已过期）；请重新上传。")
        return HttpResponseRedirect(reverse("admin:cases_case_import"))
    take_source = request.POST.getlist("take_source")
    try:
        parsed = parse_document(pending.text)  # checked again: the database may have changed since the preview
        with reversion.create_revision():  # the import records the cases' earlier text, then joins this revision
            reversion.set_user(request.user)
            reversion.set_comment(f"导入原文“{pending.filename}”")
            report = _run(pending, parsed, dry_run=False, take_source=take_source, progress=_within_limit(started))
    except ImportTooSlow as slow:
        request.session.pop(SESSION_KEY, None)
        messages.error(
            request,
            f"未导入：这份文档要写入并索引 {slow.cases} 个案例，在网页上预计需要约 {slow.projected:.0f} 秒，"
            f"超过了 {settings.IMPORT_TIME_LIMIT} 秒的时限；已全部撤销，没有写入任何内容。"
            "请在服务器上用命令 import_cases 导入（不受时限限制），或把文档分成几份分别导入。",
        )
        return HttpResponseRedirect(reverse("admin:cases_case_import"))
    except ImportAlreadyDone as done:
        return _already_done(request, done.collection_id)
    except ImportConflict as conflict:
        pending.token = secrets.token_urlsafe(16)
        numbers = "、".join(str(number) for number in conflict.numbers)
        notice = (
            f"未导入：预览之后，第 {numbers} 号案例已被他人修改（或新增、删除），什么都没有写入。"
            "下面是按最新内容重新生成的预览，请核对后再确认。"
        )
        try:
            return _show_preview(model_admin, request, pending, parsed, notice)
        except DocumentError as error:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, f"导入失败，未写入任何内容：{error}")
            return HttpResponseRedirect(reverse("admin:cases_case_import"))
    except DocumentError as error:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, f"导入失败，未写入任何内容：{error}")
        return HttpResponseRedirect(reverse("admin:cases_case_import"))
    request.session.pop(SESSION_KEY, None)
    summary = "，".join(f"{label} {report.count(action)} 个" for action, label in ACTIONS.items())
    kept = sum(1 for change in report.changes for text in change.texts if text.kind == "kept")
    conflicts = report.conflicts
    taken = sum(1 for _, text in conflicts if text.kind == "taken")
    if kept:
        summary += f"；编辑修改过的 {kept} 处保留"
    if conflicts:
        summary += f"；冲突 {len(conflicts)} 处，其中 {taken} 处采用原文，{len(conflicts) - taken} 处保留编辑的版本"
    messages.success(request, f"已导入“{report.collection.title}”：{summary}。")
    return HttpResponseRedirect(_collection_cases(report.collection.pk))


def _already_done(request: HttpRequest, collection_id: int | None) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.info(request, "此导入已完成，没有再次写入。")
    if collection_id is None:
        return HttpResponseRedirect(reverse("admin:cases_case_changelist"))
    return HttpResponseRedirect(_collection_cases(collection_id))


def _collection_cases(collection_id: int) -> str:
    return f"{reverse('admin:cases_case_changelist')}?{urlencode({'collection__id__exact': collection_id})}"


def _within_limit(started: float) -> Progress:
    """A reindex progress callback that gives up (:class:`ImportTooSlow`) when the confirmation begun at
    ``started`` would not end within ``settings.IMPORT_TIME_LIMIT`` seconds, at the pace of the cases indexed so far."""
    indexing_started: float | None = None

    def progress(done: int, total: int) -> None:
        nonlocal indexing_started
        now = time.monotonic()
        if indexing_started is None:
            indexing_started = now
        projected = now - started + COMMIT_SECONDS
        if done:
            projected += (now - indexing_started) / done * (total - done)
        if projected > settings.IMPORT_TIME_LIMIT:
            raise ImportTooSlow(total, projected)

    return progress


def _run(
    pending: PendingImport,
    parsed: list[ParsedCase],
    *,
    dry_run: bool,
    take_source: list[str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    collection = pending.collection()
    if collection is None:
        raise DocumentError("所选案例集已不存在，或新案例集的标识已被占用；请重新选择。")
    with bulk(reindex=not dry_run, progress=progress):  # a preview writes nothing: nothing to reindex
        return case_import(
            parsed_cases=parsed,
            collection=collection,
            dry_run=dry_run,
            new_case_status=pending.new_case_status,
            expected_versions=None if dry_run else {int(n): v for n, v in pending.versions.items()},
            take_source=take_source or (),
            run_token=None if dry_run else pending.token,
        )


def _report_context(report: ImportReport) -> dict:
    created = [change for change in report.changes if change.action == "created"]
    updated = [
        {"change": change, "fields": "、".join(FIELD_LABELS.get(name, name) for name in change.changed_fields)}
        for change in report.changes
        if change.action == "updated"
    ]
    unchanged = [change for change in report.changes if change.action == "unchanged"]
    differences, shown, hidden = [], 0, 0
    for change in report.changes:
        texts = change.texts[: max(MAX_DIFFERENCES_SHOWN - shown, 0)]
        hidden += len(change.texts) - len(texts)
        if texts:
            rows = [{"text": text, "diff": inline_diff(text.current, text.source)} for text in texts]
            differences.append({"change": change, "rows": rows})
            shown += len(texts)
    conflicts = [
        {"number": number, "text": text, "choice": f"{number}:{text.key}", **_side_by_side(text)}
        for number, text in report.conflicts[:MAX_CONFLICTS_SHOWN]
    ]
    return {
        "report": report,
        "differences": differences,
        "hidden_differences": hidden,
        "conflicts": conflicts,
        "conflict_count": len(report.conflicts),
        "hidden_conflicts": len(report.conflicts) - len(conflicts),
        "take_all": TAKE_ALL,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "unchanged_numbers": "、".join(str(change.number) for change in unchanged),
    }


def _side_by_side(text: TextOutcome) -> dict:
    """The editor's text with what the source lacks marked, and the source's with what it adds."""
    both = inline_diff(text.current, text.source, context=10**6)
    current = re.sub(r"<ins>.*?</ins>", "", both, flags=re.S)
    source = re.sub(r"<del>.*?</del>", "", both, flags=re.S)
    return {"current": mark_safe(current), "source": mark_safe(source)}  # pieces of escaped HTML


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _line_text(text: str, line: int | None) -> str:
    """The text of the line an error names, shortened, to show beside the message."""
    if not text or not line:
        return ""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    content = lines[line - 1].strip()
    return content[:120] + ("……" if len(content) > 120 else "")


def _render(model_admin: admin.ModelAdmin, request: HttpRequest, template: str, context: dict) -> HttpResponse:
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "title": "导入原文",
            "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
            **context,
        },
    )
