"""The editorial admin: cases with their items, drafts and publishing, history, import, topics.

Writes beyond a form's own save go through ``cases.services`` (and
``cases.history.restore``). Every write keeps the search index in step (the
signals in ``search.index.signals`` reindex); the bulk ones run here in
``search.index.indexing.bulk``, one transaction in which each case is reindexed
once. For cases, each is saved as a revision (see ``cases.history``).
"""

from __future__ import annotations

import functools

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from regions.models import Region
from search.index.backends import get_backend
from search.index.indexing import batched, bulk
from search.index.query import parse_query

from . import admin_conflict, admin_import
from .admin_login import AdminLoginForm
from .history.diff import compare
from .history.restore import RestoreConflict, RestoreError, restore_case
from .history.snapshots import case_versions, previous_version, record_unversioned, state_of_case, state_of_version
from .models import Case, CaseItem, Collection, Topic
from .services import (
    CaseChanged,
    case_items_renumber,
    case_touch,
    cases_set_status,
    labelled_case_count,
    relabel_refusal,
    topics_merge,
)

# A new item whose position is left empty goes to the end of its section.
APPEND_POSITION = 32767

# A delete's confirmation page lists this many cases with their items, and counts the rest.
DELETE_LISTED = 100
DELETE_CHUNK = 500

# The class of a status's badge (static/css/admin-extra.css): a draft is red, a published case green.
STATUS_BADGES = {Case.Status.DRAFT: "status-draft", Case.Status.PUBLISHED: "status-published"}

admin.site.site_header = "试点最佳实践案例库 · 管理"
admin.site.site_title = "案例库管理"
admin.site.login_form = AdminLoginForm  # an over-long username is invalid, not a 500


class CaseItemInlineForm(forms.ModelForm):
    position = forms.IntegerField(
        label="序号",
        required=False,
        min_value=0,
        max_value=APPEND_POSITION,
        widget=forms.NumberInput(attrs={"class": "position-input", "aria-describedby": "items-ordering-help"}),
    )

    class Meta:
        model = CaseItem
        fields = ["section", "position", "numbered", "heading", "body"]
        widgets = {
            "heading": forms.TextInput(attrs={"class": "vTextField wide-text"}),
            "body": forms.Textarea(attrs={"class": "vLargeTextField wide-text", "rows": 8}),
        }

    def clean_position(self) -> int:
        position = self.cleaned_data.get("position")
        return APPEND_POSITION if position is None else position

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("DELETE") and not (data.get("heading") or "").strip() and not (data.get("body") or "").strip():
            raise forms.ValidationError("条目的要点和正文不能都为空；不需要的条目请勾选“删除”。")
        return data


class StatusSelect(forms.Select):
    """The status choice, coloured like the change list's badge (draft red, published green)."""

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        badge = STATUS_BADGES.get(str(value), "")
        context["widget"]["attrs"]["class"] = f"status-select {badge}".strip()
        return context


class CaseForm(forms.ModelForm):
    # The case's version when the form was opened: the save is refused if someone saved since.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    conflict_message = ""  # set (on a subclass) when the form is shown again after a refused save

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name, noun in (("regions", "地区"), ("topics", "主题")):  # not Django's "5 不在可用的选项中"
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = (
                    f"所选的{noun}中有一个（编号 %(value)s）已被删除或不存在，请从列表中重新选择{noun}。"
                )

    def clean(self) -> dict:
        data = super().clean()
        if self.conflict_message:
            raise forms.ValidationError(self.conflict_message, code="conflict")
        if self.instance.pk is not None and data.get("version") is None and "version" not in self.errors:
            # Without it nobody can tell whether someone saved since: refused rather than overwriting.
            raise forms.ValidationError(
                "这个表单没有带上打开时的版本，无法确认其间是否有人保存过。请重新打开本案例，再修改保存。",
                code="no_version",
            )
        return data

    class Meta:
        model = Case
        fields = ["collection", "number", "title", "provider", "summary", "status", "regions", "topics"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField wide-text"}),
            "provider": forms.TextInput(attrs={"class": "vTextField wide-text"}),
            "summary": forms.Textarea(attrs={"class": "vLargeTextField wide-text", "rows": 10}),
            "status": StatusSelect,
        }


