"""The evaluation set: queries a policy officer types, judged by reading the 20 cases.

Each expectation says which case(s) a person typing the query wants, decided from
the text of the cases (numbers and titles of the 2020 collection), not from what
search returns: the one case that must come first, the cases that must fill the
top places, or a case that must at least be on the first page (a recall check).

Most queries are typed as people type them: several words run together,
questions, punctuation and spaces from a Chinese keyboard, traditional
characters, Latin mixed with Chinese, a region next to a subject. The others are
ordinary: one term, or two terms separated by a space.
"""

import pytest
from django.conf import settings

from search.service import search_cases

pytestmark = pytest.mark.django_db

TYPED = "typed"
ORDINARY = "ordinary"


def top(q: str, n: int) -> list[int]:
    return [hit.case.number for hit in search_cases(q=q, page_size=n).hits]


# query: (kind, the case that must come first)
FIRST: dict[str, tuple[str, int]] = {
    # --- typed as people type ---
    # 1 优化事业单位对外籍人员的管理和服务: hiring foreign experts; the only case with 外国, 专家 and 引进.
    "外国专家引进": (TYPED, 1),
    # 9 创新在线数字展览模式: the 云展会 platform, 数字化展示交易, trade fairs moved online.
    "展会数字化": (TYPED, 9),
    # 12 创新国际物流运输模式: "对接国际物流通道", "通过物流通道建设".
    "国际物流通道建设": (TYPED, 12),
    # 16 探索国际远程会诊和国际医生执业资格互认模式: mutual recognition of doctors' qualifications
    # (case 17 only names 职业资格互认 in passing; case 1 hires foreign doctors but recognises nothing).
    "医疗人才资格互认": (TYPED, 16),
    # 16: "外国医师来华短期行医" — foreign doctors practising in China.
    "外国医生来华行医": (TYPED, 16),
    # 16: the remote consultation case, in traditional characters (7 only lists 远程医疗 as a use).
    "國際遠程醫療": (TYPED, 16),
    # 16: 探索外国医生远程诊疗备案制.
    "远程诊疗备案": (TYPED, 16),
    # 4 拓宽境外融资渠道: "积极推进跨境人民币结算便利化", in traditional characters.
    "跨境人民幣結算": (TYPED, 4),
    # 4: the same, as a request for the measures.
    "跨境人民币结算便利化措施": (TYPED, 4),
    # 10 加快智能城市建设: "官方数字货币试验场", in traditional characters.
    "數字貨幣": (TYPED, 10),
    # 20 应收账款融资服务助力中小微企业发展, in traditional characters.
    "應收賬款融資": (TYPED, 20),
    # 10: 设立区块链创新实验室 (case 3's 国家实验室 has nothing to do with blockchain).
    "区块链实验室": (TYPED, 10),
    # 10: 5G 规模化部署, 634 base stations (case 5 mentions its first 5G 基站 once).
    "5G基站": (TYPED, 10),
    # 10: "通过 BIM/CIM 平台".
    "BIM/CIM平台": (TYPED, 10),
    # 10: "5G 与 LTE-V 车路协同网络部署".
    "LTE-V车路协同": (TYPED, 10),
    # 3 推动设立全球性研发中心: Johnson & Johnson's JLABS incubator, typed in lower case.
    "jlabs": (TYPED, 3),
    # 3: 外资研发中心 461 家.
    "外资研发中心": (TYPED, 3),
    # 7 开通中新（重庆）国际互联网数据专用通道, with the full-width brackets of the title.
    "中新（重庆）数据通道": (TYPED, 7),
    # 7: the data channel is the only case about data crossing the border.
    "跨境数据流动": (TYPED, 7),
    # 1: Hainan's foreign staff (外籍人才 in 海南省事业单位).
    "海南外籍人才": (TYPED, 1),
    # 6 建立文化贸易境外促进中心: Hangzhou's 文创 in Nottingham.
    "杭州文创": (TYPED, 6),
    # 6: "打造讲好“新时代杭州故事”…的重要平台".
    "讲好杭州故事": (TYPED, 6),
    # 2 川菜做“媒”: 成都 国际美食之都.
    "成都美食": (TYPED, 2),
    # 2: 夜游、夜食、夜市 — the only case about the night-time economy (丰富夜间餐饮业态).
    "夜间经济": (TYPED, 2),
    # 2: "首店经济" 中餐饮首店占比最高.
    "首店经济": (TYPED, 2),
    # 11 通过海铁联运扩大海运集装箱流转范围: 多式联运"一单制"提单.
    "多式联运一单制": (TYPED, 11),
    # 11: "首张铁海联运提单成功开具" (case 13's bill is a railway bill, not a sea-rail one).
    "海铁联运提单": (TYPED, 11),
    # 13 创新铁路提单交易模式和规则: 中欧班列（重庆）.
    "中欧班列重庆": (TYPED, 13),
    # 12: 中欧班列（成都）.
    "成都中欧班列": (TYPED, 12),
    # 13: a question — the railway bill was created to be financed ("赋予融资结算功能").
    "铁路提单能融资吗": (TYPED, 13),
    # 8 积极推进邮轮服务贸易新业态发展: 天津邮轮母港.
    "天津邮轮母港": (TYPED, 8),
    # 15 船舶边检查验“零待时”: "提高了口岸通关效率" for ships.
    "船舶通关效率": (TYPED, 15),
    # 15: "大幅提升了口岸通关效率".
    "口岸通关": (TYPED, 15),
    # 20: 知识产权质押贷款 (case 3 is about 知识产权 services, not pledges).
    "知识产权质押": (TYPED, 20),
    # 20: 深化供应链金融创新服务, 供应链核心企业 and their suppliers.
    "供应链金融": (TYPED, 20),
    # 19 探索“杭信贷”融资闭环模式: 信保保单融资.
    "保单融资": (TYPED, 19),
    # 18 打造一站式综合金融服务平台“金融超市”: 房租贷、复工贷 among the 抗疫专项产品.
    "复工贷": (TYPED, 18),
    # 5 打造特色服务贸易集聚区: "突破园区招商".
    "园区招商": (TYPED, 5),
    # 17 创新服务贸易国际化人才服务机制: 武汉"一带一路"服务贸易国际人才校企合作培养基地.
    "一带一路人才培养": (TYPED, 17),
    # Phrases in Chinese quotation marks.
    "“文化贸易”": (TYPED, 6),  # 6 建立文化贸易境外促进中心
    "「邮轮经济」": (TYPED, 8),  # 8: 邮轮经济 six times, nowhere else
    "『一单制』": (TYPED, 11),  # 11: 多式联运"一单制"
    "‘零待时’": (TYPED, 15),  # 15 船舶边检查验“零待时”
    "“三零”服务": (TYPED, 5),  # 5: 零距离、零收费、零障碍的"三零"服务
    # An em dash excludes: of the two China–Europe rail cases, Chengdu's.
    "中欧班列 —重庆": (TYPED, 12),
    # --- ordinary ---
    "新加坡": (ORDINARY, 7),  # 7: the channel to Singapore
    "威海": (ORDINARY, 5),  # 5: 威海服务贸易产业园
    "雄安": (ORDINARY, 10),  # 10: 河北雄安新区提供
    "西咸新区": (ORDINARY, 16),  # 16: 陕西西咸新区提供
    "船票": (ORDINARY, 8),  # 8: 邮轮船票制度试点
    "免税": (ORDINARY, 8),  # 8: 邮轮港进境免税店
    "中医药": (ORDINARY, 9),  # 9: 中医药抗疫服务专场
    "诺丁汉": (ORDINARY, 6),  # 6: the centre in Nottingham
    "出口信用保险": (ORDINARY, 19),  # 19: 中国出口信用保险公司浙江信保
    "宽轨": (ORDINARY, 12),  # 12: 宽轨段"三列并两列"运输
    "外汇": (ORDINARY, 4),  # 4: 外汇业务, 外汇保值
    "智慧城市": (ORDINARY, 10),  # 10: 智慧城市参考架构标准 (7 and 9 only name it)
    "医生": (ORDINARY, 16),  # 16: 国际医生执业资格互认
    "仓库": (ORDINARY, 14),  # 14 打造智慧物流服务平台: 仓库信息
    "研发中心 上海": (ORDINARY, 3),  # 3: Shanghai's R&D centres
    "海南 人才": (ORDINARY, 1),  # 1: Hainan hires foreign talent
    "武汉 人才": (ORDINARY, 17),  # 17: 黄鹤英才, 光谷人才基金
    "人才 成都": (ORDINARY, 17),  # 17: 蓉贝 计划 (case 2 mentions 美食人才 only)
    "深圳 融资": (ORDINARY, 18),  # 18: Shenzhen Bao'an's 金融超市
    "杭州 融资": (ORDINARY, 19),  # 19: 杭信贷
    "广州 通关": (ORDINARY, 15),  # 15: Guangzhou border inspection of ships
    "苏州 物流": (ORDINARY, 14),  # 14: Suzhou's logistics platform
    "上海 邮轮": (ORDINARY, 8),  # 8: 上海吴淞口国际邮轮港
}

