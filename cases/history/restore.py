"""Bringing a case back to one of its versions.

:func:`restore_case` brings back the title, provider, summary, regions,
topics and items (text, section and order; deleted items are recreated,
items added since are removed). It does not change the case's status,
collection or number: publishing is a separate decision (the 发布 / 撤回为草稿
actions), and the number identifies the case within its collection for the
importer. Regions or topics deleted since are skipped. The restore is itself
saved as a new revision, so it can be undone. The saves go through the usual
model signals; a caller that wants the case reindexed once rather than after
each save runs the restore in the index's batch.
"""

from __future__ import annotations

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from regions.models import Region

from ..models import Case, CaseItem, Topic
from ..services import CaseChanged, case_touch
from .snapshots import CaseState, state_of_version

RESTORED_FIELDS = ("title", "provider", "summary")


class RestoreError(Exception):
    pass


class RestoreConflict(RestoreError):
    """The case was saved by someone else after the page offering the restore was opened."""


def restore_case(
    *, case: Case, version: Version, user: AbstractBaseUser | None = None, expected_version: int | None = None
) -> Case:
    """Bring the case back to ``version``: texts, regions, topics and items (see the module docstring).

    Raises :class:`RestoreError`, writing nothing, if the version belongs to another case or
    its texts no longer pass the case's validation; :class:`RestoreConflict` if the case is
    no longer at ``expected_version`` (the version the restoring editor saw).
    """
    if int(version.object_id) != case.pk:
        raise RestoreError("该版本不属于这个案例。")
    state = state_of_version(version)
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(f"恢复到 {when} 的版本")
            return _restore(case.pk, state, expected_version)
    except CaseChanged as error:
        raise RestoreConflict(
            "此案例在您打开本页后已被他人修改，未恢复；下面是按最新内容重新比较的结果，请核对后再决定是否恢复。"
        ) from error
    except ValidationError as error:
        raise RestoreError(f"该版本的内容不符合现行规则，无法恢复：{'；'.join(error.messages)}") from error


def _restore(case_pk: int, state: CaseState, expected_version: int | None) -> Case:
    case_touch(case=Case(pk=case_pk), expected_version=expected_version)  # locks the case's row first
    case = Case.objects.get(pk=case_pk)
    for name in RESTORED_FIELDS:
        setattr(case, name, state.fields[name])
    case.full_clean()
    case.save()
    regions = list(Region.objects.filter(pk__in=state.regions).values_list("pk", flat=True))
    if regions:  # a case always has a region; keep the current ones if all the old ones are gone
        case.regions.set(regions)
    case.topics.set(Topic.objects.filter(pk__in=state.topics).values_list("pk", flat=True))
    current = {item.pk: item for item in case.items.all()}
    for pk in current.keys() - {item.pk for item in state.items}:
        current[pk].delete()
    taken = set(
        CaseItem.objects.filter(pk__in=[i.pk for i in state.items]).exclude(case=case).values_list("pk", flat=True)
    )
    for item_state in state.items:
        item = current.get(item_state.pk)
        values = {
            "section": item_state.section,
            "position": item_state.position,
            "heading": item_state.heading,
            "body": item_state.body,
            "numbered": item_state.numbered,
        }
        if item is None:  # deleted since: recreated with its old identity unless another case's item has it
            item = CaseItem(pk=None if item_state.pk in taken else item_state.pk, case=case, **values)
            item.full_clean(exclude=["case"], validate_unique=False)
            item.save(force_insert=True)
        elif any(getattr(item, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(item, name, value)
            item.full_clean(exclude=["case"])
            item.save()
    return case
