"""Fill-in workbooks (填报表): written by `gkcat form` and by the build, edited in a spreadsheet, imported back.

Every edit below is made with openpyxl as Excel or WPS would save it; the import must change the
catalog by exactly that edit, in the smallest YAML edit, or refuse naming the cell.
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import CATALOGS
from gkcat.model.form import META_MARK, META_SHEET

LZ = "shenyang/liaozhong"
EDU = f"{LZ}/yiwu-jiaoyu.yaml"
JIUYE = f"{LZ}/jiuye.yaml"
HEADERS = ["标识", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体"]
TAIL = ["公开对象", "公开方式", "公开层级", "本级适用", "不适用理由", "已公开内容链接", "咨询电话"]
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The sample project, with one exclusion of 辽中区's that an office commented on."""
    root = tmp_path / "p"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    edu = root / EDU
    edu.write_text(edu.read_text(encoding="utf-8") + "# 2026 年 3 月区教育局核定：本区民办学校另行公开\n"
                   "exclude:\n  - id: ywjy-n8\n    reason: 本区民办学校信息由区教育局另行公开\n", encoding="utf-8")
    return root


def _form(run, root: Path, tmp_path: Path, locality: str = LZ, name: str = "form.xlsx") -> Path:
    out = tmp_path / name
    result = run("-C", root, "form", locality, "-o", out, env=EPOCH)
    assert result.exit_code == 0, result.output
    return out


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def _row(ws, item: str) -> int:
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == item)


def _empty_row(ws) -> int:
    return next(r for r in range(3, ws.max_row + 1) if not any(ws.cell(r, c).value for c in range(1, ws.max_column + 1)))


