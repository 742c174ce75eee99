"""The fill-in workbook (填报表): its sheets, its columns and the text of each cell, both ways.

A form is a file format like the YAML files. `gkcat form` writes it (render/xlsx/form.py) and
`gkcat import` reads it back (ingest/form.py); both go through the columns and cell rules here, so
that a row written and read back unchanged is equal to what it was made from, and the digest of a
row tells whether the catalog changed since the form was made.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from gkcat.diagnostics.diagnostic import CONTROL
from gkcat.model.fields import BY_ID, FIELDS, FieldSpec, extra_name, registry_class
from gkcat.model.files import ExtraField
from gkcat.model.vocabulary import (
    AUDIENCE_ALIASES,
    AUDIENCES,
    LEVEL_NAMES,
    LEVEL_ZH,
    LINK,
    METHOD_ALIASES,
    METHODS,
    OTHER_CHANNEL,
    TICKS,
    link_problem,
    other_detail,
)

# A domain sheet's identity: a hidden workbook name bound to the sheet, which survives a rename.
# Names take letters, digits, "." and "_": a domain id's "-" becomes "." (ids have no ".").
IDENTITY_PREFIX = "_gkcat."


GUIDE_IDENTITY = IDENTITY_PREFIX + "_guide"  # the 说明 sheet's ("_" starts no domain id)


def sheet_identity(domain_id: str) -> str:
    return IDENTITY_PREFIX + domain_id.replace("-", ".")


def identity_domain(name: str) -> str | None:
    """The domain id a workbook name stands for, or None when it is no sheet identity."""
    return name[len(IDENTITY_PREFIX):].replace(".", "-") if name.lower().startswith(IDENTITY_PREFIX) else None


FORMAT = "2"  # the layout version written into the meta sheet (2: each row's cells as made, for the merge)
META_SHEET = "_gkcat"  # hidden: locality, fingerprint, version, one digest per row
META_MARK = "gkcat 填报表"  # cell A1 of the meta sheet: what makes a workbook a form
GUIDE_SHEET = "说明"
NEW_ROWS = 20  # empty rows under the items of each sheet, for new local items
HEADER_ROW = 2  # row 1 is the title
FIRST_ROW = 3

ID, APPLIES, REASON = "标识", "本级适用", "不适用理由"
# The cover a unit fills in on the 说明 sheet: who answered (round status shows it). The first is
# filled in with the unit's name when the form is made.
COVER = ("填报单位", "填报人", "联系电话", "审核人", "日期")
YES, NO = "是", "否"
CHECK = "√"
APPLIES_ALIASES = {"适用": YES, "不适用": NO, "": YES}
_SPLIT = re.compile(r"[\n、，,；;]+")
_BULLET = re.compile(r"^[●•·◆▪\-]\s*")
_LINK = re.compile(LINK)


@dataclass(frozen=True)
class Column:
    """One column of a domain sheet: its header (exactly as written), what it holds and its drop-down."""

    header: str
    key: str  # "id", a registry field id, "channel", "extra", "applies" or "reason"
    arg: str = ""  # the channel's name, the extra field's id
    choices: tuple[str, ...] = ()  # the drop-down list
    strict: bool = True  # only the choices (the 其他 channel also takes a detail)
    width: float = 12

    @property
    def field(self) -> str:
        """The item field the column edits: channels for every channel column, extra.<id> for an extra field."""
        return "channels" if self.key == "channel" else extra_name(self.arg) if self.key == "extra" else self.key


def columns(channels: Sequence[str], extras: Sequence[ExtraField]) -> list[Column]:
    """The columns of every domain sheet (the headers offices and tests find columns by): 标识, then the
    registry's fields in order, a column per channel and per extra field, 本级适用 and 不适用理由 before the links."""
    out = [Column(ID, "id", width=13)]
    for spec in FIELDS:
        if spec.id == "channels":
            out += [Column(name, "channel", name, (CHECK,), name != OTHER_CHANNEL, 12 if name == OTHER_CHANNEL else 5.5)
                    for name in channels]
        elif spec.id == "extra":
            out += [Column(x.label, "extra", x.id, tuple(x.choices or ()), bool(x.choices)) for x in extras]
        else:
            if spec.id == "links":
                out += [Column(APPLIES, "applies", choices=(YES, NO), width=8), Column(REASON, "reason", width=20)]
            choices = {"audience": AUDIENCES, "method": METHODS}.get(spec.id, ())
            out.append(Column(spec.label, spec.id, choices=choices, width=spec.width or 10))
    return out


