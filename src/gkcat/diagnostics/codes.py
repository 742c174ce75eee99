"""The stable diagnostic codes: each with its severity and a Chinese title. docs/codes.md shows an
example of each, made from the case folders under tests/cases/invalid."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: Severity
    title: str


def _codes(*rows: tuple[str, Severity, str]) -> dict[str, CodeInfo]:
    return {code: CodeInfo(code, sev, title) for code, sev, title in rows}


E, W = Severity.ERROR, Severity.WARNING

# The stable codes. docs/codes.md documents each one with an example, and a test keeps the two
# in step: never renumber a code, only add new ones.
CODES: dict[str, CodeInfo] = _codes(
    ("GK101", E, "YAML 语法错误"),
    ("GK102", E, "缩进中含有制表符"),
    ("GK103", E, "重复的键"),
    ("GK104", E, "空文件"),
    ("GK105", E, "文件不是 UTF-8 编码"),
    ("GK106", E, "不允许使用锚点或别名"),
    ("GK107", E, "文件夹缺少 locality.yaml"),
    ("GK108", E, "符号链接指向项目之外或 .git 文件夹"),
    ("GK109", E, "文件夹名称不合规"),
    ("GK110", E, "一个文件只能有一个 YAML 文档"),
    ("GK111", E, "键必须是文本"),
    ("GK112", E, "含有控制字符"),
    ("GK113", E, "文字过长"),
    ("GK114", E, "全角标点用作 YAML 符号"),
    ("GK201", E, "未知字段"),
    ("GK202", E, "缺少必填字段"),
    ("GK203", E, "取值不在允许范围内"),
    ("GK204", E, "类型不符"),
    ("GK205", E, "标识格式不合规"),
    ("GK206", E, "行政区划代码格式不合规"),
    ("GK207", E, "链接格式不合规"),
    ("GK208", E, "不能为空"),
    ("GK209", E, "地区名称不能用作文件名"),
    ("GK301", E, "标识重复"),
    ("GK302", E, "上级目录中没有此事项"),
    ("GK303", E, "部门角色无法解析"),
    ("GK304", E, "层级不符"),
    ("GK305", E, "公开层级超出范围"),
    ("GK306", E, "领域未登记"),
    ("GK307", E, "领域不延伸到此层级"),
    ("GK308", E, "公开主体是其他地区的部门"),
    ("GK309", E, "下级不能修改共性要素"),
    ("GK310", E, "项目设置不一致"),
    ("GK311", E, "顶层目录不能使用 override 或 exclude"),
    ("GK312", E, "同一事项既被排除又被修改"),
    ("GK313", E, "完成时限无法识别"),
    ("GK314", E, "上级工作要点中没有此任务"),
    ("GK315", E, "同一上级任务既承接又不承接"),
    ("GK316", E, "工作要点的年度与文件名不符"),
    ("GK317", E, "日期无效"),
    ("GK401", W, "没有公开依据"),
    ("GK402", W, "没有公开渠道"),
    ("GK403", W, "公开时限为空"),
    ("GK404", W, "没有公开内容"),
    ("GK405", W, "文件或文件夹被忽略"),
    ("GK406", W, "进展日期不在计划年度内"),
    ("GK407", W, "上级任务既未承接也未说明不承接的理由"),
    ("GK408", W, "负面清单事项一年多未评估"),
)
