"""The careful YAML path: every node with its line and column, and every load problem found.

Used only for files with a problem and for locating diagnostics (see yamlsource).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

try:  # libyaml is what makes loading fast; the pure-Python parser is a slow fallback.
    from yaml._yaml import CParser as Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _P
    from yaml.reader import Reader as _R
    from yaml.scanner import Scanner as _S

    class Parser(_R, _S, _P):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _R.__init__(self, stream)
            _S.__init__(self)
            _P.__init__(self)


@dataclass
class Node:
    line: int  # 1-based
    column: int  # 1-based
    value: Any  # str | None | list[Node] | list[tuple[Node, Node]] (mapping pairs)
    kind: str  # "scalar" | "seq" | "map"


@dataclass
class CarefulResult:
    root: Node | None
    problems: list[tuple[tuple[int, int], str, str]] = field(default_factory=list)


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def careful_load(text: str) -> CarefulResult:
    """Parse keeping marks; collect every load-level problem instead of stopping at the first."""
    result = CarefulResult(None)
    parser = Parser(text)
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    docs = 0

    def attach(node: Node) -> None:
        if not stack:
            if result.root is None:
                result.root = node
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif pending_key[-1] is None:
            if node.kind != "scalar" or node.value is None:
                result.problems.append(((node.line, node.column), "GK111", "键必须是文本，不能是列表、映射或空值"))
                node = Node(node.line, node.column, f"<{node.line}:{node.column}>", "scalar")
            pending_key[-1] = node
        else:
            parent.value.append((pending_key[-1], node))
            pending_key[-1] = None

    while True:
        try:
            e: Any = parser.get_event()  # events differ by type; checked by `type(e) is` below
        except yaml.MarkedYAMLError as err:
            result.problems.append(_syntax_problem(err, text))
            return result
        t = type(e)
        if t is ev.StreamEndEvent:
            break
        if t is ev.DocumentStartEvent:
            docs += 1
            if docs > 1:
                result.problems.append((_pos(e.start_mark), "GK110", "一个文件只能有一个 YAML 文档（去掉多余的“---”）"))
            continue
        anchor = getattr(e, "anchor", None)
        if t is ev.AliasEvent:
            result.problems.append((_pos(e.start_mark), "GK106", f"不允许使用别名“*{anchor}”：请把内容直接写出"))
            attach(Node(*_pos(e.start_mark), None, "scalar"))
            continue
        if anchor is not None:
            result.problems.append((_pos(e.start_mark), "GK106", f"不允许使用锚点“&{anchor}”：请把内容直接写出"))
        if t is ev.ScalarEvent:
            value = None if (e.style == "" and e.value == "") else e.value
            attach(Node(*_pos(e.start_mark), value, "scalar"))
        elif t is ev.MappingStartEvent or t is ev.SequenceStartEvent:
            node = Node(*_pos(e.start_mark), [], "map" if t is ev.MappingStartEvent else "seq")
            attach(node)
            stack.append(node)
            pending_key.append(None)
        elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
            node = stack.pop()
            pending_key.pop()
            if node.kind == "map":
                _duplicate_keys(node, result)
    return result


def _duplicate_keys(node: Node, result: CarefulResult) -> None:
    seen: dict[str, Node] = {}
    for key, _ in node.value:
        first = seen.get(key.value)
        if first is None:
            seen[key.value] = key
            continue
        msg = f"键“{key.value}”重复：第 {first.line} 行已经定义过"
        result.problems.append(((key.line, key.column), "GK103", msg))
        result.problems.append(((first.line, first.column), "GK103", f"键“{key.value}”在第 {key.line} 行又定义了一次"))


_SYNTAX_ZH = [
    ("mapping values are not allowed", "此处不能出现“键: 值”：是否缺少缩进，或值中的冒号需要加引号？"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("did not find expected key", "缩进不一致：同一层的键应对齐"),
    ("did not find expected '-' indicator", "缩进不一致：列表项“-”应对齐"),
    ("found unexpected end of stream", "文件意外结束：是否缺少右引号或右括号？"),
    ("did not find expected ',' or ']'", "方括号列表未正确结束：缺少“,”或“]”"),
    ("did not find expected ',' or '}'", "花括号映射未正确结束：缺少“,”或“}”"),
    ("found character that cannot start any token", "此处的字符不能作为内容开头（例如“@”“`”需要加引号）"),
    ("found undefined tag handle", "未知的标签"),
    ("while scanning a quoted scalar", "引号未闭合"),
    ("exceeded maximum nesting depth", "嵌套层数过多：列表和映射最多嵌套 1000 层，请检查文件结构"),
    ("found unknown escape character", "双引号中的转义字符无效（“\\”需要写成“\\\\”）"),
]

TAB_LINE = re.compile(r"^[ ]*\t", re.M)
TAB_MESSAGE = "缩进中含有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"


def _syntax_problem(err: yaml.MarkedYAMLError, text: str) -> tuple[tuple[int, int], str, str]:
    mark = err.problem_mark or err.context_mark
    pos = _pos(mark) if mark else (1, 1)
    problem = str(err.problem or "")
    lines = text.splitlines()
    if 0 < pos[0] <= len(lines) and "\t" in lines[pos[0] - 1][: pos[1]]:
        return (pos, "GK102", TAB_MESSAGE)
    for english, chinese in _SYNTAX_ZH:
        if english in problem or english in str(err.context or ""):
            return (pos, "GK101", f"YAML 语法错误：{chinese}")
    return (pos, "GK101", f"YAML 语法错误：{problem or err}")
