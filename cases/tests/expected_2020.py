"""Hand-read reference values for the 2020 service-trade pilot best-practice cases.

Every value below was read BY HAND (by eye) from
/work/shared/source/service-trade-pilot-best-practices-2020.txt; no parser or
regex script was used to derive them. They are meant as an independent
reference to check the import parser against.

Conventions used:
- "title" is exactly as printed (single ASCII space kept between two phrases).
  None of the 20 titles contains the PDF artefacts 〃 (for ·) or 臵 (for 置).
- "provider" is the text inside the full-width brackets of the provider line.
- "regions" lists the region names the provider line names, as printed.
- "measures" / "outcomes" / "next_steps" count the items in 一、主要做法 /
  二、实践效果 / 三、下一步工作思路. Items are the （一）（二）… numbered ones;
  sections without numbered items count one item per paragraph
  (case 5 outcomes: 1 paragraph; case 14 measures: intro paragraph + 3 module
  paragraphs = 4). Unnumbered sub-paragraphs under a numbered item (case 5
  measures) do not count as items.
- "first_measure_heading" is the first sentence (through its 。) of item （一）
  of 主要做法 without the numeral, or "" when that section is unnumbered.
"""

EXPECTED_CASES = [
    {
        "number": 1,
        "title": "优化事业单位对外籍人员的管理和服务",
        "provider": "海南省提供",
        "regions": ["海南省"],
        "measures": 4,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "明确适合聘用外国人才的工作岗位。",
    },
    {
        "number": 2,
        "title": "川菜做“媒”，促进美食产业双向开放",
        "provider": "成都市提供",
        "regions": ["成都市"],
        "measures": 5,
        "outcomes": 3,
        "next_steps": 4,
        "first_measure_heading": "注重规划引领和顶层设计。",
    },
    {
        "number": 3,
        "title": "推动设立全球性研发中心和开放式创新平台",
        "provider": "上海市提供",
        "regions": ["上海市"],
        "measures": 4,
        "outcomes": 2,
        "next_steps": 2,
        # heading wraps over source lines 283-285
        "first_measure_heading": "构建完善主体多元、开放协同的科研力量布局和研发体系。",
    },
    {
        "number": 4,
        "title": "拓宽境外融资渠道 助力企业复工复产",
        "provider": "武汉市提供",
        "regions": ["武汉市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "创新企业跨境融资产品和服务。",
    },
    {
        "number": 5,
        "title": "打造特色服务贸易集聚区",
        "provider": "威海市提供",
        "regions": ["威海市"],
        # （一）（二）, each with 3 unnumbered sub-paragraphs (not counted)
        "measures": 2,
        # unnumbered: a single paragraph (source lines 658-676)
        "outcomes": 1,
        "next_steps": 3,
        "first_measure_heading": "黄金地段“腾笼换鸟”，国际水准“筑巢引凤”。",
    },
    {
        "number": 6,
        "title": "建立文化贸易境外促进中心",
        "provider": "杭州市提供",
        "regions": ["杭州市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "探索常态化文化服务海外推广模式。",
    },
    {
        "number": 7,
        "title": "开通中新（重庆）国际互联网数据专用通道",
        "provider": "重庆两江新区提供",
        "regions": ["重庆两江新区"],
        "measures": 4,
        "outcomes": 2,
        "next_steps": 2,
        "first_measure_heading": "高起点规划互联互通战略。",
    },
    {
        "number": 8,
        "title": "积极推进邮轮服务贸易新业态发展",
        "provider": "上海市、天津市提供",
        "regions": ["上海市", "天津市"],
        "measures": 4,
        "outcomes": 3,
        "next_steps": 4,
        "first_measure_heading": "加强宏观政策引导。",
    },
    {
        "number": 9,
        "title": "创新在线数字展览模式",
        "provider": "杭州市提供",
        "regions": ["杭州市"],
        "measures": 5,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "部门联动、政企合作。",
    },
    {
        "number": 10,
        "title": "加快智能城市建设 助力服务贸易新业态发展",
        "provider": "河北雄安新区提供",
        "regions": ["河北雄安新区"],
        # （2C） on source line 1346 is inside item （四）, not an item
        "measures": 5,
        "outcomes": 3,
        "next_steps": 2,
        "first_measure_heading": "推进“一中心四平台”建设。",
    },
    {
        "number": 11,
        "title": "通过海铁联运扩大海运集装箱流转范围",
        "provider": "重庆两江新区提供",
        "regions": ["重庆两江新区"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "创新铁海联运模式。",
    },
    {
        "number": 12,
        "title": "创新国际物流运输模式 促进贸易通关便利化",
        "provider": "成都市提供",
        "regions": ["成都市"],
        "measures": 6,
        "outcomes": 3,
        "next_steps": 2,
        "first_measure_heading": "开展国际物流“多式联运”。",
    },
    {
        "number": 13,
        "title": "创新铁路提单交易模式和规则",
        "provider": "重庆两江新区提供",
        "regions": ["重庆两江新区"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 4,
        "first_measure_heading": "创设铁路提单的物权属性。",
    },
    {
        "number": 14,
        "title": "打造智慧物流服务平台",
        "provider": "苏州市提供",
        "regions": ["苏州市"],
        # unnumbered: intro paragraph ending with ： + 3 module paragraphs
        "measures": 4,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "",
    },
    {
        "number": 15,
        "title": "船舶边检查验“零待时”",
        "provider": "广州市提供",
        "regions": ["广州市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "全面推行网上申报边检手续。",
    },
    {
        "number": 16,
        "title": "探索国际远程会诊和国际医生执业资格互认模式",
        "provider": "陕西西咸新区提供",
        "regions": ["陕西西咸新区"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 2,
        "first_measure_heading": "搭建远程视频会诊平台。",
    },
    {
        "number": 17,
        "title": "创新服务贸易国际化人才服务机制",
        "provider": "杭州市、武汉市、成都市等试点地区提供",
        "regions": ["杭州市", "武汉市", "成都市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "创新高层次人才引进和激励政策。",
    },
    {
        "number": 18,
        "title": "打造一站式综合金融服务平台“金融超市”",
        "provider": "深圳市提供",
        "regions": ["深圳市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "开设“线上+线下”服务大厅。",
    },
    {
        "number": 19,
        "title": "探索“杭信贷”融资闭环模式",
        "provider": "杭州市提供",
        "regions": ["杭州市"],
        # item （三） is split by the page number line " 60 " (source line 2453)
        "measures": 5,
        "outcomes": 3,
        "next_steps": 2,
        "first_measure_heading": "政银企保四方联动，打造融资闭环。",
    },
    {
        "number": 20,
        "title": "应收账款融资服务助力中小微企业发展",
        "provider": "武汉市提供",
        "regions": ["武汉市"],
        "measures": 3,
        "outcomes": 3,
        "next_steps": 3,
        "first_measure_heading": "完善机制，发挥部门协调联动合力。",
    },
]
