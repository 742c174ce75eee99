"""The vocabulary of the format: levels, audiences, methods, channels and 其他(详情), the patterns of
ids, roles, links and codes, and what a locality name may be. Plain data and small predicates, used by
the models, the checks and the renderers alike."""

from __future__ import annotations

import re
from typing import Literal

Level = Literal["province", "city", "county", "town", "village"]
LEVELS: tuple[str, ...] = ("province", "city", "county", "town", "village")
LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "town": "乡级", "village": "村级"}
# What people call the levels, in files, forms, tables and on the command line: each means one level id.
LEVEL_NAMES = {**{zh: lv for lv, zh in LEVEL_ZH.items()}, "省": "province", "市": "city", "县": "county", "区级": "county",
               "县（区）级": "county", "县(区)级": "county", "县（市、区）级": "county", "县(市、区)级": "county",
               "区县级": "county", "县区级": "county", "乡镇级": "town", "镇级": "town", "街道级": "town",
               "乡（镇）级": "town", "乡(镇)级": "town", "镇（街）级": "town", "镇(街)级": "town", "乡镇（街道）级": "town",
               "乡镇(街道)级": "town", "乡": "town", "社区级": "village", "村": "village", "村（社区）级": "village",
               "村(社区)级": "village"}


def level_id(word: object) -> object:
    """A level's id for any of its names (`县级` -> county); anything else as it is, for the model to refuse."""
    return LEVEL_NAMES.get(word.strip(), word) if isinstance(word, str) else word

AUDIENCES = ("全社会", "特定群体")
METHODS = ("主动", "依申请")
# How tables and returned forms write them: one table for the reader, the form and the writers.
AUDIENCE_ALIASES = {"全社会": "全社会", "社会": "全社会", "社会公众": "全社会",
                    "特定群体": "特定群体", "特定对象": "特定群体", "特定群众": "特定群体"}
METHOD_ALIASES = {"主动": "主动", "主动公开": "主动", "依申请": "依申请", "依申请公开": "依申请"}
# What people tick a box with, in Excel, WPS and in tables pasted from elsewhere.
TICKS = frozenset({"√", "✓", "✔", "☑", "■", "●", "是", "v", "V", "y", "Y", "Ｙ"})

# A locality's workbook (render/xlsx/workbooks.py), read back by `gkcat import` (ingest/importer.py).
OVERVIEW_SHEET, EXCLUDED_SHEET, WITHHELD_SHEET = "目录总览", "不适用事项", "负面清单"
EXCLUDED_BY, MADE_BY = "排除单位", "制定单位"
EXCLUDED_HEADER = ("序号", "领域", "事项标识", "一级事项", "二级事项", "不适用理由", EXCLUDED_BY, "来源")
WITHHELD_HEADER = ("序号", "领域", "标识", "不予公开的事项", "不予公开的理由", "依据", MADE_BY)

NATIONAL_CHANNELS: tuple[str, ...] = (
    "政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
    "政务服务中心", "便民服务站", "入户/现场", "社区/企事业单位/村公示栏(电子屏)", "精准推送", "其他",
)

SLUG = r"^[a-z0-9][a-z0-9-]*$"
ROLE = r"^[a-z][a-z0-9-]*$"
ITEM_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
LINK = r"^https?://[^\s<>\"']+$"
CODE = r"^(\d{6}|\d{12})$"


_LINK = re.compile(LINK)


def is_http_link(value: str) -> bool:
    """An accepted link (LINK): only these become links on the site and are requested by check-links."""
    return bool(_LINK.match(value))


def link_problem(value: str) -> str:
    """What keeps `value` from being an accepted link (LINK), in words a user can act on."""
    if not re.match(r"^https?://", value):
        return "只接受以 http:// 或 https:// 开头的网址"
    if re.search(r"\s", value):
        return "网址中不能有空格或换行"
    if re.search(r"[<>\"']", value):
        return "网址中不能有 < > \" ' 这些字符（请写成 %3C %3E %22 %27）"
    return "只接受以 http:// 或 https:// 开头的完整网址"


NAME_LIMIT = 50  # characters; the longest real names (自治州, 自治县 ...) are about 20
_NOT_IN_NAMES = re.compile(r"[/\\\x00-\x1f\x7f-\x9f\ufffe\uffff]")
# Windows refuses these in file names; a workbook's name shows them in their full-width forms.
_FULL_WIDTH = str.maketrans(':*?"<>|', "：＊？＂＜＞｜")


def name_problem(name: str) -> str | None:
    """Why a locality's name cannot be used (it names its workbook file), or None when it can."""
    if len(name) > NAME_LIMIT:
        return f"长度为 {len(name)} 个字符，最多 {NAME_LIMIT} 个"
    bad = _NOT_IN_NAMES.search(name)
    if bad:
        shown = bad.group() if bad.group().isprintable() else f"U+{ord(bad.group()):04X}"
        return f"含有“{shown}”：名称中不能有 / \\ 和控制字符"
    if name.strip(" .") != name or not name.strip(" ."):
        return "不能以空格或“.”开头或结尾"
    return None


def file_name(name: str) -> str | None:
    """The name as part of a file name valid on Linux and Windows, or None when it cannot be one."""
    return None if name_problem(name) else name.translate(_FULL_WIDTH)

_ROLE = re.compile(ROLE)
_OTHER = re.compile(r"^(?P<head>[^()（）]+)[(（](?P<detail>.+)[)）]$")
OTHER_CHANNEL = "其他"


def is_role(entry: str) -> bool:
    return bool(_ROLE.match(entry))


def other_detail(channel: str) -> str | None:
    """The detail of `其他(详情)`; None for any other channel (and for a bare 其他)."""
    m = _OTHER.match(channel)
    return m.group("detail") if m and m.group("head") == OTHER_CHANNEL else None


def channel_base(channel: str) -> str:
    """`其他(办税服务厅)` is the channel 其他 with a detail, as the national tables print it."""
    m = _OTHER.match(channel)
    return m.group("head") if m and m.group("head") == OTHER_CHANNEL else channel
