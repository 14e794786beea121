"""Revision history of cases and their items: snapshots, differences and restore.

Why django-reversion rather than django-simple-history
-------------------------------------------------------
An editor thinks of "the case as it was last Tuesday": its texts *and* its
items, in their order. django-reversion saves everything written in one
request as one *revision*: ``Case`` is registered to follow its ``items`` and
each ``CaseItem`` to follow its ``case`` (see the bottom of ``cases.models``),
so whichever of them an edit touches, the revision holds the whole case with
every item it had at that moment. Comparing and restoring is then a matter of
reading one revision.

django-simple-history keeps a separate history table per model, each row
stamped with its own time. Rebuilding a case with its items means guessing
which item rows belong with which case row (an admin save writes the case
first and its items a few milliseconds later), and items deleted in the same
save have to be inferred. That is workable, but error-prone exactly where a
restore has to be right.

The package: :mod:`.snapshots` (what a case was, and recording the first
revision), :mod:`.diff` (what changed, as HTML) and :mod:`.restore` (bringing a
version back).
"""
