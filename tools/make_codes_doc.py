"""Write docs/codes.md: every diagnostic code with a real example from tests/cases/invalid.

    python tools/make_codes_doc.py          # rewrite docs/codes.md
A test fails when docs/codes.md is not what this script writes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from gkcat.check.load import load_project  # noqa: E402 - after the path set-up above
from gkcat.diagnostics.codes import CODES, Severity  # noqa: E402

CASES = REPO / "tests" / "cases" / "invalid"
# Symlinks cannot be committed portably as a case folder; tests/test_sources.py produces this one.
EXTRA = {"GK108": ("（测试中生成）", "city/county/evil/:1:1: 错误 GK108 此地区文件夹是指向项目之外的符号链接，已拒绝读取")}


# The day the examples are dated: a message that names today (GK408) would otherwise make the page depend on
# the day it is written, or on the date of the repository's last commit.
EPOCH = "1796428800"  # 2026-12-05


def examples() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = dict(EXTRA)
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        loads = [(case, load_project(case)) for case in sorted(p for p in CASES.iterdir() if p.is_dir())]
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
    for case, loaded in loads:
        for d in loaded.diagnostics:
            if d.code not in found:
                sev = "错误" if d.severity is Severity.ERROR else "警告"
                path = f"{d.path}: " if d.path else ""
                found[d.code] = (case.name, f"{d.file}:{d.line}:{d.column}: {sev} {d.code} {path}{d.message}")
    return found


def render() -> str:
    ex = examples()
    out = [
        "# 诊断代码一览",
        "",
        "`gkcat validate` 报告的每个问题都有一个稳定的代码。代码不会改号，只会新增。",
        "警告（GK4xx）不影响退出码，`--strict` 时按错误处理。示例取自 `tests/cases/invalid/` 中的示例项目。",
        "",
        "| 代码 | 级别 | 含义 | 示例项目 | 示例 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for code, info in CODES.items():
        case, line = ex.get(code, ("", ""))
        sev = "错误" if info.severity is Severity.ERROR else "警告"
        line = line.replace("|", "\\|")
        out.append(f"| {code} | {sev} | {info.title} | {case} | `{line}` |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    (REPO / "docs" / "codes.md").write_text(render(), encoding="utf-8")
