"""What a Chinese keyboard puts into YAML: full-width punctuation where YAML wants its own, found at its place.

On a Chinese input method the colon and the space come out full-width (：, U+3000) unless the typist
switches, and a key's colon is easily typed without the space after it. libyaml then reports something
else, elsewhere: a full-width colon is "could not find expected ':'" one line later (past the end of the
file on its last line), a full-width space in the indentation makes an unknown key named "　　audience".
So these slips are looked for in the text first, each reported where it is, naming the character and the
fix. Only where YAML syntax is meant (a key's colon, the indentation): a full-width colon inside Chinese
text (`content: 招生范围：本区`, `- 招生范围：本区`) is text, and left alone.
"""

from __future__ import annotations

import re

FULL_COLON, FULL_SPACE = "：", "\u3000"
# a line's indentation, an optional list dash, a key, and what follows it
_LINE = re.compile(r"^(?P<indent>[ \u3000]*)(?P<dash>-[ \u3000]+)?(?P<rest>.*)$")
_ASCII_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_KEY_FULL = re.compile(r"^(?P<key>[^\s:：#'\"\[\]{},&*!|>%@`-][^\s:：#'\"\[\]{},]{0,29}?)[ \u3000]*：")
_KEY_TIGHT = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?P<value>[^\s/:].*)$")
_BLOCK = re.compile(r"(^|:[ \t]+|^-[ \t]+)[|>][-+0-9]*[ \t]*(#.*)?$")
# cheap first look: is there anything to find at all? (most files have neither)
_ANY = re.compile(r"[：\u3000]|^[ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_-]*:[^\s/:]", re.M)

Slip = tuple[tuple[int, int], str]  # (line, column), 1-based, and the message


def keyboard_slips(text: str) -> list[Slip]:
    """Every full-width colon or space used as YAML syntax, and every key's colon with no space after it."""
    if not _ANY.search(text):
        return []
    out: list[Slip] = []
    block: int | None = None  # the indentation of the key that opened a block scalar (| or >)
    opened = True  # the line before opened a mapping or a list (its lines are keys, not continued text)
    above = -1  # the indentation of the last line that set a key
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip(" \u3000\r")
        m = _LINE.match(line.rstrip("\r"))
        assert m is not None
        indent, dash, rest = m.group("indent"), m.group("dash") or "", m.group("rest")
        width = len(indent)
        if block is not None:
            if not stripped or width > block:
                continue  # a block scalar's text, whatever it holds
            block = None
        if not stripped or stripped.startswith("#"):
            continue
        if FULL_SPACE in indent or FULL_SPACE in dash:
            col = (indent + dash).index(FULL_SPACE) + 1
            where = "缩进" if FULL_SPACE in indent else "列表符号“-”后面"
            out.append(((n, col), f"{where}有全角空格“　”：YAML 只能用半角空格，请换成半角空格（一个全角空格换成两个半角空格）"))
            opened = True
            continue
        continued = not opened and not dash and width > above  # a plain scalar going on from the line before
        full = _KEY_FULL.match(rest)
        if full is not None and not continued and (not dash or _ASCII_KEY.fullmatch(full.group("key"))) \
                and ": " not in rest[: full.end()]:
            key = full.group("key")
            value = rest[full.end():].strip()
            shown = f"{key}: {value}" if value else f"{key}:"
            out.append(((n, width + len(dash) + rest.index(FULL_COLON, len(key)) + 1),
                        f"全角冒号“：”：键“{key}”后面应是半角冒号和空格，写作“{shown}”（切换到英文标点输入）"))
        elif (tight := _KEY_TIGHT.match(rest)) is not None and not continued:
            key, value = tight.group("key"), tight.group("value")
            out.append(((n, width + len(dash) + len(key) + 1),
                        f"冒号“:”后面缺少空格：YAML 的键和值之间要有空格，写作“{key}: {value.strip()}”"))
        if _BLOCK.search(rest):
            block = width + len(dash) if dash else width
        opened = rest.endswith(":") or rest.endswith("：") or bool(dash and rest.endswith(":"))
        above = width + len(dash)
    return out
