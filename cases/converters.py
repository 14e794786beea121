"""A case's id as visitors write it, in addresses and parameters: one spelling for each case.

Digits without a leading zero, so ``/cases/013/`` is not a second page (and
page cache entry) of case 13; at most 18 of them, so the number always fits a
64-bit column and never reaches the database as an error.
"""

import re

from django.urls import register_converter
from django.urls.converters import IntConverter

CASE_ID = re.compile(r"[1-9][0-9]{0,17}")


class CaseIdConverter(IntConverter):
    """``<case_id:pk>`` in the URL patterns: an id as :data:`CASE_ID` spells it."""

    regex = CASE_ID.pattern


register_converter(CaseIdConverter, "case_id")
