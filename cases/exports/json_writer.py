"""JSON: a list of whole cases, each shaped as /api/cases/<id>/ serves it, one case at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder

from ..api import case_data
from ..models import Case
from .selection import ExportContext


def write(cases: Iterable[Case], context: ExportContext) -> Iterator[str]:
    """The JSON text in pieces, for a streaming response."""
    yield "["
    separator = "\n"
    for case in cases:
        yield separator + json.dumps(case_data(context.request, case), ensure_ascii=False, cls=DjangoJSONEncoder)
        separator = ",\n"
    yield "\n]\n"
