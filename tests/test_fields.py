"""The field registry (model/fields.py) is the one place a field is declared: the typed attributes
that mypy needs must list the same fields, and everything that shows a field reads its label there."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gkcat.ingest.table_reader import RawItem
from gkcat.model.fields import BY_ID, FIELDS, ITEM_FIELDS, label
from gkcat.model.files import Item, ItemDefaults, ItemPatch
from gkcat.model.form import FormRow, columns
from gkcat.model.vocabulary import AUDIENCE_ALIASES
from gkcat.resolve.item import ItemValues


def test_the_models_rows_and_values_are_built_from_the_registry():
    assert list(ItemPatch.model_fields) == list(ITEM_FIELDS)
    assert [f.name for f in dataclasses.fields(ItemValues)] == list(ITEM_FIELDS)
    assert list(ItemDefaults.model_fields) == [f.id for f in FIELDS if f.defaultable]
    assert set(Item.model_fields) == set(ITEM_FIELDS) | {"id"}
    assert {n for n, f in Item.model_fields.items() if f.is_required()} == {"id", *(f.id for f in FIELDS if f.required)}
    # the fill-in workbook's row has every field (extras as pairs) besides its id and 本级适用
    assert [f.name for f in dataclasses.fields(FormRow)] == ["id", *ITEM_FIELDS, "applies", "reason"]
    assert [f.name for f in dataclasses.fields(RawItem)] == ["row", *ITEM_FIELDS, "remarks"]


_TYPES = {"text": (str, str | None), "choice": (str, str | None), "texts": (tuple[str, ...], list[str]),
          "levels": (tuple[str, ...], list[str]), "links": (tuple[str, ...], list[str]),
          "extra": (tuple[tuple[str, str], ...], dict[str, str])}


@pytest.mark.parametrize("declared", ["gkcat.resolve.item:_Declared", "gkcat.model.form:_DeclaredRow",
                                      "gkcat.ingest.table_reader:_DeclaredRaw"])
def test_what_mypy_reads_agrees_with_the_registry(declared):
    """The typed attributes mypy reads are the registry's fields in its order, each of a type its kind allows."""
    import importlib
    import typing

    module, name = declared.split(":")
    cls = getattr(importlib.import_module(module), name)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name in BY_ID]
    assert names == [f for f in ITEM_FIELDS if f in names]
    for n in names:
        assert hints[n] in _TYPES[BY_ID[n].kind], (n, hints[n])


def test_the_fill_in_workbook_has_a_column_per_field_in_registry_order():
    fields = list(dict.fromkeys(c.key for c in columns(["政府网站", "其他"], [])))
    assert [f for f in fields if f in ITEM_FIELDS or f == "channel"] == \
        ["channel" if f == "channels" else f for f in ITEM_FIELDS if f != "extra"]
    assert [c.header for c in columns([], [])][-3:] == ["本级适用", "不适用理由", BY_ID["links"].label]


@pytest.mark.parametrize("model", [ItemPatch, Item, ItemDefaults])
def test_model_titles_and_descriptions_come_from_the_registry(model):
    for name, info in model.model_fields.items():
        if name in BY_ID:
            assert info.title == BY_ID[name].label, name
            assert info.description in (None, BY_ID[name].description or None), name


def test_resolved_values_are_hashable_and_equal_whatever_the_extra_order():
    a = ItemValues.of({"level1": "甲", "level2": "乙", "content": ["x"], "extra": {"b": "2", "a": "1"}})
    b = ItemValues.of({"level1": "甲", "level2": "乙", "content": ("x",), "extra": {"a": "1", "b": "2"}})
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a.patched({"extra": {"a": "9"}}).extras == {"a": "9", "b": "2"}  # merged, not replaced
    assert a.get("extra.b") == "2" and a.get("extra.c") is None and a.get("content") == ("x",)


def test_labels_in_text_and_in_the_table_pages():
    assert label("content", {}) == "公开内容" and label("extra.phone", {"phone": "咨询电话"}) == "咨询电话"
    from gkcat.render.site.tables import LABELS
    assert {f.id: f.label for f in FIELDS} == LABELS


def test_the_importer_recognises_every_field_header():
    from gkcat.ingest.table_reader import _kind
    for f in FIELDS:
        if f.header:
            assert _kind(f.label) == f.id or _kind(f.header) == f.id, f.id



@pytest.mark.parametrize("written, audience", sorted(AUDIENCE_ALIASES.items()))
def test_the_form_and_the_table_reader_read_one_vocabulary(written, audience):
    """Every alias and tick mark reads the same in a returned form and in an imported table (one table of them)."""
    from gkcat.ingest.grids import Grid
    from gkcat.ingest.table_reader import read_table
    from gkcat.model.form import read_row
    from gkcat.model.vocabulary import NATIONAL_CHANNELS, TICKS

    cols = columns(list(NATIONAL_CHANNELS), [])
    for tick in sorted(TICKS):
        texts = ["" for _ in cols]
        texts[[c.header for c in cols].index("公开对象")] = written
        texts[[c.header for c in cols].index("政府网站")] = tick
        parsed = read_row(texts, cols, lambda c: f"A{c}")
        assert not parsed.problems and parsed.row.audience == audience and parsed.row.channels == ("政府网站",), tick
        grid = Grid("表", [["一级事项", "二级事项", "公开内容", "公开依据", "公开主体", "公开对象", "政府网站"],
                           ["政策", "文件", "内容", "依据", "区教育局", written, tick]])
        item = read_table(grid, list(NATIONAL_CHANNELS)).items[0]
        assert item.audience == audience and item.channels == ["政府网站"], tick


