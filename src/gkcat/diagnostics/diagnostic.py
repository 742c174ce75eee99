"""Diagnostics: what went wrong, where, and how to print it. Standard library only."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
    ("GK108", E, "符号链接指向项目之外"),
    ("GK109", E, "文件夹名称不合规"),
    ("GK110", E, "一个文件只能有一个 YAML 文档"),
    ("GK111", E, "键必须是文本"),
    ("GK112", E, "含有控制字符"),
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
    ("GK401", W, "没有公开依据"),
    ("GK402", W, "没有公开渠道"),
    ("GK403", W, "公开时限为空"),
    ("GK404", W, "没有公开内容"),
    ("GK405", W, "文件或文件夹被忽略"),
)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, at a place in a file (project-relative, `/` separators)."""

    file: str
    line: int
    column: int
    code: str
    message: str
    path: str = ""
    severity: Severity = field(default=Severity.ERROR, compare=False)

    @classmethod
    def make(cls, file: str, pos: tuple[int, int], code: str, message: str, path: str = "") -> Diagnostic:
        """Build a diagnostic whose severity comes from the code table."""
        return cls(file, pos[0], pos[1], code, message, path, CODES[code].severity)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line, column and code, without duplicates."""
    return sorted(set(diags))


def has_errors(diags: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity is Severity.ERROR or strict for d in diags)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to `word`, for a "did you mean" hint, or None when none is close."""
    options = [c for c in choices if c != word]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    if found:
        return found[0]
    # Short Chinese words differ by one character more often than the ratio allows.
    for c in options:
        if word and (word in c or c in word):
            return c
    return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    hint = closest(word, choices)
    return f"，是否为“{hint}”？" if hint else ""


def quote_list(values: Sequence[str], limit: int = 8) -> str:
    shown = "、".join(f"“{v}”" for v in values[:limit])
    return shown + (f" 等 {len(values)} 项" if len(values) > limit else "")


# -- formatting ---------------------------------------------------------------------------------

# C0 and C1 controls, DEL and the non-characters U+FFFE/U+FFFF: never printable, never valid in
# XML 1.0, and in a terminal or a CI log they can clear the screen or start a forged line.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def visible(text: str) -> str:
    """`text` with every control character (newlines and tabs too) written as an escape: one safe line."""
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return _SHOWN.sub(lambda m: names.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                          else f"\\u{ord(m.group()):04x}"), text)


_SEV_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告"}
_COLOUR = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}


def format_text(diags: Sequence[Diagnostic], colour: bool = False, strict: bool = False) -> str:
    lines = []
    for d in diags:
        sev = _SEV_ZH[d.severity]
        if colour:
            sev = f"{_COLOUR[d.severity]}{sev}\033[0m"
        where = f"{visible(d.file)}:{d.line}:{d.column}"
        if colour:
            where = f"\033[1m{where}\033[0m"
        path = f"{visible(d.path)}: " if d.path else ""
        lines.append(f"{where}: {sev} {d.code} {path}{visible(d.message)}")
    lines.append(summary(diags, strict))
    return "\n".join(lines)


def summary(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = len(diags) - errors
    if not diags:
        return "检查通过，没有发现问题。"
    tail = "（--strict：警告按错误处理）" if strict and warnings else ""
    return f"共 {errors} 个错误，{warnings} 个警告{tail}。"


def to_json(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    body = {
        "valid": not has_errors(diags, strict),
        "errors": errors,
        "warnings": len(diags) - errors,
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "path": d.path,
                "message": d.message,
            }
            for d in diags
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    # Escaping rules of GitHub workflow commands: data escapes %, CR, LF; properties also : and ,
    # Controls (newlines too) are made visible first, so that no value can end the command early
    # or start a forged one; what is left to escape is only %.
    text = visible(text).replace("%", "%25")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    out = []
    for d in diags:
        kind = "error" if d.severity is Severity.ERROR or strict else "warning"
        title = _gh_escape(f"{d.code} {CODES[d.code].title}", prop=True)
        path = f"{d.path}: " if d.path else ""
        props = f"file={_gh_escape(d.file, True)},line={d.line},col={d.column},title={title}"
        out.append(f"::{kind} {props}::{_gh_escape(path + d.message)}")
    out.append(summary(diags, strict))
    return "\n".join(out)
