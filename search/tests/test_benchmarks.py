"""The benchmarks write synthetic cases: they refuse any database whose name does not say it is for them; and
what they report when the server declines an export."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.exports import views as export_views
from cases.models import Case
from search.management.commands import bench_pages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "arguments", [["bench_search", "--sizes", "30"], ["bench_pages", "--sizes", "30"], ["bench_admin", "--cases", "30"]]
)
def test_a_benchmark_refuses_a_database_not_named_for_it(arguments):
    before = Case.objects.count()
    with pytest.raises(CommandError, match="请使用名称含 bench 的数据库"):
        call_command(*arguments)
    assert Case.objects.count() == before


def test_an_export_the_server_declines_is_reported_as_a_miss_and_the_run_goes_on(settings, monkeypatch):
    # On a slow machine the Excel export of the whole library can be projected past its time limit: the
    # benchmark reports that (and the pages measured before it) instead of stopping with an error.
    monkeypatch.setattr(export_views, "CHECK_EVERY", 5)
    settings.EXPORT_TIME_LIMIT = 0
    monkeypatch.setattr(bench_pages, "_exports", lambda: [("Excel", reverse("export:cases_xlsx"), 20)])
    out = io.StringIO()
    command = bench_pages.Command(stdout=out)
    [excel] = command.measure_exports(repeat=3)
    command.report(20, [], [excel])
    command.report_targets({20: ([], [excel])})
    report = out.getvalue()
    assert excel.refused.startswith("未能导出：这 20 个案例预计需要约")
    assert "未导出（503，原因见下）" in report
    assert "未达目标：\n  20 个案例：导出 Excel 未完成：未能导出：这 20 个案例预计需要约" in report