# (query, n): (kind, the cases that must fill the top n)
TOP_SET: dict[tuple[str, int], tuple[str, frozenset[int]]] = {
    # --- typed as people type ---
    # 19 and 20 both open on 中小微企业 "融资难".
    ("中小微企业融资难", 2): (TYPED, frozenset({19, 20})),
    # A question: 19 and 20 are the cases about small firms' 融资难 (a third place would be
    # debatable: 18 is about 企业融资难题 in general, 4 names 中小企业 once among Wuhan's measures).
    ("怎么解决中小企业融资难", 2): (TYPED, frozenset({19, 20})),
    # Financing during the pandemic: 4 (疫后资金困难), 19 (受疫情影响…融资问题), 20 (疫情…复工复产).
    ("疫情期间企业融资", 3): (TYPED, frozenset({4, 19, 20})),
    # Wuhan's two finance cases, 4 and 20, with separators from a Chinese keyboard.
    ("融资，武汉", 2): (TYPED, frozenset({4, 20})),
    ("融资\u3000武汉", 2): (TYPED, frozenset({4, 20})),
    ("融资、武汉", 2): (TYPED, frozenset({4, 20})),
    # A full-width minus: without 19 (出口信用保险), the cases with 融资 in the title are 4 and 20.
    ("融资 －保险", 2): (TYPED, frozenset({4, 20})),
    # Chongqing's logistics cases, typed together: 11 海铁联运 and 13 铁路提单.
    ("重庆物流", 2): (TYPED, frozenset({11, 13})),
    # A question: 1 (外籍人才 in Hainan) and 17 (外籍高层次人才来华创新创业).
    ("如何引进外籍人才", 2): (TYPED, frozenset({1, 17})),
    # The three talent cases: 1, 5 (加大人才引进) and 17.
    ("人才引进", 3): (TYPED, frozenset({1, 5, 17})),
    # 12 "赋予铁路运单融资结算功能" and 13 (铁路运单 could not be financed; the 提单 can).
    ("铁路运单融资", 2): (TYPED, frozenset({12, 13})),
    # A full-width bar: the cruise case and the online-fair case.
    ("邮轮｜展会", 2): (TYPED, frozenset({8, 9})),
    # --- ordinary ---
    # Chongqing's logistics cases: 11 and 13.
    ("重庆 物流", 2): (ORDINARY, frozenset({11, 13})),
    # 7 数字贸易 through the data channel, 9 数字服务贸易云展会, 10 数字城市 and 数字金融.
    ("数字贸易", 3): (ORDINARY, frozenset({7, 9, 10})),
    # Medical without the remote cases (7 and 16): 1 (医疗旅游先行区), 3 (医疗健康初创企业), 9 (中医药, 医疗集团).
    ("医疗 -远程", 3): (ORDINARY, frozenset({1, 3, 9})),
    # Lower-case or: the cruise case and the border-inspection case (which also speaks of 邮轮).
    ("邮轮 or 边检", 2): (ORDINARY, frozenset({8, 15})),
}

