"""The benchmarks write synthetic cases: they refuse any database whose name does not say it is for them."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "arguments", [["bench_search", "--sizes", "30"], ["bench_pages", "--sizes", "30"], ["bench_admin", "--cases", "30"]]
)
def test_a_benchmark_refuses_a_database_not_named_for_it(arguments):
    before = Case.objects.count()
    with pytest.raises(CommandError, match="请使用名称含 bench 的数据库"):
        call_command(*arguments)
    assert Case.objects.count() == before
