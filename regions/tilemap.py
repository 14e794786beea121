"""A tile-grid map of the 34 province-level divisions: one square each, in its rough place.

Rows run north to south and columns west to east (7 columns, 8 rows):

    . . . . . . 黑
    . . . 蒙 . 京 吉
    新 甘 宁 晋 冀 津 辽
    藏 青 陕 豫 鲁 . .
    . 川 渝 鄂 皖 苏 沪
    . 云 贵 湘 赣 浙 .
    . . 桂 粤 闽 台 .
    . . 琼 澳 港 . .

The page places each tile with the CSS classes ``row-N`` and ``col-N``, and
shades it with ``tile-0`` … ``tile-4`` by its number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass

ROWS = 8
COLUMNS = 7
# Province slug → (row, column), both from 1.
POSITIONS: dict[str, tuple[int, int]] = {
    "heilongjiang": (1, 7),
    "neimenggu": (2, 4),
    "beijing": (2, 6),
    "jilin": (2, 7),
    "xinjiang": (3, 1),
    "gansu": (3, 2),
    "ningxia": (3, 3),
    "shanxi": (3, 4),
    "hebei": (3, 5),
    "tianjin": (3, 6),
    "liaoning": (3, 7),
    "xizang": (4, 1),
    "qinghai": (4, 2),
    "shaanxi": (4, 3),
    "henan": (4, 4),
    "shandong": (4, 5),
    "sichuan": (5, 2),
    "chongqing": (5, 3),
    "hubei": (5, 4),
    "anhui": (5, 5),
    "jiangsu": (5, 6),
    "shanghai": (5, 7),
    "yunnan": (6, 2),
    "guizhou": (6, 3),
    "hunan": (6, 4),
    "jiangxi": (6, 5),
    "zhejiang": (6, 6),
    "guangxi": (7, 3),
    "guangdong": (7, 4),
    "fujian": (7, 5),
    "taiwan": (7, 6),
    "hainan": (8, 3),
    "aomen": (8, 4),
    "xianggang": (8, 5),
}
# Shades: tile-0 for no case, then one step per case up to tile-4 for four or more.
SHADES = 4


def shade(count: int) -> int:
    """The shade class number (0 … 4) of a province with ``count`` cases."""
    return max(0, min(count, SHADES))


@dataclass(frozen=True)
class Tile:
    slug: str
    name: str
    short_name: str
    url: str
    count: int
    row: int
    column: int

    @property
    def position_class(self) -> str:
        return f"row-{self.row} col-{self.column}"

    @property
    def shade_class(self) -> str:
        return f"tile-{shade(self.count)}"
