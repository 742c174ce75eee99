"""The field registry: every fact about an item field, declared once.

The models are built from it (`ItemPatch`, `Item`, `ItemDefaults`: types, titles and descriptions, so
the JSON Schemas), and so are the resolved values (`ItemValues`), the fill-in workbook's rows and
columns (`FormRow`), the labels in text, JSON and diff output, the XLSX columns, the import's header
recognition and cell reading, and the warnings for empty values. A field added here appears in all of
them (tests/test_fields.py adds one). Only mypy reads the typed attributes declared beside those
classes under TYPE_CHECKING; the same test checks that they agree with this registry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from gkcat.model.vocabulary import AUDIENCES, METHODS


@dataclass(frozen=True)
class FieldSpec:
    """One item field."""

    id: str  # the YAML key
    label: str  # the national table's header, and the schema title
    short: str  # in running text: explain, diff, messages
    description: str = ""
    header: str = ""  # what an imported table's header starts with (beside `label`), normalised
    empty: tuple[str, str] | None = None  # (code, message) when the resolved value is empty
    width: float = 0  # XLSX column width of its column in the national layout (0: laid out by kind)
    common: bool = True  # may be one of gkcat.yaml's common_fields (共性要素)
    # how an imported table's cell of it is read (ingest/table_reader.py): "name" one line without an outline
    # number, "lines" its lines, "bullets" ●-separated elements, "basis" 《》-titled laws, "names" 、-separated
    # names; "" for a field whose cells are read by their own rules (marks, channels, levels, links)
    read: str = ""
    # its type in files: "text" one text, "texts" a list of texts (one text is a list of one), "choice" one of
    # `choices`, "levels" a list of levels, "links" a list of http(s) links, "extra" the extra fields' mapping
    kind: str = "text"
    choices: tuple[str, ...] = ()
    nonempty: bool = False  # an empty value (text or list) is a format error
    required: bool = False  # every item has it (an override may leave it out)
    defaultable: bool = True  # may be set in a defaults block

    @property
    def many(self) -> bool:
        """A list of values (one string means a list of one in files)."""
        return self.kind in ("texts", "levels", "links")


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("level1", "一级事项", "一级事项", header="一级事项", width=10, read="name", nonempty=True,
              required=True, defaultable=False),
    FieldSpec("level2", "二级事项", "二级事项", header="二级事项", width=14, read="name", required=True,
              defaultable=False),
    FieldSpec("content", "公开内容（要素）", "公开内容", "一句话或一个列表，每项是一个要素", header="公开内容",
              empty=("GK404", "没有公开内容：请填写 content"), width=30, read="bullets", kind="texts", defaultable=False),
    FieldSpec("basis", "公开依据", "公开依据", "法律、法规、规章或文件名称", header="公开依据",
              empty=("GK401", "没有公开依据：请填写 basis，或在 defaults 中设定"), width=26, read="basis", kind="texts"),
    FieldSpec("deadline", "公开时限", "公开时限", "如：信息形成或者变更之日起20个工作日内", header="公开时限",
              empty=("GK403", "公开时限为空：请填写 deadline，或在 defaults 中设定"), width=16, read="lines"),
    FieldSpec("subject", "公开主体", "公开主体",
              "部门角色（小写英文，如 education，按本地区 departments 解析）或部门全称", header="公开主体", width=14,
              read="names", kind="texts"),
    FieldSpec("channels", "公开渠道和载体", "公开渠道", "取自 gkcat.yaml 的 channels 列表", header="公开渠道",
              empty=("GK402", "没有公开渠道：请填写 channels，或在 defaults 中设定"), width=30, kind="texts"),
    FieldSpec("audience", "公开对象", "公开对象", header="公开对象", kind="choice", choices=AUDIENCES),
    FieldSpec("method", "公开方式", "公开方式", header="公开方式", kind="choice", choices=METHODS),
    FieldSpec("levels", "公开层级", "公开层级", "默认为领域的层级", header="公开层级", kind="levels", nonempty=True),
    FieldSpec("links", "已公开内容链接", "已公开内容链接", "只接受 http(s) 链接", header="链接", width=20, kind="links"),
    FieldSpec("extra", "扩展字段", "扩展字段", "gkcat.yaml 中 extra_fields 定义的列", kind="extra"),
)

BY_ID: dict[str, FieldSpec] = {f.id: f for f in FIELDS}
ITEM_FIELDS: tuple[str, ...] = tuple(f.id for f in FIELDS)
LIST_FIELDS: tuple[str, ...] = tuple(f.id for f in FIELDS if f.many)
COMMON_ABLE: tuple[str, ...] = tuple(f.id for f in FIELDS if f.common)
EXTRA_PREFIX = "extra."  # an extra field named in provenance and diffs: "extra.phone"


def registry_class(name: str, declared: type, attributes: list[tuple[str, Any, Any]], **options: Any) -> Any:
    """The class `declared` (what mypy reads) made again with `attributes`, the registry's fields and those
    around them: its methods, docstring and module kept, so that a field added to the registry needs no other
    line. `options`: make_dataclass's (frozen, slots)."""
    own = {f.name for f in dataclasses.fields(declared)}
    methods = {k: v for k, v in vars(declared).items() if not k.startswith("__") and k not in own}
    made = dataclasses.make_dataclass(name, attributes, namespace=methods, **options)
    made.__module__, made.__doc__ = declared.__module__, declared.__doc__  # pickled by name between processes
    return made


def extra_key(name: str) -> str | None:
    """`phone` for "extra.phone"; None for a plain field name."""
    return name[len(EXTRA_PREFIX):] if name.startswith(EXTRA_PREFIX) else None


def extra_name(key: str) -> str:
    """"extra.phone" for the extra field `phone`."""
    return EXTRA_PREFIX + key


def label(name: str, extra_labels: dict[str, str]) -> str:
    """A field's Chinese name in running text; "extra.<id>" is its column label from gkcat.yaml."""
    key = extra_key(name)
    if key is not None:
        return extra_labels.get(key, name)
    spec = BY_ID.get(name)
    return spec.short if spec else name


def title(name: str) -> str:
    """The schema title of a field (the national table's header)."""
    return BY_ID[name].label

