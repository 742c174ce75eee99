"""Writing new values into an existing YAML file with the smallest edit.

A catalog's overlay records decisions, often with a comment saying why. When an import brings
changes, PyYAML would rewrite the file and lose the comments, the key order and the list style.
ruamel.yaml's round-trip mode keeps them: the file is loaded as commented nodes, only the values
that differ are replaced, entries of a list of items are matched by id, and what is untouched is
written back byte for byte.
"""

from __future__ import annotations

import difflib
import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

_BOM = "\ufeff"
# the first `- ` under a key tells how this file indents its lists
_FIRST_LIST = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)- ", re.M)


def _yaml_for(text: str) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line that was not folded
    m = _FIRST_LIST.search(text)
    # a file with no list yet gets the format's style: `- ` two spaces in from its key
    offset = max(0, len(m.group(2)) - len(m.group(1))) if m else 2
    y.indent(mapping=2, sequence=offset + 2, offset=offset)
    return y


def _fresh(value: Any) -> Any:
    """A new value as gkcat writes one: lists of plain text on one line, mappings in blocks."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _fresh(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_fresh(v) for v in value)
        if all(isinstance(v, str) and "\n" not in v for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _ids(items: Any) -> list[Any] | None:
    """The ids of a list of mappings that all have one, else None."""
    if isinstance(items, list) and items and all(isinstance(x, dict) and "id" in x for x in items):
        return [x["id"] for x in items]
    return None


def _merged(old: Any, new: Any) -> Any:
    """`old` changed to equal `new`, keeping every node (and its comments) that can be kept."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        # A new key goes at the end: inserted before another key, it would land under the comment
        # written above that key (ruamel keeps such a comment with the key before it).
        for key, value in new.items():
            old[key] = _merged(old[key], value) if key in old else _fresh(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        if _plain(old) == new:
            return old
        old_ids, new_ids = _ids(old), _ids(new)
        if old_ids is not None and new_ids is not None:
            by_id = {x["id"]: x for x in old}
            kept = [_merged(by_id[x["id"]], x) if x["id"] in by_id else _fresh(x) for x in new]
            old[:] = kept
            return old
        old[:] = [_fresh(v) for v in new]
        return old
    return old if _plain(old) == new else _fresh(new)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return str(node) if node is not None and not isinstance(node, (str, bool)) else node


def edit(text: str, target: dict[str, Any]) -> str:
    """`text` (a YAML mapping) edited to hold exactly `target`, with the smallest change."""
    bom = _BOM if text.startswith(_BOM) else ""
    y = _yaml_for(text)
    data = y.load(text[len(bom):])
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    if _plain(data) == target:  # nothing to change: not even the layout ruamel would write anew
        return text
    data = _merged(data, target)
    buf = io.StringIO()
    y.dump(data, buf)
    return bom + _comments_kept(text[len(bom):], buf.getvalue())


# A line that opens a block scalar (`key: |`, `- >-`): the more-indented lines after it are text, not comments.
_BLOCK = re.compile(r"[:-][ \t]+[|>][0-9+-]*[ \t]*(?:#.*)?$")


def _kinds(lines: list[str]) -> list[str]:
    """Each line's kind: "#" a full-line comment, "" blank, "c" anything else (block scalar text included)."""
    out: list[str] = []
    inside = -1  # the indentation of the line that opened a block scalar, while in one
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if inside >= 0 and (not stripped or indent > inside):
            out.append("c")
            continue
        inside = indent if _BLOCK.search(line.rstrip("\n")) else -1
        out.append("" if not stripped else "#" if stripped.startswith("#") else "c")
    return out


def _comments_kept(old: str, new: str) -> str:
    """`new` with every full-line comment of `old` above the line it stood above, unless that line is gone.

    ruamel keeps a comment written above a key with the node before it: removing that node (the last
    exclude entry) drops the comment, and appending to it moves the comment above the new entry. A
    comment describes what follows it, so here each goes back above its line, matched by content.
    """
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_kinds, new_kinds = _kinds(old_lines), _kinds(new_lines)
    old_code = [i for i, k in enumerate(old_kinds) if k == "c"]
    new_code = [i for i, k in enumerate(new_lines) if new_kinds[i] == "c"]
    where: dict[int, int] = {}  # old code line -> new code line, where it is kept or replaced in place
    matcher = difflib.SequenceMatcher(None, [old_lines[i] for i in old_code], [new_lines[i] for i in new_code],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(i1, min(i2, i1 + (j2 - j1))):
                where[old_code[k]] = new_code[j1 + k - i1]
    # each comment block of `old` (with the blank lines before it), by the code line below it (len: the end)
    above: dict[int, list[str]] = {}
    block: list[str] = []
    for i, kind in enumerate(old_kinds):
        if kind == "c":
            if any(line.strip() for line in block):
                above.setdefault(where.get(i, -1), []).extend(block)
            block = []
        else:
            block.append(old_lines[i])
    if any(line.strip() for line in block):
        above[len(new_lines)] = block
    above.pop(-1, None)  # above a line the edit removed: the comment goes with it
    out: list[str] = []
    for j, line in enumerate([*new_lines, ""]):
        comments = above.get(j)
        if comments:  # the comments with the blank lines around them, as they were: the new text's blank lines go
            while out and not out[-1].strip():
                out.pop()
            out += [kept if kept.endswith("\n") else kept + "\n" for kept in comments]
        if j < len(new_lines) and new_kinds[j] != "#":
            out.append(line)
    text = "".join(out)
    return text if text.strip() else new


def has_comments(text: str) -> bool:
    """Whether a YAML file holds a comment (a file with none may be removed when it becomes empty)."""
    return any(line.lstrip().startswith("#") or " #" in line for line in text.splitlines())
