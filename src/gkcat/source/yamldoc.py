"""One YAML file as text, plain data and (only when asked) the line and column of each node.

Every scalar is text: gkcat never applies YAML 1.1 typing, so `yes`, `0102` and `1:20` stay
strings. A plain empty value (`key:`) is None. Anchors, aliases, duplicate keys, tabs in
indentation and several documents in one file are errors.

Speed matters (a province has tens of thousands of files), so the fast path turns libyaml's events
straight into dicts and lists and keeps no positions. Positions are needed only for diagnostics:
`SourceDoc.pos` parses the file a second time, keeping marks, the first time it is asked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from gkcat.diagnostics.diagnostic import CONTROL, Diagnostic
from gkcat.source.slips import keyboard_slips
from gkcat.source.yamlmarks import TAB_LINE, TAB_MESSAGE, Node, Parser, careful_load

PathPart = str | int
Path_ = tuple[PathPart, ...]


# The longest text one value may hold: what a spreadsheet cell holds (Excel's 32,767, counted in UTF-16 units as
# Excel counts; WPS and LibreOffice read as much). A catalog's value goes into a workbook cell whole.
TEXT_LIMIT = 32_767


def utf16_length(text: str) -> int:
    """The length of `text` as Excel counts it: a character beyond U+FFFF takes two."""
    return len(text.encode("utf-16-le")) // 2


class _Problem(Exception):
    """Raised by the fast path; the careful path then finds every problem with its position."""


def _fast_load(text: str) -> Any:
    parser = Parser(text)
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
        e: Any = get()  # Any: libyaml's events differ by type, checked below by `type(e) is`
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
    # the sha256 of the file's bytes: what a rebuild compares to know that a file is unchanged, and the key of
    # what it parses to (source/tree.py hashes the bytes once, for both)
    digest: str = field(default="", repr=False)

    def _node_root(self) -> Node | None:
        if not self._composed:
            self._root = careful_load(self.text).root
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


MISSING = object()  # no value at a path (None is a value: an empty `key:`)


def child(node: Any, part: PathPart) -> Any:
    """`node[part]` of plain YAML data, or MISSING when there is no such key or index."""
    if isinstance(node, dict):
        return node.get(part, MISSING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return MISSING


def format_path(path: Path_) -> str:
    """`items[3].channels[1]`: the readable form of a data path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


NOT_CACHED = object()


def parse(rel: str, raw: bytes, cached: Any = NOT_CACHED, digest: str = "") -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Decode and parse one file. Returns the document (None when unreadable) and its problems.

    `cached`: what the same bytes parsed to in an earlier run (source/cache.py): only a file that
    parsed cleanly is cached, and every check before parsing depends on the bytes alone. `digest`: the
    bytes' sha256, when the caller has it already.
    """
    text, problem = decode(raw)
    if text is None:
        assert problem is not None
        return None, [Diagnostic.make(rel, problem[0], problem[1], problem[2])]
    digest = digest or hashlib.sha256(raw).hexdigest()
    if cached is not NOT_CACHED:
        doc = SourceDoc(rel, text, cached, digest=digest)
        return doc, _value_problems(doc)
    doc = SourceDoc(rel, text, digest=digest)
    raw_controls = _raw_controls(rel, text)
    if raw_controls:  # libyaml refuses them with an English ReaderError; say where each one is
        doc.ok = False
        return doc, raw_controls
    # Tabs first: libyaml's own message for them is obscure, and one tab hides the rest.
    diags = [
        Diagnostic.make(rel, (text.count("\n", 0, m.start()) + 1, m.end() - m.start()), "GK102", TAB_MESSAGE)
        for m in TAB_LINE.finditer(text)
    ]
    # A Chinese keyboard's full-width colon or space where YAML syntax is meant: said where each one is, before
    # libyaml reports something else a line later (source/slips.py)
    diags += [Diagnostic.make(rel, pos, "GK114", message) for pos, message in keyboard_slips(text)]
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
    return doc, _value_problems(doc)


def _value_problems(doc: SourceDoc) -> list[Diagnostic]:
    """What no value may hold, found only where the text could hold it: a control character (only a
    double-quoted escape, "\x01", can put one in a value now) and a value longer than a cell holds."""
    out = _escaped_controls(doc) if "\\" in doc.text else []
    return out + (_long_values(doc) if len(doc.text) > TEXT_LIMIT else [])


def _long_values(doc: SourceDoc) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    stack: list[tuple[Any, Path_]] = [(doc.data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack += [(v, path + (k,)) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, path + (i,)) for i, v in enumerate(value)]
            texts = [v for v in value if isinstance(v, str)]
            # a list goes into one cell (a line per entry, ● before each in the national layout): it must fit too
            joined = sum(utf16_length(v) + 2 for v in texts)
            if len(texts) > 1 and joined > TEXT_LIMIT and all(utf16_length(v) <= TEXT_LIMIT for v in texts):
                out.append(doc.diag(path, "GK113", f"列表合起来过长（{joined:,} 个字符）：一个列表在表格中占一个格子，"
                                                    f"最多 {TEXT_LIMIT:,} 个字符，请精简或拆分到几个事项中"))
        elif isinstance(value, str) and len(value) > TEXT_LIMIT // 2 and (n := utf16_length(value)) > TEXT_LIMIT:
            out.append(doc.diag(path, "GK113", f"文字过长（{n:,} 个字符）：一项内容最多 {TEXT_LIMIT:,} 个字符，"
                                                "这是电子表格一个格子能容纳的长度，请拆分或精简"))
    return sorted(out)


def _control_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _raw_controls(rel: str, text: str, limit: int = 20) -> list[Diagnostic]:
    out = []
    for m in CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append(Diagnostic.make(rel, (line, col), "GK112", f"文件中有不可见的控制字符 {_control_name(m.group())}："
                                   "请删除它（常见于从其他软件复制粘贴的文字）"))
        if len(out) == limit:
            break
    return out


def _escaped_controls(doc: SourceDoc) -> list[Diagnostic]:
    out: list[Diagnostic] = []

    def walk(value: Any, path: Path_) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k, path + (k,)) if CONTROL.search(k) else walk(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, path + (i,))
        elif isinstance(value, str) and (m := CONTROL.search(value)):
            out.append(doc.diag(path, "GK112", f"文本中有控制字符 {_control_name(m.group())}（转义写法）：目录文字会公开发布，"
                                                "不能含有不可见字符，请删除它"))

    walk(doc.data, ())
    return out


def _careful_diagnostics(rel: str, text: str) -> list[Diagnostic]:
    result = careful_load(text)
    return [Diagnostic.make(rel, pos, code, msg) for pos, code, msg in result.problems]
