"""Index maintenance: each receiver is one call into search.index.indexing."""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from cases.models import Case, CaseItem, Collection, Topic
from cases.signals import cases_changed
from regions.models import Region
from search.models import Synonym

from .documents import LABEL_FIELDS, label_state
from .indexing import EVERYTHING, LABELS, STATUS, case_reindex, case_unindex
from .version import bump_content_version

# Case fields that no index document shows: a set operation changing only these changes no text.
UNINDEXED_CASE_FIELDS = frozenset({"status", "version", "updated_at"})


@receiver(post_save, sender=Case)
def case_saved(sender, instance: Case, **kwargs) -> None:
    case_reindex(case_ids=[instance.pk])


@receiver(cases_changed)
def cases_written(sender, case_ids: list[int], fields: list[str] | None = None, **kwargs) -> None:
    # A set operation (publishing several cases at once) sends no post_save.
    textless = fields is not None and set(fields) <= UNINDEXED_CASE_FIELDS
    case_reindex(case_ids=case_ids, changed=STATUS if textless else EVERYTHING)


@receiver(post_delete, sender=Case)
def case_deleted(sender, instance: Case, **kwargs) -> None:
    case_unindex(case_ids=[instance.pk])


@receiver([post_save, post_delete], sender=CaseItem)
def item_changed(sender, instance: CaseItem, origin=None, **kwargs) -> None:
    # A case's own deletion (one case, or a queryset of them) unindexes it whole.
    deleting_cases = isinstance(origin, Case) or (isinstance(origin, QuerySet) and origin.model is Case)
    if not deleting_cases:
        case_reindex(case_ids=[instance.case_id])


@receiver(m2m_changed, sender=Case.regions.through)
@receiver(m2m_changed, sender=Case.topics.through)
def labels_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action == "pre_clear" and reverse:  # a topic or region losing all its cases
        instance._cleared_case_ids = list(instance.cases.values_list("pk", flat=True))
    elif action in {"post_add", "post_remove", "post_clear"}:
        case_reindex(case_ids=_affected_case_ids(instance, action, reverse, pk_set), changed=LABELS)


def _affected_case_ids(instance, action: str, reverse: bool, pk_set) -> list[int]:
    if not reverse:
        return [instance.pk]
    if action == "post_clear":
        return getattr(instance, "_cleared_case_ids", [])
    return list(pk_set)


@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=Region)
def label_saving(sender, instance, **kwargs) -> None:
    if instance.pk is not None:  # what the index holds now, to tell a rename from another edit
        instance._indexed_label = sender.objects.filter(pk=instance.pk).values_list(*LABEL_FIELDS[sender]).first()


@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Region)
def label_saved(sender, instance, created: bool, **kwargs) -> None:
    bump_content_version()  # facets list every region and topic
    if created:
        return
    if getattr(instance, "_indexed_label", None) != label_state(instance):
        # A rename: the cases carrying the label are indexed under its new name (their labels only).
        case_reindex(case_ids=_labelled_case_ids(instance), changed=LABELS)


@receiver(pre_delete, sender=Topic)
@receiver(pre_delete, sender=Region)
def label_deleting(sender, instance, **kwargs) -> None:
    # Deleting a topic or region drops its links without an m2m signal: note the cases now.
    instance._cases_to_reindex = _labelled_case_ids(instance)


@receiver(post_delete, sender=Topic)
@receiver(post_delete, sender=Region)
def label_deleted(sender, instance, **kwargs) -> None:
    bump_content_version()  # facets list every region and topic, even one that labels no case
    case_reindex(case_ids=getattr(instance, "_cases_to_reindex", []), changed=LABELS)


def _labelled_case_ids(label: Topic | Region) -> list[int]:
    """The cases a topic or region labels (a province's include those of its cities and new areas)."""
    cases = Case.objects.in_regions([label]) if isinstance(label, Region) else label.cases.all()
    return list(cases.values_list("pk", flat=True))


@receiver([post_save, post_delete], sender=Collection)
def collection_changed(sender, instance: Collection, **kwargs) -> None:
    bump_content_version()  # pages show collection titles; nothing of them is indexed


@receiver([post_save, post_delete], sender=Synonym)
def synonym_changed(sender, instance: Synonym, **kwargs) -> None:
    bump_content_version()  # synonyms are applied at query time: cached tables and result pages go stale
