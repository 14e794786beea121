"""The index follows every write: admin saves with inlines, deletes, renames, imports, reindex."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case, CaseItem, Topic
from cases.tests.test_admin import case_form_data
from regions.models import Region
from search.index import indexing
from search.index.documents import FIELDS, case_field_texts
from search.index.indexing import case_reindex, case_unindex, rebuild_index
from search.index.text import document_tokens
from search.models import SearchDocument, SearchText
from search.service import search_cases

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    """The cases with every word of ``q`` (not those listed after them with only some)."""
    results = search_cases(q=q, page_size=100)
    return {hit.case.number for hit in results.hits[: results.all_word_count]}


def test_an_admin_edit_of_an_item_is_found_by_the_next_search(admin_client):
    case = Case.objects.get(number=15)
    assert 15 not in found("氢能船舶")
    data = case_form_data(case)
    data["items-0-body"] += "试点氢能船舶快速查验。"
    response = admin_client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("氢能船舶") == {15}


def test_an_admin_title_change_is_found_and_the_old_title_word_is_gone(admin_client):
    case = Case.objects.get(number=9)
    old_phrase = '"数字展览"'  # written only in the old title, 创新在线数字展览模式
    assert found(old_phrase) == {9}
    data = case_form_data(case)
    data["title"] = "创新云上博览会模式"
    response = admin_client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert search_cases(q="博览会").hits[0].case.number == 9
    assert found(old_phrase) == set()


def test_a_deleted_case_leaves_the_index():
    assert found("金融超市") == {18}
    Case.objects.get(number=18).delete()
    assert found("金融超市") == set()
    assert not SearchDocument.objects.filter(case__number=18).exists()


def test_a_deleted_item_leaves_the_index():
    assert found("杭信贷") == {19}
    CaseItem.objects.filter(case__number=19, body__contains="杭信贷").delete()
    CaseItem.objects.filter(case__number=19, heading__contains="杭信贷").delete()
    Case.objects.filter(number=19).update(title="探索融资闭环模式", summary="")
    Case.objects.get(number=19).save()
    assert found("杭信贷") == set()


def test_a_topic_rename_is_searchable():
    topic = Topic.objects.get(slug="healthcare")
    assert set(topic.cases.values_list("number", flat=True)) == {9, 16}
    assert 9 not in found("卫生健康")  # case 9 (online exhibitions) gets the word only from its topic
    topic.name = "卫生健康"
    topic.save()
    assert found("卫生健康") >= {9, 16}


def test_a_region_rename_is_searchable_for_the_cases_under_it():
    region = Region.objects.get(slug="sichuan")
    region.name = "天府之国省"
    region.save()
    assert found("天府之国省") == {2, 12, 17}


@pytest.mark.parametrize(
    ("model", "slug", "name", "numbers"),
    [(Topic, "healthcare", "卫生健康", {9, 16}), (Region, "sichuan", "天府之国省", {2, 12, 17})],
)
def test_a_rename_while_a_rebuild_runs_is_not_undone_by_it(monkeypatch, model, slug, name, numbers):
    """The rebuild reads and segments cases before it writes them; a rename in between is seen when it writes."""
    segment, renamed = indexing.case_field_tokens, []

    def rename_once_read(case, names=None):
        if not renamed:  # the rebuild has read its first cases: an editor renames, index and all, as the admin does
            label = model.objects.get(slug=slug)
            label.name = name
            label.save()
            renamed.append(label)
        return segment(case, names)

    monkeypatch.setattr(indexing, "case_field_tokens", rename_once_read)
    rebuild_index()
    assert renamed and found(name) >= numbers


def test_topic_assignment_is_searchable():
    topic = Topic.objects.get(slug="trade-promotion")
    phrase = f'"{topic.name}"'  # 会展与贸易促进, written only as a topic label
    assert found(phrase) == set(topic.cases.values_list("number", flat=True))
    Case.objects.get(number=1).topics.add(topic)
    assert 1 in found(phrase)
    topic.cases.clear()
    assert found(phrase) == set()


def test_reindex_rebuilds_an_emptied_index_with_progress():
    case_unindex(case_ids=Case.objects.values_list("pk", flat=True))
    assert found("铁路提单") == set()
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "已索引 20/20 个案例" in out.getvalue() and "索引已重建：20 个案例" in out.getvalue()
    assert found("铁路提单") == {13}


def test_the_index_holds_the_tokens_of_each_field_segmented_whole():
    """Indexing runs segment each distinct line once; what they store is what segmenting each field whole gives."""
    cases = Case.objects.prefetch_related("regions__parent", "topics", "items")
    expected = {
        case.pk: {name: " ".join(document_tokens(text)) for name, text in case_field_texts(case).items()}
        for case in cases
    }

    def stored() -> dict[int, dict[str, str]]:
        columns = [f"{field.name}_tokens" for field in FIELDS]
        return {
            pk: {field.name: value for field, value in zip(FIELDS, values, strict=True)}
            for pk, *values in SearchText.objects.values_list("case_id", *columns)
        }

    SearchText.objects.all().delete()
    case_reindex(case_ids=expected)
    assert stored() == expected
    SearchText.objects.all().delete()
    rebuild_index()
    assert stored() == expected


def test_deleting_a_topic_anywhere_takes_its_name_out_of_the_index():
    topic = Topic.objects.get(slug="trade-promotion")
    phrase = f'"{topic.name}"'
    assert found(phrase)
    topic.delete()  # not through the admin: the index must follow all the same
    assert found(phrase) == set()


def test_deleting_a_region_reindexes_the_cases_it_labelled():
    def labels() -> list[str]:
        return SearchText.objects.get(case__number=16).label_tokens.split()

    assert "西咸新区" in labels()
    Region.objects.get(slug="xixian").delete()
    assert "西咸新区" not in labels() and "陕西省" not in labels()
