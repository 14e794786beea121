"""Reading the cases to compare from a shareable URL: ``/compare/?case=13&case=11``."""

from __future__ import annotations

from dataclasses import dataclass, field

from .converters import CASE_ID

MIN_CASES = 2
MAX_CASES = 4


@dataclass
class Selection:
    """The distinct case ids asked for, in the order given, and what is wrong with the request."""

    ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.ids and not self.problems


def parse_selection(values: list[str], *, choosing: bool = False) -> Selection:
    """Check the ``case`` parameters without touching the database (unknown ids are the view's to find).

    ``choosing``: a choice in progress (turning the chooser's pages), which may hold fewer cases than a comparison.
    """
    selection = Selection()
    bad = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if not CASE_ID.fullmatch(value):
            bad.append(value)
        elif int(value) not in selection.ids:
            selection.ids.append(int(value))
    if bad:
        shown = "、".join(f"“{value[:20]}”" for value in bad[:3])
        selection.problems.append(f"链接中的 {shown} 不是有效的案例标识。案例标识是案例网址 /cases/ 后面的数字。")
    count = len(selection.ids)
    if count > MAX_CASES:
        selection.problems.append(f"选择了 {count} 个案例，一次最多比较 {MAX_CASES} 个。请减少到 {MAX_CASES} 个以内。")
    elif (values or bad) and count < MIN_CASES and not choosing:
        selection.problems.append(
            f"只选择了 {count} 个案例。比较至少需要 {MIN_CASES} 个案例，请再勾选一个或多个。"
            if count
            else f"没有选择案例。请勾选 {MIN_CASES} 至 {MAX_CASES} 个案例。"
        )
    return selection