# query: (kind, cases that must be on the first page of 10)
WITHIN_10: dict[str, tuple[str, frozenset[int]]] = {
    # 10 speaks of 数字货币 and 法定数字货币, never of 数字人民币.
    "数字人民币": (TYPED, frozenset({10})),
    # No case is about e-commerce financing: 4 is cross-border financing (跨境融资), and 5 is the only
    # case with both 跨境电商 (阿里巴巴跨境电商本地服务中心) and 融资.
    "跨境电商融资": (TYPED, frozenset({4, 5})),
}

VENDOR = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"

# Queries whose judged expectation the ranking does not meet yet: query -> (the databases where it
# fails, what goes wrong). Strict: when the ranking is improved, the mark must go.
XFAIL: dict[str, tuple[set[str], str]] = {
    "跨境数据流动": (
        {"sqlite", "postgresql"},
        "no case has all three words; cases with 跨境 and 流动 (3, 4, 17) outrank the data channel (7)",
    ),
    "人才 成都": ({"sqlite"}, "case 2 (成都 21 times, 人才 twice) outranks the talent case 17"),
    "疫情期间企业融资": (
        {"sqlite"},
        "no case has all four words; 9 and 14 (疫情期间, no 融资) and 3 (期间, one 融资) outrank 4, 19 and 20",
    ),
    "供应链金融": ({"postgresql"}, "case 18 (供应链金融机构 once) outranks case 20"),
}


