"""Related cases and the neighbours of a case in its collection, for the case page.

A related case earns a simple, explainable score:

* 1 point for each topic the two cases share (同属主题), and
* up to 3 points for text similarity (内容相近): the cosine of the two cases'
  TF-IDF vectors over the tokens the search index already holds
  (``search.models.SearchText``; title words count three times, item
  headings twice, other text once).

Words that carry no content of their own are left out of the similarity:
region and topic names (they are in every case's ``label_tokens``, and topics
are scored on their own), words found in more than half of the cases, a short
list of common words of official documents, single characters and numbers.
The reason shown lists the shared topics and the shared words that weigh most.

Everything comes from :class:`Catalogue`, two queries over all published
cases. That is cheap for a library of a few hundred cases; a much larger one
would store the vectors with the index instead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from cases.models import Case, Topic

TOPIC_POINTS = 1.0
TEXT_POINTS = 3.0
# Below this cosine the shared words are too few or too common to count.
MIN_SIMILARITY = 0.1
WORDS_SHOWN = 3
# (SearchText field, how many times a token in it counts)
FIELD_WEIGHTS = (("title_tokens", 3), ("heading_tokens", 2), ("body_tokens", 1))
# Common words of official documents that make two cases look alike without saying what they share.
_COMMON_WORDS = """
    采取 突破 加速 加快 加大 大力 人员 制度 指导 评价 面向 关系 效应 营造 优质 聚焦 鼓励 引领 特色 本地
    关于 吸引 参与 高效 形成 应用 过程 团队 制定 到底 继续 全程 增强 规模 设计 截至 包括 分别 系统 组织
    工作 各类 领域 时间 效率 充分 传统 行业 开放 优秀 体系 活动 交流 实施 明确 范围 推进 提升 实现 进一步
    一条 人民 首个 初步 真正 前提 取得 思路 先期 代表 打响 法定 控制
"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())
_CONTENT_WORD = re.compile(r"^(?=.*[\u4e00-\u9fff])\w{2,}$")


@dataclass(frozen=True)
class RelatedCase:
    case: Case
    score: float
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.topics:
            reasons.append("同属主题：" + "、".join(self.topics))
        if self.words:
            reasons.append("内容相近：" + "、".join(self.words))
        return reasons

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


@dataclass
class Catalogue:
    """Every published case, and the one being shown even if it is a draft, with topics and index tokens."""

    cases: dict[int, Case]
    topics: dict[int, list[Topic]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, including: int | None = None) -> Catalogue:
        """Two queries: the cases with their collection and segmented text, then their topics."""
        wanted = Q(status=Case.Status.PUBLISHED)
        if including is not None:
            wanted |= Q(pk=including)
        cases = Case.objects.filter(wanted).select_related("collection", "search_text")
        catalogue = cls(cases={case.pk: case for case in cases})
        links = (
            Case.topics.through.objects.filter(case__in=list(catalogue.cases))
            .select_related("topic")
            .order_by(*(f"topic__{name}" for name in Topic._meta.ordering))
        )
        for link in links:
            catalogue.topics.setdefault(link.case_id, []).append(link.topic)
        return catalogue

    def neighbours(self, case: Case) -> tuple[Case | None, Case | None]:
        """The published cases just before and after ``case`` in its collection, by number."""
        same = [other for other in self.cases.values() if other.collection_id == case.collection_id]
        before = [other for other in same if other.number < case.number]
        after = [other for other in same if other.number > case.number]
        return (
            max(before, key=lambda other: other.number, default=None),
            min(after, key=lambda other: other.number, default=None),
        )


def related_cases(case: Case, *, limit: int = 5, catalogue: Catalogue | None = None) -> list[RelatedCase]:
    """Up to ``limit`` published cases most like ``case``, best first, each with its reason."""
    if catalogue is None:
        catalogue = Catalogue.load(including=case.pk)
    vectors = _vectors(catalogue)
    mine = vectors.get(case.pk, {})
    my_topics = catalogue.topics.get(case.pk, [])
    found = []
    for other in catalogue.cases.values():
        if other.pk == case.pk or other.status != Case.Status.PUBLISHED:
            continue
        their_topic_ids = {topic.pk for topic in catalogue.topics.get(other.pk, [])}
        shared_topics = tuple(topic.name for topic in my_topics if topic.pk in their_topic_ids)
        theirs = vectors.get(other.pk, {})
        products = {word: mine[word] * theirs[word] for word in mine.keys() & theirs.keys()}
        similarity = sum(products.values())
        if not shared_topics and similarity < MIN_SIMILARITY:
            continue
        words = _words_to_show(products) if similarity >= MIN_SIMILARITY else ()
        score = TOPIC_POINTS * len(shared_topics) + TEXT_POINTS * similarity
        found.append(RelatedCase(other, round(score, 3), shared_topics, words))
    found.sort(key=lambda related: (-related.score, related.case.number, related.case.pk))
    return found[:limit]


def _words_to_show(products: dict[str, float]) -> tuple[str, ...]:
    """The shared words that add most to the similarity, leaving out parts of longer shared words (账款 of 应收账款)."""
    words = [word for word in products if not any(word != longer and word in longer for longer in products)]
    words.sort(key=lambda word: (-products[word], word))
    return tuple(words[:WORDS_SHOWN])


def _vectors(catalogue: Catalogue) -> dict[int, dict[str, float]]:
    """Case id → unit-length TF-IDF vector of its content words."""
    documents = {}
    for case in catalogue.cases.values():
        try:
            documents[case.pk] = case.search_text
        except ObjectDoesNotExist:  # not indexed yet: related by topics only
            continue
    labels = {token for document in documents.values() for token in document.label_tokens.split()}
    counts: dict[int, Counter[str]] = {}
    for pk, document in documents.items():
        counted: Counter[str] = Counter()
        for name, weight in FIELD_WEIGHTS:
            for token in getattr(document, name).split():
                if token not in labels and token not in COMMON_WORDS and _CONTENT_WORD.match(token):
                    counted[token] += weight
        counts[pk] = counted
    total = len(counts)
    frequency = Counter(word for counted in counts.values() for word in counted)
    vectors = {}
    for pk, counted in counts.items():
        vector = {
            word: (1 + math.log(n)) * math.log(total / frequency[word])
            for word, n in counted.items()
            if 2 <= frequency[word] <= total / 2
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors[pk] = {word: value / norm for word, value in vector.items()}
    return vectors
