"""Regenerate catalogs/domains.yaml and the city's base catalogs from the reference tables.

    python tools/make_samples.py [../shared/reference/standard-catalogs]

The rows come verbatim from the reference TSVs (national table content read from published
county and town catalogs). Only these choices are made here, each stated below:
- which department *role* stands for the generic subject the national table prints;
- rows whose 公开内容 was never observed are left out (an empty cell means "not observed");
- where a row's basis, channels or subject was not observed, the file's `defaults` apply:
  the 政府信息公开条例 as basis, 政府网站 as channel, the domain's lead roles as subject.
Localities and overlays under catalogs/ are written by hand, not by this script.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGS = HERE.parent / "catalogs"
DEFAULT_REF = HERE.parent.parent / "shared" / "reference" / "standard-catalogs"

TOWN = ["city", "county", "town"]
COUNTY = ["city", "county"]

# (slug, name as in seed 000 附件1 or seed 003, levels, lead roles, id prefix)
# Levels: the 16 domains that seed 001 lists as reaching 镇级 reach towns; the rest stop at
# counties. Lead roles: seed 000 附件1 (merged cells 养老服务 / 农村集体土地征收 / 救灾 take the
# department above them, as seed 001 confirms for its district). The five newer domains are from
# seed 003 (task 13 names 区交通运输局、区文旅局、区统计局 as leads and 各镇、街 as responsible).
DOMAINS = [
    ("zhongda-jianshe-xiangmu", "重大建设项目", COUNTY, ["development-reform"], "zdxm"),
    ("gonggong-ziyuan-jiaoyi", "公共资源交易", COUNTY, ["development-reform", "public-resources-trading"], "ggzy"),
    ("yiwu-jiaoyu", "义务教育", TOWN, ["education"], "ywjy"),
    ("huji-guanli", "户籍管理", TOWN, ["public-security"], "hjgl"),
    ("shehui-jiuzhu", "社会救助", TOWN, ["civil-affairs"], "shjz"),
    ("yanglao-fuwu", "养老服务", TOWN, ["civil-affairs"], "ylfw"),
    ("gonggong-falv-fuwu", "公共法律服务", TOWN, ["justice"], "ggfl"),
    ("caizheng-yujuesuan", "财政预决算", COUNTY, ["finance"], "czys"),
    ("jiuye", "就业", TOWN, ["human-resources"], "jy"),
    ("shehui-baoxian", "社会保险", TOWN, ["human-resources", "healthcare-security"], "shbx"),
    ("guotu-kongjian-guihua", "城乡规划", COUNTY, ["natural-resources"], "cxgh"),
    ("nongcun-jiti-tudi-zhengshou", "农村集体土地征收", TOWN, ["natural-resources"], "tdzs"),
    ("shengtai-huanjing", "生态环境", COUNTY, ["ecology-environment"], "sthj"),
    ("baozhangxing-zhufang", "保障性住房", TOWN, ["housing"], "bzzf"),
    ("guoyou-tudi-fangwu-zhengshou", "国有土地上房屋征收与补偿", COUNTY, ["natural-resources"], "fwzs"),
    ("nongcun-weifang-gaizao", "农村危房改造", TOWN, ["housing"], "wfgz"),
    ("shizheng-fuwu", "市政服务", COUNTY,
     ["public-utilities", "urban-rural-construction", "urban-management", "water"], "szfw"),
    ("chengshi-zonghe-zhifa", "城市综合执法", TOWN, ["urban-management"], "zhzf"),
    ("shenong-butie", "涉农补贴", COUNTY, ["agriculture"], "snbt"),
    ("gonggong-wenhua-fuwu", "公共文化服务", TOWN, ["culture-tourism"], "ggwh"),
    ("weisheng-jiankang", "卫生健康", COUNTY, ["health"], "wsjk"),
    ("anquan-shengchan", "安全生产", TOWN, ["emergency"], "aqsc"),
    ("jiuzai", "救灾", TOWN, ["emergency"], "jz"),
    ("shipin-yaopin-jianguan", "食品药品监管", TOWN, ["market-regulation"], "spyp"),
    ("shuishou-guanli", "税收管理", COUNTY, ["taxation"], "ssgl"),
    ("fupin", "扶贫", TOWN, ["agriculture"], "fp"),
    ("jiaotong-yunshu", "交通运输", TOWN, ["transport"], "jtys"),
    ("lvyou", "旅游", TOWN, ["culture-tourism"], "ly"),
    ("guangbo-dianshi", "广播电视", TOWN, ["culture-tourism"], "gbds"),
    ("tongji", "统计", TOWN, ["statistics"], "tj"),
    ("xinwen-chuban-banquan", "新闻出版版权", TOWN, ["culture-tourism"], "xwcb"),
]

# The national tables print a generic subject; a role resolves it per locality (format.md §5).
# Parts that are not a government department (schools, villages, purchasers) stay literal.
SUBJECTS = {
    "城市管理行政执法部门或相关行政主管部门": ["urban-management"],
    "县级教育部门": ["education"],
    "应急管理部门": ["emergency"],
    "县级人民政府民政部门、乡镇人民政府(街道办事处)": ["civil-affairs", "township"],
    "住房和城乡建设部门": ["housing"],  # 农村危房改造: 市房产局 leads it in Shenyang (附件1)
    "人力资源社会保障部门": ["human-resources"],
    "市级生态环境部门": ["ecology-environment"],
    "公安机关": ["public-security"],
    "税务主管部门": ["taxation"],
    "相关审批部门": ["development-reform"],
    "县级人民政府民政部门": ["civil-affairs"],
    "司法行政部门": ["justice"],
    "县级文化和旅游部门、相关公共文化服务机构": ["culture-tourism", "相关公共文化服务机构"],
    "自然资源主管部门": ["natural-resources"],
    "市场监督管理、行政审批相关责任部门": ["market-regulation", "business-environment"],
    "县级扶贫部门、乡镇人民政府": ["agriculture", "township"],
    "住房保障行政主管部门": ["housing"],
    "人民政府住房保障行政主管部门": ["housing"],
    "负责审批的燃气管理部门": ["public-utilities"],
    "自然资源管理部门以及负责实施农村集体土地征收的有关部门(含乡镇政府等)": ["natural-resources", "township"],
    "自然资源管理部门和负责农村集体土地征收的有关部门": ["natural-resources"],
    "地方各级财政部门": ["finance"],
    "县级教育部门、义务教育阶段学校": ["education", "义务教育阶段学校"],
    "县级扶贫部门、贫困人口所在行政村": ["agriculture", "贫困人口所在行政村"],
    "县级卫生健康部门": ["health"],
    "县级农业农村部门": ["agriculture"],
    "县级人力资源社会保障部门、乡镇人民政府(街道办事处)": ["human-resources", "township"],
    "县(区、市)人民政府及房屋征收部门": ["government", "natural-resources"],
    "采购人或者其委托的采购代理机构": ["采购人或者其委托的采购代理机构"],
    "自然资源主管部门/乡镇人民政府(街道办事处)": ["natural-resources", "township"],
    "县(区、市)人民政府及相关部门": ["government"],
    "县(区、市)人民政府": ["government"],
    "乡镇人民政府(街道办事处)": ["township"],
}
LEVEL = {"县级": "county", "乡级": "town"}
DEFAULT_BASIS = ["《中华人民共和国政府信息公开条例》"]
DEFAULT_CHANNELS = ["政府网站"]

_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")


def scalar(text: str, flow: bool = False) -> str:
    """A YAML scalar: plain when that is unambiguous, else double-quoted."""
    risky = ": " in text or " #" in text or text.endswith(":") or text != text.strip()
    if flow:
        risky = risky or any(c in text for c in ",[]{}")
    return text if _PLAIN.match(text) and not risky else json.dumps(text, ensure_ascii=False)


def flow(values: list[str]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def schema_line(depth: int, name: str) -> str:
    return f"# yaml-language-server: $schema={'../' * (depth + 1)}schemas/{name}.schema.json\n"


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def item_yaml(item: dict) -> str:
    """One item, its keys in the order of the national table's columns."""
    lines = [f"  - id: {item['id']}"]
    for key in ("level1", "level2", "content", "basis", "deadline", "subject", "channels", "audience", "method", "levels"):
        value = item.get(key)
        if not value:
            continue
        if key in ("content", "basis"):
            lines.append(f"    {key}:")
            lines += [f"      - {scalar(v)}" for v in value]
        elif isinstance(value, list):
            lines.append(f"    {key}: {flow(value)}")
        else:
            lines.append(f"    {key}: {scalar(value)}")
    return "\n".join(lines) + "\n"


