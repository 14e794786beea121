"""What every page's selection buttons share, worked out once per page instead of once per button."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import selection as visitor_selection


@dataclass(frozen=True)
class SelectionState:
    """The visitor's selection and the addresses its forms post to (see ``includes/selection_toggle.html``)."""

    ids: list[int]  # in the order they were added
    selected: frozenset[int]
    add_url: str
    remove_url: str
    next: str  # the page the forms bring a visitor without JavaScript back to

    @classmethod
    def of(cls, request: HttpRequest) -> SelectionState:
        session = getattr(request, "session", None)
        ids = visitor_selection.selected_ids(session) if session is not None else []
        return cls(
            ids=ids,
            selected=frozenset(ids),
            add_url=reverse("cases:selection_add"),
            remove_url=reverse("cases:selection_remove"),
            next=request.get_full_path(),
        )


def selection(request: HttpRequest) -> dict[str, SelectionState]:
    """``selection`` in every template rendered with a request; read from the session when first used."""
    return {"selection": SimpleLazyObject(lambda: SelectionState.of(request))}