def test_the_table_reader_reads_each_plain_field_as_the_registry_says():
    """A plain field's cells are read by the kind of text the registry gives it (no branch per field)."""
    from gkcat.ingest.grids import Grid
    from gkcat.ingest.table_reader import _READERS, read_table
    from gkcat.model.vocabulary import NATIONAL_CHANNELS

    plain = [f for f in FIELDS if f.read]
    assert {f.id for f in plain} == {"level1", "level2", "content", "basis", "deadline", "subject"}
    assert all(f.read in _READERS for f in plain)
    cells = ["1.1政策文件", "教育法律", "●甲●乙", "《法一》《法二》", "第一行\n第二行", "区教育局、区财政局"]
    grid = Grid("表", [[f.label for f in plain], cells])
    item = read_table(grid, list(NATIONAL_CHANNELS)).items[0]
    assert (item.level1, item.level2, item.content, item.basis, item.deadline, item.subject) == \
        ("政策文件", "教育法律", ["甲", "乙"], ["《法一》", "《法二》"], "第一行\n第二行", ["区教育局", "区财政局"])


def test_a_field_added_to_the_registry_alone_is_in_show_the_workbook_the_form_and_an_import(tmp_path):
    """A copy of gkcat whose registry (model/fields.py) has one more field, and no other line changed: a catalog
    may set it, `show` prints it (text and JSON), the workbook and the fill-in form have its column, and a value
    edited in the form comes back into the catalog as an override of it."""
    import os
    import shutil
    import subprocess
    import sys

    import openpyxl

    from conftest import CATALOGS, REPO

    code = tmp_path / "src"
    shutil.copytree(REPO / "src" / "gkcat", code / "gkcat", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", tmp_path / "templates")  # where a checkout's gkcat finds them (src/../templates)
    registry = code / "gkcat" / "model" / "fields.py"
    text = registry.read_text(encoding="utf-8")
    anchor = '    FieldSpec("links",'
    assert text.count(anchor) == 1
    registry.write_text(text.replace(anchor, '    FieldSpec("remark", "备注", "备注", "其他需要说明的情况", header="备注", '
                                             'read="lines"),\n' + anchor), encoding="utf-8")
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site", ".gkcat-cache"))
    base = root / "shenyang" / "yiwu-jiaoyu.yaml"
    lines = base.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: ywjy-03")
    lines.insert(at + 1, "    remark: 每学期开学前更新\n")
    base.write_text("".join(lines), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1767225600", "GKCAT_CACHE_DIR": str(tmp_path / "c")}

    def gkcat(*args: object) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(root), *map(str, args)], env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    gkcat("validate", "--strict")
    shown = gkcat("show", "shenyang/liaozhong", "yiwu-jiaoyu").stdout
    assert "备注" in shown and "每学期开学前更新" in shown
    data = json.loads(gkcat("show", "shenyang/liaozhong", "yiwu-jiaoyu", "--format", "json").stdout)
    item = next(i for i in data["domains"][0]["items"] if i["id"] == "ywjy-03")
    assert item["remark"] == "每学期开学前更新"

    def cells_of(book: Path) -> list[str]:
        return [str(c.value) for ws in openpyxl.load_workbook(book).worksheets for row in ws.iter_rows() for c in row
                if c.value is not None]

    out = tmp_path / "site"
    gkcat("build", "-o", out)
    workbook = next(p for p in (out / "shenyang" / "liaozhong").glob("*.xlsx") if "填报" not in p.name)
    assert {"备注", "每学期开学前更新"} <= set(cells_of(workbook))

    form = tmp_path / "form.xlsx"
    gkcat("form", "shenyang/liaozhong", "-o", form)
    wb = openpyxl.load_workbook(form)
    ws = wb["义务教育"]
    col = next(c.column for c in ws[2] if c.value == "备注")
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "ywjy-03")
    assert ws.cell(row, col).value == "每学期开学前更新"
    ws.cell(row, col).value = "每学期开学前和期中各更新一次"
    wb.save(form)
    gkcat("import", "xlsx", form)
    overlay = (root / "shenyang" / "liaozhong" / "yiwu-jiaoyu.yaml").read_text(encoding="utf-8")
    assert "remark: 每学期开学前和期中各更新一次" in overlay
    data = json.loads(gkcat("show", "shenyang/liaozhong", "yiwu-jiaoyu", "--format", "json").stdout)
    assert next(i for i in data["domains"][0]["items"] if i["id"] == "ywjy-03")["remark"] == "每学期开学前和期中各更新一次"
