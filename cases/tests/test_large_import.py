"""A document of more than a hundred cases, imported through the admin: every case as the source has it,
searchable at once, a preview of a fixed number of queries, and a re-import that changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
import reversion
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from cases import admin_import
from cases.admin_import import SESSION_KEY
from cases.history.snapshots import record_revision
from cases.importer import parse_document
from cases.management.commands import import_cases
from cases.models import Case, CaseItem, Collection, ImportedText
from search.management.commands.bench_import import marker, synthetic_document
from search.models import Champion, RelatedCase, SearchDocument, SearchText
from search.service import search_cases

from .test_admin import IMPORT, preview

pytestmark = pytest.mark.django_db

COUNT = 120
SLUG = "synthetic-120"


@pytest.fixture(scope="module")
def document() -> str:
    return synthetic_document(COUNT)


def import_new(client, text: str, slug: str = SLUG, status: str = "published"):
    response = preview(client, text.encode(), new_slug=slug, new_title="合成文档", new_case_status=status)
    assert response.status_code == 200 and 'name="token"' in response.content.decode()
    return confirm(client)


def confirm(client):
    return client.post(IMPORT, {"_confirm": "1", "token": client.session[SESSION_KEY]["token"]}, follow=True)


def stored(case: Case) -> tuple:
    items = [(i.section, i.position, i.heading, i.body, i.numbered) for i in case.items.order_by("section", "position")]
    return (case.title, case.provider, case.summary, sorted(r.full_name for r in case.regions.all()), items)


def parsed_form(parsed) -> tuple:
    items = [(i.section, i.position, i.heading, i.body, i.numbered) for i in parsed.items]
    return (parsed.title, parsed.provider, parsed.summary, sorted(parsed.provider_names), items)


def everything() -> list:
    """What an import or the index may write, to show that nothing changed."""
    return [
        *Case.objects.order_by("pk").values_list("pk", "title", "provider", "summary", "version", "updated_at"),
        *CaseItem.objects.order_by("pk").values_list("pk", "case_id", "section", "position", "heading", "body"),
        *ImportedText.objects.order_by("pk").values_list("pk", "case_id", "section", "position", "field", "digest"),
        *Case.regions.through.objects.order_by("pk").values_list("case_id", "region_id"),
        *SearchText.objects.order_by("case_id").values_list(),
        *SearchDocument.objects.order_by("case_id").values_list("case_id", "published", "facet_set_id", "updated_at"),
        *RelatedCase.objects.order_by("pk").values_list(),
        Champion.objects.count(),
        Version.objects.count(),
    ]


def test_the_synthetic_document_numbers_its_cases_on_and_gives_each_a_line_of_its_own(document):
    parsed = parse_document(document)
    assert [case.number for case in parsed] == list(range(1, COUNT + 1))
    real = parse_document(synthetic_document(20))
    case_120, real_20 = parsed[119], real[19]
    assert case_120.summary == f"{marker(120)}\n" + real_20.summary.split("\n", 1)[1]
    assert marker(120) == "本案例是合成文档的第一百二十号案例。"
    assert parsed_form(case_120)[4] == parsed_form(real_20)[4] and case_120.title == real_20.title


def test_a_document_of_120_cases_is_imported_whole_and_searchable_at_once(admin_client, document):
    response = import_new(admin_client, document)
    assert f"新增 {COUNT} 个，更新 0 个，未变 0 个" in response.content.decode()
    cases = Case.objects.filter(collection__slug=SLUG).prefetch_related("items", "regions__parent")
    assert cases.count() == COUNT
    parsed = {case.number: case for case in parse_document(document)}
    for case in cases:
        assert stored(case) == parsed_form(parsed[case.number]), case.number  # the text as the source has it
    results = search_cases(q=f'"{marker(120)[:-1]}"')  # a phrase only case 一百二十 has
    assert [(hit.case.collection.slug, hit.case.number) for hit in results.hits] == [(SLUG, 120)]
    assert [hit.case.number for hit in search_cases(q=f'"{marker(119)[:-1]}"').hits] == [119]  # not 一百一十九 of 120
    assert search_cases(q="铁路提单", page_size=100).count == 1 + COUNT // 20  # case 13 and its six copies
    numbers = set(SearchDocument.objects.filter(case__collection__slug=SLUG).values_list("case__number", flat=True))
    assert numbers == set(range(1, COUNT + 1))


def test_reimporting_the_unchanged_document_changes_nothing(admin_client, document):
    import_new(admin_client, document)
    before = everything()
    collection = Collection.objects.get(slug=SLUG)
    response = preview(admin_client, document.encode(), collection=collection.pk)
    assert f"未变的案例（{COUNT}）" in response.content.decode()
    response = confirm(admin_client)
    assert f"新增 0 个，更新 0 个，未变 {COUNT} 个" in response.content.decode()
    assert everything() == before


def test_an_editors_correction_survives_a_reimport_of_the_large_document(admin_client, document):
    import_new(admin_client, document)
    item = CaseItem.objects.get(case__collection__slug=SLUG, case__number=111, section=2, position=2)
    item.body = item.body.replace("截止", "截至")
    assert "截至" in item.body
    item.save()
    collection = Collection.objects.get(slug=SLUG)
    preview(admin_client, document.encode(), collection=collection.pk)
    response = confirm(admin_client)
    assert f"未变 {COUNT} 个" in response.content.decode() and "编辑修改过的 1 处保留" in response.content.decode()
    assert "截至" in CaseItem.objects.get(pk=item.pk).body


def test_the_preview_reads_the_library_in_a_fixed_number_of_queries(admin_client, document):
    def queries(text: str, **fields) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = preview(admin_client, text.encode(), **fields)
        assert response.status_code == 200 and 'name="token"' in response.content.decode()
        return len(captured)

    new = {"new_slug": "preview-only", "new_title": "预览"}
    assert queries(synthetic_document(20), **new) == queries(document, **new)
    import_new(admin_client, document)
    collection = Collection.objects.get(slug=SLUG).pk
    assert queries(synthetic_document(20), collection=collection) == queries(document, collection=collection)


def test_a_changed_reimport_lists_some_differences_and_counts_the_rest(admin_client, document, monkeypatch):
    import_new(admin_client, document)
    monkeypatch.setattr(admin_import, "MAX_DIFFERENCES_SHOWN", 3)
    changed = document.replace("试点", "试行")
    response = preview(admin_client, changed.encode(), collection=Collection.objects.get(slug=SLUG).pk)
    html = response.content.decode()
    assert html.count('class="kind"') == 3 and "未在此逐条列出" in html


@override_settings(IMPORT_TIME_LIMIT=0)
def test_a_confirmation_that_would_outlast_the_time_limit_writes_nothing_and_says_what_to_do(admin_client, document):
    before = everything()
    response = import_new(admin_client, document)
    html = response.content.decode()
    assert "未导入" in html and "超过了 0 秒的时限" in html and "import_cases" in html
    assert everything() == before
    assert not Collection.objects.filter(slug=SLUG).exists()


def test_the_command_reports_the_progress_of_a_long_import(tmp_path, document, monkeypatch):
    path = tmp_path / "large.txt"
    path.write_text(document, encoding="utf-8")
    out = StringIO()
    call_command("import_cases", str(path), "--collection", "large", "--title", "大文档", stdout=out)
    output = out.getvalue()
    assert f"已解析 {COUNT} 个案例" in output and f"已索引 {COUNT}/{COUNT} 个案例" in output
    assert f"新增 {COUNT} 个" in output
    monkeypatch.setattr(import_cases, "LONG_IMPORT", 1000)
    out = StringIO()
    call_command("import_cases", str(path), "--collection", "large", stdout=out)
    assert "已索引" not in out.getvalue() and f"未变 {COUNT} 个" in out.getvalue()


def test_a_revision_written_in_bulk_is_what_reversion_would_write(admin_user):
    case = Case.objects.prefetch_related("regions", "topics", "items").get(number=13)
    with reversion.create_revision():
        reversion.set_user(admin_user)
        reversion.set_comment("逐个")
        reversion.add_to_revision(case)
    with reversion.create_revision():
        reversion.set_user(admin_user)
        reversion.set_comment("成批")
        record_revision([case.pk])
    one, bulk = (
        {(v.content_type_id, v.object_id): (v.serialized_data, v.object_repr) for v in revision.version_set.all()}
        for revision in (
            Version.objects.filter(revision__comment=comment).first().revision for comment in ("逐个", "成批")
        )
    )
    assert bulk == one and len(bulk) == 1 + case.items.count()


def test_a_deleted_case_takes_its_champion_entries_with_it():
    case = Case.objects.get(number=18)
    assert Champion.objects.filter(case=case).exists()
    case.delete()
    assert not Champion.objects.filter(case_id=case.pk).exists()
