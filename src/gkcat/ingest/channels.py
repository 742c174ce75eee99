"""A 公开渠道 cell of a real published table, read as the project's channels.

Offices write the cell as a checklist (■政府网站 □政府公报 …) with boxes drawn in many ways, as
a plain list, or with each channel in its own column; a cell may also carry a note (注：…). What
this returns always validates: a known channel, a near miss mapped to the channel it clearly
means (and said so), or `其他(原文)` with the box, the 其他 prefix and the note taken off.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

OTHER = "其他"
# Boxes seen in real tables. Checked: ■ ☑ ☒ ⊠ ▣ √ ✓ ✔; unchecked: □ ☐ ▢ ○. A PDF turned into text
# gives 口 for a box; symbol fonts converted to text leave letters: Wingdings 2 "R" (☒) and "£" (□),
# Wingdings "þ" (☑) and "¨" (□). Those last ones are boxes only where a channel name follows them.
_CHECKED = "■☑☒⊠▣√✓✔"
_UNCHECKED = "□☐▢○"
_LOOKALIKE_CHECKED = "Rþ"
_LOOKALIKE_UNCHECKED = "口£¨"
_NOTE = re.compile(r"(?:^|\s|[；;。])(注|说明|备注)[：:]")
# Names offices use for a channel of the national list, where the project uses the national name.
SYNONYMS = {
    "纸质载体": "纸质媒体",
    "报刊": "纸质媒体",
    "村居企事业单位公示栏": "社区/企事业单位/村公示栏(电子屏)",
    "社区企事业单位村公示栏": "社区/企事业单位/村公示栏(电子屏)",
    "公示栏": "社区/企事业单位/村公示栏(电子屏)",
    "政府门户网站": "政府网站",
    "便民服务中心": "便民服务站",
    "现场入户": "入户/现场",
}


# a level's word before a channel's name: 县政府门户网站 is the county's 政府门户网站
_PLACE = re.compile(r"^(省|市|县|区|旗|乡|镇|街道|村|社区|县级|区级|市级|乡级|镇级|本级|本级政府|本单位)")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\W_]+", "", text)


@dataclass
class ChannelCell:
    channels: list[str] = field(default_factory=list)
    note: str = ""  # a 注：/说明： printed in the cell, kept as the item's text
    mapped: list[str] = field(default_factory=list)  # "政府服务中心 → 政务服务中心": near misses, for the report
    unticked: bool = False  # a checklist with no box ticked (a PDF's 口 boxes may have lost their ticks)


def _split_note(text: str) -> tuple[str, str]:
    m = _NOTE.search(text)
    if not m:
        return text, ""
    return text[:m.start()].strip(), text[m.start():].strip(" ；;。")


def _boxes(text: str, channels: list[str]) -> tuple[str, str] | None:
    """The checked and unchecked box characters used in this cell, or None when it is not a checklist."""
    checked, unchecked = set(_CHECKED) & set(text), set(_UNCHECKED) & set(text)
    # a look-alike is a box only where it stands right before a channel name
    names = [_key(ch) for ch in channels] + list(SYNONYMS) + [OTHER]
    for ch in _LOOKALIKE_CHECKED + _LOOKALIKE_UNCHECKED:
        for m in re.finditer(re.escape(ch), text):
            after = _key(text[m.end():m.end() + 20])
            if any(after.startswith(n) for n in names if n):
                (checked if ch in _LOOKALIKE_CHECKED else unchecked).add(ch)
    if not checked and not unchecked:
        return None
    return "".join(sorted(checked)), "".join(sorted(unchecked))


def _other_detail(text: str) -> str | None:
    """`其他（法律服务网）`, `其他：法律服务网`, `其他法律服务网` -> 法律服务网; bare 其他 -> ""; None if not 其他."""
    if not text.startswith(OTHER):
        return None
    rest = text[len(OTHER):].strip()
    m = re.match(r"^[（(](.*)[）)]$", rest)
    if m:
        return m.group(1).strip()
    return rest.lstrip("：:、 ").strip()


def _near(text: str, channels: list[str]) -> str | None:
    """The channel a slightly misspelt name clearly means: same length, one character off (政府服务中心)."""
    key = _key(text)
    for ch in channels:
        k = _key(ch)
        if len(k) == len(key) >= 4 and sum(a != b for a, b in zip(k, key, strict=True)) == 1:
            return ch
    found = difflib.get_close_matches(key, [_key(c) for c in channels], n=1, cutoff=0.85)
    return next((c for c in channels if found and _key(c) == found[0]), None)


def _one(text: str, channels: list[str], cell: ChannelCell) -> None:
    text = text.strip(" ：:、，,；;")
    if not text:
        return
    detail = _other_detail(text)
    if detail is not None:
        cell.channels.append(f"{OTHER}({detail})" if detail else OTHER)
        return
    key = _key(text)
    exact = next((ch for ch in channels if _key(ch) == key), None)
    bare = _PLACE.sub("", key)  # 县政府门户网站, 镇便民服务中心: the level's own
    if exact is None and key not in SYNONYMS and bare != key and (bare in SYNONYMS or any(_key(ch) == bare for ch in channels)):
        key = bare
        exact = next((ch for ch in channels if _key(ch) == key), None)
    synonym = SYNONYMS.get(key)
    if exact:
        cell.channels.append(exact)
    elif synonym in channels:
        cell.channels.append(synonym)
        cell.mapped.append(f"{text} → {synonym}")
    elif (near := _near(text, channels)) is not None:
        cell.channels.append(near)
        cell.mapped.append(f"{text} → {near}")
    else:
        cell.channels.append(f"{OTHER}({text})")


def boxes_as_bullets(cells: list[str], channels: list[str]) -> bool:
    """Whether a table's channel cells print boxes and never tick one: then its boxes are bullets (☐县政府门户网站
    alone in a cell is that channel), not a checklist of channels none of which is used."""
    found = [b for b in (_boxes(_split_note(text)[0], channels) for text in cells if text) if b is not None]
    return bool(found) and not any(checked for checked, _ in found)


def read_channels(text: str, channels: list[str], bulleted: bool = False) -> ChannelCell:
    """A channel cell as channels of the project (see the module's docstring); `bulleted`: its table prints boxes
    as bullets (boxes_as_bullets), each boxed name a channel."""
    body, note = _split_note(text)
    cell = ChannelCell(note=note)
    boxes = _boxes(body, channels)
    if boxes is not None:
        checked, unchecked = boxes
        marks = re.escape(checked + unchecked)
        for m in re.finditer(f"([{marks}])([^{marks}]*)", body):
            if m.group(1) in checked or bulleted:
                _one(m.group(2), channels, cell)
        cell.unticked = not checked and not bulleted
        return cell
    # A plain list. Known names first, whole: 入户/现场 and 社区/企事业单位/村公示栏 contain "/".
    rest = body
    for ch in sorted(channels, key=len, reverse=True):
        if ch in rest and ch != OTHER:  # 其他 is read with its detail below
            rest = rest.replace(ch, f"\0{ch}\0")
    for part in re.split(r"\0|[、，,；;\n]+|\s+", rest):
        if part in channels:
            cell.channels.append(part)
        else:
            for piece in re.split(r"/", part) if part.count("/") and _key(part) not in SYNONYMS else [part]:
                _one(piece, channels, cell)
    return cell
