"""The visitor's selection of cases ("已选案例"), kept in the session from page to page.

The session holds only the ids of published cases, in the order they were
added, at most :func:`limit` of them. Anything else sent to the add form
(not a number, an unknown case, a draft) is refused with a message saying
why. A case withdrawn after it was added is dropped when the selection page
is next shown (:func:`keep_published`).

Pages that show the selection read it from the session. A visitor with an
empty selection and no message waiting sees the same pages as one without a
session, which is why those pages may still be cached for such visitors
(``config.content_cache.bypasses_cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from .converters import CASE_ID
from .models import Case

MAX_CASES = 200
SESSION_KEY = "selected_cases"
NOTICES_KEY = "selection_notices"


def limit() -> int:
    """The most cases a selection holds: :data:`MAX_CASES`, or fewer when a Word briefing takes fewer.

    A briefing exports at most ``EXPORT_MAX_BRIEFING_CASES``; the whole selection can always be exported.
    """
    return min(MAX_CASES, settings.EXPORT_MAX_BRIEFING_CASES)


@dataclass
class Change:
    """The selection after a change, what was added or removed, and what the visitor should be told."""

    ids: list[int]
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    refused: bool = False

    @property
    def count(self) -> int:
        return len(self.ids)


def selected_ids(session: SessionBase) -> list[int]:
    """The selected case ids, in the order they were added (whatever the session holds, only positive ints)."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, list):
        return []
    ids = [pk for pk in stored if type(pk) is int and pk > 0]
    return list(dict.fromkeys(ids))[: limit()]


def parse_ids(values: list[str]) -> tuple[list[int], list[str]]:
    """The distinct well-formed ids among ``values``, and the values that are not ids (blank ones are skipped)."""
    ids: list[int] = []
    bad: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if CASE_ID.fullmatch(value):
            if int(value) not in ids:
                ids.append(int(value))
        else:
            bad.append(value)
    return ids, bad


def add_cases(session: SessionBase, values: list[str]) -> Change:
    """Add the published cases among ``values``; refuse the rest, and anything beyond :func:`limit`."""
    current = selected_ids(session)
    ids, bad = parse_ids(values)
    change = Change(ids=current)
    if bad:
        change.notices.append(f"{_quoted(bad)} 不是有效的案例标识，已忽略。")
    new = [pk for pk in ids if pk not in current]
    published = set(Case.objects.published().filter(pk__in=new).values_list("pk", flat=True)) if new else set()
    unknown = [pk for pk in new if pk not in published]
    if unknown:
        change.notices.append(f"没有标识为 {'、'.join(map(str, unknown[:10]))} 的已发布案例，未加入。")
    most = limit()
    room = most - len(current)
    wanted = [pk for pk in new if pk in published]
    change.added = wanted[:room]
    if len(wanted) > room:
        change.notices.append(
            f"已选案例最多 {most} 个，已经选满，另有 {len(wanted) - room} 个案例没有加入。"
            "请先在“已选案例”页移出一些，或导出后清空。"
        )
    change.ids = current + change.added
    change.refused = bool(bad or unknown or len(wanted) > room) or not ids
    if not ids and not bad:
        change.notices.append("没有指明要加入的案例。")
    _store(session, current, change.ids)
    return change


def remove_cases(session: SessionBase, values: list[str]) -> Change:
    """Remove the given ids from the selection; ids that are not selected are no error (the page may be stale)."""
    current = selected_ids(session)
    ids, bad = parse_ids(values)
    change = Change(ids=[pk for pk in current if pk not in ids])
    change.removed = [pk for pk in current if pk in ids]
    if bad:
        change.notices.append(f"{_quoted(bad)} 不是有效的案例标识，已忽略。")
        change.refused = True
    _store(session, current, change.ids)
    return change


def clear(session: SessionBase) -> Change:
    current = selected_ids(session)
    change = Change(ids=[], removed=current)
    _store(session, current, [])
    return change


def keep_published(session: SessionBase) -> tuple[list[int], int]:
    """The selection without the cases that are no longer published, and how many were dropped."""
    current = selected_ids(session)
    if not current:
        return [], 0
    published = set(Case.objects.published().filter(pk__in=current).values_list("pk", flat=True))
    kept = [pk for pk in current if pk in published]
    _store(session, current, kept)
    return kept, len(current) - len(kept)


def add_notices(session: SessionBase, notices: list[str]) -> None:
    """Keep messages for the next page shown (the form was sent without JavaScript and is answered by a redirect)."""
    if notices:
        session[NOTICES_KEY] = [*session.get(NOTICES_KEY, []), *notices][-5:]


def pop_notices(session: SessionBase) -> list[str]:
    if NOTICES_KEY not in session:
        return []
    notices = session.pop(NOTICES_KEY)
    return [notice for notice in notices if isinstance(notice, str)] if isinstance(notices, list) else []


def _store(session: SessionBase, before: list[int], after: list[int]) -> None:
    if after != before or session.get(SESSION_KEY) != after:
        if after:
            session[SESSION_KEY] = after
        else:
            session.pop(SESSION_KEY, None)


def _quoted(values: list[str]) -> str:
    return "、".join(f"“{value[:20]}”" for value in values[:3]) + ("等" if len(values) > 3 else "")