def _show(run, root: Path) -> dict[tuple[str, str], dict]:
    result = run("-C", root, "show", LZ, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    out = {}
    for d in data["domains"]:
        for item in d["items"]:
            out[(d["id"], item["id"])] = {k: v for k, v in item.items() if k != "source"}
        for x in d["excluded"]:
            out[(d["id"], x["id"])] = {"excluded": x["reason"]}
    return out


def _changes(before: dict, after: dict) -> set[tuple[str, str, str]]:
    """(domain, item, field) that differ; field "+" for an item on one side only."""
    out = set()
    for key in before.keys() | after.keys():
        a, b = before.get(key), after.get(key)
        if a is None or b is None or ("excluded" in a) != ("excluded" in b):
            out.add((*key, "+" if a is None else "-" if b is None else "excluded"))
            continue
        out |= {(*key, f) for f in a.keys() | b.keys() if a.get(f) != b.get(f)}
    return out


def _yaml(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# -- the workbook ---------------------------------------------------------------------------------


def test_the_form_has_the_headers_rows_locks_and_drop_downs(sample, run, tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    result = run("-C", sample, "form", LZ)
    assert result.exit_code == 0, result.output
    book = tmp_path / "cwd" / "liaozhong-填报表.xlsx"  # the default name: <folder>-填报表.xlsx in the current folder
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "说明" and wb[META_SHEET].sheet_state == "hidden"
    assert wb[META_SHEET]["A1"].value == META_MARK and "辽中区" in str(wb["说明"]["A1"].value)
    ws = wb["义务教育"]
    channels = ["政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点", "政务服务中心",
                "便民服务站", "入户/现场", "社区/企事业单位/村公示栏(电子屏)", "精准推送", "其他"]
    assert [c.value for c in ws[2]] == HEADERS + channels + TAIL
    ids = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value]
    show = _show(run, sample)
    listed = [i for (d, i), v in show.items() if d == "yiwu-jiaoyu"]
    assert set(ids) == set(listed) | {"ywjy-n8"} and len(ids) == len(set(ids))  # its own exclusion too
    assert ws.max_row == 2 + len(ids) + 20
    excluded = _row(ws, "ywjy-n8")
    assert ws.cell(excluded, _col(ws, "本级适用")).value == "否"
    assert ws.cell(excluded, _col(ws, "不适用理由")).value == "本区民办学校信息由区教育局另行公开"
    # common fields (level1, level2, content, basis) and the id are locked and grey; the rest is open
    r = _row(ws, "ywjy-03")
    for header in HEADERS[:5]:
        cell = ws.cell(r, _col(ws, header))
        assert cell.protection.locked and cell.fill.fgColor.rgb == "FFD9D9D9", header
    for header in ["公开时限", "公开主体", "政府网站", "公开对象", "本级适用", "已公开内容链接", "咨询电话"]:
        assert not ws.cell(r, _col(ws, header)).protection.locked, header
    new = ws.max_row
    assert ws.cell(new, 1).protection.locked and not ws.cell(new, _col(ws, "公开内容（要素）")).protection.locked
    assert ws.protection.sheet
    lists: dict[str, set[str]] = {}
    for dv in ws.data_validations.dataValidation:
        lists.setdefault(dv.formula1, set()).update(str(rng) for rng in dv.sqref.ranges)
    letter = openpyxl.utils.get_column_letter
    for formula, header in [('"√"', "政府网站"), ('"全社会,特定群体"', "公开对象"), ('"主动,依申请"', "公开方式"),
                            ('"是,否"', "本级适用")]:
        c = letter(_col(ws, header))
        assert f"{c}3:{c}{ws.max_row}" in lists[formula], header
    # lists in a cell are one value per line; the channels are ticks
    assert ws.cell(r, _col(ws, "政府网站")).value == "√" and ws.cell(r, _col(ws, "政府公报")).value is None


def test_the_build_puts_a_form_beside_each_workbook(sample, run, tmp_path):
    out = tmp_path / "site"
    assert run("-C", sample, "build", "-o", out, env=EPOCH).exit_code == 0
    form = out / "shenyang/liaozhong/liaozhong-填报表.xlsx"
    assert form.is_file()
    page = (out / LZ / "index.html").read_text(encoding="utf-8")
    assert 'href="../../shenyang/liaozhong/liaozhong-填报表.xlsx" download' in page
    # the same cells as `gkcat form` writes (one writer, one build date), but for the seal of the machine that
    # made it: a build's output is the same on every machine, so a published form carries none (issue 33)
    def cells(path: Path) -> dict[str, list[tuple]]:
        wb = openpyxl.load_workbook(path)
        return {ws.title: [r for r in ws.iter_rows(values_only=True) if r[0] != "seal"] for ws in wb.worksheets}

    made = _form(run, sample, tmp_path)
    assert cells(form) == cells(made) and form.read_bytes() != made.read_bytes()
    seals = [r[1] for r in openpyxl.load_workbook(made)["_gkcat"].iter_rows(values_only=True) if r[0] == "seal"]
    assert len(seals) == 1 and len(seals[0]) == 64
    assert not [r for r in openpyxl.load_workbook(form)["_gkcat"].iter_rows(values_only=True) if r[0] == "seal"]
    assert (out / "shenyang/shenyang-填报表.xlsx").is_file() and (out / "shenyang/liaozhong/pudong/pudong-填报表.xlsx").is_file()


def test_libreoffice_opens_the_form(sample, run, tmp_path):
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    assert soffice and pdftotext, "make test installs libreoffice-calc-nogui and poppler-utils"
    book = _form(run, sample, tmp_path)
    subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run([pdftotext, str(tmp_path / "form.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert "填报表填写说明" in text and "辽中区义务教育领域基层政务公开标准目录（填报表）" in text
    # saved again by LibreOffice (as an office using it would): still a form, protected, and unchanged
    saved = tmp_path / "saved"
    subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(saved), str(book)], check=True, capture_output=True, timeout=240)
    ws = openpyxl.load_workbook(saved / "form.xlsx")["义务教育"]
    assert ws.protection.sheet and ws.cell(_row(ws, "ywjy-03"), _col(ws, "公开依据")).protection.locked
    before = _yaml(sample)
    result = run("-C", sample, "import", "xlsx", saved / "form.xlsx")
    assert result.exit_code == 0, result.output
    assert _yaml(sample) == before


# -- round trip -----------------------------------------------------------------------------------


def test_edits_come_back_as_exactly_those_changes_with_comments_kept(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    before_show, before_yaml = _show(run, sample), _yaml(sample)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    r = _row(ws, "ywjy-03")
    ws.cell(r, _col(ws, "政务服务中心")).value = "√"  # a channel
    ws.cell(r, _col(ws, "已公开内容链接")).value = "https://www.liaozhong.gov.cn/jyj/"  # a changed link
    r = _row(ws, "ywjy-05")
    ws.cell(r, _col(ws, "本级适用")).value = "否"  # an exclusion with its reason
    ws.cell(r, _col(ws, "不适用理由")).value = "本区学校名录由市教育局统一公开"
    ws.cell(_row(ws, "ywjy-n8"), _col(ws, "本级适用")).value = "是"  # an exclusion taken back
    new = _empty_row(ws)  # a new item
    for header, value in [("一级事项", "招生管理"), ("二级事项", "学区划分"), ("公开内容（要素）", "学区划分方案\n划片范围"),
                          ("公开依据", "《中华人民共和国义务教育法》"), ("公开主体", "区教育局"), ("政府网站", "√"),
                          ("其他", "辽中教育公众号"), ("公开层级", "县级")]:
        ws.cell(new, _col(ws, header)).value = value
    ws = wb["就业"]
    ws.cell(_row(ws, "jy-02"), _col(ws, "咨询电话")).value = "024-87881234"  # an extra field
    wb.save(book)

    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    after_show = _show(run, sample)
    new_ids = [i for (d, i) in after_show if (d, i) not in before_show]
    assert len(new_ids) == 1
    assert _changes(before_show, after_show) == {
        ("yiwu-jiaoyu", "ywjy-03", "channels"), ("yiwu-jiaoyu", "ywjy-03", "links"),
        ("yiwu-jiaoyu", "ywjy-05", "excluded"), ("yiwu-jiaoyu", "ywjy-n8", "excluded"),
        ("yiwu-jiaoyu", new_ids[0], "+"), ("jiuye", "jy-02", "extra")}
    item = after_show[("yiwu-jiaoyu", new_ids[0])]
    assert item["content"] == ["学区划分方案", "划片范围"] and item["subject"] == ["区教育局"]
    assert item["channels"] == ["政府网站", "其他(辽中教育公众号)"] and item["levels"] == ["county"]
    assert after_show[("yiwu-jiaoyu", "ywjy-05")] == {"excluded": "本区学校名录由市教育局统一公开"}
    assert after_show[("jiuye", "jy-02")]["extra"] == {"phone": "024-87881234"}
    after_yaml = _yaml(sample)
    assert {k for k in after_yaml if after_yaml[k] != before_yaml.get(k)} == {EDU, JIUYE}
    edu_before, edu_after = before_yaml[EDU].decode(), after_yaml[EDU].decode()
    assert [x for x in edu_before.splitlines() if "#" in x] == [x for x in edu_after.splitlines() if "#" in x]
    jiuye = _changed_lines(before_yaml[JIUYE].decode(), after_yaml[JIUYE].decode())
    assert jiuye == ['-    extra: {phone: "12345"}', '+    extra: {phone: "024-87881234"}'], jiuye
    # the link replaced, the channel added, the taken-back exclusion replaced by the new one, the new item:
    # nothing else of the file moved
    assert _changed_lines(edu_before, edu_after) == [
        "-    links: [https://www.liaozhong.gov.cn/]", "+    links: [https://www.liaozhong.gov.cn/jyj/]",
        "+    channels: [政府网站, 两微一端, 公开查阅点, 政务服务中心]",
        "-  - id: ywjy-n8", "-    reason: 本区民办学校信息由区教育局另行公开",
        "+  - id: ywjy-05", "+    reason: 本区学校名录由市教育局统一公开",
        "+items:", f"+  - id: {new_ids[0]}", "+    level1: 招生管理", "+    level2: 学区划分",
        "+    content: [学区划分方案, 划片范围]", "+    basis: [《中华人民共和国义务教育法》]", "+    subject: [education]",
        "+    channels: [政府网站, 其他(辽中教育公众号)]", "+    levels: [county]"]


def test_an_unchanged_form_changes_no_file_and_dry_run_writes_nothing(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    before = _yaml(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    assert _yaml(sample) == before and "已写入" not in result.output
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    ws.cell(_row(ws, "ywjy-03"), _col(ws, "公开时限")).value = "每学期开学前"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book, "--dry-run")
    assert result.exit_code == 0, result.output
    assert _yaml(sample) == before
    # in the words of gkcat diff
    assert "~ ywjy-03" in result.output and "公开时限：" in result.output and "→ 每学期开学前" in result.output
    assert "未写入任何文件" in result.output


def test_a_locked_common_field_edited_anyway_is_refused_with_its_cell(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    ws.protection.sheet = False  # as a user who removed the protection
    r, c = _row(ws, "ywjy-03"), _col(ws, "公开依据")
    ws.cell(r, c).value = "《某某规定》"
    wb.save(book)
    before = _yaml(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1
    cell = f"义务教育!{openpyxl.utils.get_column_letter(c)}{r}"
    assert f"{cell}：“公开依据”是共性要素" in result.output and "未写入任何文件" in result.output
    assert _yaml(sample) == before


@pytest.mark.parametrize(("header", "value", "message", "named"), [
    ("政府网站", "有", "渠道列应填“√”或留空", "政府网站"),
    ("已公开内容链接", "www.liaozhong.gov.cn", "只接受以 http:// 或 https:// 开头的网址", "已公开内容链接"),
    ("公开对象", "群众", "应为“全社会”或“特定群体”", "公开对象"),
    ("公开层级", "县级\n省长", "不是层级", "公开层级"),
    ("本级适用", "否", "请写明不适用的理由", "不适用理由"),  # the empty cell to fill in
    ("公开主体", "沈河区教育局", "GK308", "公开主体"),  # found by gkcat's own check of the result, told at the cell
])
def test_a_bad_cell_is_named_and_nothing_is_written(sample, run, tmp_path, header, value, message, named):
    book = _form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    r = _row(ws, "ywjy-03")
    ws.cell(r, _col(ws, header)).value = value
    wb.save(book)
    before = _yaml(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1, result.output
    cell = f"义务教育!{openpyxl.utils.get_column_letter(_col(ws, named))}{r}："
    assert cell in result.output and message in result.output, result.output
    assert _yaml(sample) == before


def test_a_deleted_row_or_a_changed_id_is_refused(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    ws.protection.sheet = False
    ws.delete_rows(_row(ws, "ywjy-04"))
    ws.cell(_row(ws, "ywjy-05"), 1).value = "ywjy-99"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1
    assert "ywjy-04" in result.output and "不能用删除行来排除事项" in result.output
    assert "标识“ywjy-99”不是本表的事项" in result.output


def _city_changes_ywjy_03(sample: Path, deadline: str = "每年9月底前") -> None:
    """The city changes ywjy-03's 公开时限 after the form went out (an upstream change, committed meanwhile)."""
    city = sample / "shenyang/yiwu-jiaoyu.yaml"
    text = city.read_text(encoding="utf-8")
    old = "    deadline: 信息形成或者变更之日起20个工作日内\n    subject: [education]\n    channels: [政府网站, 两微一端, 公开查阅点]\n"
    assert text.count(old) >= 1
    city.write_text(text.replace(old, old.replace("信息形成或者变更之日起20个工作日内", deadline), 1), encoding="utf-8")


@pytest.mark.parametrize("unit, conflicts, code, deadline", [
    (None, "keep", 0, "每年9月底前"),  # left as made: the catalog's change stays
    ("每年9月底前", "keep", 0, "每年9月底前"),  # both changed it alike: nothing to do
    ("每学期开学前", "keep", 1, "每年9月底前"),  # both changed it differently: a conflict, the catalog's kept
    ("每学期开学前", "take", 0, "每学期开学前"),  # ... or the unit's taken
])
def test_a_form_made_before_an_upstream_change_merges_three_ways(sample, run, tmp_path, unit, conflicts, code, deadline):
    book = _form(run, sample, tmp_path)
    _city_changes_ywjy_03(sample)
    assert run("-C", sample, "validate").exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    r = _row(ws, "ywjy-03")
    ws.cell(r, _col(ws, "公开主体")).value = "区教育局\n区财政局"  # a cell the catalog did not change: written
    if unit is not None:
        ws.cell(r, _col(ws, "公开时限")).value = unit
    ws.cell(_row(ws, "ywjy-04"), _col(ws, "公开时限")).value = "每学期开学前"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book, "--conflicts", conflicts)
    assert result.exit_code == code, result.output
    assert "此后辽中区或其上级的目录已有变化" in result.output
    after = _show(run, sample)
    assert after[("yiwu-jiaoyu", "ywjy-03")]["subject"] == ["区教育局", "区财政局"]
    assert after[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == deadline
    assert after[("yiwu-jiaoyu", "ywjy-04")]["deadline"] == "每学期开学前"
    cell = f"义务教育!{openpyxl.utils.get_column_letter(_col(ws, '公开时限'))}{r}"
    conflict = (f"{cell}：冲突：事项 ywjy-03（" in result.output and "制表时为“信息形成或者变更之日起20个工作日内”，现在为“每年9月底前”，"
                "填报为“每学期开学前”" in result.output)
    assert conflict == (unit == "每学期开学前")
    # the grey cells the unit never touched are never named, though the catalog changed the row
    assert f"义务教育!D{r}" not in result.output


def test_the_same_form_imported_twice_adds_its_new_item_once(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    new = _empty_row(ws)
    ws.cell(new, _col(ws, "一级事项")).value = "招生管理"
    ws.cell(new, _col(ws, "二级事项")).value = "学区划分"
    wb.save(book)
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    once = _yaml(sample)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0 and _yaml(sample) == once
    assert "已在目录中" in result.output and "没有变化" in result.output


def test_a_form_names_its_locality_and_a_plain_table_still_needs_one(sample, run, tmp_path):
    book = _form(run, sample, tmp_path)
    result = run("-C", sample, "import", "xlsx", book, "--locality", "shenyang/shenhe")
    assert result.exit_code == 2 and "是“shenyang/liaozhong”的填报表" in result.output
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "一级事项"])
    wb.save(plain)
    result = run("-C", sample, "import", "xlsx", plain)
    assert result.exit_code == 2 and "--locality" in result.output


def test_the_top_locality_edits_its_own_items_in_place(sample, run, tmp_path):
    book = _form(run, sample, tmp_path, "shenyang")
    wb = openpyxl.load_workbook(book)
    ws = wb["义务教育"]
    assert ws.cell(_row(ws, "ywjy-03"), _col(ws, "本级适用")).protection.locked  # nothing to exclude from
    ws.cell(_row(ws, "ywjy-03"), _col(ws, "公开时限")).value = "每年9月底前"
    wb.save(book)
    city = sample / "shenyang/yiwu-jiaoyu.yaml"
    before = city.read_text(encoding="utf-8")
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    changed = _changed_lines(before, city.read_text(encoding="utf-8"))
    assert changed == ["+    deadline: 每年9月底前"] or (len(changed) == 2 and "每年9月底前" in changed[1]), changed


def test_an_overlay_emptied_by_the_form_goes_unless_it_holds_a_comment(sample, run, tmp_path):
    plain = sample / f"{LZ}/shehui-jiuzhu.yaml"
    plain.write_text("domain: shehui-jiuzhu\nexclude:\n  - id: shjz-01\n    reason: 本区另行公开\n", encoding="utf-8")
    assert run("-C", sample, "validate").exit_code == 0
    book = _form(run, sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["社会救助"]
    ws.cell(_row(ws, "shjz-01"), _col(ws, "本级适用")).value = "是"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    assert not plain.exists()
    plain.write_text("# 区民政局意见：待明年复核\ndomain: shehui-jiuzhu\nexclude:\n  - id: shjz-01\n    reason: 本区另行公开\n",
                     encoding="utf-8")
    book = _form(run, sample, tmp_path, name="form-2.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["社会救助"]
    ws.cell(_row(ws, "shjz-01"), _col(ws, "本级适用")).value = "是"
    wb.save(book)
    assert run("-C", sample, "import", "xlsx", book).exit_code == 0
    assert plain.read_text(encoding="utf-8") == "# 区民政局意见：待明年复核\ndomain: shehui-jiuzhu\n"
