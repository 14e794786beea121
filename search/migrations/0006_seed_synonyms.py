"""The first synonym groups: variants that the 2020 cases use side by side, or that people type for them.

Every word is one word of the query segmentation (some were added to
``search/index/userdict.txt`` for this), stored as ``Synonym.clean`` would.
"""

from django.db import migrations

GROUPS = [
    ("外国 外籍 境外 海外 国外", "案例中“外国人”“外籍人才”“境外”“海外”混用"),
    ("电商 电子商务", ""),
    ("展会 会展 展览 博览会", "云展会、会展公司、展览展示、进口博览会"),
    ("贷款 融资 信贷", "中小微企业融资、信用贷款、信贷产品"),
    ("中小企业 中小微企业 小微企业", "案例多写“中小微企业”，检索时多输入“中小企业”"),
    ("报关 通关 清关", "案例写“通关便利化”，企业常说“报关”“清关”"),
    ("远程医疗 远程诊疗 远程会诊", ""),
    ("外籍人才 外国人才 海外人才", ""),
    ("医师 医生", ""),
    ("线上 网上 在线", "线上展会、网上申报、在线洽谈"),
    ("邮轮 游轮", "“游轮”是常见的写法"),
    ("海铁联运 铁海联运", ""),
    ("自贸区 自贸试验区", ""),
    ("服贸 服务贸易", "“服贸”是常用简称"),
    ("疫情 新冠肺炎 新冠", "案例中均指新冠肺炎疫情"),
    ("高校 大学 院校", ""),
    ("高层次人才 高端人才", ""),
    ("外资 外商投资", ""),
    ("信保 出口信用保险", "“信保”即出口信用保险"),
    ("中医 中医药", ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    existing = set(Synonym.objects.values_list("words", flat=True))
    Synonym.objects.bulk_create(
        [Synonym(words=words, note=note, active=True) for words, note in GROUPS if words not in existing]
    )


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(words__in=[words for words, _ in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0005_synonyms_and_index_words")]

    operations = [migrations.RunPython(seed, unseed)]