@dataclass(frozen=True)
class _DeclaredRow:
    """One row's content as plain values: the same whether made from the catalog or read from a cell.

    Subjects are the department names shown, levels the locality's own and those below it,
    channels sorted (a channel list's order is not the form's to change), extras only when set.

    This is FormRow as mypy reads it. At run time its fields between `id` and `applies` are the registry's
    (below): a field added to the registry has a column and a value without being declared here.
    """

    id: str
    level1: str = ""
    level2: str = ""
    content: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    deadline: str = ""
    subject: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    audience: str = ""
    method: str = ""
    levels: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    applies: bool = True
    reason: str = ""

    def get(self, name: str) -> object:
        """A field by name, extra.<id> for one extra field ("" when unset)."""
        if name.startswith("extra."):
            return dict(self.extra).get(name[len("extra."):], "")
        return getattr(self, name)

    def text(self) -> str:
        """The row as JSON: what the meta sheet keeps of each row as made (the base of a three-way merge)."""
        # its fields as they are (tuples of text): json writes them as asdict() would, without its deep copy
        return json.dumps(vars(self), ensure_ascii=False, sort_keys=True)

    def base_text(self) -> str:
        """text() as a cell keeps it: a reader trims cells and turns U+3000 into a space, so that one is escaped."""
        return self.text().replace("\u3000", "\\u3000")

    def digest(self) -> str:
        """What the row holds, as a short hash stored in the meta sheet."""
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()[:20]


def _row_field(spec: FieldSpec) -> tuple[str, Any, Any]:
    """A registry field in a row: text is "" when unset, lists and the extra pairs ()."""
    return spec.id, Any, field(default=() if spec.many or spec.kind == "extra" else "")


if TYPE_CHECKING:
    FormRow = _DeclaredRow
else:
    FormRow = registry_class("FormRow", _DeclaredRow, [("id", str), *map(_row_field, FIELDS),
                                                       ("applies", bool, field(default=True)),
                                                       ("reason", str, field(default=""))], frozen=True)


