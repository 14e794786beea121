"""CSV, line by line: a BOM (for Excel), the header, then one row per case."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from ..models import Case
from .rows import CASE_COLUMNS, case_row
from .selection import ExportContext

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: str | int) -> str | int:
    # A cell that starts like a formula is run by spreadsheet programs; quote it as text.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write(cases: Iterable[Case], context: ExportContext) -> Iterator[str]:
    """The CSV file line by line, for a streaming response."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(CASE_COLUMNS)
    for case in cases:
        yield writer.writerow([_csv_cell(value) for value in case_row(case, context.url_for(case))])