class CaseItemInline(admin.StackedInline):
    """The items of all three sections, in document order; ``position`` orders them within a section.

    Stacked, not tabular: a body runs to several hundred characters and gets the full width.
    """

    model = CaseItem
    form = CaseItemInlineForm
    extra = 0
    ordering = ["section", "position", "pk"]
    fields = [("section", "position", "numbered"), "heading", "body"]
    template = "admin/cases/case/items_inline.html"
    verbose_name = "条目"
    verbose_name_plural = "条目（按部分和序号排列）"


class RegionListFilter(admin.SimpleListFilter):
    """Regions that have cases; a province includes its cities and new areas."""

    title = "地区"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        links = Case.regions.through.objects.all()
        regions = Region.objects.filter(
            Q(pk__in=links.values("region_id")) | Q(pk__in=links.values("region__parent_id"))
        ).select_related("parent")
        ordered = sorted(regions, key=lambda r: (r.province.code or r.province.slug, r.parent_id is not None, r.slug))
        return [(r.slug, r.full_name if r.parent_id is None else f"　{r.full_name}") for r in ordered]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        wanted = Region.objects.filter(slug=self.value()).with_descendants()
        return queryset.filter(pk__in=Case.regions.through.objects.filter(region__in=wanted).values("case_id"))


@admin.register(Case)
class CaseAdmin(VersionAdmin):
    form = CaseForm
    list_display = ["number", "title", "collection_label", "region_names", "status_badge", "updated_at"]
    list_display_links = ["number", "title"]
    list_filter = ["collection", RegionListFilter, "topics", "status"]
    list_select_related = ["collection"]
    list_per_page = 50
    search_fields = ["title"]  # shows the search box; the search itself is get_search_results
    search_help_text = "与网站检索相同：多个词须同时出现，OR 表示“或”，-词 表示排除，引号内为短语；也可输入案例序号。"
    autocomplete_fields = ["regions", "topics"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["collection", "number", "title", "provider", "status"]}),
        (None, {"fields": ["summary"]}),
        ("地区与主题", {"fields": ["regions", "topics"]}),
        ("记录", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [CaseItemInline]
    actions = ["publish", "unpublish"]
    change_list_template = "admin/cases/case/change_list.html"
    object_history_template = "admin/cases/case/history.html"

    # The list ---------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("regions", queryset=Region.objects.select_related("parent")))
        )

    @admin.display(description="案例集", ordering="collection")
    def collection_label(self, case: Case) -> str:
        title = case.collection.title
        short = title if len(title) <= 14 else title[:12] + "…"
        return format_html('<span title="{}">{}</span>', title, short)

    @admin.display(description="地区")
    def region_names(self, case: Case) -> str:
        return "、".join(region.full_name for region in case.regions.all())

    @admin.display(description="状态", ordering="status")
    def status_badge(self, case: Case) -> str:
        return format_html(
            '<span class="status-badge {}">{}</span>', STATUS_BADGES.get(case.status, ""), case.get_status_display()
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        """The site's own search (segmented Chinese, all published and draft cases) as one subquery.

        A search for a number also finds the case with that number.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        query = parse_query(term)
        if not query.is_search:  # nothing searchable, e.g. only punctuation
            return super().get_search_results(request, queryset, term)
        matches = Q(pk__in=get_backend().match_ids(query))
        if term.isascii() and term.isdigit() and len(term) <= 4:
            matches |= Q(number=int(term))
        return queryset.filter(matches), False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {"can_import": request.user.has_perm(admin_import.IMPORT_PERMISSION), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # Editing ----------------------------------------------------------------

    def view_on_site(self, case: Case) -> str:
        return case.get_absolute_url()

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST" and object_id and admin_conflict.is_stale(request, unquote(object_id)):
            # Checked before the forms validate (an item deleted meanwhile would read as an error of the form).
            return self._conflict_view(request, object_id, form_url, extra_context)
        # One reindex of the case at the end of the save, inside its transaction.
        try:
            with transaction.atomic(using=router.db_for_write(Case)), batched():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except CaseChanged:
            pass  # saved by someone else since this form was opened: nothing was written
        return self._conflict_view(request, object_id, form_url, extra_context)

    def _conflict_view(
        self, request: HttpRequest, object_id: str, form_url: str, extra_context: dict | None
    ) -> HttpResponse:
        """The refused form again: the editor's input merged with the current case, and what changed meanwhile."""
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        conflict = admin_conflict.conflict_of(case, admin_conflict.opened_version(request))
        request.POST = admin_conflict.merged_post(
            request.POST, case=case, base=conflict.base, case_form=self.form, item_form=CaseItemInline.form
        )
        request.case_conflict = conflict
        with transaction.atomic(using=router.db_for_write(Case)):
            return super().changeform_view(
                request, object_id, form_url, {**(extra_context or {}), "conflict": conflict}
            )

    def get_form(self, request: HttpRequest, obj: Case | None = None, change: bool = False, **kwargs) -> type:
        form = super().get_form(request, obj, change, **kwargs)
        conflict = getattr(request, "case_conflict", None)
        if conflict is not None:  # shown again, not saved
            form = type(form.__name__, (form,), {"conflict_message": conflict.message})
        return form

    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple[list, dict, set, list]:
        """What a delete takes with it, as an editor knows it: the cases and their items.

        Their index rows, history links and region and topic links go too, unlisted. Nothing
        protects a case or an item from deletion (a test keeps it so), so Django's walk through
        every related row (thousands of index rows a case) is not needed to find out: the page
        counts the items and lists the first ``DELETE_LISTED`` cases with theirs.
        """
        cases = list(objs)
        shown = cases[:DELETE_LISTED]
        items = CaseItem.objects.filter(case__in=shown).order_by("section", "position", "pk")
        deleted: list = []
        for case in shown:
            link = reverse("admin:cases_case_change", args=[case.pk])
            deleted.append(format_html('案例：<a href="{}">{}</a>', link, case))
            deleted.append([f"条目：{item}" for item in items if item.case_id == case.pk])
        if len(cases) > len(shown):
            deleted.append(f"……以及另外 {len(cases) - len(shown)} 个案例和它们的条目")
        item_count = sum(
            CaseItem.objects.filter(case__in=[case.pk for case in cases[start : start + DELETE_CHUNK]]).count()
            for start in range(0, len(cases), DELETE_CHUNK)
        )
        model_count = {Case._meta.verbose_name_plural: len(cases), CaseItem._meta.verbose_name_plural: item_count}
        return deleted, model_count, set(), []

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with bulk():  # the cases leave the index together, at the end
            super().delete_queryset(request, queryset)

    def save_model(self, request: HttpRequest, obj: Case, form: forms.ModelForm, change: bool) -> None:
        if change:
            record_unversioned([obj.pk])  # the text before this first edit, so it can be restored
            # Locks the case's row first; refused if the case is no longer at the version the form was opened with.
            case_touch(case=obj, expected_version=form.cleaned_data.get("version"))
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        moved: set[int] = set()
        for formset in formsets:
            if formset.model is not CaseItem:
                continue
            new = {item.pk for item in formset.new_objects}
            for item_form in formset.forms:
                item = item_form.instance
                if item.pk in new or {"position", "section"} & set(item_form.changed_data):
                    moved.add(item.pk)
        case_items_renumber(case=form.instance, moved=moved)

    # Draft and publish -------------------------------------------------------

    @admin.action(description="发布所选案例", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Case.Status.PUBLISHED)

    @admin.action(description="将所选案例撤回为草稿", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Case.Status.DRAFT)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self._bounded(delete), name, description)
        return actions

    def _bounded(self, action):
        """Django's action, refused for more cases than one request may change (``ADMIN_BULK_MAX_CASES``)."""

        @functools.wraps(action)
        def bounded(modeladmin: CaseAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
            return None if self._too_many(request, queryset) else action(modeladmin, request, queryset)

        return bounded

    def _too_many(self, request: HttpRequest, queryset: QuerySet) -> bool:
        """More cases selected than one request may change: says so, and nothing is changed."""
        count, limit = queryset.count(), settings.ADMIN_BULK_MAX_CASES
        if count <= limit:
            return False
        self.message_user(
            request,
            f"所选的 {count} 个案例超过一次可处理的 {limit} 个，没有改动。"
            "请先用右侧的筛选（案例集、地区、主题、状态）缩小范围，再分批操作。",
            messages.ERROR,
        )
        return True

    def _set_status(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        if self._too_many(request, queryset):
            return
        # Inside the change list's revision (VersionAdmin): the changed cases are recorded with this comment.
        verb = "发布" if status == Case.Status.PUBLISHED else "撤回为草稿"
        if reversion.is_active():
            reversion.set_comment(verb)
        with bulk():
            count = cases_set_status(case_ids=queryset.values("pk"), status=status)
        if not count:
            self.message_user(request, f"所选案例都已是“{Case.Status(status).label}”状态，没有改动。", messages.INFO)
        elif status == Case.Status.PUBLISHED:
            self.message_user(request, f"已发布 {count} 个案例，公众现在可以看到并检索到它们。", messages.SUCCESS)
        else:
            self.message_user(request, f"已将 {count} 个案例撤回为草稿，公众将看不到它们。", messages.SUCCESS)

    # History ----------------------------------------------------------------

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        versions = case_versions(case)
        rows = [
            {"version": version, "previous": versions[index + 1] if index + 1 < len(versions) else None}
            for index, version in enumerate(versions)
        ]
        return TemplateResponse(
            request,
            self.object_history_template,
            {
                **self.admin_site.each_context(request),
                "title": f"修订历史：{case}",
                "subtitle": None,
                "object": case,
                "opts": self.opts,
                "module_name": str(self.opts.verbose_name_plural),
                "rows": rows,
                **(extra_context or {}),
            },
        )

    def revision_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """One version: what changed from it to now (or from the version before it), and restore."""
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404("案例不存在。")
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(case).select_related("revision__user"), pk=version_id
        )
        can_restore = self.has_change_permission(request, case)
        if request.method == "POST":
            if not can_restore:
                raise PermissionDenied
            opened = admin_conflict.opened_version(request)
            if opened is None:  # nobody could tell whether the case was saved since the page was made
                refused = "恢复请求没有带上本页打开时的版本，未恢复。请在本页重新操作。"
                self.message_user(request, refused, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            try:
                with bulk():
                    restore_case(case=case, version=version, user=request.user, expected_version=opened)
            except RestoreConflict as error:  # the page was stale: compare again with the current case
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            except RestoreError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
                self.message_user(
                    request, f"已恢复到 {when} 的版本；恢复本身也记入了历史，可以再撤销。", messages.SUCCESS
                )
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

        against_previous = request.GET.get("compare") == "previous"
        if against_previous:
            previous = previous_version(version)
            diff = compare(state_of_version(previous), state_of_version(version)) if previous else None
        else:
            previous = None
            diff = compare(state_of_version(version), state_of_case(case))
        return TemplateResponse(
            request,
            "admin/cases/case/version.html",
            {
                **self.admin_site.each_context(request),
                "title": f"版本比较：{case}",
                "subtitle": None,
                "object": case,
                "opts": self.opts,
                "module_name": str(self.opts.verbose_name_plural),
                "version": version,
                "previous": previous,
                "against_previous": against_previous,
                "diff": diff,
                "can_restore": can_restore,
                **(extra_context or {}),
            },
        )

    # Import -----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        # Reversion's "recover deleted" views revert raw database rows; they are left out here.
        hidden = {"cases_case_recoverlist", "cases_case_recover"}
        urls = [url for url in super().get_urls() if getattr(url, "name", None) not in hidden]
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="cases_case_import"),
            *urls,
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        return admin_import.import_view(self, request)


@admin.register(CaseItem)
class CaseItemAdmin(admin.ModelAdmin):
    """Find items by their text; they are edited on their case's page, where each save is a revision."""

    list_display = ["case", "section", "position", "heading"]
    list_filter = ["section", "case__collection"]
    list_select_related = ["case"]
    search_fields = ["heading", "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CaseItem | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CaseItem | None = None) -> bool:
        return False

    def view_on_site(self, item: CaseItem) -> str:
        return reverse("admin:cases_case_change", args=[item.case_id])


@admin.register(Collection)
class CollectionAdmin(admin_conflict.ConcurrentEditsAdmin):
    list_display = ["title", "slug", "year", "issuer", "case_count"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(case_count=Count("cases")).order_by(*Collection._meta.ordering)

    @admin.display(description="案例数", ordering="case_count")
    def case_count(self, collection: Collection) -> int:
        return collection.case_count


class TopicForm(admin_conflict.UnchangedSinceOpened):
    """A rename reindexes the topic's cases: refused for more than one request may reindex (see ``relabel``)."""

    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "position"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and "name" in self.changed_data:
            refusal = relabel_refusal([self.instance], f"把主题“{self.instance.name}”改名")
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


class BoundedLabelDeletes(admin_conflict.ConcurrentEditsAdmin):
    """Deleting a topic or a region reindexes the cases it labels: refused beyond ``ADMIN_BULK_MAX_CASES`` cases,
    as a rename is, both from its page and from the list's action (``manage.py relabel delete`` does it instead).
    """

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]
            refused = _refused_beyond_bulk_limit(delete, f"删除所选{self.opts.verbose_name}")
            actions["delete_selected"] = (refused, name, description)
        return actions

    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple[list, dict, set, list]:
        """The labels and how many cases each stops labelling, not Django's list of link rows ("Case_topics
        object (5)"); what protects a label (a region's cities) is Django's to find."""
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        labels = list(objs)
        deleted: list = []
        for label in labels:
            link = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[label.pk])
            deleted.append(format_html('{}：<a href="{}">{}</a>', self.opts.verbose_name, link, label))
            cases = labelled_case_count(label)
            deleted.append([f"{cases} 个案例不再标注这个{self.opts.verbose_name}（案例本身保留）"] if cases else [])
        return deleted, {self.opts.verbose_name_plural: len(labels)}, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        label = self.get_object(request, unquote(object_id))
        refusal = relabel_refusal([label], f"删除{self.opts.verbose_name}“{label.name}”") if label is not None else ""
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return HttpResponseRedirect(reverse(change, args=[label.pk]))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Topic)
class TopicAdmin(BoundedLabelDeletes):
    form = TopicForm
    list_display = ["name", "slug", "position", "case_count"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    actions = ["merge_topics"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(case_count=Count("cases")).order_by(*Topic._meta.ordering)

    @admin.display(description="案例数", ordering="case_count")
    def case_count(self, topic: Topic) -> int:
        return topic.case_count

    @admin.action(description="合并所选主题", permissions=["change", "delete"])
    def merge_topics(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        topics = list(queryset.order_by("position", "slug"))
        if len(topics) < 2:
            self.message_user(request, "请至少选择两个主题来合并。", messages.WARNING)
            return None
        error = ""
        if request.POST.get("post") == "yes":
            target = next((topic for topic in topics if str(topic.pk) == request.POST.get("target")), None)
            if target is not None:
                others = [topic for topic in topics if topic.pk != target.pk]
                refusal = relabel_refusal(others, "合并这些主题")
                if refusal:
                    self.message_user(request, refusal, messages.ERROR)
                    return None
                self._merge(request, target, others)
                return None
            error = "请选择合并后保留的主题。"
        return TemplateResponse(
            request,
            "admin/cases/topic/merge_topics.html",
            {
                **self.admin_site.each_context(request),
                "title": "合并主题",
                "subtitle": None,
                "opts": self.opts,
                "topics": topics,
                "error": error,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _merge(self, request: HttpRequest, target: Topic, others: list[Topic]) -> None:
        names = "、".join(f"“{topic.name}”" for topic in others)
        with bulk(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"主题{names}并入“{target.name}”")
            affected = topics_merge(target=target, others=others)
        self.message_user(
            request,
            f"已将{names}并入“{target.name}”，{len(affected)} 个案例归入该主题；原主题已删除。",
            messages.SUCCESS,
        )


def _refused_beyond_bulk_limit(action, description: str):
    """Django's action on labels, refused when their cases are more than one request may reindex."""

    @functools.wraps(action)
    def bounded(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        refusal = relabel_refusal(queryset, description)
        if refusal:
            modeladmin.message_user(request, refusal, messages.ERROR)
            return None
        return action(modeladmin, request, queryset)

    return bounded