def row_from_text(text: str) -> FormRow | None:
    """A row kept by FormRow.text(), or None when the text is not one (edited, cut short, another version)."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        values["extra"] = tuple(tuple(pair) for pair in data.get("extra", ()))
        row = FormRow(**values)
    except (ValueError, TypeError):
        return None
    return row if row.text() == json.dumps(data, ensure_ascii=False, sort_keys=True) else None


def make_row(item_id: str, values: dict[str, object], applies: bool = True, reason: str = "") -> FormRow:
    """A FormRow from values as the catalog has them: lists as tuples, channels sorted, empty extras dropped."""
    extra = values.get("extra") or {}
    assert isinstance(extra, dict)
    given = {k: v for k, v in values.items() if k != "extra" and v is not None}
    given["channels"] = tuple(sorted(given.get("channels", ())))  # type: ignore[call-overload]  # a tuple of str
    return FormRow(item_id, **given, extra=tuple(sorted((k, v) for k, v in extra.items() if v)),  # type: ignore[arg-type]
                   applies=applies, reason=reason)


def fingerprint(locality: str, digests: Sequence[tuple[str, str, str]]) -> str:
    """The whole form's fingerprint: its locality and every (domain, id, digest) in order."""
    text = json.dumps([locality, list(digests)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


# What a form says about itself that decides where its edits may go: checked on import against the round's
# record (round forms) or against the seal this machine put on it (forms made on their own).
IDENTITY_FACTS = ("locality", "round", "form", "department", "scope", "unit", "fingerprint")
NEW_MARK = "new"  # a meta record's base column for a sheet that takes new items (a department's form)


def identity_text(facts: dict[str, str], records: Sequence[Sequence[str]]) -> bytes:
    """The form's identity as bytes: its identifying facts and every record of its meta sheet (sheet, domain,
    item, digest, and whether the sheet takes new rows), as written and as read back alike."""
    rows = [[*r[:4], NEW_MARK if r[4] == NEW_MARK else ""] for r in records]
    return json.dumps([[facts.get(k, "") for k in IDENTITY_FACTS], rows], ensure_ascii=False).encode("utf-8")


BASE_CELL = 30_000  # characters of a row's cells as made per meta cell (a cell holds 32,767)


def base_cells(text: str) -> list[str]:
    """A row as made (FormRow.base_text), in as many cells as it takes; never cut next to a space, since a
    reader trims each cell."""
    out = []
    while len(text) > BASE_CELL:
        cut = BASE_CELL
        while cut > 1 and (text[cut - 1].isspace() or text[cut].isspace()):
            cut -= 1
        out.append(text[:cut])
        text = text[cut:]
    return [*out, text]


def identity_digest(text: bytes) -> str:
    """What the round's record keeps of a form's identity (the record is in git: a digest, not a secret)."""
    return hashlib.sha256(text).hexdigest()[:32]


# -- cells ----------------------------------------------------------------------------------------


def cells(row: FormRow, cols: Sequence[Column]) -> list[str]:
    """The text of each cell of a row. Lists are one value per line."""
    out = []
    for col in cols:
        if col.key == "channel":
            out.append(_channel_cell(row.channels, col.arg))
        elif col.key == "levels":
            out.append("\n".join(LEVEL_ZH[lv] for lv in row.levels))
        elif col.key == "applies":
            out.append(YES if row.applies else NO)
        else:
            value = row.get(col.field)
            out.append("\n".join(value) if isinstance(value, tuple) else str(value))
    return out


def _channel_cell(chosen: tuple[str, ...], name: str) -> str:
    if name != OTHER_CHANNEL:
        return CHECK if name in chosen else ""
    lines = [CHECK] if OTHER_CHANNEL in chosen else []
    return "\n".join(lines + [d for d in map(other_detail, chosen) if d is not None])


@dataclass
class ParsedRow:
    """A row read back: its values, the cell of each field (for messages), and what could not be read."""

    row: FormRow
    where: dict[str, str] = field(default_factory=dict)  # field -> cell reference
    problems: list[str] = field(default_factory=list)  # "义务教育!H7：…"


def _lines(text: str) -> tuple[str, ...]:
    return tuple(x for x in (_BULLET.sub("", line).strip() for line in text.split("\n")) if x)


def read_row(texts: Sequence[str], cols: Sequence[Column], ref: Callable[[int], str]) -> ParsedRow:
    """A row's cells (in `cols` order) as a FormRow; every cell that cannot be read is a problem naming it."""
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    chosen: list[str] = []
    out = ParsedRow(FormRow(""))
    applies, reason = True, ""

    def bad(i: int, message: str) -> None:
        out.problems.append(f"{ref(i)}：{message}")

    for i, (col, raw) in enumerate(zip(cols, texts, strict=True)):
        text = raw.strip()
        out.where.setdefault(col.field, ref(i))
        if (control := CONTROL.search(text)) is not None:  # said here, at the cell, not at the YAML it would go to
            bad(i, f"文字中有不可见的控制字符 U+{ord(control.group()):04X}：请删除它（常见于从其他软件复制粘贴的文字）")
            continue
        if col.key == "channel":
            chosen += _read_channel(text, col, partial(bad, i))
        elif col.key == "extra":
            if text and col.strict and text not in col.choices:
                bad(i, f"“{text}”不是{col.header}的可选值（应为：{'、'.join(col.choices)}）")
            extra[col.arg] = text
        elif col.key == "applies":
            value = APPLIES_ALIASES.get(text, text)
            if value not in (YES, NO):
                bad(i, f"“{text}”应为“是”或“否”")
            applies = value != NO
        elif col.key == "reason":
            reason = " ".join(_lines(text))
        elif col.key in ("audience", "method"):
            aliases = AUDIENCE_ALIASES if col.key == "audience" else METHOD_ALIASES
            values[col.key] = _choice(text, col, aliases, partial(bad, i))
        elif col.key == "levels":
            values["levels"] = _read_levels(text, partial(bad, i))
        elif col.key == "links":
            links = _lines(text)
            for link in links:
                if not _LINK.match(link):
                    bad(i, f"链接“{link[:60]}”：{link_problem(link)}")
            values["links"] = links
        elif col.key == "id":
            values["id"] = text
        elif col.key == "subject":
            values["subject"] = tuple(x.strip() for x in _SPLIT.split(text) if x.strip())
        elif BY_ID[col.key].many:
            values[col.key] = _lines(text)
        else:
            values[col.key] = " ".join(text.split("\n")) if col.key != "deadline" else text
    values["channels"] = tuple(chosen)
    values["extra"] = extra
    item_id = str(values.pop("id", ""))
    out.row = make_row(item_id, values, applies, reason)
    return out


def _read_channel(text: str, col: Column, bad: Callable[[str], None]) -> list[str]:
    if not text:
        return []
    if col.arg != OTHER_CHANNEL:
        if text in TICKS:
            return [col.arg]
        bad(f"“{text[:20]}”：渠道列应填“{CHECK}”或留空")
        return []
    out = []
    for line in _lines(text):
        out.append(OTHER_CHANNEL if line in TICKS else f"{OTHER_CHANNEL}({line})")
    return out


def _choice(text: str, col: Column, aliases: dict[str, str], bad: Callable[[str], None]) -> str:
    value = aliases.get(text, text)
    if value and value not in col.choices:
        bad(f"“{text[:20]}”应为{'或'.join(f'“{c}”' for c in col.choices)}")
        return text
    return value


def _read_levels(text: str, bad: Callable[[str], None]) -> tuple[str, ...]:
    found = []
    for word in (w.strip() for w in _SPLIT.split(text)):
        if not word:
            continue
        level = LEVEL_NAMES.get(word)
        if level is None:
            bad(f"“{word[:20]}”不是层级：应为{'、'.join(LEVEL_ZH.values())}，每行一个")
        elif level not in found:
            found.append(level)
    order = list(LEVEL_ZH)
    return tuple(sorted(found, key=order.index))