# The negative list (负面清单) the city sets for every locality: entries the 条例 itself names.
WITHHELD = {
    "yiwu-jiaoyu": [("ks-st", "未启用的考试试题", "属于国家秘密",
                     ["《中华人民共和国政府信息公开条例》第十四条", "《中华人民共和国保守国家秘密法》"])],
    "shehui-jiuzhu": [("jzdx-grxx", "救助对象的身份证件号码、银行账户等个人信息", "涉及个人隐私，公开会对第三方合法权益造成损害",
                       ["《中华人民共和国政府信息公开条例》第十五条"])],
    "huji-guanli": [("hjxx", "公民个人户籍信息", "涉及个人隐私，公开会对第三方合法权益造成损害",
                     ["《中华人民共和国政府信息公开条例》第十五条"])],
}


def withheld_yaml(slug: str) -> str:
    entries = WITHHELD.get(slug, [])
    if not entries:
        return ""
    out = "withheld:\n"
    for wid, title, reason, basis in entries:
        out += f"  - id: {wid}\n    title: {scalar(title)}\n    reason: {scalar(reason)}\n    basis: {flow(basis)}\n"
    return out


def rows(ref: Path, slug: str) -> list[dict[str, str]]:
    path = ref / f"{slug}.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def base_file(ref: Path, slug: str, levels: list[str], lead: list[str], prefix: str) -> tuple[str, int, int] | None:
    data = rows(ref, slug)
    if not data:
        return None
    items, skipped, unnumbered = [], 0, 0
    need = {"basis": False, "channels": False, "subject": False}
    for row in data:
        if not row["content"].strip():
            skipped += 1
            continue
        if row["seq"]:
            item_id = f"{prefix}-{int(row['seq']):02d}"
        else:
            unnumbered += 1
            item_id = f"{prefix}-n{unnumbered}"
        item = {
            "id": item_id,
            "level1": row["level1"].strip() or "—",
            "level2": row["level2"].strip() or "—",
            "content": split(row["content"]),
            "basis": split(row["basis"]),
            "deadline": row["deadline"].strip(),
            "subject": SUBJECTS[row["subject"]] if row["subject"] else [],
            "channels": split(row["channels"]),
            "audience": row["audience"].strip(),
            "method": row["method"].strip(),
            "levels": [LEVEL[x] for x in split(row["levels"]) if LEVEL[x] in levels],
        }
        for key in need:
            need[key] = need[key] or not item[key]
        items.append(item)
    head = schema_line(1, "domain-base") + f"# 由 tools/make_samples.py 依据 reference/standard-catalogs/{slug}.tsv 生成\n"
    out = head + f"domain: {slug}\n"
    defaults = []
    if need["basis"]:
        defaults.append(f"  basis: {flow(DEFAULT_BASIS)}")
    if need["subject"]:
        defaults.append(f"  subject: {flow(lead)}")
    if need["channels"]:
        defaults.append(f"  channels: {flow(DEFAULT_CHANNELS)}")
    if defaults:
        out += "defaults:\n" + "\n".join(defaults) + "\n"
    out += "items:\n" + "".join(item_yaml(i) for i in items) + withheld_yaml(slug)
    return out, len(items), skipped


def domains_yaml() -> str:
    out = schema_line(0, "domains")
    out += "# 26 个试点领域（沈阳市实施方案附件1 的名称与牵头部门）及辽中区 2022 年工作要点提到的新领域\n"
    for slug, name, levels, lead, _ in DOMAINS:
        out += f"- id: {slug}\n  name: {name}\n  levels: {flow(levels)}\n  lead: {flow(lead)}\n"
    return out


def main(argv: list[str]) -> int:
    ref = Path(argv[1]) if len(argv) > 1 else DEFAULT_REF
    if not ref.is_dir():
        print(f"找不到参考目录：{ref}", file=sys.stderr)
        return 2
    (CATALOGS / "domains.yaml").write_text(domains_yaml(), encoding="utf-8")
    for slug, _name, levels, lead, prefix in DOMAINS:
        made = base_file(ref, slug, levels, lead, prefix)
        if made is None:
            continue
        text, count, skipped = made
        (CATALOGS / "shenyang" / f"{slug}.yaml").write_text(text, encoding="utf-8")
        print(f"{slug}: {count} items, {skipped} rows without observed content left out")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
