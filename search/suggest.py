"""Suggestions as you type: ``GET /api/suggest/?q=<prefix>``.

Answers with at most ten suggestions for a Chinese or pinyin prefix: titles of
published cases, topic and region names, and frequent words of the cases
(``search.index.vocabulary``). The search box's script (static/js/suggest.js)
shows them; the page works without it.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from cases.models import Case
from search.facets import all_labels
from search.index.text import CONTROL_CHARACTERS, normalise
from search.index.vocabulary import CJK, pinyin_and_initials, suggest_words

MAX_LENGTH = 50
MAX_SUGGESTIONS = 10
MAX_TITLES = 4
MAX_LABELS = 3


class SuggestForm(forms.Form):
    q = forms.CharField(max_length=MAX_LENGTH, required=False)


def suggest(request: HttpRequest) -> JsonResponse:
    form = SuggestForm({"q": CONTROL_CHARACTERS.sub("", request.GET.get("q", ""))})
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return JsonResponse({"q": q, "suggestions": suggestions(q)}, json_dumps_params={"ensure_ascii": False})


def suggestions(q: str) -> list[dict[str, str]]:
    """Titles, topics, regions, then words, each text once: {"text", "kind", "url"}."""
    text = normalise(q).strip()
    if not text:
        return []
    chinese = CJK.search(text) is not None
    letters = "" if chinese else text.replace(" ", "")
    if letters and not (letters.isascii() and letters.isalpha()):
        letters = ""
    words = suggest_words(text, MAX_SUGGESTIONS)
    # A pinyin prefix finds titles through the word it most likely begins.
    found = (
        _titles(words[0] if letters and words else text)
        + _labels(text if chinese else "", letters)
        + [{"text": word, "kind": "word", "url": _search_url(q=word)} for word in words]
    )
    unique: dict[str, dict[str, str]] = {}
    for item in found:
        unique.setdefault(item["text"], item)
    return list(unique.values())[:MAX_SUGGESTIONS]


def _titles(term: str) -> list[dict[str, str]]:
    cases = Case.objects.published().filter(title__icontains=term).order_by("-updated_at", "pk")
    return [
        {"text": title, "kind": "title", "url": reverse("cases:case_detail", args=[pk])}
        for pk, title in cases.values_list("pk", "title")[:MAX_TITLES]
    ]


def _labels(chinese: str, letters: str) -> list[dict[str, str]]:
    """Topics, then regions, whose name contains the Chinese text or whose pinyin or initials start with the letters."""
    if not chinese and not letters:
        return []
    regions, topics = all_labels()
    found = []
    for kind, labels in (("topic", topics), ("region", regions)):
        for label in labels:
            pinyin, initials = _pinyin(label.name)
            if (chinese and chinese in normalise(label.name)) or (
                letters and (pinyin.startswith(letters) or initials.startswith(letters))
            ):
                found.append({"text": label.name, "kind": kind, "url": _search_url(**{kind: label.slug})})
    return found[:MAX_LABELS]


@functools.lru_cache(maxsize=4096)
def _pinyin(name: str) -> tuple[str, str]:
    return pinyin_and_initials(name)


def _search_url(**params: str) -> str:
    return f"{reverse('search:search')}?{urlencode(params)}"
