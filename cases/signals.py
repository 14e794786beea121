"""Signals the cases layer sends for writes that Django's model signals do not report.

A set operation (``QuerySet.update()``) sends no ``post_save``; the service that
runs one sends :data:`cases_changed` instead, so that whatever follows case
writes (the search index) hears of it without the cases layer knowing it.
"""

from django.dispatch import Signal

# Sent with ``case_ids``: the ids of the cases whose rows were changed in bulk, inside
# the transaction that changed them; and ``fields``: the names of the fields it changed
# (a receiver may then skip what depends on the others).
cases_changed = Signal()
