"""Collection rounds (issue 26): department forms, `round start`, batches of returned forms merged three
ways while the catalog moves on, the round's record and `round status`; a whole round end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import yaml

from test_diff import git
from test_hardening_rounds import libreoffice_edit

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
LZ = "shenyang/liaozhong"
ROUND = "2026-第一轮"


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def _row(ws, item: str) -> int:
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == item)


def _ref(ws, item: str, header: str) -> str:
    return f"{openpyxl.utils.get_column_letter(_col(ws, header))}{_row(ws, item)}"


def _set(book: Path, sheet: str, edits: dict[tuple[str, str], str | None], cover: dict[str, str] | None = None) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    for (item, header), value in edits.items():
        ws.cell(_row(ws, item), _col(ws, header)).value = value
    for row in wb["说明"].iter_rows():
        if cover and row[0].value in cover:
            row[1].value = cover[row[0].value]
    wb.save(book)


def _show(run, root: Path, locality: str = LZ) -> dict[tuple[str, str], dict]:
    data = json.loads(run("-C", root, "show", locality, "--format", "json").stdout)
    return {(d["id"], i["id"]): i for d in data["domains"] for i in d["items"]}


def _city_changes_ywjy_03(root: Path) -> None:
    city = root / "shenyang/yiwu-jiaoyu.yaml"
    text = city.read_text(encoding="utf-8")
    old = "    deadline: 信息形成或者变更之日起20个工作日内\n    subject: [education]\n    channels: [政府网站, 两微一端, 公开查阅点]\n"
    assert text.count(old) >= 1
    city.write_text(text.replace(old, old.replace("信息形成或者变更之日起20个工作日内", "每年9月底前"), 1), encoding="utf-8")


# -- a department's form --------------------------------------------------------------------------------


def test_a_department_form_holds_its_rows_and_new_rows_where_it_leads(sample, run, tmp_path):
    book = tmp_path / "edu.xlsx"
    assert run("-C", sample, "form", "辽中区", "--department", "区教育局", "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["说明", "义务教育", "_gkcat"]
    ws = wb["义务教育"]
    ids = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value]
    duties = json.loads(run("-C", sample, "show", LZ, "yiwu-jiaoyu", "--format", "json").stdout)["domains"][0]["items"]
    mine = {i["id"] for i in duties if "区教育局" in i["subject"]}
    assert mine <= set(ids) and all("区教育局" in (ws.cell(_row(ws, i), _col(ws, "公开主体")).value or "") for i in ids)
    assert ws.max_row - 2 - len(ids) == 20  # it leads 义务教育: rows for its new items
    assert wb["说明"]["B" + str(next(r.row for r in wb["说明"]["A"] if r.value == "填报单位"))].value == "区教育局"
    # by role too; a department that does not lead a domain gets no empty rows there
    civil = tmp_path / "civil.xlsx"
    assert run("-C", sample, "form", LZ, "--department", "civil-affairs", "-o", civil, env=EPOCH).exit_code == 0
    assert "义务教育" not in openpyxl.load_workbook(civil).sheetnames
    # importing a department's form never takes the items it does not hold for removed
    _set(book, "义务教育", {(ids[0], "公开时限"): "每学期开学前"})
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    assert "不在表中" not in result.output and "写入的修改" in result.output
    assert _show(run, sample)[("yiwu-jiaoyu", ids[0])]["deadline"] == "每学期开学前"


def test_an_unknown_department_is_exit_1_with_the_nearest(sample, run, tmp_path):
    result = run("-C", sample, "form", LZ, "--department", "区教育", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1 and "区教育局" in result.stderr and not (tmp_path / "x.xlsx").exists()


# -- round start ---------------------------------------------------------------------------------------------


def test_round_start_writes_every_form_the_register_and_the_record(sample, run, tmp_path):
    out = tmp_path / "out"
    result = run("-C", sample, "round", "start", ROUND, "辽中区", "-o", out, env=EPOCH)
    assert result.exit_code == 0, result.output
    record = yaml.safe_load((sample / f"rounds/{ROUND}.yaml").read_text(encoding="utf-8"))
    forms = record["forms"]
    towns = {f["unit"] for f in forms if "#" not in f["form"]}
    assert towns == {"冷子堡镇", "刘二堡镇", "蒲东街道"}  # each town its whole catalog
    assert {"区教育局", "区民政局", "区人社局"} <= {f["unit"] for f in forms if f["locality"] == LZ}
    assert sorted(p.name for p in out.iterdir()) == sorted([f["file"] for f in forms] + ["登记表.xlsx"])
    register = openpyxl.load_workbook(out / "登记表.xlsx").active
    assert [c.value for c in register[2]] == ["序号", "单位", "地区", "领域", "事项数", "文件名", "制表时间"]
    rows = [[c.value for c in row] for row in register.iter_rows(min_row=3)]
    assert len(rows) == len(forms) and all(r[5] in {f["file"] for f in forms} and r[6] == "2026-01-01" for r in rows)
    # each form carries the round's name and its own identity
    meta = openpyxl.load_workbook(out / forms[0]["file"])["_gkcat"]
    facts = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(2, 12)}
    assert facts["round"] == ROUND and facts["form"] == forms[0]["form"]
    # the record is not a locality: the project still validates strictly
    assert run("-C", sample, "validate", "--strict").exit_code == 0


def test_round_start_refuses_a_taken_name_a_full_folder_and_a_bad_name(sample, run, tmp_path):
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", tmp_path / "a", env=EPOCH).exit_code == 0
    again = run("-C", sample, "round", "start", ROUND, LZ, "-o", tmp_path / "b")
    assert again.exit_code == 2 and "已经存在" in again.stderr and not (tmp_path / "b").exists()
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("x", encoding="utf-8")
    assert run("-C", sample, "round", "start", "第二轮", LZ, "-o", full).exit_code == 2
    assert sorted(p.name for p in full.iterdir()) == ["notes.txt"]
    assert run("-C", sample, "round", "start", "../x", LZ, "-o", tmp_path / "c").exit_code == 2
    assert not (sample / "rounds/第二轮.yaml").exists()


def test_round_status_of_an_unknown_round_is_exit_1(sample, run):
    result = run("-C", sample, "round", "status", "没有这轮")
    assert result.exit_code == 1 and "没有轮次“没有这轮”" in result.stderr


# -- a whole round, end to end --------------------------------------------------------------------------------


def test_a_whole_round_end_to_end(sample, run, tmp_path):
    out = tmp_path / "out"
    assert run("-C", sample, "round", "start", ROUND, "辽中区", "-o", out, env=EPOCH).exit_code == 0
    git(sample, "add", "-A")
    git(sample, "commit", "-qm", f"本轮 {ROUND}：发出填报表")
    edu, civil, town = out / "辽中区-区教育局-填报表.xlsx", out / "辽中区-区民政局-填报表.xlsx", out / "刘二堡镇-填报表.xlsx"

    # the units fill in their forms: the education bureau in Excel (openpyxl), the civil affairs bureau in
    # LibreOffice, the town later
    _set(edu, "义务教育", {("ywjy-03", "公开时限"): "每学期开学前", ("ywjy-04", "公开时限"): "每学年初"},
         {"填报人": "张三", "联系电话": "024-87654321"})
    ws = openpyxl.load_workbook(civil)["社会救助"]
    libreoffice_edit(civil, [["set", "社会救助", _ref(ws, "shjz-01", "两微一端"), "√"]], tmp_path)
    saved = openpyxl.load_workbook(civil)["社会救助"]  # still protected, with its drop-downs, after LibreOffice
    assert saved.protection.sheet and saved.data_validations.dataValidation
    assert saved.cell(_row(saved, "shjz-01"), _col(saved, "公开内容（要素）")).protection.locked
    # the city changes ywjy-03's deadline after the forms went out, and commits it
    _city_changes_ywjy_03(sample)
    git(sample, "commit", "-qam", "市级：调整义务教育事项的公开时限")

    first = tmp_path / "batch1"
    first.mkdir()
    shutil.copy(edu, first)
    shutil.copy(civil, first)
    result = run("-C", sample, "import", "xlsx", first)
    assert result.exit_code == 1, result.output  # one conflict, kept: not every edit is in the YAML
    assert result.output.count("冲突：") == 1
    assert "事项 ywjy-03（" in result.output and "制表时为“信息形成或者变更之日起20个工作日内”，现在为“每年9月底前”，填报为“每学期开学前”" \
        in result.output
    after = _show(run, sample)
    assert after[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == "每年9月底前"  # the catalog's kept
    assert after[("yiwu-jiaoyu", "ywjy-04")]["deadline"] == "每学年初"  # merged
    assert "两微一端" in after[("shehui-jiuzhu", "shjz-01")]["channels"]  # LibreOffice's edit merged
    assert "| 辽中区-区教育局-填报表.xlsx | 区教育局 |" in result.output and "| 辽中区-区民政局-填报表.xlsx | 区民政局 |" in result.output
    assert f"建议的提交说明：本轮 {ROUND}：区教育局、区民政局交回的填报表，改动 2 处" in result.output
    git(sample, "commit", "-qam", "第一批")

    # a "week" later: the town
    _set(town, "社会救助", {("shjz-05", "本级适用"): "否", ("shjz-05", "不适用理由"): "本镇审核信息由区民政局统一公开"},
         {"填报人": "李四", "联系电话": "13800000000"})
    result = run("-C", sample, "import", "xlsx", town)
    assert result.exit_code == 0, result.output
    town_after = _show(run, sample, f"{LZ}/liuerbao")
    assert ("shehui-jiuzhu", "shjz-05") not in town_after
    # the same file again: recognised, nothing changes, not recorded twice
    before = (sample / f"rounds/{ROUND}.yaml").read_bytes()
    again = run("-C", sample, "import", "xlsx", town)
    assert again.exit_code == 0 and "导入过" in again.output and "没有变化" in again.output
    assert (sample / f"rounds/{ROUND}.yaml").read_bytes() == before

    status = json.loads(run("-C", sample, "round", "status", ROUND, "--format", "json").stdout)
    forms = {f["unit"]: f for f in status["forms"] if f["locality"] in (LZ, f"{LZ}/liuerbao")}
    assert all({"file", "unit", "locality", "returned", "imported_at", "applied", "conflicts", "refused"} <= set(f)
               for f in status["forms"])
    assert forms["区教育局"]["returned"] and forms["区教育局"]["applied"] == 1 and forms["区教育局"]["conflicts"] == 1
    assert forms["区教育局"]["reporter"] == "张三" and forms["区教育局"]["phone"] == "024-87654321"
    assert forms["区民政局"]["returned"] and forms["区民政局"]["applied"] == 1
    assert forms["刘二堡镇"]["returned"] and forms["刘二堡镇"]["reporter"] == "李四"
    assert not forms["区人社局"]["returned"] and forms["区人社局"]["imported_at"] is None
    assert sum(f["returned"] for f in status["forms"]) == 3
    text = run("-C", sample, "round", "status", ROUND).stdout
    assert "已交回 3 份" in text and "未交回" in text
    markdown = run("-C", sample, "round", "status", ROUND, "--format", "markdown").stdout
    assert markdown.startswith("## 填报轮次") and "| 辽中区-区教育局-填报表.xlsx | 区教育局 | 辽中区 | 已交回 |" in markdown


# -- merging forms of one run, and the edges of a returned form ------------------------------------------------


def test_two_forms_of_one_run_changing_a_cell_differently_conflict_even_with_take(sample, run, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for book, value in ((a, "每学期开学前"), (b, "每学年初")):
        assert run("-C", sample, "form", LZ, "--department", "education", "-o", book, env=EPOCH).exit_code == 0
        _set(book, "义务教育", {("ywjy-03", "公开时限"): value})
    result = run("-C", sample, "import", "xlsx", a, b, "--conflicts", "take")
    assert result.exit_code == 1 and result.output.count("冲突：") == 1
    assert _show(run, sample)[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == "每学期开学前"  # the first, not the last


def test_a_refused_form_does_not_stop_the_others(sample, run, tmp_path):
    good, bad = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    for book in (good, bad):
        assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    _set(good, "义务教育", {("ywjy-03", "公开时限"): "每学期开学前"})
    _set(bad, "义务教育", {("ywjy-04", "政府网站"): "有"})
    (tmp_path / "notes.xlsx").write_bytes(b"not a workbook")
    result = run("-C", sample, "import", "xlsx", tmp_path)
    assert result.exit_code == 2  # the worst: a file that cannot be read
    assert "| 1.xlsx | 辽中区 | 已写入 |" in result.output and "| 2.xlsx | 辽中区 | 未导入 |" in result.output
    assert "渠道列应填“√”或留空" in result.output
    assert _show(run, sample)[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == "每学期开学前"


def test_a_forms_sheet_copied_without_its_meta_sheet_is_refused(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    copy = openpyxl.Workbook()
    target = copy.active
    target.title = "义务教育"
    for row in wb["义务教育"].iter_rows(values_only=True):
        target.append(list(row))
    copied = tmp_path / "copied.xlsx"
    copy.save(copied)
    before = (sample / "gkcat.yaml").read_bytes()
    for extra in ([], ["--locality", LZ], ["--locality", LZ, "--force"]):
        result = run("-C", sample, "import", "xlsx", copied, *extra)
        assert result.exit_code == 1 and "缺少隐藏的工作表 _gkcat" in result.output, result.output
    assert (sample / "gkcat.yaml").read_bytes() == before


def test_a_cleared_id_is_named_as_such(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    _set(book, "义务教育", {("ywjy-03", "标识"): None})
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "被清空了（原为 ywjy-03）" in result.output and "请恢复这一行" not in result.output


def test_new_items_get_ids_unique_in_the_locality_and_no_spelled_out_defaults(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    for sheet, level2 in (("义务教育", "学区划分"), ("社会救助", "临时救助")):
        ws = wb[sheet]
        r = next(r for r in range(3, ws.max_row + 1) if not ws.cell(r, 1).value and not ws.cell(r, 2).value)
        ws.cell(r, _col(ws, "一级事项")).value = "本区事项"
        ws.cell(r, _col(ws, "二级事项")).value = level2
        ws.cell(r, _col(ws, "公开对象")).value = "全社会"
        ws.cell(r, _col(ws, "公开方式")).value = "主动"
    wb.save(book)
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0, result.output
    texts = [(sample / LZ / f"{d}.yaml").read_text(encoding="utf-8") for d in ("yiwu-jiaoyu", "shehui-jiuzhu")]
    ids = [line.split(":", 1)[1].strip() for t in texts for line in t.splitlines() if line.strip().startswith("- id: liaozhong-")]
    assert len(ids) == 2 and len(set(ids)) == 2, ids
    assert not any("audience: 全社会" in t or "method: 主动" in t for t in texts)


def test_an_unchanged_form_says_so(sample, run, tmp_path):
    book = tmp_path / "form.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 0 and "| form.xlsx | 辽中区 | 没有变化 | 0 |" in result.output
    assert "建议的提交说明" not in result.output


def test_imports_record_nothing_outside_the_project(sample, run, tmp_path):
    out = tmp_path / "out"
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0
    seen = {p for p in tmp_path.rglob("*") if ".git" not in p.parts}
    _set(out / "刘二堡镇-填报表.xlsx", "义务教育", {})
    assert run("-C", sample, "import", "xlsx", out / "刘二堡镇-填报表.xlsx").exit_code == 0
    assert {p for p in tmp_path.rglob("*") if ".git" not in p.parts} == seen


def test_importing_the_round_folder_as_it_went_out_records_no_return(sample, run, tmp_path):
    out = tmp_path / "out"
    assert run("-C", sample, "round", "start", ROUND, LZ, "-o", out, env=EPOCH).exit_code == 0
    before = (sample / f"rounds/{ROUND}.yaml").read_bytes()
    result = run("-C", sample, "import", "xlsx", out)
    assert result.exit_code == 0, result.output
    assert "登记表.xlsx 是填报轮次的登记表，不是填报表：跳过" in result.output
    assert "| 刘二堡镇-填报表.xlsx | 刘二堡镇 | 未交回（原样文件） |" in result.output
    assert (sample / f"rounds/{ROUND}.yaml").read_bytes() == before  # nothing counts as returned
    # one unit's form comes back into the same folder, edited: only it is returned
    _set(out / "刘二堡镇-填报表.xlsx", "义务教育", {}, {"填报人": "李四"})
    result = run("-C", sample, "import", "xlsx", out)
    assert result.exit_code == 0, result.output
    status = json.loads(run("-C", sample, "round", "status", ROUND, "--format", "json").stdout)
    assert [f["unit"] for f in status["forms"] if f["returned"]] == ["刘二堡镇"]


def test_a_form_of_the_first_layout_still_imports_and_says_what_it_cannot_merge(sample, run, tmp_path):
    """Forms gkcat made before it kept each row as made (layout 1): rows unchanged since import as before; a row
    the catalog changed since cannot be merged and is listed, exit 1."""
    from test_form import _city_changes_ywjy_03

    book = tmp_path / "old.xlsx"
    assert run("-C", sample, "form", LZ, "-o", book, env=EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(book)
    meta = wb["_gkcat"]
    meta["B1"] = "1"
    for row in meta.iter_rows(min_row=2):
        if len(row) > 4:
            row[4].value = None  # layout 1 kept only each row's digest
    wb.save(book)
    _set(book, "义务教育", {("ywjy-03", "公开时限"): "每学期开学前", ("ywjy-04", "公开时限"): "每学年初"})
    _city_changes_ywjy_03(sample)
    # an old form carries no seal of this machine: the office says whose it is (issue 33)
    assert "无法确认这份填报表是发给谁的" in run("-C", sample, "import", "xlsx", book).output
    result = run("-C", sample, "import", "xlsx", book, "--locality", LZ)
    assert result.exit_code == 1 and "早期版本" in result.output and "事项 ywjy-03" in result.output
    after = _show(run, sample)
    assert after[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == "每年9月底前"
    assert after[("yiwu-jiaoyu", "ywjy-04")]["deadline"] == "每学年初"


def test_a_department_form_is_named_by_folder_and_role(project, run, tmp_path, monkeypatch):
    root = project()
    monkeypatch.chdir(tmp_path)
    assert run("-C", root, "form", "city/county/town-a", "--department", "education", env=EPOCH).exit_code == 0
    assert (tmp_path / "town-a-education-填报表.xlsx").is_file()  # a folder name with "-" kept whole
