"""The field registry (model/fields.py) is the one place a field is declared: the typed attributes
that mypy needs must list the same fields, and everything that shows a field reads its label there."""

from __future__ import annotations

import dataclasses

import pytest

from gkcat.model.fields import BY_ID, FIELDS, ITEM_FIELDS, label
from gkcat.model.files import Item, ItemDefaults, ItemPatch
from gkcat.model.form import FormRow, columns
from gkcat.model.vocabulary import AUDIENCE_ALIASES
from gkcat.resolve.item import ItemValues


def test_the_typed_attributes_are_the_registry():
    assert list(ItemPatch.model_fields) == list(ITEM_FIELDS)
    assert [f.name for f in dataclasses.fields(ItemValues)] == list(ITEM_FIELDS)
    assert set(ItemDefaults.model_fields) <= set(ITEM_FIELDS)
    assert set(Item.model_fields) == set(ITEM_FIELDS) | {"id"}
    # the fill-in workbook's row has every field (extras as pairs) besides its id and 本级适用
    assert [f.name for f in dataclasses.fields(FormRow)] == ["id", *ITEM_FIELDS, "applies", "reason"]


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
