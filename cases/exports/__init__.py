"""Exports of cases for analysts: CSV, Excel, JSON and a Word briefing.

An export takes its cases in one of two ways (see :func:`.selection.select_cases`):

* the result set of the search page, with the same parameters (``q``,
  ``region`` and ``topic``, each repeatable, and ``sort``) and in the same
  order: by relevance when there is a query, otherwise by collection and
  number; ``page`` and ``page_size`` are ignored, the whole set is exported;
* a chosen set, ``case=<id>`` repeated (from the comparison page), in the
  given order.

Only published cases are exported, at most ``EXPORT_MAX_CASES`` at a time
(``EXPORT_MAX_BRIEFING_CASES`` for the Word briefing; both are settings).
Cases are loaded ``CHUNK_SIZE`` at a time with a fixed number of queries per
chunk, so the number of queries does not grow with each case and memory stays
bounded. CSV and JSON are generated row by row for a streaming response; Excel
is written row by row to temporary files and the Word briefing built in
memory, each then saved to a temporary file that the response sends in pieces.

The modules: :mod:`.selection` (which cases, loading them, file names),
:mod:`.rows` (a case as cells), one writer per format (``*_writer``),
:mod:`.files` (the temporary files Excel and Word are saved to), and
:mod:`.views` with the table of formats that :mod:`.urls` routes.
"""
