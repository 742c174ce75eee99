"""A round as units really return it (issue 34): rows deleted in Calc, dates typed on the cover, a corrected
second return, a refused form, an .ods in the folder; a dry run that is the import's own plan; who gets a form."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import openpyxl
import yaml

from test_diff import git
from test_hardening_rounds import libreoffice_edit
from test_rounds import _col, _ref, _row, _set, _show

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
LZ = "shenyang/liaozhong"
ROUND = "2026-第一轮"


def _start(run, sample: Path, tmp_path: Path, *more: str) -> Path:
    out = tmp_path / "发出"
    result = run("-C", sample, "round", "start", ROUND, LZ, "-o", out, *more, env=EPOCH)
    assert result.exit_code == 0, result.output
    git(sample, "add", "-A")
    git(sample, "commit", "-qm", "发出")
    return out


def _add(book: Path, sheet: str, values: dict[str, str]) -> None:
    """A new item typed into the first empty row of a sheet."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    r = next(r for r in range(3, ws.max_row + 2) if not any(ws.cell(r, c).value for c in range(1, 4)))
    for header, value in values.items():
        ws.cell(r, _col(ws, header)).value = value
    wb.save(book)


def _record(sample: Path) -> dict:
    return yaml.safe_load((sample / f"rounds/{ROUND}.yaml").read_text(encoding="utf-8"))


def _returns(sample: Path, unit: str) -> list[dict]:
    return next(f for f in _record(sample)["forms"] if f["unit"] == unit)["returns"]


def test_who_gets_a_form_and_what_the_register_lists(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith("辽中区-市")], names  # no city bureau gets a district's form
    assert not [n for n in names if "各镇人民政府" in n], names  # the towns answer on their own forms
    assert "刘二堡镇-填报表.xlsx" in names and "辽中区-区教育局-填报表.xlsx" in names
    register = openpyxl.load_workbook(out / "登记表.xlsx")
    assert register.sheetnames == ["登记表", "未发出的事项"]
    unsent = {(r[4], r[5]) for r in register["未发出的事项"].iter_rows(min_row=3, values_only=True)}
    assert ("市自然资源局", "上级部门负责的事项") in unsent
    assert ("各镇人民政府（街道办事处）", "各乡镇（街道）在各自的填报表中填写") in unsent
    edu = openpyxl.load_workbook(out / "辽中区-区教育局-填报表.xlsx")
    assert "发给区教育局" in edu["说明"]["B3"].value and "区教育局" in edu["说明"]["A1"].value
    assert "区教育局填报表" in edu["义务教育"]["A1"].value
    ws = edu["义务教育"]
    levels = next(dv for dv in ws.data_validations.dataValidation if _col(ws, "公开层级") in
                  {c for rng in dv.sqref.ranges for c in range(rng.min_col, rng.max_col + 1)})
    assert levels.formula1 == '"县级,乡级"'  # the levels a district's row may take


