"""The path converter of a case's id: digits without leading zeros, so a case has one address and one cache entry."""

from django.urls import register_converter
from django.urls.converters import IntConverter


class CaseIdConverter(IntConverter):
    """``/cases/13/``, never ``/cases/013/``: each spelling would be a page of its own in the page cache."""

    regex = "[1-9][0-9]*"


register_converter(CaseIdConverter, "case_id")
