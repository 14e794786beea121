"""Write the request mixes for the load test: searches, case pages, facet filters and exports."""

import sys
from urllib.parse import urlencode

QUERIES = [
    *["融资", "服务", "发展", "企业", "铁路提单", "中欧班列", "通关便利化", "人才", "融资 武汉", "邮轮 OR 会展"],
    *['"文化贸易"', "融资 -保险", "跨境", "数字", "物流", "鐵路提單", "应收账款", "知识产权", "医疗", "会展"],
]
REGIONS = ["hubei", "zhejiang", "chongqing", "sichuan", "shanghai", "guangdong"]
TOPICS = ["finance", "logistics", "talent", "digital-trade", "culture-tourism"]


def searches() -> list[str]:
    paths = [f"/search/?{urlencode({'q': q})}" for q in QUERIES]
    paths += [f"/api/cases/?{urlencode({'q': q})}" for q in QUERIES]
    paths += [f"/search/?{urlencode({'q': q, 'region': r})}" for q in QUERIES[:6] for r in REGIONS]
    return paths


def mixed() -> list[str]:
    paths = searches()
    paths += [f"/cases/{n}/" for n in range(1, 21)] * 2
    paths += [f"/cases/?{urlencode({'region': r})}" for r in REGIONS]
    paths += [f"/cases/?{urlencode({'topic': t})}" for t in TOPICS]
    paths += ["/", "/regions/", "/topics/", "/api/regions/"]
    paths += [f"/export/cases.csv?{urlencode({'q': q})}" for q in QUERIES[:5]]
    paths += [f"/export/cases.xlsx?{urlencode({'region': r})}" for r in REGIONS[:2]]
    return paths


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    with open(out, "w") as file:
        file.write("\n".join(searches() if kind == "search" else mixed()) + "\n")
