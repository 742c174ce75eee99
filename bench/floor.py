"""The floor for writing workbooks: openpyxl's write-only mode with plain values and no styling."""

from __future__ import annotations

import multiprocessing
import shutil
import time
from pathlib import Path

from openpyxl import Workbook

# A typical row of the national table: 16 cells, the channel checklist among them.
ROW = ["1", "政策文件", "教育法律", "●《中华人民共和国教育法》\n●《中华人民共和国义务教育法》", "《中华人民共和国政府信息公开条例》",
       "信息形成或者变更之日起20个工作日内", "区教育局",
       "■政府网站 □政府公报\n■两微一端 □发布会/听证会\n□广播电视 □纸质媒体\n□公开查阅点 □政务服务中心\n"
       "□便民服务站 □入户/现场\n□社区/企事业单位/村公示栏(电子屏) □精准推送\n□其他",
       "√", "", "√", "", "√", "√", "", ""]


def _one(job: tuple[Path, list[int]]) -> None:
    path, sheets = job
    wb = Workbook(write_only=True)
    for i, rows in enumerate(sheets):
        ws = wb.create_sheet(f"s{i}")
        for _ in range(rows):
            ws.append(ROW)
    wb.save(path)


def xlsx_floor(sheets: list[list[int]], jobs: int, out: Path) -> float:
    """Seconds to write one workbook per entry of `sheets` (row counts per sheet), in `jobs` processes."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    work = [(out / f"{i}.xlsx", rows) for i, rows in enumerate(sheets)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        list(pool.imap_unordered(_one, work, chunksize=4))
    took = time.perf_counter() - start
    shutil.rmtree(out)
    return took