def _params(items) -> list:
    params = []
    for args, q in items:
        marks = []
        if q in XFAIL:
            databases, reason = XFAIL[q]
            marks.append(pytest.mark.xfail(VENDOR in databases, strict=True, reason=reason))
        params.append(pytest.param(*args, marks=marks, id=q))
    return params


@pytest.mark.parametrize(("q", "expected"), _params(((q, case), q) for q, (_, case) in FIRST.items()))
def test_the_case_the_query_is_about_comes_first(q, expected):
    assert top(q, 1) == [expected]


@pytest.mark.parametrize(("q", "n", "expected"), _params(((q, n, cases), q) for (q, n), (_, cases) in TOP_SET.items()))
def test_the_cases_the_query_is_about_fill_the_top(q, n, expected):
    assert set(top(q, n)) == expected


@pytest.mark.parametrize(("q", "expected"), _params(((q, cases), q) for q, (_, cases) in WITHIN_10.items()))
def test_the_case_the_query_is_about_is_on_the_first_page(q, expected):
    assert expected <= set(top(q, 10))


ALL_QUERIES = [*FIRST, *(q for q, _ in TOP_SET), *WITHIN_10]


@pytest.mark.parametrize("q", ALL_QUERIES)
def test_a_judged_query_never_gives_an_empty_page(q):
    results = search_cases(q=q, page_size=10)
    assert results.count > 0 and results.hits


def test_a_full_width_minus_removes_the_cases_with_the_word():
    found = set(top("融资 －保险", 50))
    assert found and not found & {13, 19}  # the only cases with 保险 (13: 运输、金融、保险、结算)


def test_an_em_dash_removes_the_cases_with_the_word():
    assert top("中欧班列 —重庆", 10) == [12]  # 13 is Chongqing's


def test_an_ascii_minus_removes_the_remote_medical_cases():
    found = set(top("医疗 -远程", 50))
    assert found and not found & {7, 16}  # the medical cases that speak of 远程
