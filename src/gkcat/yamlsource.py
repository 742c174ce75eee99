"""One YAML file as text, plain data and (only when asked) the line and column of each node.

Every scalar is text: gkcat never applies YAML 1.1 typing, so `yes`, `0102` and `1:20` stay
strings. A plain empty value (`key:`) is None. Anchors, aliases, duplicate keys, tabs in
indentation and several documents in one file are errors.

Speed matters (a province has tens of thousands of files), so the fast path turns libyaml's events
straight into dicts and lists and keeps no positions. Positions are needed only for diagnostics:
`SourceDoc.pos` parses the file a second time, keeping marks, the first time it is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from yaml import events as ev

from .diagnostics import Diagnostic

try:  # libyaml is what makes loading fast; the pure-Python parser is a slow fallback.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _P
    from yaml.reader import Reader as _R
    from yaml.scanner import Scanner as _S

    class _Parser(_R, _S, _P):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _R.__init__(self, stream)
            _S.__init__(self)
            _P.__init__(self)


PathPart = Union[str, int]
Path_ = tuple[PathPart, ...]


class _Problem(Exception):
    """Raised by the fast path; the careful path then finds every problem with its position."""


def _fast_load(text: str) -> Any:
    parser = _Parser(text)
    get = parser.get_event
    scalar_t, map_t, seq_t = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
    end_t = (ev.MappingEndEvent, ev.SequenceEndEvent)
    stack: list[tuple[Any, bool]] = []
    cur: Any = None
    is_map = False
    key: Any = None
    root: Any = None
    docs = 0
    # NOTE: one flat loop with local names; this is the hottest code of `gkcat validate`.
    while True:
        e = get()
        t = type(e)
        if t is scalar_t:
            if e.anchor is not None:
                raise _Problem
            value = None if (e.style == "" and e.value == "") else e.value
            if is_map:
                if key is None:
                    if value is None:
                        raise _Problem
                    key = value
                    continue
                if key in cur:
                    raise _Problem
                cur[key] = value
                key = None
            elif cur is not None:
                cur.append(value)
            else:
                root = value
        elif t is map_t or t is seq_t:
            if e.anchor is not None or (is_map and key is None):
                raise _Problem
            new: Any = {} if t is map_t else []
            if cur is None:
                root = new
            elif is_map:
                if key in cur:
                    raise _Problem
                cur[key] = new
                key = None
            else:
                cur.append(new)
            stack.append((cur, is_map))
            cur, is_map = new, t is map_t
        elif t in end_t:
            cur, is_map = stack.pop()
        elif t is ev.DocumentStartEvent:
            docs += 1
            if docs > 1:
                raise _Problem
        elif t is ev.StreamEndEvent:
            return root
        elif t is ev.AliasEvent:
            raise _Problem


# -- the careful path: nodes with marks -----------------------------------------------------------


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


def _careful_load(text: str) -> CarefulResult:
    """Parse keeping marks; collect every load-level problem instead of stopping at the first."""
    result = CarefulResult(None)
    parser = _Parser(text)
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
            e = parser.get_event()
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
    ("found unknown escape character", "双引号中的转义字符无效（“\\”需要写成“\\\\”）"),
]

_TAB_LINE = re.compile(r"^[ ]*\t", re.M)
_TAB_MESSAGE = "缩进中含有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"


def _syntax_problem(err: yaml.MarkedYAMLError, text: str) -> tuple[tuple[int, int], str, str]:
    mark = err.problem_mark or err.context_mark
    pos = _pos(mark) if mark else (1, 1)
    problem = str(err.problem or "")
    lines = text.splitlines()
    if 0 < pos[0] <= len(lines) and "\t" in lines[pos[0] - 1][: pos[1]]:
        return (pos, "GK102", _TAB_MESSAGE)
    for english, chinese in _SYNTAX_ZH:
        if english in problem or english in str(err.context or ""):
            return (pos, "GK101", f"YAML 语法错误：{chinese}")
    return (pos, "GK101", f"YAML 语法错误：{problem or err}")


# -- decoding -------------------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str | None, tuple[tuple[int, int], str, str] | None]:
    """UTF-8 text (a BOM is dropped), or a GK105 problem saying what the bytes look like."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        try:
            raw.decode("gbk")
            hint = "看起来是 GBK 编码。请转换为 UTF-8，例如：iconv -f GBK -t UTF-8 原文件 > 新文件，或在编辑器中“另存为 UTF-8”"
        except UnicodeDecodeError:
            hint = "请以 UTF-8 编码保存"
        return None, ((line, max(col, 1)), "GK105", f"文件不是 UTF-8 编码（第 {err.start + 1} 字节无法解码）：{hint}")


# -- the document ---------------------------------------------------------------------------------


@dataclass
class SourceDoc:
    """A parsed YAML file: its project-relative path, text and data, with positions on demand."""

    rel: str
    text: str
    data: Any = None
    ok: bool = True
    _root: Node | None = field(default=None, repr=False)
    _composed: bool = field(default=False, repr=False)

    def _node_root(self) -> Node | None:
        if not self._composed:
            self._root = _careful_load(self.text).root
            self._composed = True
        return self._root

    def node(self, path: Path_, key: bool = False) -> Node | None:
        """The node at `path` (or its key node with key=True); the deepest existing one otherwise."""
        node = self._node_root()
        if node is None:
            return None
        for part in path:
            nxt = _child(node, part, key and part is path[-1])
            if nxt is None:
                return node
            node = nxt
        return node

    def pos(self, path: Path_ = (), key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path`, or of its key with key=True."""
        node = self.node(path, key)
        return (node.line, node.column) if node else (1, 1)

    def diag(self, path: Path_, code: str, message: str, key: bool = False, shown: str | None = None) -> Diagnostic:
        """A diagnostic at `path` of this file; `shown` overrides the printed path."""
        return Diagnostic.make(self.rel, self.pos(path, key), code, message, format_path(path) if shown is None else shown)


def _child(node: Node, part: PathPart, want_key: bool) -> Node | None:
    if node.kind == "map" and isinstance(part, str):
        for k, v in node.value:
            if k.value == part:
                return k if want_key else v
    elif node.kind == "seq" and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def format_path(path: Path_) -> str:
    """`items[3].channels[1]`: the readable form of a data path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse(rel: str, raw: bytes) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Decode and parse one file. Returns the document (None when unreadable) and its problems."""
    text, problem = decode(raw)
    if text is None:
        assert problem is not None
        return None, [Diagnostic.make(rel, problem[0], problem[1], problem[2])]
    doc = SourceDoc(rel, text)
    # Tabs first: libyaml's own message for them is obscure, and one tab hides the rest.
    diags = [
        Diagnostic.make(rel, (text.count("\n", 0, m.start()) + 1, m.end() - m.start()), "GK102", _TAB_MESSAGE)
        for m in _TAB_LINE.finditer(text)
    ]
    if not diags:
        try:
            doc.data = _fast_load(text)
        except (_Problem, yaml.YAMLError):
            diags = _careful_diagnostics(rel, text)
    if diags:
        doc.ok = False
        return doc, diags
    if doc.data is None:
        doc.ok = False
        return doc, [Diagnostic.make(rel, (1, 1), "GK104", "文件是空的：请填写内容，或删除此文件")]
    return doc, []


def _careful_diagnostics(rel: str, text: str) -> list[Diagnostic]:
    result = _careful_load(text)
    return [Diagnostic.make(rel, pos, code, msg) for pos, code, msg in result.problems]