def test_round_start_says_next_steps_that_work_as_printed(sample, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("-C", sample, "round", "start", ROUND, LZ, "-o", tmp_path / "发出", env=EPOCH)
    steps = result.output.strip().splitlines()[-1]
    quote = shlex.quote
    assert f"gkcat -C {quote(str(sample))} import xlsx {quote(str(tmp_path / '发出'))}/" in steps, steps
    assert f"gkcat -C {quote(str(sample))} round status {quote(ROUND)}" in steps
    status = run("-C", sample, "round", "status", ROUND)  # as printed, from elsewhere
    assert status.exit_code == 0 and "未交回" in status.output


def test_a_row_deleted_in_libreoffice_is_named_as_a_deleted_row(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    book = out / "辽中区-区教育局-填报表.xlsx"
    ws = openpyxl.load_workbook(book)["义务教育"]
    libreoffice_edit(book, [["delete-row", "义务教育", str(_row(ws, "ywjy-03"))]], tmp_path)
    assert "1048576\"/>" in _dimensions(book)  # how LibreOffice saves a sheet with a deleted row: to its last row
    result = run("-C", sample, "import", "xlsx", book)
    assert result.exit_code == 1 and "行数过大" not in result.output, result.output
    assert "事项 ywjy-03（" in result.output and "不能用删除行来排除事项" in result.output


def _dimensions(book: Path) -> str:
    import zipfile
    with zipfile.ZipFile(book) as z:
        return " ".join(z.read(n).decode("utf-8").partition("<dimension")[2][:40] for n in z.namelist()
                        if n.startswith("xl/worksheets/sheet"))


def test_a_dry_run_is_the_imports_own_plan_for_a_batch(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    edu, town = out / "辽中区-区教育局-填报表.xlsx", out / "刘二堡镇-填报表.xlsx"
    # a district's edit and a town's (both reach the town's catalog) and a new item on each
    _set(edu, "义务教育", {("ywjy-04", "公开时限"): "每学年初"})
    _add(edu, "义务教育", {"一级事项": "招生管理", "二级事项": "学区划分", "公开内容（要素）": "学区划分方案",
                        "公开依据": "《义务教育法》", "政府网站": "√"})
    _add(town, "义务教育", {"一级事项": "招生管理", "二级事项": "镇学区", "公开内容（要素）": "本镇学区",
                         "公开依据": "《义务教育法》", "政府网站": "√"})
    batch = tmp_path / "收回"
    batch.mkdir()
    for book in (edu, town):
        shutil.copy(book, batch)
    dry = run("-C", sample, "import", "xlsx", batch, "--dry-run")
    real = run("-C", sample, "import", "xlsx", batch)
    assert dry.exit_code == real.exit_code == 0, real.output
    planned = [line for line in dry.output.splitlines() if "本级新增事项" in line]
    done = [line for line in real.output.splitlines() if "本级新增事项" in line]
    assert planned == done and len(done) == 2, (planned, done)
    assert any("liaozhong-01" in line for line in done) and any("liuerbao-01" in line for line in done)


def test_two_forms_of_one_batch_conflict_in_the_dry_run_as_in_the_import(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    edu = out / "辽中区-区教育局-填报表.xlsx"
    other = tmp_path / "另一份.xlsx"  # the district office's own form of its whole catalog, holding the same row
    assert run("-C", sample, "form", LZ, "-o", other, env=EPOCH).exit_code == 0
    _set(edu, "义务教育", {("ywjy-04", "公开时限"): "每学年初"})
    _set(other, "义务教育", {("ywjy-04", "公开时限"): "每学期初"})
    batch = tmp_path / "收回"
    batch.mkdir()
    shutil.copy(edu, batch / "1.xlsx")
    shutil.copy(other, batch / "2.xlsx")
    dry = run("-C", sample, "import", "xlsx", batch, "--dry-run")
    assert dry.exit_code == 1 and dry.output.count("冲突：") == 1 and "将保留目录现在的值" in dry.output, dry.output
    assert "--conflicts take" in dry.output
    real = run("-C", sample, "import", "xlsx", batch)
    assert real.exit_code == 1 and real.output.count("冲突：") == 1 and "保留目录现在的值，未写入" in real.output


def test_take_says_what_it_will_write_and_records_no_second_return(sample, run, tmp_path):
    from test_rounds import _city_changes_ywjy_03
    out = _start(run, sample, tmp_path)
    edu = out / "辽中区-区教育局-填报表.xlsx"
    _set(edu, "义务教育", {("ywjy-03", "公开时限"): "每学期开学前"})
    _city_changes_ywjy_03(sample)
    first = run("-C", sample, "import", "xlsx", edu)
    assert first.exit_code == 1 and "--conflicts take" in first.output
    dry = run("-C", sample, "import", "xlsx", edu, "--conflicts", "take", "--dry-run")
    assert "将按填报写入" in dry.output and "已按填报写入" not in dry.output
    taken = run("-C", sample, "import", "xlsx", edu, "--conflicts", "take")
    assert taken.exit_code == 0 and "已按填报写入" in taken.output, taken.output
    assert _show(run, sample)[("yiwu-jiaoyu", "ywjy-03")]["deadline"] == "每学期开学前"
    returns = _returns(sample, "区教育局")
    assert len(returns) == 1 and returns[0]["applied"] == 1 and returns[0]["conflicts"] == 1


def test_a_corrected_second_return_is_merged_against_the_units_first(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    edu = out / "辽中区-区教育局-填报表.xlsx"
    kept = tmp_path / "原表.xlsx"
    shutil.copy(edu, kept)
    _set(edu, "义务教育", {("ywjy-04", "公开时限"): "每学年初"})
    _add(edu, "义务教育", {"一级事项": "招生管理", "二级事项": "学区划分", "公开内容（要素）": "学区划分方案",
                        "公开依据": "《义务教育法》", "政府网站": "√"})
    assert run("-C", sample, "import", "xlsx", edu).exit_code == 0
    # the unit corrects its own answers in the form it kept, and sends it again
    _set(kept, "义务教育", {("ywjy-04", "公开时限"): "每学年开学前"})
    _add(kept, "义务教育", {"一级事项": "招生管理", "二级事项": "学区划分", "公开内容（要素）": "学区划分方案（更正）",
                         "公开依据": "《义务教育法》", "政府网站": "√"})
    again = run("-C", sample, "import", "xlsx", kept)
    assert again.exit_code == 0 and "冲突：" not in again.output, again.output
    after = _show(run, sample)
    assert after[("yiwu-jiaoyu", "ywjy-04")]["deadline"] == "每学年开学前"
    assert after[("yiwu-jiaoyu", "liaozhong-01")]["content"] == ["学区划分方案（更正）"]
    assert ("yiwu-jiaoyu", "liaozhong-02") not in after  # the corrected new row is the same item, not another
    assert len(_returns(sample, "区教育局")) == 2


def test_a_refused_form_is_recorded_as_returned_and_refused(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    edu = out / "辽中区-区教育局-填报表.xlsx"
    ws = openpyxl.load_workbook(edu)["义务教育"]
    cell = _ref(ws, "ywjy-04", "政府网站")
    _set(edu, "义务教育", {("ywjy-04", "政府网站"): "有"})
    result = run("-C", sample, "import", "xlsx", edu)
    assert result.exit_code == 1 and "未写入任何文件" in result.output
    [ret] = _returns(sample, "区教育局")
    assert ret["refused"] == 1 and any(f"义务教育!{cell}" in p for p in ret["problems"])
    status = run("-C", sample, "round", "status", ROUND)
    assert "区教育局（辽中区）辽中区-区教育局-填报表.xlsx：已交回" in status.output and "未导入：1 处不能接受" in status.output
    data = json.loads(run("-C", sample, "round", "status", ROUND, "--format", "json").stdout)
    form = next(f for f in data["forms"] if f["unit"] == "区教育局")
    assert form["returned"] and form["refused"] == 1 and form["refused_cells"]
    assert "+08:00" in form["imported_at"]  # the project's time zone, Asia/Shanghai by default


def test_what_a_unit_types_is_written_as_it_saw_it(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    town = out / "刘二堡镇-填报表.xlsx"
    _set(town, "社会救助", {("shjz-05", "公开时限"): "每季度"})
    guide = openpyxl.load_workbook(town)["说明"]
    date_cell = next(f"B{r}" for r in range(1, guide.max_row + 1) if guide.cell(r, 1).value == "日期")
    phone_cell = next(f"B{r}" for r in range(1, guide.max_row + 1) if guide.cell(r, 1).value == "联系电话")
    libreoffice_edit(town, [["type", "说明", date_cell, "2026-12-15"], ["set", "说明", phone_cell, "02487654321"]], tmp_path)
    assert run("-C", sample, "import", "xlsx", town).exit_code == 0
    [ret] = _returns(sample, "刘二堡镇")
    assert ret["cover"]["日期"] == "2026-12-15" and ret["cover"]["联系电话"] == "02487654321"


def test_an_ods_is_named_with_the_advice_to_save_as_xlsx(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    town = out / "刘二堡镇-填报表.xlsx"
    ods = tmp_path / "刘二堡镇-填报表.ods"
    libreoffice_edit(town, [["save-as", str(ods)]], tmp_path)
    single = run("-C", sample, "import", "xlsx", ods)
    assert single.exit_code == 2 and "OpenDocument" in single.output and "另存为" in single.output
    assert "There is no item" not in single.output
    batch = tmp_path / "收回"
    batch.mkdir()
    shutil.copy(ods, batch)
    shutil.copy(out / "辽中区-区教育局-填报表.xlsx", batch)
    result = run("-C", sample, "import", "xlsx", batch)
    assert "| 刘二堡镇-填报表.ods | — | 未导入（.ods 文件，请另存为 .xlsx）" in result.output, result.output
    assert result.exit_code == 1


def test_a_new_item_lacking_what_strict_wants_is_named_and_gets_the_department(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    edu = out / "辽中区-区教育局-填报表.xlsx"
    _add(edu, "义务教育", {"一级事项": "招生管理", "二级事项": "学区划分", "公开内容（要素）": "学区划分方案"})
    result = run("-C", sample, "import", "xlsx", edu)
    assert result.exit_code == 0, result.output
    assert "注意（validate --strict 时是错误）：义务教育!" in result.output and "GK401" in result.output
    assert "按本表的单位“区教育局”写入" in result.output
    assert _show(run, sample)[("yiwu-jiaoyu", "liaozhong-01")]["subject"] == ["区教育局"]
    text = (sample / LZ / "yiwu-jiaoyu.yaml").read_text(encoding="utf-8")
    assert "subject: [education]" in text


def test_a_file_an_import_creates_begins_with_the_schema_line(sample, run, tmp_path):
    out = _start(run, sample, tmp_path)
    town = out / "刘二堡镇-填报表.xlsx"
    assert not (sample / LZ / "liuerbao/yiwu-jiaoyu.yaml").exists()
    _set(town, "义务教育", {("ywjy-02", "公开时限"): "每学年初"})
    assert run("-C", sample, "import", "xlsx", town).exit_code == 0
    first = (sample / LZ / "liuerbao/yiwu-jiaoyu.yaml").read_text(encoding="utf-8").splitlines()[0]
    beside = (sample / LZ / "liuerbao/locality.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == beside.replace("locality.schema.json", "domain-overlay.schema.json") and "$schema=" in first


def test_a_round_on_the_sample_as_units_return_it_in_libreoffice(sample, run, tmp_path):
    """The round of issue 34, every form saved by real LibreOffice: a row deleted, a date typed on the cover, a
    refused form, a corrected second return, an .ods in the folder."""
    out = _start(run, sample, tmp_path)
    edu, civil, town = out / "辽中区-区教育局-填报表.xlsx", out / "辽中区-区民政局-填报表.xlsx", out / "刘二堡镇-填报表.xlsx"
    back = tmp_path / "收回"
    back.mkdir()
    # the education bureau edits a deadline and types the date on its cover; keeps a copy of what it sent
    ws = openpyxl.load_workbook(edu)["义务教育"]
    guide = openpyxl.load_workbook(edu)["说明"]
    date_cell = next(f"B{r}" for r in range(1, guide.max_row + 1) if guide.cell(r, 1).value == "日期")
    libreoffice_edit(edu, [["set", "义务教育", _ref(ws, "ywjy-04", "公开时限"), "每学年初"],
                           ["type", "说明", date_cell, "2026-12-15"]], tmp_path)
    shutil.copy(edu, back)
    # the civil affairs bureau deletes a row (it unprotects the sheet)
    ws = openpyxl.load_workbook(civil)["社会救助"]
    libreoffice_edit(civil, [["delete-row", "社会救助", str(_row(ws, "shjz-01"))]], tmp_path)
    shutil.copy(civil, back)
    # the town saves its form as .ods, LibreOffice's default
    libreoffice_edit(town, [["save-as", str(back / "刘二堡镇-填报表.ods")]], tmp_path)
    result = run("-C", sample, "import", "xlsx", back)
    assert result.exit_code == 1, result.output
    assert "| 辽中区-区教育局-填报表.xlsx | 区教育局 | 已写入 |" in result.output
    assert "| 辽中区-区民政局-填报表.xlsx | 区民政局 | 未导入 |" in result.output and "不能用删除行来排除事项" in result.output
    assert "| 刘二堡镇-填报表.ods | — | 未导入（.ods 文件，请另存为 .xlsx）" in result.output
    assert _returns(sample, "区教育局")[0]["cover"]["日期"] == "2026-12-15"
    status = run("-C", sample, "round", "status", ROUND).output
    assert "区民政局（辽中区）辽中区-区民政局-填报表.xlsx：已交回" in status and "未导入：1 处不能接受" in status
    # the education bureau corrects its own deadline and sends the form again
    ws = openpyxl.load_workbook(edu)["义务教育"]
    libreoffice_edit(edu, [["set", "义务教育", _ref(ws, "ywjy-04", "公开时限"), "每学年开学前"]], tmp_path)
    again = run("-C", sample, "import", "xlsx", edu)
    assert again.exit_code == 0 and "冲突：" not in again.output, again.output
    assert _show(run, sample)[("yiwu-jiaoyu", "ywjy-04")]["deadline"] == "每学年开学前"
    assert len(_returns(sample, "区教育局")) == 2
